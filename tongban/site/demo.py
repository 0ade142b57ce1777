"""The demo: the loader that composes every app's demo data, and the plain-text output
of the demo commands (``tongban demo``, ``tongban load_demo``; see ``docs/demo.md``).

The loader runs an ordered list of steps, each adding one capability's demo data.
Extension point: a capability writes a ``load(context: DemoContext) -> None`` function
in its own app's ``demo.py`` (``DemoContext`` is ``tongban.core.demo``'s) and appends
its dotted path to ``STEPS`` below, after the steps whose data it uses. A step must be
idempotent — skip what already exists — because ``tongban demo`` loads on every start.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tongban.accounts.demo.people import DEMO_PASSWORD, USERS
from tongban.accounts.roles import RoleCode
from tongban.core.demo import DemoContext
from tongban.core.errors import ActionNotAllowed
from tongban.portal.demo import CITIZEN_MOBILE, CITIZEN_NAME

STEPS: list[str] = [
    "tongban.accounts.demo.organisation.load",  # departments, sections, counties and halls
    "tongban.accounts.demo.people.load",  # accounts for every role (needs the departments)
    "tongban.workcalendar.demo.load",  # official holidays and make-up working days
    "tongban.catalog.demo.load",  # about 60 service items (needs the departments)
    "tongban.cases.demo.load",  # about 400 simulated cases in every state (needs the above)
    "tongban.bulletin.demo.load",  # announcements and the phone directory (needs the people)
    "tongban.portal.demo.load",  # a citizen account, ratings and questions (needs the cases)
]


def load_demo_data(*, at: dt.datetime | None = None) -> DemoContext:
    """Load every step's demo data into a migrated database; returns what was loaded.

    Refused in production mode: the demo accounts share a published password."""
    if settings.PRODUCTION:
        raise ActionNotAllowed(_("Demo data cannot be loaded in production mode."))
    context = DemoContext(at=at or timezone.now())
    for step in STEPS:
        import_string(step)(context)
    return context


# --- the commands' output ------------------------------------------------------------


def display_width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def text_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [
        max(display_width(cell) for cell in column) for column in zip(headers, *rows, strict=True)
    ]
    lines = ["  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return lines


def summary_lines(context: DemoContext) -> list[str]:
    return [
        _("%(label)s: %(total)d (%(created)d new)")
        % {"label": c.label, "total": c.total, "created": c.created}
        for c in context.counts
    ]


def login_rows(context: DemoContext) -> list[list[str]]:
    """One row per demo account, in the order of the accounts app's demo ``USERS``."""
    rows = []
    for demo in USERS:
        user = context.users.get(demo.username)
        if user is None or not user.is_demo:
            continue  # an account of that name that the loader did not make
        department = user.department.name if user.department_id else ""
        if user.section_id:
            department = f"{department} {user.section.name}"
        rows.append(
            [
                user.username,
                user.full_name,
                str(RoleCode(demo.role).label),
                department,
                _("yes") if demo.totp_secret else "",
            ]
        )
    return rows


def logins_lines(context: DemoContext) -> list[str]:
    headers = [_("Username"), _("Name"), _("Role"), _("Department"), _("TOTP")]
    lines = [_("Demo accounts (password for all: %(password)s)") % {"password": DEMO_PASSWORD}]
    lines += ["  " + line for line in text_table(headers, login_rows(context))]
    return lines


def citizen_login_line() -> str:
    return _(
        "Portal (citizen) demo account: mobile %(mobile)s, password %(password)s (%(name)s)."
    ) % {"mobile": CITIZEN_MOBILE, "password": DEMO_PASSWORD, "name": CITIZEN_NAME}


def totp_hint_lines(program: str) -> list[str]:
    return [
        _(
            "Accounts marked TOTP sign in with a one-time code as well. "
            "Get the current code in another terminal with:"
        ),
        f"  TONGBAN_DEMO=1 {program} totp_code USERNAME",
        _("or add the account's demo secret (docs/demo.md) to an authenticator app."),
    ]
