"""The raw facts behind the statistics (statistics.md, "The raw facts…"): one row per
accepted case, evaluated **as of** an instant — events after it are ignored. What a
case's facts are as of an instant is defined once, in ``cases.facts`` (which the
reports use too); here they become rows and CSV."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any, TextIO

from tongban.accounts.models import Department, User
from tongban.audit.export import neutralise
from tongban.core.crypto import mask_name
from tongban.core.errors import NotFound
from tongban.workcalendar.calendar import get_calendar

from . import facts
from .models import ApplicantKind, Case, CaseStatus

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
    as_of: dt.datetime, department: Department | str | None = None, *, user: User | None = None
) -> Iterator[dict[str, Any]]:
    """The facts of every case accepted by ``as_of`` (an aware instant), ordered by
    acceptance date and number; ``department`` (a Department or its code) limits them
    to that lead department and its sub-departments, ``user`` to what they may see.

    Each dict has the keys of ``COLUMNS`` (dates as ``datetime.date`` or None)."""
    cases = facts.accepted_as_of(as_of, Case.objects.visible_to(user))
    if department is not None:
        cases = cases.filter(department__path__startswith=_department_path(department))
    rows = (
        cases.annotate(
            completed_as_of=facts.completed_as_of(as_of),
            terminated_as_of=facts.terminated_as_of(as_of),
            shift=facts.shift_as_of(as_of),
            suspended_as_of=facts.suspended_as_of(as_of),
        )
        .order_by("accepted_on", "number")
        .values_list(
            "number",
            "item__code",
            "handling_type",
            "department__code",
            "accepted_on",
            "shift",
            "suspended_as_of",
            "completed_as_of",
            "terminated_as_of",
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
        shift,
        suspended,
        completed,
        terminated,
        status,
        channel,
        outcome,
        applicant_kind,
        applicant_name,
    ) in rows.iterator(chunk_size=2000):
        if completed is not None:
            status_as_of = CaseStatus.COMPLETED
        elif terminated is not None:
            status_as_of = status  # withdrawn or terminated
        elif suspended:
            status_as_of = CaseStatus.SUSPENDED
        else:
            status_as_of = CaseStatus.IN_PROGRESS
        yield {
            "number": number,
            "item_code": item_code,
            "type": handling_type,
            "department": department_code,
            "accepted_on": accepted_on,
            "deadline": calendar.add(accepted_on, shift),
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
