"""The demo loader: an ordered list of steps, each adding one capability's demo data.

Extension point: a later capability (items, cases, announcements, …) writes a
``load(context: DemoContext) -> None`` function in its own ``demo.py`` and appends its
dotted path to ``STEPS`` below, after the steps whose data it uses. A step must be
idempotent — skip what already exists — because ``tongban demo`` loads on every start.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from tongban.core.errors import ActionNotAllowed

from .context import DemoContext

STEPS: list[str] = [
    "tongban.core.demo.organisation.load",  # departments, sections, counties and halls
    "tongban.core.demo.people.load",  # accounts for every role (needs the departments)
    "tongban.core.demo.calendar.load",  # official holidays and make-up working days
    "tongban.core.demo.catalogue.load",  # about 60 service items (needs the departments)
    "tongban.cases.demo.load",  # about 400 simulated cases in every state (needs the above)
    "tongban.bulletin.demo.load",  # announcements and the phone directory (needs the people)
    "tongban.portal.demo.load",  # a citizen account, ratings and questions (needs the cases)
]


def load_demo_data(*, at: dt.datetime | None = None) -> DemoContext:
    """Load every step's demo data into a migrated database; returns what was loaded.

    Refused in production mode: the demo accounts share a published password."""
    if settings.PRODUCTION:
        from django.utils.translation import gettext as _

        raise ActionNotAllowed(_("Demo data cannot be loaded in production mode."))
    context = DemoContext(at=at or timezone.now())
    for step in STEPS:
        import_string(step)(context)
    return context
