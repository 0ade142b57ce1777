"""The entry points: loading the demo's base data on an empty database, and
``simulate`` itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tongban.accounts.models import Department
from tongban.core.clock import LOCAL_TZ
from tongban.core.errors import ActionNotAllowed
from tongban.workcalendar.calendar import get_calendar

from .nightly import JOBS
from .plans import _working_days, make_plans
from .run import _Run
from .staff import Staff, usable_items
from .summary import Progress, Summary, _counts, _overdue

# The demo loader's steps that a simulation needs on an empty database, in the order of
# the loader's ``STEPS`` (``tongban.site.demo``, the top layer, which cases cannot import).
BASE_STEPS = (
    "tongban.accounts.demo.organisation.load",
    "tongban.accounts.demo.people.load",
    "tongban.workcalendar.demo.load",
    "tongban.catalog.demo.load",
)


def load_base_data(at: dt.datetime | None = None) -> bool:
    """On an empty database (no departments), load the demo organisation, people,
    calendar and catalogue. Returns whether it did."""
    from tongban.core.demo import DemoContext

    if Department.objects.exists():
        return False
    context = DemoContext(at=at or timezone.now())
    for path in BASE_STEPS:
        import_string(path)(context)
    return True


def simulate(
    n: int,
    start: dt.date,
    end: dt.date,
    seed: int = 0,
    progress: Progress | None = None,
    *,
    until: dt.datetime | None = None,
) -> Summary:
    """Simulate ``n`` cases received on working days in [start, end]; see the module
    docstring. Nothing happens after ``until`` (default: the end of ``end``), so a
    history simulated up to now has no event in the future. Deterministic for a
    given seed on a given database."""
    if settings.PRODUCTION:
        raise ActionNotAllowed(_("Cases cannot be simulated in production mode."))
    if n < 0 or end < start:
        raise ActionNotAllowed(
            _("Give a positive number of cases and a period that ends after it starts.")
        )
    began = time.monotonic()
    loaded = load_base_data()
    calendar = get_calendar()
    days = _working_days(calendar, start, end)
    if not days:
        raise ActionNotAllowed(_("The period has no working day."))
    staff = Staff()
    profiles = usable_items(staff)
    if not profiles:
        raise ActionNotAllowed(
            _("No published item has staff for every step: nothing can be simulated.")
        )
    plans = make_plans(n, days, profiles, seed, until)
    run = _Run(staff, calendar, end, until)
    for plan in plans:
        run.schedule(plan.arrival, run.receive, plan)
    run.schedule_sweeps(start)
    # The simulation writes thousands of messages: they stay in the outbox for the
    # worker instead of being dispatched one by one after every action.
    logs = [logging.getLogger(r.logger) for r in JOBS if r.logger]
    once = _Once()
    for log in logs:
        log.addFilter(once)
    try:
        with override_settings(TONGBAN_OUTBOX_EAGER=False):
            run.run(progress, dt.datetime.combine(start, dt.time.min, LOCAL_TZ))
    finally:
        for log in logs:
            log.removeFilter(once)
    pks = [p.case_pk for p in plans if p.case_pk is not None]
    return Summary(
        cases=len(pks),
        by_status=_counts(pks, "status"),
        by_type=_counts(pks, "handling_type"),
        actions=dict(run.actions),
        refused=run.refused,
        overdue_open=_overdue(pks, end),
        seconds=time.monotonic() - began,
        loaded_base=loaded,
    )


class _Once(logging.Filter):
    """Each distinct log message once: a sweep per simulated day would otherwise
    repeat the same warning (a year missing from the calendar) a hundred times."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message in self.seen:
            return False
        self.seen.add(message)
        return True
