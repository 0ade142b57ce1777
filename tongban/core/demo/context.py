"""What the demo loader's steps share: the time, what exists so far, and the counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.accounts.models import Department, User


@dataclass(frozen=True)
class Count:
    label: str
    created: int
    total: int


@dataclass
class DemoContext:
    """Passed to every loader step. Steps look up what earlier steps made here
    (departments by code, users by username) and report what they loaded."""

    at: dt.datetime
    departments: dict[str, Department] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    counts: list[Count] = field(default_factory=list)

    def count(self, label: str, *, created: int, total: int) -> None:
        self.counts.append(Count(str(label), created, total))

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts)
