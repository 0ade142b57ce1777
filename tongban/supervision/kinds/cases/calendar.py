"""Calendar changes (time-limits.md, "Calendar changes"; issue 5 item 1).

"An edit to the holiday dictionary first shows which open cases' deadlines would move
and by how much; when saved, those deadlines are recomputed, each with a timeline
event. Cards already issued are never rewritten."

- ``workcalendar.changes.proposed_calendar`` builds the calendar an edit would give
  (no write); ``affected_cases`` compares every open accepted case's stored deadline with the one
  that calendar gives — the preview in the holiday admin.
- ``apply_calendar_change`` recomputes them with the current calendar; it runs after
  every calendar change commits (registered by ``kinds.cases.register`` through
  ``workcalendar.services.on_calendar_changed``). Each moved case is written in its
  own transaction with its row locked, like every case action; cards keep the
  deadline they were issued against.

Both read the open cases in batches, only the columns the clock needs, and compute
the deadlines in Python: no query per case that does not move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import transaction
from django.db.models import Q

from tongban.audit.services import record_event
from tongban.cases import clock
from tongban.cases.models import (
    ACCEPTED_OPEN_STATUSES,
    Case,
    CaseStep,
    StepStatus,
    TimelineEvent,
)
from tongban.core import clock as core_clock
from tongban.workcalendar.calendar import WorkCalendar, get_calendar
from tongban.workcalendar.changes import Moved, on_calendar_preview
from tongban.workcalendar.changes import proposed_calendar as proposed_calendar  # re-exported

from ... import clocked
from ...services import next_check_of
from .kind import CASE

BATCH = 2000
CLOCK_FIELDS = (
    "pk",
    "number",
    "item_name",
    "status",
    "handling_type",
    "accepted_on",
    "limit_days",
    "extension_days",
    "suspended_days",
    "deadline",
)


def _open_cases(first: dt.date | None = None, last: dt.date | None = None) -> Iterator[Case]:
    """Open accepted cases, only the clock's columns, in batches. With the changed
    range ``first..last``: only cases whose counted stretch (acceptance, deadline]
    can reach into it — nothing else can move."""
    cases = Case.objects.filter(status__in=ACCEPTED_OPEN_STATUSES, accepted_on__isnull=False)
    if last is not None:
        cases = cases.filter(accepted_on__lt=last)
    if first is not None:
        cases = cases.filter(Q(deadline__isnull=True) | Q(deadline__gte=first))
    return cases.only(*CLOCK_FIELDS).order_by("pk").iterator(chunk_size=BATCH)


def _signed_wd(calendar: WorkCalendar, old: dt.date, new: dt.date) -> int:
    return calendar.wd(old, new) if new >= old else -calendar.wd(new, old)


def affected_cases(
    new_calendar: WorkCalendar, *, first: dt.date | None = None, last: dt.date | None = None
) -> list[Moved]:
    """The open cases whose deadline ``new_calendar`` would move, by case number."""
    moved = []
    for case in _open_cases(first, last):
        new = clock.deadline(case, new_calendar)
        if case.deadline is not None and new is not None and new != case.deadline:
            moved.append(
                Moved(
                    number=case.number,
                    item_name=case.item_name,
                    old_deadline=case.deadline,
                    new_deadline=new,
                    working_days=_signed_wd(new_calendar, case.deadline, new),
                )
            )
    moved.sort(key=lambda m: m.number)
    return moved


def apply_calendar_change(
    at: dt.datetime | None = None, *, first: dt.date | None = None, last: dt.date | None = None
) -> list[Moved]:
    """Recompute the deadline of every open accepted case with the current calendar
    (optionally only those that can reach into ``first..last``); for each one that
    moved, save the deadline, its active steps' due dates and the next check, with a
    timeline event and an audit record. Returns what moved."""
    at = at or core_clock.now()
    calendar = get_calendar()
    candidates = [
        case.pk
        for case in _open_cases(first, last)
        if clock.deadline(case, calendar) != case.deadline
    ]
    moved = []
    for pk in candidates:
        result = _recompute(pk, calendar, at)
        if result is not None:
            moved.append(result)
    return moved


@transaction.atomic
def _recompute(pk: int, calendar: WorkCalendar, at: dt.datetime) -> Moved | None:
    case = Case.objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if case is None or case.status not in ACCEPTED_OPEN_STATUSES:
        return None  # closed meanwhile
    old = case.deadline
    new = clock.deadline(case, calendar)
    if new == old:
        return None
    # The steps' own due dates are counted on the same calendar (urging follows them).
    steps = list(CaseStep.objects.filter(case=case, status=StepStatus.ACTIVE, due_on__isnull=False))
    for step in steps:
        due = clock.step_due(step.started_on, step.limit_days, step.suspended_days, calendar)
        if due != step.due_on:
            step.due_on = due
            step.save(update_fields=["due_on"])
    case.deadline = new
    case.version += 1
    case.save(update_fields=["deadline", "version"])
    # The supervision-aware next check, read from the case as it is now saved.
    case.next_check_on = next_check_of(clocked.kind(CASE), case.pk, at)
    case.save(update_fields=["next_check_on"])
    detail = {
        "old_deadline": old.isoformat() if old else None,
        "new_deadline": new.isoformat() if new else None,
        "calendar_version": calendar.version,
    }
    TimelineEvent.objects.create(
        case=case,
        at=at,
        actor=None,
        actor_name="",
        action="deadline_recomputed",
        detail=detail,
    )
    record_event(
        actor=None,
        action="case.deadline_recomputed",
        obj=case,
        before={"deadline": detail["old_deadline"]},
        after={"deadline": detail["new_deadline"]},
        at=at,
        message="holiday calendar changed",
    )
    if old is None or new is None:
        return None
    return Moved(case.number, case.item_name, old, new, _signed_wd(calendar, old, new))


def _after_commit(first: dt.date, last: dt.date) -> None:
    """The calendar listener: recompute once the change has committed, so the new
    calendar is the one read (the listeners are called inside its transaction)."""
    transaction.on_commit(lambda: apply_calendar_change(first=first, last=last))


def _preview(new_calendar: WorkCalendar, first: dt.date, last: dt.date) -> list[Moved]:
    return affected_cases(new_calendar, first=first, last=last)


def connect() -> None:
    from tongban.workcalendar.services import on_calendar_changed

    on_calendar_changed(_after_commit)
    on_calendar_preview(_preview)
