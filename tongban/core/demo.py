"""What the demo loader's steps share: the time, what exists so far, and the counts.

Each app's ``demo.py`` writes a step ``load(context: DemoContext) -> None``; the
loader that runs them in order is the site app's. The context lives here, in
the leaf, so that every app's step can take it without importing the top layer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models


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
    # The accounts app's Department and User; typed as plain models so that the leaf
    # names no domain app.
    departments: dict[str, models.Model] = field(default_factory=dict)
    users: dict[str, models.Model] = field(default_factory=dict)
    counts: list[Count] = field(default_factory=list)

    def count(self, label: str, *, created: int, total: int) -> None:
        self.counts.append(Count(str(label), created, total))

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts)
