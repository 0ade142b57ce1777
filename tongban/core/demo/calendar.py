"""The working-day calendar: the State Council's official holidays and make-up
working days, seeded by the workcalendar app (it skips days that already exist)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.workcalendar.seeding import seed_official_calendar

from .context import DemoContext


def load(context: DemoContext) -> None:
    created = seed_official_calendar()
    context.count(_("Calendar days"), created=created, total=created)
