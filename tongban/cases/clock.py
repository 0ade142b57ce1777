"""The case clock of time-limits.md as pure functions over a case's stored facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Watched:
    """What electronic supervision has dealt with already, so that ``next_check_on``
    does not wake the sweep for it again: a yellow card for the current deadline, the
    last automatic urging of each step, the pledge and the special procedure already
    alerted, and supervision's own follow-ups (the day a red card falls due). The case
    engine writes with nothing watched (``NOTHING``): the sweep then refines it."""

    deadline_carded: bool = False
    urged: Mapping[int, dt.date] = field(default_factory=dict)  # step pk -> last urging
    urge_daily: bool = True  # urge again each working day an urged step stays overdue
    pledge_alerted: bool = False
    suspension_alerted: bool = False
    follow_ups: tuple[dt.date, ...] = ()


NOTHING = Watched()


def next_check_on(
    case: Case,
    steps: Iterable[CaseStep],
    suspension: Suspension | None,
    calendar: WorkCalendar,
    *,
    today: dt.date | None = None,
    watched: Watched = NOTHING,
) -> dt.date | None:
    """The first day on which the case's supervision state can change, for the sweep
    to read by index (time-limits.md, "Sweep cost") — the one place it is computed:

    - received, not yet reviewed: the day after the review limit (deemed acceptance);
    - in progress: the first working day past the deadline (yellow card), past an
      active step's due date (urging; again each working day it stays overdue);
    - in progress or suspended: the day after a pledge falls due (容缺受理);
    - suspended in a special procedure: the day after its own limit (overrun);
    - otherwise (waiting for the applicant, closed): never.

    ``steps`` are the case's steps (the active ones count), ``suspension`` the one
    running now. With ``today`` (the sweep), what was due up to today has just been
    dealt with: the answer is at least the day after."""
    candidates: list[dt.date] = []
    if case.status == CaseStatus.RECEIVED and case.review_due_on is not None:
        candidates.append(case.review_due_on + DAY)
    elif case.status == CaseStatus.IN_PROGRESS:
        if case.deadline is not None and not watched.deadline_carded:
            candidates.append(calendar.add(case.deadline, 1))
        candidates.extend(watched.follow_ups)
        for step in steps:
            if step.status != StepStatus.ACTIVE or step.due_on is None:
                continue
            last = watched.urged.get(step.pk)
            if last is None:
                candidates.append(calendar.add(step.due_on, 1))
            elif watched.urge_daily:
                candidates.append(calendar.add(max(last, today or last), 1))
    if (
        case.status in (CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED)
        and case.pledge_due_on is not None
        and not watched.pledge_alerted
    ):
        candidates.append(case.pledge_due_on + DAY)
    if (
        case.status == CaseStatus.SUSPENDED
        and suspension is not None
        and suspension.kind == SuspensionKind.SPECIAL_PROCEDURE
        and suspension.due_on is not None
        and not watched.suspension_alerted
    ):
        candidates.append(suspension.due_on + DAY)
    if not candidates:
        return None
    first = min(candidates)
    return first if today is None else max(first, today + DAY)


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
