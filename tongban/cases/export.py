"""The raw facts behind the statistics (statistics.md, "The raw facts…"): one row per
accepted case, evaluated **as of** an instant — events after it are ignored.

The case row holds today's facts; the facts as of an earlier instant are rebuilt from
the history in one query (subqueries, no query per case):

- accepted: ``accepted_on ≤ date(as_of)`` and the acceptance event (accept, accept
  with materials pending, handled on the spot, deemed accepted) at or before
  ``as_of``;
- ``completed_on`` / ``terminated_on``: only if the case was closed (``closed_at``)
  at or before ``as_of``;
- deadline: immediate cases ``accepted_on``; otherwise
  ``add(accepted_on, limit + extension days approved by as_of + working days of the
  suspensions ended by as_of)`` (time-limits.md) — a suspension still running at
  ``as_of`` has not moved the deadline yet.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any, TextIO

from django.db.models import Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from tongban.accounts.models import Department
from tongban.audit.export import neutralise
from tongban.catalog.models import HandlingType
from tongban.core.clock import local_date
from tongban.core.crypto import mask_name
from tongban.core.errors import NotFound
from tongban.workcalendar.calendar import get_calendar

from .models import (
    ApplicantKind,
    Case,
    CaseStatus,
    Extension,
    ExtensionStatus,
    Suspension,
    TimelineEvent,
)

# The timeline actions that accept a case (labels.py).
ACCEPT_ACTIONS = ("accept", "accept_pending", "handle_immediately", "deemed_accept")

# statistics.md's columns first, in its order; then further useful ones.
COLUMNS = (
    "number",
    "item_code",
    "type",
    "department",
    "accepted_on",
    "deadline",
    "completed_on",
    "terminated_on",
    "status",
    "channel",
    "outcome",
    "applicant",
)


def _department_path(department: Department | str) -> str:
    if isinstance(department, Department):
        return department.path
    path = Department.objects.filter(code=department).values_list("path", flat=True).first()
    if path is None:
        raise NotFound()
    return path


def case_facts(
    as_of: dt.datetime, department: Department | str | None = None, *, user=None
) -> Iterator[dict[str, Any]]:
    """The facts of every case accepted by ``as_of`` (an aware instant), ordered by
    acceptance date and number; ``department`` (a Department or its code) limits them
    to that lead department and its sub-departments, ``user`` to what they may see.

    Each dict has the keys of ``COLUMNS`` (dates as ``datetime.date`` or None)."""
    day = local_date(as_of)
    accepted_at = (
        TimelineEvent.objects.filter(case=OuterRef("pk"), action__in=ACCEPT_ACTIONS)
        .order_by("at", "id")
        .values("at")[:1]
    )
    extensions = (
        Extension.objects.filter(
            case=OuterRef("pk"), status=ExtensionStatus.APPROVED, decided_at__lte=as_of
        )
        .order_by()
        .values("case")
        .annotate(total=Sum("days"))
        .values("total")
    )
    suspended = (
        Suspension.objects.filter(case=OuterRef("pk"), ended_at__lte=as_of)
        .order_by()
        .values("case")
        .annotate(total=Sum("days"))
        .values("total")
    )
    suspended_now = Suspension.objects.filter(case=OuterRef("pk"), started_at__lte=as_of).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=as_of)
    )
    zero = Value(0, output_field=IntegerField())
    cases = Case.objects.visible_to(user).filter(accepted_on__isnull=False, accepted_on__lte=day)
    if department is not None:
        cases = cases.filter(department__path__startswith=_department_path(department))
    rows = (
        cases.annotate(
            accepted_at=Subquery(accepted_at),
            extension_as_of=Coalesce(Subquery(extensions, output_field=IntegerField()), zero),
            suspended_as_of=Coalesce(Subquery(suspended, output_field=IntegerField()), zero),
            suspended_at_as_of=Exists(suspended_now),
        )
        .filter(accepted_at__lte=as_of)
        .order_by("accepted_on", "number")
        .values_list(
            "number",
            "item__code",
            "handling_type",
            "department__code",
            "accepted_on",
            "limit_days",
            "extension_as_of",
            "suspended_as_of",
            "suspended_at_as_of",
            "completed_on",
            "terminated_on",
            "closed_at",
            "status",
            "channel",
            "outcome",
            "applicant_kind",
            "applicant_name",
        )
    )
    calendar = get_calendar()
    for (
        number,
        item_code,
        handling_type,
        department_code,
        accepted_on,
        limit_days,
        extension_days,
        suspended_days,
        suspended_at,
        completed_on,
        terminated_on,
        closed_at,
        status,
        channel,
        outcome,
        applicant_kind,
        applicant_name,
    ) in rows.iterator(chunk_size=2000):
        closed = closed_at is not None and closed_at <= as_of
        completed = completed_on if closed else None
        terminated = terminated_on if closed else None
        if handling_type == HandlingType.IMMEDIATE:
            deadline = accepted_on
        else:
            deadline = calendar.add(accepted_on, limit_days + extension_days + suspended_days)
        if completed is not None:
            status_as_of = CaseStatus.COMPLETED
        elif terminated is not None:
            status_as_of = status  # withdrawn or terminated
        elif suspended_at:
            status_as_of = CaseStatus.SUSPENDED
        else:
            status_as_of = CaseStatus.IN_PROGRESS
        yield {
            "number": number,
            "item_code": item_code,
            "type": handling_type,
            "department": department_code,
            "accepted_on": accepted_on,
            "deadline": deadline,
            "completed_on": completed,
            "terminated_on": terminated,
            "status": str(status_as_of),
            "channel": channel,
            "outcome": outcome if completed is not None else "",
            "applicant": applicant_name
            if applicant_kind == ApplicantKind.ORGANISATION
            else mask_name(applicant_name),
        }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def write_facts_csv(facts, out: TextIO) -> int:
    """Write the facts as CSV (header: the keys of ``COLUMNS``) to ``out``, opened
    with ``newline=""``; values that a spreadsheet would run as a formula are
    neutralised. Returns the number of rows."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for row in facts:
        writer.writerow([_cell(row[key]) for key in COLUMNS])
        count += 1
    return count
