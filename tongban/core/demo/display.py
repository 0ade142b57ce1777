"""Plain-text output of the demo commands: the summary and the table of demo logins."""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

from tongban.accounts.roles import RoleCode

from .context import DemoContext
from .people import DEMO_PASSWORD, USERS


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
    """One row per demo account, in the order of ``people.USERS``."""
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
    from tongban.portal.demo import CITIZEN_MOBILE, CITIZEN_NAME

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
