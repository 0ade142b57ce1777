"""Reads of the case-only supervision lists: the real-time lists of the intake and
suspension clocks (补正监察, 办理时限监察, 补正告知时限监察, 特别程序时限监察) and the
figures of the comprehensive query. Scoped like every case list
(``Case.objects.visible_to``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from tongban.cases.models import (
    Case,
    CaseStatus,
    Suspension,
    SuspensionKind,
)

from ...selectors import due_soon_limit

# --- real-time supervision (实时监察) ----------------------------------------------------


@dataclass
class WaitingFilters:
    applicant: str = ""
    number: str = ""
    requested_from: dt.date | None = None
    requested_to: dt.date | None = None


def supplement_waiting(user, filters: WaitingFilters | None = None) -> QuerySet[Case]:
    """补正监察: cases waiting for the applicant's supplement — before acceptance, or
    suspended for it after acceptance."""
    f = filters or WaitingFilters()
    waiting_after = Suspension.objects.filter(
        kind=SuspensionKind.SUPPLEMENT, ended_at__isnull=True
    ).values("case_id")
    query = (
        Case.objects.visible_to(user)
        .filter(
            Q(status=CaseStatus.SUPPLEMENT_REQUESTED)
            | Q(status=CaseStatus.SUSPENDED, pk__in=waiting_after)
        )
        .select_related("item", "department")
    )
    if f.applicant:
        query = query.filter(applicant_name__icontains=f.applicant.strip())
    if f.number:
        query = query.filter(number__icontains=f.number.strip())
    if f.requested_from:
        query = query.filter(supplement_requests__requested_on__gte=f.requested_from)
    if f.requested_to:
        query = query.filter(supplement_requests__requested_on__lte=f.requested_to)
    return query.distinct().order_by("received_at", "pk")


def processing_limits(user, today: dt.date) -> QuerySet[Case]:
    """办理时限监察: running cases overdue or due soon, most urgent first."""
    return (
        Case.objects.visible_to(user)
        .filter(status=CaseStatus.IN_PROGRESS, deadline__lte=due_soon_limit(today))
        .select_related("item", "department")
        .order_by("deadline", "pk")
    )


def intake_limits(user, today: dt.date) -> QuerySet[Case]:
    """补正告知时限监察: applications not yet reviewed, by their review limit."""
    return (
        Case.objects.visible_to(user)
        .filter(status=CaseStatus.RECEIVED)
        .select_related("item", "department", "hall")
        .order_by("review_due_on", "pk")
    )


def special_procedure_limits(user, today: dt.date) -> QuerySet[Suspension]:
    """特别程序时限监察: special procedures under way, by their own due date."""
    return (
        Suspension.objects.filter(
            case__in=Case.objects.visible_to(user).values("pk"),
            kind=SuspensionKind.SPECIAL_PROCEDURE,
            ended_at__isnull=True,
        )
        .select_related("case", "case__item", "case__department")
        .order_by("due_on", "pk")
    )


def counts_per_department(cases: QuerySet[Case]) -> list[dict]:
    """``[{"code": department code, "name": ..., "count": n}]`` for a list of cases
    (each case once, even when a filter joined it to several rows)."""
    return list(
        cases.order_by()
        .values(code=F("department__code"), name=F("department__name"))
        .annotate(count=Count("pk", distinct=True))
        .order_by("-count", "code")
    )


# --- for the API's real-time lists -------------------------------------------------------------


def with_supplement_requested_on(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate ``supplement_requested_on``: the day of the case's open supplement
    request (a subquery, so it neither multiplies rows nor costs a query per row)."""
    from django.db.models import OuterRef, Subquery

    from tongban.cases.models import SupplementRequest

    latest = (
        SupplementRequest.objects.filter(case=OuterRef("pk"), fulfilled_at__isnull=True)
        .order_by("-requested_at", "-id")
        .values("requested_on")[:1]
    )
    return cases.annotate(supplement_requested_on=Subquery(latest))


def special_procedures_per_department(suspensions: QuerySet[Suspension]) -> list[dict]:
    """``counts_per_department`` for ``special_procedure_limits``: procedures counted
    per lead department of their case."""
    return list(
        suspensions.order_by()
        .values(code=F("case__department__code"), name=F("case__department__name"))
        .annotate(count=Count("pk"))
        .order_by("-count", "code")
    )


def processing_limits_in_state(user, today: dt.date, state: str = "") -> QuerySet[Case]:
    """``processing_limits`` narrowed to ``overdue`` (deadline passed) or ``due_soon``
    (deadline today or later), as ``open_counts`` counts them."""
    rows = processing_limits(user, today)
    if state == "overdue":
        return rows.filter(deadline__lt=today)
    if state == "due_soon":
        return rows.filter(deadline__gte=today)
    return rows


def completed_between(
    cases: QuerySet[Case], first: dt.date, last: dt.date, *, on_time: bool | None = None
) -> QuerySet[Case]:
    """Cases completed in [first, last] (``on_time``: by their deadline or not), as
    ``on_time_trend`` counts them."""
    rows = cases.filter(completed_on__range=(first, last))
    if on_time is True:
        rows = rows.filter(completed_on__lte=F("deadline"))
    elif on_time is False:
        rows = rows.filter(completed_on__gt=F("deadline"))
    return rows
