"""Every change to the holiday dictionary (seed §1.11 节假日维护).

Only the system administrator (or the system itself, ``actor=None``) changes the
calendar. Each use case validates with the models' rules, writes an audit record and
calls ``calendar_changed``: the calendar version is bumped (other processes reload),
this process's calendar is dropped, and the listeners registered with
``on_calendar_changed`` are called in the same transaction with the range of dates
whose working-day status may have changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tongban.accounts.roles import RoleCode
from tongban.audit.services import diff, model_snapshot, record_event
from tongban.core.errors import ValidationFailed
from tongban.core.services import full_clean_or_raise, require_role

from .calendar import invalidate_calendar
from .models import AdjustedWorkday, CalendarVersion, Holiday

if TYPE_CHECKING:
    from tongban.accounts.models import User

HOLIDAY_FIELDS = ("year", "name", "first_day", "last_day", "note")


class HolidayChanges(TypedDict, total=False):
    """The fields of a holiday ``update_holiday`` may change (``HOLIDAY_FIELDS``)."""

    year: int
    name: str | None
    first_day: dt.date
    last_day: dt.date
    note: str


# --- change listeners ---------------------------------------------------------------------

CalendarListener = Callable[[dt.date, dt.date], None]
_listeners: list[CalendarListener] = []


def on_calendar_changed(listener: CalendarListener) -> CalendarListener:
    """Register ``listener(first, last)``, called inside the transaction of every
    calendar change with the dates whose status may have changed (inclusive). Later
    capabilities (the case engine recomputing open deadlines) subscribe here; usable
    as a decorator. A listener that raises aborts the change."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def remove_calendar_listener(listener: CalendarListener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def calendar_changed(first: dt.date, last: dt.date) -> None:
    """Bump the version, drop the cached calendar (now and after commit: a copy built
    by another thread mid-transaction would be stale) and tell the listeners."""
    if not CalendarVersion.objects.filter(pk=1).update(value=F("value") + 1):
        CalendarVersion.objects.create(pk=1, value=1)
    invalidate_calendar()
    transaction.on_commit(invalidate_calendar)
    for listener in list(_listeners):
        listener(first, last)


# --- holidays -------------------------------------------------------------------------------


@transaction.atomic
def create_holiday(
    *,
    actor: User | None,
    year: int,
    name: str,
    first_day: dt.date,
    last_day: dt.date,
    note: str = "",
    adjusted_workdays: Iterable[dt.date] = (),
    at: dt.datetime,
) -> Holiday:
    """File a holiday of an arrangement year with its adjusted working days."""
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    holiday = Holiday(
        year=year, name=(name or "").strip(), first_day=first_day, last_day=last_day, note=note
    )
    full_clean_or_raise(holiday)
    holiday.save(force_insert=True)
    _set_adjusted_workdays(holiday, adjusted_workdays)
    record_event(actor=actor, action="holiday.create", obj=holiday, at=at, after=_snapshot(holiday))
    calendar_changed(*_extent(holiday))
    return holiday


@transaction.atomic
def update_holiday(
    *,
    actor: User | None,
    holiday: Holiday,
    adjusted_workdays: Iterable[dt.date] | None = None,
    at: dt.datetime,
    **changes: Unpack[HolidayChanges],
) -> Holiday:
    """Change a holiday's fields and, when ``adjusted_workdays`` is given, replace its
    adjusted working days with exactly those dates (None leaves them as they are)."""
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    unknown = set(changes) - set(HOLIDAY_FIELDS)
    if unknown:
        raise ValueError(f"not holiday fields: {sorted(unknown)}")
    holiday = Holiday.objects.select_for_update().get(pk=holiday.pk)
    before = _snapshot(holiday)
    old_extent = _extent(holiday)
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
    for name, value in changes.items():
        setattr(holiday, name, value)
    full_clean_or_raise(holiday)
    if changes:
        holiday.save(update_fields=list(changes))
    if adjusted_workdays is None:
        adjusted_workdays = [a.date for a in holiday.adjusted_workdays.all()]
    _set_adjusted_workdays(holiday, adjusted_workdays)
    b, a = diff(before, _snapshot(holiday))
    if a:
        record_event(actor=actor, action="holiday.update", obj=holiday, at=at, before=b, after=a)
        new_extent = _extent(holiday)
        calendar_changed(min(old_extent[0], new_extent[0]), max(old_extent[1], new_extent[1]))
    return holiday


@transaction.atomic
def delete_holiday(*, actor: User | None, holiday: Holiday, at: dt.datetime) -> None:
    """Remove a holiday and its adjusted working days: its days become plain weekdays
    and weekends again."""
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    holiday = Holiday.objects.select_for_update().get(pk=holiday.pk)
    before = _snapshot(holiday)
    extent = _extent(holiday)
    record_event(actor=actor, action="holiday.delete", obj=holiday, at=at, before=before)
    holiday.delete()
    calendar_changed(*extent)


@transaction.atomic
def add_adjusted_workday(
    *, actor: User | None, holiday: Holiday, date: dt.date, at: dt.datetime
) -> AdjustedWorkday:
    """File a weekend day outside every holiday as a working day of ``holiday``'s
    arrangement."""
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    holiday = Holiday.objects.select_for_update().get(pk=holiday.pk)
    adjusted = AdjustedWorkday(holiday=holiday, date=date)
    try:
        adjusted.full_clean()
    except ValidationError as exc:
        raise _adjusted_error(exc) from exc
    adjusted.save(force_insert=True)
    record_event(
        actor=actor,
        action="adjusted_workday.create",
        obj=adjusted,
        object_repr=f"{holiday} {date.isoformat()}",
        at=at,
        after=model_snapshot(adjusted),
    )
    calendar_changed(date, date)
    return adjusted


@transaction.atomic
def remove_adjusted_workday(
    *, actor: User | None, adjusted_workday: AdjustedWorkday, at: dt.datetime
) -> None:
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    adjusted = (
        AdjustedWorkday.objects.select_for_update()
        .select_related("holiday")
        .get(pk=adjusted_workday.pk)
    )
    record_event(
        actor=actor,
        action="adjusted_workday.delete",
        obj=adjusted,
        object_repr=f"{adjusted.holiday} {adjusted.date.isoformat()}",
        at=at,
        before=model_snapshot(adjusted),
    )
    adjusted.delete()
    calendar_changed(adjusted.date, adjusted.date)


# --- Excel import -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def import_holidays(*, actor: User | None, file: IO[bytes], at: dt.datetime) -> ImportResult:
    """Import an Excel file (format in ``excel.py``): each row creates the holiday of
    its (year, name) or replaces that holiday's days and adjusted working days.

    All or nothing: every row is checked (each in its own savepoint, so one bad row
    does not hide the next one's problem) and when any row is invalid nothing is
    imported and every bad row is reported with its spreadsheet row number."""
    from .excel import read_holiday_rows

    require_role(actor, RoleCode.SYSTEM_ADMIN)
    rows, problems = read_holiday_rows(file)
    created = updated = unchanged = 0
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        key = (row.year, row.name)
        if key in seen:
            problems.append(
                (
                    row.number,
                    _("the same holiday as row %(other)s (%(year)s %(name)s).")
                    % {"other": seen[key], "year": row.year, "name": row.name},
                )
            )
            continue
        seen[key] = row.number
        existing = Holiday.objects.filter(year=row.year, name=row.name).first()
        try:
            with transaction.atomic():
                if existing is None:
                    create_holiday(
                        actor=actor,
                        year=row.year,
                        name=row.name,
                        first_day=row.first_day,
                        last_day=row.last_day,
                        note=row.note,
                        adjusted_workdays=row.adjusted_workdays,
                        at=at,
                    )
                    created += 1
                    continue
                current = _snapshot(existing)
                if (
                    current["first_day"] == row.first_day.isoformat()
                    and current["last_day"] == row.last_day.isoformat()
                    and current["note"] == row.note
                    and current["adjusted_workdays"]
                    == sorted({d.isoformat() for d in row.adjusted_workdays})
                ):
                    unchanged += 1
                    continue
                update_holiday(
                    actor=actor,
                    holiday=existing,
                    first_day=row.first_day,
                    last_day=row.last_day,
                    note=row.note,
                    adjusted_workdays=row.adjusted_workdays,
                    at=at,
                )
                updated += 1
        except ValidationFailed as exc:
            problems.extend((row.number, m) for m in _messages(exc))
    if problems:
        problems.sort(key=lambda p: p[0])
        raise ValidationFailed(
            _("Nothing was imported: %(count)s problem(s) found.") % {"count": len(problems)},
            fields={"file": [_row_message(number, m) for number, m in problems]},
        )
    if created or updated:
        record_event(
            actor=actor,
            action="calendar.import",
            object_type="workcalendar.holiday",
            object_repr=getattr(file, "name", "") or "",
            at=at,
            after={"created": created, "updated": updated, "unchanged": unchanged},
        )
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


# --- internals ----------------------------------------------------------------------------


def _set_adjusted_workdays(holiday: Holiday, dates: Iterable[dt.date]) -> None:
    """Make ``holiday``'s adjusted working days exactly ``dates``; every date, kept or
    new, is checked against the holiday's (possibly new) days."""
    wanted = sorted(set(dates))
    current = {a.date: a for a in holiday.adjusted_workdays.all()}
    removed = [a.pk for day, a in current.items() if day not in wanted]
    if removed:
        AdjustedWorkday.objects.filter(pk__in=removed).delete()
    problems: list[str] = []
    for day in wanted:
        adjusted = current.get(day) or AdjustedWorkday(holiday=holiday, date=day)
        adjusted.holiday = holiday
        try:
            adjusted.full_clean()
        except ValidationError as exc:
            problems.extend(exc.messages)
            continue
        if adjusted.pk is None:
            adjusted.save(force_insert=True)
    if problems:
        raise ValidationFailed(problems[0], fields={"adjusted_workdays": problems})
    if hasattr(holiday, "_prefetched_objects_cache"):
        holiday._prefetched_objects_cache.pop("adjusted_workdays", None)


def _adjusted_error(exc: ValidationError) -> ValidationFailed:
    messages = list(exc.messages)
    return ValidationFailed(messages[0], fields={"date": messages})


def _snapshot(holiday: Holiday) -> dict[str, Any]:
    data = model_snapshot(holiday)
    data["adjusted_workdays"] = [
        d.isoformat()
        for d in AdjustedWorkday.objects.filter(holiday_id=holiday.pk)
        .order_by("date")
        .values_list("date", flat=True)
    ]
    return data


def _extent(holiday: Holiday) -> tuple[dt.date, dt.date]:
    """The dates whose status depends on ``holiday``: its days and its adjusted days."""
    days = [holiday.first_day, holiday.last_day]
    days += AdjustedWorkday.objects.filter(holiday_id=holiday.pk).values_list("date", flat=True)
    return min(days), max(days)


def _messages(exc: ValidationFailed) -> list[str]:
    messages = [str(m) for ms in exc.fields.values() for m in ms]
    return messages or [str(exc.message)]


def _row_message(number: int, message: str) -> str:
    if not number:  # a problem with the file itself
        return message
    return _("Row %(row)s: %(message)s") % {"row": number, "message": message}
