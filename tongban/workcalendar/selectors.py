"""Reads of the holiday dictionary that need the current database state (the admin
warning); working-day arithmetic itself reads ``calendar.get_calendar()``."""

from __future__ import annotations

from .models import Holiday


def years_without_arrangement(first: int, last: int) -> list[int]:
    """Years in ``first..last`` for which no holiday is on file."""
    present = set(Holiday.objects.filter(year__range=(first, last)).values_list("year", flat=True))
    return [year for year in range(first, last + 1) if year not in present]
