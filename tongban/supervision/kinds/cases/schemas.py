"""Shapes of the case-only supervision API: the real-time lists of cases and of
special procedures (``kinds.cases.api``)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from tongban.cases.schemas import ColourValue, ItemRefOut, StatusValue
from tongban.catalog.schemas import DepartmentOut

from ...schemas import CaseRefOut, DepartmentCountOut, PageQuery


class SupplementWaitingQuery(PageQuery):
    """Filters of 补正监察."""

    applicant: str = Field("", max_length=100, description="Part of the applicant's name.")
    number: str = Field("", max_length=40, description="Part of the case number.")
    requested_from: dt.date | None = Field(None, description="Supplement requested on or after.")
    requested_to: dt.date | None = Field(None, description="Supplement requested on or before.")


class RealtimeCaseOut(Schema):
    number: str
    item: ItemRefOut
    department: DepartmentOut = Field(description="The lead department.")
    status: StatusValue
    status_label: str
    applicant_name: str = Field(description="Masked for persons (张*三).")
    received_at: dt.datetime
    review_due_on: dt.date = Field(description="Limit of the preliminary review.")
    accepted_on: dt.date | None
    deadline: dt.date | None
    colour: ColourValue = Field(description="Time-limit colour today.")


class SupplementCaseOut(RealtimeCaseOut):
    supplement_requested_on: dt.date | None = Field(
        description="When the open supplement request was made."
    )


class RealtimeCasesOut(Schema):
    count: int = Field(description="Number of listed cases over all pages.")
    page: int
    page_size: int
    per_department: list[DepartmentCountOut] = Field(
        description="The whole list counted per lead department, largest first."
    )
    items: list[RealtimeCaseOut]


class SupplementCasesOut(RealtimeCasesOut):
    items: list[SupplementCaseOut]


class SpecialProcedureOut(Schema):
    case: CaseRefOut
    department: DepartmentOut = Field(description="The case's lead department.")
    procedure: str
    procedure_label: str
    reason: str
    limit_days: int | None = Field(description="The procedure's own limit (working days).")
    started_on: dt.date
    due_on: dt.date | None
    overrun: bool = Field(description="Past its own due date today.")


class SpecialProceduresOut(Schema):
    count: int
    page: int
    page_size: int
    per_department: list[DepartmentCountOut]
    items: list[SpecialProcedureOut]
