"""The working-day index: the calendar as a table, so that the reports can do
working-day arithmetic inside their SQL (statistics.md ``wd`` and the deadline's
``add``) instead of loading cases into Python.

``ordinal`` is the number of working days ≤ ``day`` within the calendar's span, so

- ``wd(a, b) = ordinal(b) − ordinal(a)`` for ``b > a`` (0 otherwise);
- ``add(a, n)`` (n ≥ 1) is the working day whose ordinal is ``ordinal(a) + n``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkdayIndex(models.Model):
    day = models.DateField(primary_key=True)
    ordinal = models.IntegerField()
    workday = models.BooleanField()

    class Meta:
        verbose_name = _("working-day index")
        constraints = [
            # add(a, n) looks a working day up by its ordinal: unique among working days.
            models.UniqueConstraint(
                fields=["ordinal"],
                condition=models.Q(workday=True),
                name="workday_index_ordinal_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} #{self.ordinal}"


class WorkdayIndexState(models.Model):
    """A single row: the calendar version the index was built from."""

    calendar_version = models.BigIntegerField()

    class Meta:
        verbose_name = _("working-day index state")

    def __str__(self) -> str:
        return str(self.calendar_version)
