"""The official arrangements (State Council notices, 2004 onward), from ``chinesecalendar``.

``official_arrangement()`` turns the package's two dicts (date → holiday name) into
holidays with their adjusted working days; ``seed_official_calendar()`` writes what is
missing. See docs/calendar.md for the data decisions:

- consecutive holiday days form one holiday, also when two festivals touch (the
  notices themselves file 2025-10-01…08 as one "国庆节、中秋节");
- days of the same festival separated only by a plain weekend are one holiday
  (the package leaves 2011-06-05, a Sunday inside 端午节 June 4–6, out);
- 2005-12-31 (Saturday) is added as an adjusted working day of New Year 2006: the
  2006 notice makes it one, python-holidays has it, chinesecalendar does not.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from importlib.metadata import version as package_version

logger = logging.getLogger("tongban.workcalendar")

FIRST_YEAR = 2004

# chinese_calendar.Holiday values → the names used in the State Council notices.
CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}

# Adjusted working days the package lacks: date → (its English holiday name, arrangement
# year). 国务院办公厅关于2006年部分节假日安排的通知: 元旦 1月1日至3日放假，
# 2005年12月31日（星期六）上班.
EXTRA_ADJUSTED_WORKDAYS = {dt.date(2005, 12, 31): ("New Year's Day", 2006)}


@dataclass
class ArrangedHoliday:
    year: int
    name: str
    first_day: dt.date
    last_day: dt.date
    sources: list[str] = field(default_factory=list)  # the package's (English) names
    adjusted: list[dt.date] = field(default_factory=list)


def official_arrangement(first_year: int = FIRST_YEAR) -> list[ArrangedHoliday]:
    """The holidays of every arrangement year ≥ ``first_year`` known to chinesecalendar."""
    import chinese_calendar

    off: dict[dt.date, str] = dict(chinese_calendar.holidays)
    on: dict[dt.date, str] = dict(chinese_calendar.workdays)

    runs: list[ArrangedHoliday] = []
    for day in sorted(off):
        source = off[day]
        run = runs[-1] if runs else None
        if run is not None and (
            day - run.last_day == dt.timedelta(days=1)
            or (source == off[run.last_day] and _only_plain_weekend(run.last_day, day, on))
        ):
            run.last_day = day
            if source not in run.sources:
                run.sources.append(source)
        else:
            runs.append(ArrangedHoliday(0, "", day, day, [source]))
    for run in runs:
        # The arrangement year is the notice's year: New Year 2017 began 2016-12-31.
        run.year = run.last_day.year
        run.name = "、".join(_chinese(s) for s in run.sources)

    adjusted = dict(on)
    for day, (source, _year) in EXTRA_ADJUSTED_WORKDAYS.items():
        adjusted.setdefault(day, source)
    for day in sorted(adjusted):
        candidates = [r for r in runs if adjusted[day] in r.sources]
        extra = EXTRA_ADJUSTED_WORKDAYS.get(day)
        if extra is not None:
            candidates = [r for r in candidates if r.year == extra[1]] or candidates
        if not candidates:
            logger.warning("No holiday found for the adjusted working day %s", day)
            continue
        nearest = min(candidates, key=lambda r: _distance(day, r))
        nearest.adjusted.append(day)
    return [r for r in runs if r.year >= first_year]


def source_description() -> str:
    return f"chinesecalendar {package_version('chinesecalendar')}"


def write_arrangement(arrangement: list[ArrangedHoliday], *, Holiday, AdjustedWorkday):
    """Create the holidays and adjusted working days of ``arrangement`` that are
    missing; return (holidays created, adjusted days created). Takes the model classes
    so the data migration can pass its historical models.

    What an administrator has filed wins: a holiday is skipped when its (year, name)
    exists or its days overlap an existing holiday; an adjusted working day is skipped
    when its date is taken or no longer fits (inside a holiday, or a weekday)."""
    existing = list(Holiday.objects.values_list("year", "name", "first_day", "last_day"))
    taken = {(year, name) for year, name, _f, _l in existing}
    ranges = [(first, last) for _y, _n, first, last in existing]
    new = []
    for h in arrangement:
        if (h.year, h.name) in taken or any(
            first <= h.last_day and h.first_day <= last for first, last in ranges
        ):
            continue
        new.append(Holiday(year=h.year, name=h.name, first_day=h.first_day, last_day=h.last_day))
        taken.add((h.year, h.name))
        ranges.append((h.first_day, h.last_day))
    Holiday.objects.bulk_create(new)

    ids = {(year, name): pk for pk, year, name in Holiday.objects.values_list("pk", "year", "name")}
    dates_taken = set(AdjustedWorkday.objects.values_list("date", flat=True))
    adjusted = []
    for h in arrangement:
        holiday_id = ids.get((h.year, h.name))
        for day in h.adjusted:
            if (
                holiday_id is None
                or day in dates_taken
                or day.weekday() < 5
                or any(first <= day <= last for first, last in ranges)
            ):
                continue
            adjusted.append(AdjustedWorkday(holiday_id=holiday_id, date=day))
            dates_taken.add(day)
    AdjustedWorkday.objects.bulk_create(adjusted)
    return len(new), len(adjusted)


def seed_official_calendar(*, actor=None, at: dt.datetime) -> int:
    """Create the missing official holidays and adjusted working days (idempotent);
    return the number of rows created.

    Written with ``bulk_create`` and ONE audit record ``calendar.seed`` with the
    counts and the source: loading a published arrangement is one act, and ~300
    per-row records would bury it. Exposed for tests that flush the database."""
    from django.db import transaction

    from tongban.accounts.roles import RoleCode
    from tongban.audit.services import record_event
    from tongban.core.services import require_role

    from .models import AdjustedWorkday, Holiday
    from .services import calendar_changed

    require_role(actor, RoleCode.SYSTEM_ADMIN)
    arrangement = official_arrangement()
    with transaction.atomic():
        holidays, adjusted = write_arrangement(
            arrangement, Holiday=Holiday, AdjustedWorkday=AdjustedWorkday
        )
        if holidays or adjusted:
            record_event(
                actor=actor,
                action="calendar.seed",
                object_type="workcalendar.holiday",
                object_repr=source_description(),
                at=at,
                after={
                    "source": source_description(),
                    "holidays": holidays,
                    "adjusted_workdays": adjusted,
                },
            )
            days = [d for h in arrangement for d in (h.first_day, h.last_day, *h.adjusted)]
            calendar_changed(min(days), max(days))
    return holidays + adjusted


def _chinese(source: str) -> str:
    name = CHINESE_NAMES.get(source)
    if name is None:
        logger.warning("No Chinese name for the holiday %r: stored as is", source)
        return source
    return name


def _only_plain_weekend(last: dt.date, day: dt.date, on: dict[dt.date, str]) -> bool:
    between = [last + dt.timedelta(days=i) for i in range(1, (day - last).days)]
    return bool(between) and all(d.weekday() >= 5 and d not in on for d in between)


def _distance(day: dt.date, run: ArrangedHoliday) -> int:
    if day < run.first_day:
        return (run.first_day - day).days
    return max(0, (day - run.last_day).days)
