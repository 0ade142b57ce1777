"""The case clock of time-limits.md as pure functions over a case's stored facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings

from tongban.catalog.models import HandlingType
from tongban.workcalendar.calendar import Explanation, WorkCalendar

from .models import Case, CaseStatus, CaseStep, StepStatus, Suspension, SuspensionKind

DAY = dt.timedelta(days=1)
INTAKE_REVIEW_DAYS = 5  # 行政许可法 Art. 32


def review_due(received_on: dt.date, calendar: WorkCalendar) -> dt.date:
    """The last day to accept, reject or ask for a supplement: ``add(r, 5)``."""
    return calendar.add(received_on, INTAKE_REVIEW_DAYS)


def total_days(case) -> int:
    return case.limit_days + case.extension_days + case.suspended_days


def deadline(case, calendar: WorkCalendar) -> dt.date | None:
    """Immediate: the acceptance day; otherwise ``add(accepted_on, limit + extensions
    + suspended)``."""
    if case.accepted_on is None:
        return None
    if case.handling_type == HandlingType.IMMEDIATE:
        return case.accepted_on
    return calendar.add(case.accepted_on, total_days(case))


def explain_deadline(case, calendar: WorkCalendar) -> Explanation | None:
    """The deadline's derivation: the acceptance day, the days added, and the holidays
    and adjusted working days the count skipped or used."""
    if case.accepted_on is None:
        return None
    days = 0 if case.handling_type == HandlingType.IMMEDIATE else total_days(case)
    return calendar.explain(case.accepted_on, days)


def step_due(started_on: dt.date, limit: int | None, suspended: int, calendar) -> dt.date | None:
    if not limit:
        return None
    return calendar.add(started_on, limit + suspended)


def next_check_on(
    case: Case,
    steps: Iterable[CaseStep],
    suspension: Suspension | None,
    calendar: WorkCalendar,
) -> dt.date | None:
    """The first day on which the case's supervision state can change, written by the
    case engine after every action for the sweep to read by index (time-limits.md,
    "Sweep cost"):

    - received, not yet reviewed: the day after the review limit (deemed acceptance);
    - in progress: the first working day past the deadline (yellow card), past an
      active step's due date (urging);
    - in progress or suspended: the day after a pledge falls due (容缺受理);
    - suspended in a special procedure: the day after its own limit (overrun);
    - otherwise (waiting for the applicant, closed): never.

    The engine does not know what supervision has issued already, so this is the
    earliest such day; the sweep, which does (``supervision.services.next_check`` over
    the case kind's facts), stores its own refinement after each check."""
    candidates: list[dt.date] = []
    if case.status == CaseStatus.RECEIVED and case.review_due_on is not None:
        candidates.append(case.review_due_on + DAY)
    elif case.status == CaseStatus.IN_PROGRESS:
        if case.deadline is not None:
            candidates.append(calendar.add(case.deadline, 1))
        candidates += [
            calendar.add(step.due_on, 1)
            for step in steps
            if step.status == StepStatus.ACTIVE and step.due_on is not None
        ]
    if case.status in (CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED) and case.pledge_due_on:
        candidates.append(case.pledge_due_on + DAY)
    if (
        case.status == CaseStatus.SUSPENDED
        and suspension is not None
        and suspension.kind == SuspensionKind.SPECIAL_PROCEDURE
        and suspension.due_on is not None
    ):
        candidates.append(suspension.due_on + DAY)
    return min(candidates, default=None)


class Colour:
    NORMAL = "normal"  # 正常
    DUE_SOON = "due_soon"  # 即将到期
    OVERDUE = "overdue"  # 超期
    SUSPENDED = "suspended"  # 暂停计时
    WAITING = "waiting"  # not accepted yet
    CLOSED = "closed"


def colour(case, today: dt.date, calendar: WorkCalendar, warn_days: int | None = None) -> str:
    """The time-limit colour of a case on ``today`` from its stored deadline."""
    warn_days = settings.TONGBAN_WARN_DAYS if warn_days is None else warn_days
    if case.status == CaseStatus.SUSPENDED:
        return Colour.SUSPENDED
    if case.status != CaseStatus.IN_PROGRESS:
        return (
            Colour.CLOSED
            if case.status
            not in (
                CaseStatus.RECEIVED,
                CaseStatus.SUPPLEMENT_REQUESTED,
            )
            else Colour.WAITING
        )
    if case.deadline is None:
        return Colour.NORMAL
    if today > case.deadline:
        return Colour.OVERDUE
    if calendar.wd(today, case.deadline) <= warn_days:
        return Colour.DUE_SOON
    return Colour.NORMAL
