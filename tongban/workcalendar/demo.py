"""The working-day calendar: the State Council's official holidays and make-up
working days 2004–2026, seeded by the workcalendar app (which skips what exists)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core.demo import DemoContext
from tongban.workcalendar.models import AdjustedWorkday, Holiday
from tongban.workcalendar.seeding import seed_official_calendar


def load(context: DemoContext) -> None:
    holidays, workdays = Holiday.objects.count(), AdjustedWorkday.objects.count()
    seed_official_calendar(actor=None, at=context.at)
    context.count(
        _("Holidays"), created=Holiday.objects.count() - holidays, total=Holiday.objects.count()
    )
    context.count(
        _("Adjusted working days"),
        created=AdjustedWorkday.objects.count() - workdays,
        total=AdjustedWorkday.objects.count(),
    )
