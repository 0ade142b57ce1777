"""Electronic supervision (电子监察) in the REST API, for staff (session or bearer
token; see ``tongban/api.py``): cards (发牌记录) and their rectification notes,
urgings (催办记录), alerts (the issue's "warnings"), the real-time lists (实时监察) and
the dashboard figures.

Scoped like the pages, by the supervision selectors: a supervisor sees every
department, other staff their department's subtree, the three administrators
nothing. A card out of scope is the same 404 as a missing one. Every list is a fixed
number of queries whatever the page holds. There is no ``POST /sweep``: the sweep
belongs to the worker and to ``tongban supervise``, not to callers of the API.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt

from django.utils import timezone
from ninja import Query, Router

from tongban.cases.models import Case, Suspension
from tongban.cases.selectors import with_colours
from tongban.core import clock
from tongban.core.clock import local_date

from . import selectors, services
from .models import Alert, Card
from .schemas import (
    AlertListOut,
    AlertListQuery,
    CardListOut,
    CardListQuery,
    CardOut,
    DashboardOut,
    DashboardQuery,
    PageQuery,
    RealtimeCasesOut,
    RectificationIn,
    SpecialProceduresOut,
    SupplementCasesOut,
    SupplementWaitingQuery,
    UrgingListOut,
    UrgingListQuery,
)

router = Router(tags=["supervision"])

# --- output ------------------------------------------------------------------------------


def _department(department) -> dict:
    return {"code": department.code, "name": department.name}


def _case_ref(case: Case) -> dict:
    return {"number": case.number, "item_name": case.item_name}


def _name(user) -> str | None:
    return user.display_name if user is not None else None


def _card(card: Card) -> dict:
    return {
        "id": card.pk,
        "colour": card.colour,
        "colour_label": str(card.get_colour_display()),
        "rule": card.rule,
        "rule_label": str(card.get_rule_display()),
        "case": _case_ref(card.case),
        "step": card.step_name,
        "handler": _name(card.handler),
        "department": _department(card.department),
        "deadline": card.deadline,
        "days_overdue": card.days_overdue,
        "yellow_card_id": card.yellow_id,
        "issued_at": card.issued_at,
        "issued_on": card.issued_on,
        "recipients": card.recipients,
        "cured": card.is_cured,
        "cured_at": card.cured_at,
        "cured_on": card.cured_on,
        "rectification": card.rectification,
        "rectified_by": _name(card.rectified_by),
        "rectified_at": card.rectified_at,
    }


def _urging(urging) -> dict:
    return {
        "id": urging.pk,
        "case": _case_ref(urging.case),
        "step": urging.step.name if urging.step is not None else None,
        "automatic": urging.automatic,
        "urged_by": _name(urging.urged_by),
        "urged_user": _name(urging.urged_user),
        "department": _department(urging.department),
        "message": urging.message,
        "at": urging.at,
        "on": urging.on,
        "read_at": urging.read_at,
    }


def _alert(alert: Alert) -> dict:
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "kind_label": str(alert.get_kind_display()),
        "case": _case_ref(alert.case),
        "reference": alert.reference,
        "department": _department(alert.department),
        "due_on": alert.due_on,
        "issued_at": alert.issued_at,
        "issued_on": alert.issued_on,
        "resolved_at": alert.resolved_at,
    }


def _case_row(case: Case) -> dict:
    return {
        "number": case.number,
        "item": {"code": case.item.code, "name": case.item_name},
        "department": _department(case.department),
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "applicant_name": case.masked_applicant_name,
        "received_at": case.received_at,
        "review_due_on": case.review_due_on,
        "accepted_on": case.accepted_on,
        "deadline": case.deadline,
        "colour": case.colour,
        "supplement_requested_on": getattr(case, "supplement_requested_on", None),
    }


def _special_procedure(suspension: Suspension, today: dt.date) -> dict:
    case = suspension.case
    return {
        "case": _case_ref(case),
        "department": _department(case.department),
        "procedure": suspension.procedure,
        "procedure_label": str(suspension.get_procedure_display()),
        "reason": suspension.reason,
        "limit_days": suspension.limit_days,
        "started_on": suspension.started_on,
        "due_on": suspension.due_on,
        "overrun": suspension.due_on is not None and suspension.due_on < today,
    }


def _page(rows, query: PageQuery):
    start = (query.page - 1) * query.page_size
    return rows[start : start + query.page_size]


def _listing(rows, query: PageQuery, shape) -> dict:
    return {
        "count": rows.count(),
        "page": query.page,
        "page_size": query.page_size,
        "results": [shape(row) for row in _page(rows, query)],
    }


def _cases(cases, query: PageQuery, today: dt.date, per_department: list[dict]) -> dict:
    return {
        "count": cases.count(),
        "page": query.page,
        "page_size": query.page_size,
        "per_department": per_department,
        "items": [_case_row(case) for case in with_colours(_page(cases, query), today)],
    }


# --- cards -----------------------------------------------------------------------------------


@router.get(
    "/cards",
    response=CardListOut,
    summary="Yellow and red cards (发牌记录)",
    operation_id="list_cards",
)
def list_cards(request, filters: Query[CardListQuery]):
    """Cards of the caller's scope, newest first, filtered by department (its
    subtree), colour, cured or not, issue date and case number."""
    cards = selectors.cards(
        request.auth,
        selectors.CardFilters(
            department=filters.department,
            colour=filters.colour or "",
            cured=filters.cured,
            issued_from=filters.issued_from,
            issued_to=filters.issued_to,
            case_number=filters.case_number,
        ),
    )
    return _listing(cards, filters, _card)


@router.get(
    "/cards/{card_id}",
    response=CardOut,
    summary="A card",
    operation_id="get_card",
)
def get_card(request, card_id: int):
    return _card(selectors.get_card_for(request.auth, card_id))


@router.post(
    "/cards/{card_id}/rectification",
    response=CardOut,
    summary="Write the department's rectification note (整改说明)",
    operation_id="record_rectification",
)
def record_rectification(request, card_id: int, payload: RectificationIn):
    """By the head of the carded department (403 for anybody else who may see the
    card); replaces an earlier note. Audited (``card.rectify``, before and after)."""
    user = request.auth
    card = selectors.get_card_for(user, card_id)
    services.record_rectification(actor=user, card=card, note=payload.note, at=timezone.now())
    return _card(selectors.get_card_for(user, card_id))


# --- urgings and alerts ------------------------------------------------------------------------


@router.get(
    "/urgings",
    response=UrgingListOut,
    summary="Urging records (催办记录), automatic and manual",
    operation_id="list_urgings",
)
def list_urgings(request, filters: Query[UrgingListQuery]):
    """Urgings on the cases the caller may see, newest first."""
    return _listing(selectors.urgings(request.auth, automatic=filters.automatic), filters, _urging)


@router.get(
    "/alerts",
    response=AlertListOut,
    summary="Warnings: special procedures over their limit, pledged materials overdue",
    operation_id="list_alerts",
)
def list_alerts(request, filters: Query[AlertListQuery]):
    """Open alerts by default (``open_only=false`` adds the resolved), newest first."""
    alerts = selectors.alerts(request.auth, kind=filters.kind or "", open_only=filters.open_only)
    return _listing(alerts, filters, _alert)


# --- real-time supervision (实时监察) ----------------------------------------------------------


@router.get(
    "/realtime/supplements",
    response=SupplementCasesOut,
    summary="Cases waiting for a supplement (补正监察)",
    operation_id="list_supplement_waiting",
)
def list_supplement_waiting(request, filters: Query[SupplementWaitingQuery]):
    """Before acceptance, or suspended for it after acceptance; oldest first."""
    today = local_date(clock.now())
    waiting = selectors.supplement_waiting(
        request.auth,
        selectors.WaitingFilters(
            applicant=filters.applicant,
            number=filters.number,
            requested_from=filters.requested_from,
            requested_to=filters.requested_to,
        ),
    )
    # Counted over the distinct cases: a date filter joins the supplement requests,
    # and a case asked twice must not count twice.
    per_department = selectors.counts_per_department(
        Case.objects.filter(pk__in=waiting.values("pk"))
    )
    return _cases(selectors.with_supplement_requested_on(waiting), filters, today, per_department)


@router.get(
    "/realtime/processing",
    response=RealtimeCasesOut,
    summary="Processing time limits: running cases overdue or due soon (办理时限监察)",
    operation_id="list_processing_limits",
)
def list_processing_limits(request, filters: Query[PageQuery]):
    """Most urgent first."""
    today = local_date(clock.now())
    cases = selectors.processing_limits(request.auth, today)
    return _cases(cases, filters, today, selectors.counts_per_department(cases))


@router.get(
    "/realtime/intake",
    response=RealtimeCasesOut,
    summary="Supplement-notification limits: applications not yet reviewed (补正告知时限监察)",
    operation_id="list_intake_limits",
)
def list_intake_limits(request, filters: Query[PageQuery]):
    """By their review limit (``review_due_on``), earliest first."""
    today = local_date(clock.now())
    cases = selectors.intake_limits(request.auth, today)
    return _cases(cases, filters, today, selectors.counts_per_department(cases))


@router.get(
    "/realtime/special-procedures",
    response=SpecialProceduresOut,
    summary="Special procedures under way, by their own limit (特别程序时限监察)",
    operation_id="list_special_procedure_limits",
)
def list_special_procedure_limits(request, filters: Query[PageQuery]):
    today = local_date(clock.now())
    suspensions = selectors.special_procedure_limits(request.auth, today)
    return {
        "count": suspensions.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "per_department": selectors.special_procedures_per_department(suspensions),
        "items": [_special_procedure(s, today) for s in _page(suspensions, filters)],
    }


# --- the dashboard ---------------------------------------------------------------------------


def _month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    last_day = month_calendar.monthrange(month.year, month.month)[1]
    return month, month.replace(day=last_day)


def _months_before(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


@router.get(
    "/dashboard",
    response=DashboardOut,
    summary="Supervision dashboard figures (综合监察)",
    operation_id="get_supervision_dashboard",
)
def get_supervision_dashboard(request, filters: Query[DashboardQuery]):
    """Open cases by time-limit colour and the most overdue items (as of today);
    cards issued and cured in ``month`` per department; the on-time rate of the 12
    months up to ``month``."""
    user = request.auth
    today = local_date(clock.now())
    month = today.replace(day=1)
    if filters.month:
        month = dt.date.fromisoformat(f"{filters.month}-01")
    first, last = _month_bounds(month)
    return {
        "today": today,
        "month": month.strftime("%Y-%m"),
        "open_counts": selectors.open_counts(user, today),
        "cards_by_department": selectors.cards_by_department(user, first, last),
        "on_time_trend": selectors.on_time_trend(user, _months_before(month, 11), last),
        "top_overdue_items": selectors.top_overdue_items(user, today),
    }
