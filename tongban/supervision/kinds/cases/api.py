"""The case-only endpoints of the supervision API: the real-time lists (实时监察) of
cases waiting for a supplement, running against their deadline, not yet reviewed, and
of special procedures. Mounted under ``/api/v1/supervision/`` by ``supervision.api``
(``CaseKind.api_router``); scoped like the pages."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router

from tongban.cases.models import Case, Suspension
from tongban.cases.selectors import with_colours
from tongban.core import clock
from tongban.core.clock import local_date

from ...schemas import PageQuery
from . import lists
from .schemas import (
    RealtimeCasesOut,
    SpecialProceduresOut,
    SupplementCasesOut,
    SupplementWaitingQuery,
)

router = Router(tags=["supervision"])


def _department(department) -> dict:
    return {"code": department.code, "name": department.name}


def _case_ref(case: Case) -> dict:
    return {"number": case.number, "item_name": case.item_name}


def _page(rows, query: PageQuery):
    start = (query.page - 1) * query.page_size
    return rows[start : start + query.page_size]


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


def _cases(cases, query: PageQuery, today: dt.date, per_department: list[dict]) -> dict:
    return {
        "count": cases.count(),
        "page": query.page,
        "page_size": query.page_size,
        "per_department": per_department,
        "items": [_case_row(case) for case in with_colours(_page(cases, query), today)],
    }


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
    waiting = lists.supplement_waiting(
        request.auth,
        lists.WaitingFilters(
            applicant=filters.applicant,
            number=filters.number,
            requested_from=filters.requested_from,
            requested_to=filters.requested_to,
        ),
    )
    # Counted over the distinct cases: a date filter joins the supplement requests,
    # and a case asked twice must not count twice.
    per_department = lists.counts_per_department(Case.objects.filter(pk__in=waiting.values("pk")))
    return _cases(lists.with_supplement_requested_on(waiting), filters, today, per_department)


@router.get(
    "/realtime/processing",
    response=RealtimeCasesOut,
    summary="Processing time limits: running cases overdue or due soon (办理时限监察)",
    operation_id="list_processing_limits",
)
def list_processing_limits(request, filters: Query[PageQuery]):
    """Most urgent first."""
    today = local_date(clock.now())
    cases = lists.processing_limits(request.auth, today)
    return _cases(cases, filters, today, lists.counts_per_department(cases))


@router.get(
    "/realtime/intake",
    response=RealtimeCasesOut,
    summary="Supplement-notification limits: applications not yet reviewed (补正告知时限监察)",
    operation_id="list_intake_limits",
)
def list_intake_limits(request, filters: Query[PageQuery]):
    """By their review limit (``review_due_on``), earliest first."""
    today = local_date(clock.now())
    cases = lists.intake_limits(request.auth, today)
    return _cases(cases, filters, today, lists.counts_per_department(cases))


@router.get(
    "/realtime/special-procedures",
    response=SpecialProceduresOut,
    summary="Special procedures under way, by their own limit (特别程序时限监察)",
    operation_id="list_special_procedure_limits",
)
def list_special_procedure_limits(request, filters: Query[PageQuery]):
    today = local_date(clock.now())
    suspensions = lists.special_procedure_limits(request.auth, today)
    return {
        "count": suspensions.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "per_department": lists.special_procedures_per_department(suspensions),
        "items": [_special_procedure(s, today) for s in _page(suspensions, filters)],
    }
