"""Reads of electronic supervision: cards, urgings, alerts, the real-time lists, the
dashboard figures. Scoped like everything else: a supervisor sees every department,
a department's staff their subtree (``Case.objects.visible_to``,
``Card.objects.visible_to``). Every figure is computed in the database, and every
list is a QuerySet the caller paginates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from tongban.accounts.selectors import department_path
from tongban.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    Suspension,
    SuspensionKind,
    Urging,
)
from tongban.workcalendar.calendar import get_calendar

from .models import Alert, Card

# --- cards, urgings, alerts -------------------------------------------------------------


@dataclass
class CardFilters:
    department: str = ""  # code: that subtree
    colour: str = ""  # yellow / red
    cured: bool | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    case_number: str = ""


def cards(user, filters: CardFilters | None = None) -> QuerySet[Card]:
    f = filters or CardFilters()
    query = Card.objects.visible_to(user).select_related(
        "case", "department", "handler", "rectified_by"
    )
    if f.department:
        query = query.filter(department__path__startswith=department_path(f.department))
    if f.colour:
        query = query.filter(colour=f.colour)
    if f.cured is not None:
        query = query.filter(cured_at__isnull=not f.cured)
    if f.issued_from:
        query = query.filter(issued_on__gte=f.issued_from)
    if f.issued_to:
        query = query.filter(issued_on__lte=f.issued_to)
    if f.case_number:
        query = query.filter(case__number__icontains=f.case_number.strip())
    return query.order_by("-issued_at", "-id")


def get_card_for(user, pk: int) -> Card:
    from tongban.core.errors import NotFound

    card = cards(user).filter(pk=pk).first()
    if card is None:
        raise NotFound()
    return card


def urgings(user, *, automatic: bool | None = None) -> QuerySet[Urging]:
    """催办记录 of the cases ``user`` may see."""
    query = Urging.objects.filter(case__in=Case.objects.visible_to(user).values("pk"))
    if automatic is not None:
        query = query.filter(automatic=automatic)
    return query.select_related("case", "step", "urged_by", "urged_user", "department").order_by(
        "-at", "-id"
    )


def alerts(user, *, kind: str = "", open_only: bool = True) -> QuerySet[Alert]:
    query = Alert.objects.visible_to(user).select_related("case", "department")
    if kind:
        query = query.filter(kind=kind)
    if open_only:
        query = query.filter(resolved_at__isnull=True)
    return query.order_by("-issued_at", "-id")


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


def due_soon_limit(today: dt.date) -> dt.date:
    """``wd(t, deadline) ≤ warn_days`` ⇔ ``deadline ≤ add(t, warn_days)`` (for a
    deadline on or after t)."""
    return get_calendar().add(today, settings.TONGBAN_WARN_DAYS)


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


# --- the dashboard -------------------------------------------------------------------------


def open_counts(user, today: dt.date) -> dict[str, int]:
    """Open cases by time-limit colour, in one query."""
    soon = due_soon_limit(today)
    return Case.objects.visible_to(user).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        due_soon=Count(
            "pk",
            filter=Q(status=CaseStatus.IN_PROGRESS, deadline__gte=today, deadline__lte=soon),
        ),
        overdue=Count("pk", filter=Q(status=CaseStatus.IN_PROGRESS, deadline__lt=today)),
        suspended=Count("pk", filter=Q(status=CaseStatus.SUSPENDED)),
    )


def cards_by_department(user, first: dt.date, last: dt.date) -> list[dict]:
    """Cards issued and cured between ``first`` and ``last``, per department."""
    issued = (
        Card.objects.visible_to(user)
        .filter(issued_on__range=(first, last))
        .values(code=F("department__code"), name=F("department__name"))
        .annotate(
            yellow=Count("pk", filter=Q(colour="yellow")),
            red=Count("pk", filter=Q(colour="red")),
            cured=Count("pk", filter=Q(cured_on__range=(first, last))),
        )
        .order_by("code")
    )
    return list(issued)


def on_time_trend(user, first: dt.date, last: dt.date) -> list[dict]:
    """Per month of completion: completed cases and how many by their deadline."""
    rows = (
        Case.objects.visible_to(user)
        .filter(completed_on__range=(first, last))
        .annotate(month=TruncMonth("completed_on"))
        .values("month")
        .annotate(
            completed=Count("pk"),
            on_time=Count("pk", filter=Q(completed_on__lte=F("deadline"))),
        )
        .order_by("month")
    )
    return [
        {
            "month": row["month"].strftime("%Y-%m"),
            "completed": row["completed"],
            "on_time": row["on_time"],
            "rate": round(100 * row["on_time"] / row["completed"], 2) if row["completed"] else None,
        }
        for row in rows
    ]


def top_overdue_items(user, today: dt.date, limit: int = 10) -> list[dict]:
    """The items with the most running cases past their deadline."""
    return list(
        Case.objects.visible_to(user)
        .filter(status=CaseStatus.IN_PROGRESS, deadline__lt=today)
        .values(code=F("item__code"), name=F("item_name"))
        .annotate(count=Count("pk"))
        .order_by("-count", "code")[:limit]
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


# --- for the supervision pages (the lists behind the dashboard's figures) -----------------


def of_department(rows: QuerySet, code: str, field: str = "department") -> QuerySet:
    """Rows of exactly the department ``code``, not its subtree: the per-department
    figures group by the department itself, and the list behind one must match it."""
    return rows.filter(**{f"{field}__code": code.strip()})


def processing_limits_in_state(user, today: dt.date, state: str = "") -> QuerySet[Case]:
    """``processing_limits`` narrowed to ``overdue`` (deadline passed) or ``due_soon``
    (deadline today or later), as ``open_counts`` counts them."""
    rows = processing_limits(user, today)
    if state == "overdue":
        return rows.filter(deadline__lt=today)
    if state == "due_soon":
        return rows.filter(deadline__gte=today)
    return rows


def cards_cured_between(rows: QuerySet[Card], first: dt.date, last: dt.date) -> QuerySet[Card]:
    return rows.filter(cured_on__range=(first, last))


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
