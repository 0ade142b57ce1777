"""Demo cases: about four hundred applications simulated through the real services
over the last four months, so that the office opens full of realistic work — open
cases in every state, overdue ones, suspended ones, cases awaiting review and
awaiting the applicant's supplement, next to the completed history the statistics
are computed from.

Idempotent: nothing is simulated once any case exists.
"""

from __future__ import annotations

import datetime as dt
import sys

from django.conf import settings
from django.utils.text import capfirst

from tongban.core.clock import local_date
from tongban.core.demo import DemoContext

from .models import Case
from .simulation import simulate, text_progress

DEMO_SEED = 2026
DEMO_MONTHS = 4


def load(context: DemoContext) -> None:
    if Case.objects.exists():
        context.count(
            capfirst(Case._meta.verbose_name_plural), created=0, total=Case.objects.count()
        )
        return
    # Tests load the demo often: a smaller office there keeps them quick.
    n = int(getattr(settings, "TONGBAN_DEMO_CASES", 40 if settings.TESTING else 400))
    end = local_date(context.at)
    start = end - dt.timedelta(days=round(DEMO_MONTHS * 30.5))
    # A bar on the terminal that runs `tongban demo`; nothing in logs or tests.
    progress = text_progress(sys.stderr) if sys.stderr.isatty() else None
    summary = simulate(n, start, end, DEMO_SEED, progress=progress, until=context.at)
    context.count(
        capfirst(Case._meta.verbose_name_plural), created=summary.cases, total=Case.objects.count()
    )
