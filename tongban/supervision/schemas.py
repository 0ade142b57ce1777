"""Shapes of the supervision API (电子监察, staff): list filters and the one body
(the rectification note), and the output of cards, urgings, alerts and the
dashboard, as documented in the OpenAPI at ``/api/v1/docs`` (the real-time lists of
cases are the case kind's: ``kinds.cases.schemas``). Input shapes check types and
sizes only; who may write a note is ``services``' rule."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from tongban.catalog.schemas import MAX_PAGE_SIZE, DepartmentOut

CardColourValue = Literal["yellow", "red"]
CardRuleValue = Literal["deadline", "intake_limit", "not_cured"]
AlertKindValue = Literal["special_overrun", "pledge_overdue"]


# --- input -------------------------------------------------------------------------------


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        20,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Results per page, at most {MAX_PAGE_SIZE} (a larger value is refused).",
    )


class CardListQuery(PageQuery):
    """Filters of ``GET /supervision/cards`` (发牌记录); combined with AND, always
    within the caller's departmental scope."""

    department: str = Field(
        "", max_length=32, description="Department code; its sub-departments included."
    )
    colour: CardColourValue | None = None
    cured: bool | None = Field(None, description="Only cured (true) or uncured (false) cards.")
    issued_from: dt.date | None = Field(None, description="Issued on or after.")
    issued_to: dt.date | None = Field(None, description="Issued on or before.")
    case_number: str = Field("", max_length=40, description="Part of the case number.")


class UrgingListQuery(PageQuery):
    automatic: bool | None = Field(
        None, description="Only the sweep's (true) or people's (false) urgings."
    )


class AlertListQuery(PageQuery):
    kind: AlertKindValue | None = None
    open_only: bool = Field(True, description="Only alerts not yet resolved (default).")


class DashboardQuery(Schema):
    month: str | None = Field(
        None,
        pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
        description="YYYY-MM: the month of the card figures and the last of the 12 months "
        "of the on-time trend (default: this month). Case counts are always as of today.",
    )


class RectificationIn(Schema):
    note: str = Field(max_length=2000, description="整改说明: what the department has done.")


# --- output ------------------------------------------------------------------------------


class CaseRefOut(Schema):
    number: str
    item_name: str


class CardOut(Schema):
    id: int
    colour: CardColourValue
    colour_label: str
    rule: CardRuleValue
    rule_label: str
    case: CaseRefOut
    step: str = Field(description="The step at fault when the card was issued.")
    handler: str | None = Field(description="Name of the handler at fault, if any.")
    department: DepartmentOut = Field(description="The carded department.")
    deadline: dt.date = Field(description="The deadline that was missed.")
    days_overdue: int = Field(description="Working days past the deadline when issued.")
    yellow_card_id: int | None = Field(description="For a red card: the yellow card before it.")
    issued_at: dt.datetime
    issued_on: dt.date
    recipients: list[dict[str, str]] = Field(
        description="Who was notified: `{name, role}` (handler, section_head, "
        "department_head, system_admin)."
    )
    cured: bool
    cured_at: dt.datetime | None
    cured_on: dt.date | None
    rectification: str = Field(description="The department's rectification note (整改说明).")
    rectified_by: str | None
    rectified_at: dt.datetime | None


class CardListOut(Schema):
    count: int = Field(description="Number of matching cards over all pages.")
    page: int
    page_size: int
    results: list[CardOut]


class UrgingOut(Schema):
    id: int
    case: CaseRefOut
    step: str | None
    automatic: bool = Field(description="Written by the sweep for an overdue step.")
    urged_by: str | None = Field(description="Who urged; null for the sweep.")
    urged_user: str | None = Field(description="Whom; null: those who may take the step.")
    department: DepartmentOut
    message: str
    at: dt.datetime
    on: dt.date
    read_at: dt.datetime | None


class UrgingListOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[UrgingOut]


class AlertOut(Schema):
    id: int
    kind: AlertKindValue
    kind_label: str
    case: CaseRefOut
    reference: str = Field(description="What it is about (the procedure, the pledge).")
    department: DepartmentOut
    due_on: dt.date
    issued_at: dt.datetime
    issued_on: dt.date
    resolved_at: dt.datetime | None


class AlertListOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[AlertOut]


class DepartmentCountOut(Schema):
    code: str
    name: str
    count: int


class OpenCountsOut(Schema):
    open: int
    due_soon: int
    overdue: int
    suspended: int


class DepartmentCardsOut(Schema):
    code: str
    name: str
    yellow: int
    red: int
    cured: int = Field(description="Of these, cured within the month.")


class MonthRateOut(Schema):
    month: str = Field(description="YYYY-MM")
    completed: int
    on_time: int
    rate: float | None = Field(description="Percent completed by the deadline.")


class OverdueItemOut(Schema):
    code: str
    name: str
    count: int


class DashboardOut(Schema):
    today: dt.date
    month: str = Field(description="YYYY-MM of the card figures.")
    open_counts: OpenCountsOut
    cards_by_department: list[DepartmentCardsOut]
    on_time_trend: list[MonthRateOut] = Field(description="The 12 months up to `month`.")
    top_overdue_items: list[OverdueItemOut]
