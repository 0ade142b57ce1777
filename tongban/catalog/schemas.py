"""Shapes of the public catalogue API (input filters and output), as documented in
the OpenAPI at ``/api/v1/docs``."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

MAX_PAGE_SIZE = 100

HandlingTypeValue = Literal["immediate", "promised", "joint"]
AudienceValue = Literal["personal", "legal_person", "other"]


class ItemListQuery(Schema):
    """Filters of ``GET /api/v1/items``; all optional and combined with AND."""

    q: str = Field(
        "",
        max_length=100,
        description="Search terms (whitespace-separated, all must match) in the code, "
        "name, short name or conditions; Chinese works.",
    )
    department: str = Field(
        "", max_length=32, description="Department code; its sub-departments are included."
    )
    handling_type: HandlingTypeValue | None = Field(None, description="Handling type.")
    item_type: int | None = Field(None, description="Item type id (dictionary).")
    category: int | None = Field(None, description="Item category id (dictionary).")
    theme: int | None = Field(None, description="Theme or life-event id.")
    audience: AudienceValue | None = Field(
        None, description="Applicant type served (from the item's application categories)."
    )
    online: bool | None = Field(
        None, description="Only items that can (or cannot) be applied for online."
    )
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        20,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Results per page, at most {MAX_PAGE_SIZE} (a larger value is refused).",
    )


class DepartmentOut(Schema):
    code: str
    name: str


class ItemSummaryOut(Schema):
    code: str
    name: str
    short_name: str
    item_type: str
    category: str | None
    department: DepartmentOut
    handling_type: HandlingTypeValue
    handling_type_label: str
    promised_limit: int = Field(description="Promised limit in working days (0: immediate).")
    statutory_limit: int = Field(description="Statutory limit in working days.")
    online_allowed: bool
    guide_url: str = Field(description="The item's public service-guide page.")


class ItemListOut(Schema):
    count: int = Field(description="Number of matching items over all pages.")
    page: int
    page_size: int
    results: list[ItemSummaryOut]


class MaterialOut(Schema):
    id: int
    order: int
    name: str
    required: bool
    essential: bool = Field(description="False: may be supplied after acceptance (容缺受理).")
    form: str = Field(description="original, copy, both or electronic.")
    form_label: str
    copies: int
    notes: str
    blank_form_url: str | None = Field(description="Download of the blank form, if any.")
    example_url: str | None = Field(description="Download of the filled example, if any.")


class BasisOut(Schema):
    id: int
    name: str
    issuing_body: str
    document_number: str
    clause: str
    effective_date: dt.date | None
    document_url: str | None = Field(description="Download of the document, if uploaded.")


class StepOut(Schema):
    order: int
    name: str
    role: str
    role_label: str
    department: DepartmentOut = Field(description="Who handles the step.")
    limit_days: int | None = Field(description="Step limit in working days, if any.")


class AssistingOut(Schema):
    department: DepartmentOut
    limit_days: int = Field(description="Its limit in working days, in parallel.")
    task: str


class SpecialProcedureOut(Schema):
    kind: str
    label: str
    limit_days: int = Field(description="Its own limit; its time is not counted.")


class ThemeOut(Schema):
    id: int
    kind: Literal["theme", "life_event", "audience"]
    name: str


class ApplicationCategoryOut(Schema):
    id: int
    name: str
    type: AudienceValue


class ItemDetailOut(ItemSummaryOut):
    max_extension: int = Field(description="Maximum extension in working days.")
    special_procedures_allowed: bool
    fee: str
    fee_basis: str
    conditions: str
    procedure_description: str
    result_name: str
    application_place: str
    application_hours: str
    contact_phone: str
    complaint_phone: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    themes: list[ThemeOut]
    application_categories: list[ApplicationCategoryOut]
    materials: list[MaterialOut]
    basis: list[BasisOut]
    steps: list[StepOut]
    assisting: list[AssistingOut] = Field(
        description="Joint items: assisting departments, working in parallel before the "
        "lead department's decision."
    )
    special_procedures: list[SpecialProcedureOut]
    form_schema: dict[str, Any] = Field(description="JSON Schema of the online application form.")
