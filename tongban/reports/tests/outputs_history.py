"""A small simulated history for the output tests (pages, files, command, API):
made through the real services by ``simulate`` on the demo organisation."""

from __future__ import annotations

import datetime as dt

from tongban.accounts.models import User
from tongban.accounts.roles import RoleCode
from tongban.cases.models import Case
from tongban.cases.simulation import simulate
from tongban.core.clock import LOCAL_TZ

START, END = dt.date(2026, 1, 5), dt.date(2026, 3, 6)
FROM, TO = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
AS_OF = dt.datetime.combine(END, dt.time(23, 0), LOCAL_TZ)
PARAMS = {"from": FROM.isoformat(), "to": TO.isoformat(), "as_of": AS_OF.isoformat()}


def make_history(n: int = 40, seed: int = 5) -> None:
    simulate(n, START, END, seed=seed)


def busiest_head() -> User:
    """The department head of the lead department with the most cases."""
    counts: dict[str, int] = {}
    for path in Case.objects.exclude(accepted_on=None).values_list("department__path", flat=True):
        counts[path] = counts.get(path, 0) + 1
    heads = list(User.objects.with_role(RoleCode.DEPARTMENT_HEAD).select_related("department"))
    return max(
        heads,
        key=lambda u: sum(n for p, n in counts.items() if p.startswith(u.department.path)),
    )


def supervisor() -> User:
    return User.objects.with_role(RoleCode.SUPERVISOR).first()


def user_with(role: str) -> User:
    return User.objects.with_role(role).first()
