"""Shapes of the cases API (staff): list filters, the bodies of intake and of every
action, and the list, detail and timeline output, as documented in the OpenAPI at
``/api/v1/docs``. Input shapes check types and sizes only; the business rules (which
materials, which state, who may) stay in ``cases.services``."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, ModelSchema, Schema

from tongban.catalog.schemas import MAX_PAGE_SIZE, DepartmentOut, HandlingTypeValue

from .models import OpinionTemplate
from .policy import Action

StatusValue = Literal[
    "received",
    "supplement",
    "in_progress",
    "suspended",
    "completed",
    "rejected",
    "withdrawn",
    "terminated",
]
StatusFilterValue = Literal[
    "open",
    "received",
    "supplement",
    "in_progress",
    "suspended",
    "completed",
    "rejected",
    "withdrawn",
    "terminated",
]
ChannelValue = Literal["counter", "online", "partner", "hotline"]
OrderValue = Literal[
    "number",
    "-number",
    "received_at",
    "-received_at",
    "accepted_on",
    "-accepted_on",
    "deadline",
    "-deadline",
    "status",
    "-status",
    "applicant_name",
    "-applicant_name",
]
ColourValue = Literal["normal", "due_soon", "overdue", "suspended", "waiting", "closed"]
OutcomeValue = Literal["approved", "denied"]
DecisionValue = Literal["agree", "return", "propose_denial"]
ApplicantKindValue = Literal["person", "organisation"]
IdTypeValue = Literal["resident_id", "credit_code", "passport", "hk_macao", "other"]

# --- input -------------------------------------------------------------------------------


class CaseListQuery(Schema):
    """Filters of ``GET /api/v1/cases`` (the combined query 综合查询); all optional,
    combined with AND, always within what the caller may see."""

    number: str = Field("", max_length=40, description="Part of the case number.")
    applicant: str = Field("", max_length=100, description="Part of the applicant's name.")
    id_number: str = Field("", max_length=40, description="The applicant's exact ID number.")
    mobile: str = Field("", max_length=20, description="The applicant's exact mobile number.")
    item: str = Field("", max_length=200, description="Item code, or part of the item name.")
    department: str = Field(
        "", max_length=32, description="Lead department code; its sub-departments included."
    )
    status: StatusFilterValue | None = Field(
        None, description="A status, or `open` for every not yet closed case."
    )
    handling_type: HandlingTypeValue | None = None
    channel: ChannelValue | None = None
    received_by: str = Field("", max_length=150, description="Username of the acceptor.")
    hall: str = Field("", max_length=32, description="Code of the receiving hall.")
    accepted_from: dt.date | None = Field(None, description="Accepted on or after.")
    accepted_to: dt.date | None = Field(None, description="Accepted on or before.")
    overdue: bool = Field(False, description="Only running cases past their deadline.")
    handled_by_me: bool = Field(False, description="Only cases I took in or handled a step of.")
    order: OrderValue = Field("-received_at", description="Sort order (`-` descending).")
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        20,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Results per page, at most {MAX_PAGE_SIZE} (a larger value is refused).",
    )


class ApplicantIn(Schema):
    kind: ApplicantKindValue
    name: str = Field(max_length=100)
    id_type: IdTypeValue
    id_number: str = Field(max_length=40)
    mobile: str = Field(max_length=20)
    address: str = Field("", max_length=300)
    contact_name: str = Field("", max_length=100)


class MaterialIn(Schema):
    """A paper material handed in: one of the item's materials (``material_id``) or
    an extra document (``name``), with the pages the clerk counted."""

    material_id: int | None = Field(None, description="Id from the item's material list.")
    name: str = Field("", max_length=200, description="Name of an extra document.")
    pages: int = Field(ge=1, le=10000)
    copies: int = Field(1, ge=1, le=99)


class IntakeIn(Schema):
    item: str = Field(max_length=40, description="Code of a published item.")
    applicant: ApplicantIn
    form_data: dict[str, Any] = Field(
        default_factory=dict, description="Answers to the item's form (see its JSON Schema)."
    )
    materials: list[MaterialIn] = Field(default_factory=list, max_length=100)


class AcceptIn(Schema):
    opinion: str = Field("", max_length=2000)
    pledge_due_on: dt.date | None = Field(
        None,
        description="容缺受理: the day the applicant pledged to supply the missing "
        "non-essential materials by.",
    )


class RejectIn(Schema):
    reasons: str = Field(max_length=2000)


class SupplementRequestIn(Schema):
    items: list[str] = Field(max_length=50, description="What the applicant must supply.")
    note: str = Field("", max_length=2000)


class SupplementIn(Schema):
    materials: list[MaterialIn] = Field(default_factory=list, max_length=100)
    note: str = Field("", max_length=2000)


class PledgedMaterialsIn(Schema):
    """容缺受理, the second half: the pledged materials handed in."""

    materials: list[MaterialIn] = Field(
        max_length=100, description="The materials handed in (at least one)."
    )
    note: str = Field("", max_length=2000)


class OutcomeIn(Schema):
    outcome: OutcomeValue
    certificate_number: str = Field("", max_length=80)
    opinion: str = Field("", max_length=2000)


class AdvanceIn(Schema):
    decision: DecisionValue
    opinion: str = Field("", max_length=2000)
    return_to: int | None = Field(None, description="With `return`: the step id to return to.")


class AssignIn(Schema):
    username: str = Field(max_length=150)


class SuspendIn(Schema):
    procedure: str = Field(
        max_length=32, description="A special procedure the item provides for (its `kind`)."
    )
    reason: str = Field(max_length=2000)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class ExtensionIn(Schema):
    days: int = Field(ge=1, le=60, description="Working days to add.")
    reason: str = Field(max_length=2000)


class ExtensionDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(max_length=2000)


class UrgeIn(Schema):
    message: str = Field(max_length=300)
    step_id: int | None = Field(None, description="Only this active step (default: all).")


class OpinionTemplateIn(Schema):
    text: str = Field(max_length=300)


# --- output ------------------------------------------------------------------------------


class ItemRefOut(Schema):
    code: str
    name: str = Field(description="The item's name when the case was received.")


class CaseRowOut(Schema):
    number: str
    item: ItemRefOut
    handling_type: HandlingTypeValue
    department: DepartmentOut = Field(description="The lead department.")
    channel: ChannelValue
    status: StatusValue
    status_label: str
    received_at: dt.datetime
    accepted_on: dt.date | None
    deadline: dt.date | None
    completed_on: dt.date | None
    terminated_on: dt.date | None
    colour: ColourValue = Field(description="Time-limit colour today.")
    applicant_name: str = Field(description="Masked for persons (张*三).")


class CaseListOut(Schema):
    count: int = Field(description="Number of matching cases over all pages.")
    page: int
    page_size: int
    results: list[CaseRowOut]


class ApplicantOut(Schema):
    """The applicant as every answer shows it: ID number, mobile and address masked
    for everybody; a handler of the case gets them from ``POST
    /cases/{number}/reveal``, which is audited."""

    masked: bool = Field(
        description="Always true: `id_number`, `mobile` and `address` are masked here."
    )
    kind: ApplicantKindValue
    name: str = Field(description="In full for a handler of the case, else masked (张*三).")
    id_type: IdTypeValue
    id_number: str = Field(description="Masked (6205**********1234).")
    mobile: str = Field(description="Masked (139****1234).")
    address: str = Field(description="Always empty here.")
    contact_name: str = Field(description="In full for a handler of the case, else masked.")


class RevealOut(Schema):
    """The applicant's personal data in full (each request is one audit record)."""

    id_number: str
    mobile: str
    address: str
    form: dict[str, str] = Field(
        default_factory=dict,
        description="The item's form fields holding personal data (ID, mobile, address), "
        "in full, by key; masked in the case detail's form_data.",
    )


class StepOut(Schema):
    id: int
    order: int
    name: str
    kind: Literal["lead", "assist"]
    department: DepartmentOut
    role: str
    assignee: str | None = Field(description="Name of the handler; null: in the queue.")
    status: Literal["waiting", "active", "done", "returned", "cancelled"]
    started_on: dt.date | None
    due_on: dt.date | None
    finished_on: dt.date | None
    days_used: int | None = Field(description="Working days used (to today while active).")
    days_allowed: int | None = Field(description="The step's own limit, if any.")
    overdue: bool
    decision: str
    opinion: str


class CaseMaterialOut(Schema):
    id: int
    material_id: int | None
    name: str
    pages: int | None
    copies: int
    source: Literal["counter", "online", "supplement"]
    has_file: bool
    received_at: dt.datetime


class MissingMaterialOut(Schema):
    id: int
    name: str
    essential: bool


class HolidayOut(Schema):
    name: str
    year: int
    first_day: dt.date
    last_day: dt.date


class AdjustedDayOut(Schema):
    date: dt.date
    holiday_name: str


class DeadlineOut(Schema):
    """How the deadline was reached (time-limits.md, "Explainable deadline")."""

    accepted_on: dt.date
    limit_days: int
    extension_days: int
    suspended_days: int
    total_days: int = Field(description="Working days counted after the acceptance day.")
    deadline: dt.date | None
    holidays_skipped: list[HolidayOut]
    adjusted_workdays_used: list[AdjustedDayOut]
    years_without_arrangement: list[int] = Field(
        description="Years counted Monday–Friday: no holiday arrangement on file."
    )
    working_days_used: int = Field(
        description="wd(accepted_on, completed or today) minus suspended days."
    )


class ExtensionOut(Schema):
    id: int
    days: int
    reason: str
    status: Literal["pending", "approved", "refused"]
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


class SuspensionOut(Schema):
    kind: Literal["special", "supplement"]
    procedure: str
    reason: str
    started_on: dt.date
    due_on: dt.date | None
    ended_on: dt.date | None
    days: int


class CaseDetailOut(CaseRowOut):
    hall: DepartmentOut | None = Field(description="The counter that received it.")
    received_by: str | None
    review_due_on: dt.date
    pledge_due_on: dt.date | None
    deemed_accepted: bool
    outcome: OutcomeValue | Literal[""]
    proposed_outcome: OutcomeValue | Literal[""]
    certificate_number: str
    result_note: str
    version: int = Field(description="Incremented by every change.")
    applicant: ApplicantOut
    form_data: dict[str, Any]
    steps: list[StepOut]
    materials: list[CaseMaterialOut]
    missing_materials: list[MissingMaterialOut]
    derivation: DeadlineOut | None = Field(description="Null until accepted.")
    extensions: list[ExtensionOut]
    suspensions: list[SuspensionOut]
    actions: list[Action] = Field(
        description="What the caller may do now (sorted): names of the action table "
        "(docs/cases.md, 'Who may do what')."
    )


class TimelineEventOut(Schema):
    at: dt.datetime
    actor_name: str
    action: str
    action_label: str
    step: str | None
    opinion: str
    detail: dict[str, Any]


class OpinionTemplateOut(ModelSchema):
    class Meta:
        model = OpinionTemplate
        fields = ["id", "text", "order"]
