"""Working-day arithmetic (time-limits.md "Calendar").

``WorkCalendar`` is an immutable snapshot of the holiday dictionary, precomputed over
a span of days into two arrays:

- ``_cum[i]``: the number of working days among the span's days ``0..i``;
- ``_days``: the span offsets of the working days, in order.

so that ``wd(a, b) = cum[b] − cum[a]`` and ``add(a, n) = days[cum[a] + n − 1]`` are
O(1) whatever the distance. The span is 1990-01-01 … 2100-12-31, widened to whole
years around any data outside it; a date outside the span raises
``OutsideCalendarSpan`` (nothing in the platform's lifetime should get there, and a
silent fallback would hide a wrong input such as year 20026).

``get_calendar()`` returns a process-wide instance. Every change made by the services
bumps the single-row ``CalendarVersion`` and drops this process's copy at once; other
processes notice the new version at their next check, at most once per
``TONGBAN_CALENDAR_CHECK_SECONDS`` (default 1 s). Between checks ``get_calendar()``
makes no query, so the case engine may call it on every business action.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, compress

logger = logging.getLogger("tongban.workcalendar")

SPAN_FIRST = dt.date(1990, 1, 1)
SPAN_LAST = dt.date(2100, 12, 31)


class OutsideCalendarSpan(ValueError):
    """A date (given or computed) lies outside the precomputed span."""


@dataclass(frozen=True)
class HolidaySpan:
    """A holiday as the calendar sees it (no database object)."""

    pk: int | None
    year: int
    name: str
    first_day: dt.date
    last_day: dt.date

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"


@dataclass(frozen=True)
class AdjustedDay:
    date: dt.date
    holiday_name: str
    holiday_year: int


@dataclass(frozen=True)
class Explanation:
    """How ``add(start, days)`` reached ``result``: the holidays it skipped and the
    adjusted working days it counted, both within ``start < d ≤ result``; and the
    years in that stretch that have no arrangement on file (counted Monday–Friday)."""

    start: dt.date
    days: int
    result: dt.date
    holidays: tuple[HolidaySpan, ...]
    adjusted_workdays: tuple[AdjustedDay, ...]
    missing_years: tuple[int, ...]


class WorkCalendar:
    """An immutable working-day calendar. Build it with ``from_database()`` or from
    plain spans (tests, previews of an edit)."""

    def __init__(
        self,
        holidays: Iterable[HolidaySpan] = (),
        adjusted: Iterable[AdjustedDay] = (),
        *,
        version: int = 0,
    ) -> None:
        self.version = version
        self.holidays: tuple[HolidaySpan, ...] = tuple(
            sorted(holidays, key=lambda h: (h.first_day, h.last_day))
        )
        self.adjusted: tuple[AdjustedDay, ...] = tuple(sorted(adjusted, key=lambda a: a.date))
        self.arrangement_years: frozenset[int] = frozenset(h.year for h in self.holidays)

        edges = [d for h in self.holidays for d in (h.first_day, h.last_day)]
        edges += [a.date for a in self.adjusted]
        self.first = min([SPAN_FIRST, *(dt.date(d.year, 1, 1) for d in edges)])
        self.last = max([SPAN_LAST, *(dt.date(d.year, 12, 31) for d in edges)])
        self._origin = self.first.toordinal()
        size = self.last.toordinal() - self._origin + 1

        # date.weekday() == (ordinal + 6) % 7; Monday..Friday are 0..4.
        flags = bytearray(1 if (self._origin + i + 6) % 7 < 5 else 0 for i in range(size))
        for h in self.holidays:
            start, end = self._index(h.first_day), self._index(h.last_day)
            flags[start : end + 1] = bytes(end - start + 1)
        for a in self.adjusted:
            flags[self._index(a.date)] = 1
        self._flags = bytes(flags)
        self._cum = array("l", accumulate(self._flags))
        self._days = array("l", compress(range(size), self._flags))

        # Sorted lookups for explain(): holidays never overlap, so ordering by the
        # first day also orders by the last day.
        self._holiday_lasts = [h.last_day for h in self.holidays]
        self._adjusted_dates = [a.date for a in self.adjusted]
        self._missing = [
            y for y in range(self.first.year, self.last.year + 1) if y not in self.arrangement_years
        ]
        self._warned: set[int] = set()

    @classmethod
    def from_database(cls, *, version: int = 0) -> WorkCalendar:
        from .models import AdjustedWorkday, Holiday

        holidays = [
            HolidaySpan(pk, year, name, first, last)
            for pk, year, name, first, last in Holiday.objects.values_list(
                "pk", "year", "name", "first_day", "last_day"
            )
        ]
        adjusted = [
            AdjustedDay(date, name, year)
            for date, name, year in AdjustedWorkday.objects.values_list(
                "date", "holiday__name", "holiday__year"
            )
        ]
        return cls(holidays, adjusted, version=version)

    # --- the rules of time-limits.md -------------------------------------------------

    def is_workday(self, day: dt.date) -> bool:
        self._warn_missing(day.year, day.year)
        return bool(self._flags[self._index(day)])

    def wd(self, a: dt.date, b: dt.date) -> int:
        """Working days d with a < d ≤ b; 0 when b ≤ a."""
        if b <= a:
            return 0
        ia, ib = self._index(a), self._index(b)
        self._warn_missing(a.year, b.year)
        return self._cum[ib] - self._cum[ia]

    def add(self, a: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after ``a`` (n ≥ 1); ``a`` itself for n = 0."""
        if n < 0:
            raise ValueError(f"add() needs n ≥ 0, got {n}")
        ia = self._index(a)
        if n == 0:
            return a
        k = self._cum[ia] + n - 1
        if k >= len(self._days):
            raise OutsideCalendarSpan(
                f"{a.isoformat()} + {n} working days is beyond the calendar's last day "
                f"{self.last.isoformat()}"
            )
        result = dt.date.fromordinal(self._origin + self._days[k])
        self._warn_missing(a.year, result.year)
        return result

    def explain(self, a: dt.date, n: int) -> Explanation:
        """``add(a, n)`` with its derivation (the case engine shows it with a deadline)."""
        result = self.add(a, n)
        holidays: list[HolidaySpan] = []
        for i in range(bisect_right(self._holiday_lasts, a), len(self.holidays)):
            if self.holidays[i].first_day > result:
                break
            holidays.append(self.holidays[i])
        lo = bisect_right(self._adjusted_dates, a)
        hi = bisect_right(self._adjusted_dates, result)
        return Explanation(
            start=a,
            days=n,
            result=result,
            holidays=tuple(holidays),
            adjusted_workdays=self.adjusted[lo:hi],
            missing_years=tuple(self._missing_between(a.year, result.year)),
        )

    def missing_years(self, first: int, last: int) -> list[int]:
        """Years in ``first..last`` with no arrangement on file."""
        return [y for y in range(first, last + 1) if y not in self.arrangement_years]

    # --- internals -------------------------------------------------------------------

    def _index(self, day: dt.date) -> int:
        if not self.first <= day <= self.last:
            raise OutsideCalendarSpan(
                f"{day.isoformat()} is outside the working-day calendar "
                f"({self.first.isoformat()} to {self.last.isoformat()})"
            )
        return day.toordinal() - self._origin

    def _missing_between(self, first: int, last: int) -> list[int]:
        return self._missing[bisect_left(self._missing, first) : bisect_right(self._missing, last)]

    def _warn_missing(self, first: int, last: int) -> None:
        for year in self._missing_between(first, last):
            if year not in self._warned:
                self._warned.add(year)
                logger.warning(
                    "No holiday arrangement on file for %s: its dates are counted Monday to "
                    "Friday. Add the year's arrangement in the holiday dictionary.",
                    year,
                )


# --- the process-wide instance -----------------------------------------------------------

_lock = threading.Lock()
_cached: WorkCalendar | None = None
_checked_at = 0.0


def get_calendar() -> WorkCalendar:
    """The current calendar. No query between version checks (see module docstring)."""
    global _cached, _checked_at
    calendar, now = _cached, time.monotonic()
    if calendar is not None and now - _checked_at < _check_interval():
        return calendar
    with _lock:
        version = current_version()
        calendar = _cached
        if calendar is None or calendar.version != version:
            calendar = WorkCalendar.from_database(version=version)
        _cached, _checked_at = calendar, now
    return calendar


def invalidate_calendar() -> None:
    """Drop this process's copy; the next ``get_calendar()`` rebuilds it."""
    global _cached
    _cached = None


def current_version() -> int:
    from .models import CalendarVersion

    # No row (a flushed test database) reads as 0; a rebuild follows if that differs.
    value = CalendarVersion.objects.filter(pk=1).values_list("value", flat=True).first()
    return value or 0


def _check_interval() -> float:
    from django.conf import settings

    return float(getattr(settings, "TONGBAN_CALENDAR_CHECK_SECONDS", 1.0))
