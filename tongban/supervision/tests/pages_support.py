"""A small supervised history for the page tests, built through the real services and
the real sweep, dated relative to today (the dashboard shows this month's cards):

- ``old`` (market supervision) and ``land`` (natural resources), accepted 90 days ago:
  carded yellow by a sweep 30 days ago and red by today's sweep;
- ``soon``: due within the warning days; ``fresh``: accepted today, urged by hand;
- ``waiting``: a supplement requested before acceptance;
- ``special``: in a special procedure past its own limit (an alert);
- ``done``: an immediate case completed today (the on-time trend).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tongban.cases import services
from tongban.cases.models import Case, Outcome
from tongban.cases.testing import accepted, all_materials, person, receive
from tongban.cases.tests.support import land_clerk, land_item
from tongban.core.clock import LOCAL_TZ, local_date, now
from tongban.supervision.services import sweep
from tongban.workcalendar.calendar import get_calendar

DAY = dt.timedelta(days=1)


@dataclass
class History:
    old: Case
    land: Case
    soon: Case
    fresh: Case
    waiting: Case
    special: Case
    done: Case
    today: dt.date
    at: dt.datetime


def _due_soon_day(today: dt.date, limit: int) -> dt.date:
    """A past working day whose acceptance puts the deadline within the warning days."""
    calendar = get_calendar()
    for back in range(1, 60):
        day = today - back * DAY
        if calendar.is_workday(day) and today <= calendar.add(day, limit) <= calendar.add(today, 1):
            return day
    raise AssertionError("no such day")


def make_history(personas, items) -> History:
    instant = now()
    today = local_date(instant)
    old = accepted(personas, items.promised, instant - 90 * DAY)
    clerk = land_clerk(personas)
    item = land_item(personas)
    land = services.submit_application(
        actor=clerk,
        item=item,
        applicant=person("赵土地", mobile="13912340000"),
        form_data={},
        materials=all_materials(item),
        at=instant - 90 * DAY,
    )
    land = services.accept_case(actor=clerk, case=land, at=instant - 90 * DAY)
    sweep(at=instant - 30 * DAY)

    soon_day = _due_soon_day(today, items.promised.promised_limit)
    soon = accepted(personas, items.promised, dt.datetime.combine(soon_day, dt.time(9), LOCAL_TZ))
    special = accepted(personas, items.promised, instant - 21 * DAY)
    special = services.suspend_case(
        actor=personas.handler,
        case=special,
        procedure="onsite_check",
        reason="现场核查",
        at=instant - 20 * DAY,
    )
    fresh = accepted(personas, items.promised, instant - dt.timedelta(minutes=30))
    services.urge_case(
        actor=personas.supervisor,
        case=fresh,
        message="请加快办理",
        at=instant - dt.timedelta(minutes=20),
    )
    waiting = receive(personas, items.promised, instant - dt.timedelta(minutes=15))
    waiting = services.request_supplement(
        actor=personas.window_clerk,
        case=waiting,
        items=["营业执照复印件"],
        at=instant - dt.timedelta(minutes=10),
    )
    done = receive(personas, items.immediate, instant - dt.timedelta(minutes=5))
    done = services.handle_immediately(
        actor=personas.window_clerk,
        case=done,
        outcome=Outcome.APPROVED,
        certificate_number="MC0001",
        at=instant - dt.timedelta(minutes=4),
    )
    sweep(at=instant)
    return History(old, land, soon, fresh, waiting, special, done, today, instant)
