"""Electronic supervision (电子监察) in the REST API, for staff (session or bearer
token; see ``tongban/api.py``): cards (发牌记录) and their rectification notes,
urgings (催办记录), alerts (the issue's "warnings") and the dashboard figures, over
every kind of clocked item; each kind adds its own endpoints (``ClockedKind.api_router``:
for cases the real-time lists, 实时监察, in ``kinds.cases.api``).

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

from tongban.core import clock
from tongban.core.clock import local_date

from . import clocked, selectors, services
from .clocked import UrgingRow
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
    RectificationIn,
    UrgingListOut,
    UrgingListQuery,
)

router = Router(tags=["supervision"])

# --- output ------------------------------------------------------------------------------


def _department(department) -> dict:
    return {"code": department.code, "name": department.name}


def _subject_ref(row: Card | Alert) -> dict:
    """The item a card or an alert is about, by the number and title it had then
    (the API's ``case`` field: for now every item is a case)."""
    return {"number": row.subject_number, "item_name": row.subject_title}


def _name(user) -> str | None:
    return user.display_name if user is not None else None


def _card(card: Card) -> dict:
    return {
        "id": card.pk,
        "colour": card.colour,
        "colour_label": str(card.get_colour_display()),
        "rule": card.rule,
        "rule_label": str(card.get_rule_display()),
        "case": _subject_ref(card),
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


def _urging(urging: UrgingRow) -> dict:
    return {
        "id": urging.pk,
        "case": {"number": urging.number, "item_name": urging.title},
        "step": urging.step_name,
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
        "case": _subject_ref(alert),
        "reference": alert.reference,
        "department": _department(alert.department),
        "due_on": alert.due_on,
        "issued_at": alert.issued_at,
        "issued_on": alert.issued_on,
        "resolved_at": alert.resolved_at,
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


# The kinds' own endpoints, after supervision's (the kinds are registered by now: the
# API is built when the URLs are loaded, after every app is ready).
for _kind in clocked.kinds():
    _own = _kind.api_router()
    if _own is not None:
        router.add_router("", _own)
