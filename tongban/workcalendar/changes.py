"""What a calendar edit would change, before it is saved (time-limits.md, "Calendar
changes"): the proposed calendar, and the deadlines it would move.

The calendar sits below everything that keeps a clock, so it cannot know them: each
(the supervision of cases today, the hotline's work orders later) registers a
previewer with ``on_calendar_preview``; the holiday admin shows what they all return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .calendar import AdjustedDay, HolidaySpan, WorkCalendar


@dataclass(frozen=True)
class Moved:
    """An open item (a case, a work order) whose deadline a calendar change moves."""

    number: str
    item_name: str
    old_deadline: dt.date
    new_deadline: dt.date
    working_days: int  # signed, counted on the new calendar: + later, − earlier

    @property
    def calendar_days(self) -> int:
        return (self.new_deadline - self.old_deadline).days


def proposed_calendar(
    *,
    replacing: tuple[int, str] | None = None,
    holiday: HolidaySpan | None = None,
    adjusted: Iterable[dt.date] = (),
) -> WorkCalendar:
    """The current calendar with one holiday edit applied, unsaved: ``replacing``
    (the edited or deleted holiday's year and name, as stored) is dropped with its
    adjusted working days; ``holiday`` and its ``adjusted`` days (its new values) are
    added."""
    current = WorkCalendar.from_database()
    holidays = [h for h in current.holidays if replacing is None or (h.year, h.name) != replacing]
    days = [
        a
        for a in current.adjusted
        if replacing is None or (a.holiday_year, a.holiday_name) != replacing
    ]
    if holiday is not None:
        holidays.append(holiday)
        days += [AdjustedDay(d, holiday.name, holiday.year) for d in adjusted]
    return WorkCalendar(holidays, days)


# previewer(proposed calendar, first changed day, last changed day) -> what would move
Previewer = Callable[[WorkCalendar, dt.date, dt.date], list[Moved]]
_previewers: list[Previewer] = []


def on_calendar_preview(previewer: Previewer) -> Previewer:
    """Register a previewer (from an ``AppConfig.ready``); usable as a decorator."""
    if previewer not in _previewers:
        _previewers.append(previewer)
    return previewer


def preview_change(proposed: WorkCalendar, *, first: dt.date, last: dt.date) -> list[Moved]:
    """Every registered previewer's moved deadlines for ``proposed``, by number."""
    moved = [m for previewer in _previewers for m in previewer(proposed, first, last)]
    return sorted(moved, key=lambda m: m.number)
