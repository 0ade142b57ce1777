"""Seeding the official arrangements from chinesecalendar (migration and command)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tongban.audit.models import AuditRecord
from tongban.core.errors import PermissionDenied
from tongban.workcalendar import services
from tongban.workcalendar.calendar import get_calendar
from tongban.workcalendar.models import AdjustedWorkday, Holiday
from tongban.workcalendar.seeding import official_arrangement, seed_official_calendar

D = dt.date


def _dictionary():
    return {
        (h.year, h.name): (h.first_day, h.last_day, [a.date for a in h.adjusted_workdays.all()])
        for h in Holiday.objects.prefetch_related("adjusted_workdays")
    }


def _empty_the_dictionary():
    # What a flushed database (live-server tests) starts from.
    AdjustedWorkday.objects.all().delete()
    Holiday.objects.all().delete()


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ((2026, "春节"), (D(2026, 2, 15), D(2026, 2, 23), [D(2026, 2, 14), D(2026, 2, 28)])),
        # One holiday where the notice files one (国庆节 split by 中秋节 in the package).
        (
            (2025, "国庆节、中秋节"),
            (D(2025, 10, 1), D(2025, 10, 8), [D(2025, 9, 28), D(2025, 10, 11)]),
        ),
        (
            (2023, "中秋节、国庆节"),
            (D(2023, 9, 29), D(2023, 10, 6), [D(2023, 10, 7), D(2023, 10, 8)]),
        ),
        # Filed under the notice's year although it starts in December.
        ((2008, "元旦"), (D(2007, 12, 30), D(2008, 1, 1), [D(2007, 12, 29)])),
        ((2023, "元旦"), (D(2022, 12, 31), D(2023, 1, 2), [])),
        ((2007, "元旦"), (D(2007, 1, 1), D(2007, 1, 3), [D(2006, 12, 30), D(2006, 12, 31)])),
        # The make-up Saturday only python-holidays has (docs/calendar.md).
        ((2006, "元旦"), (D(2006, 1, 1), D(2006, 1, 3), [D(2005, 12, 31)])),
        # The package leaves out Sunday 2011-06-05; the notice gives June 4–6.
        ((2011, "端午节"), (D(2011, 6, 4), D(2011, 6, 6), [])),
        # The notice gives 09-03 … 09-05; the package stops at Friday 09-04 (the
        # Saturday is off either way) and the seed keeps the package's days.
        ((2015, "抗战胜利纪念日"), (D(2015, 9, 3), D(2015, 9, 4), [D(2015, 9, 6)])),
    ],
)
def test_it_seeds_the_official_arrangements_with_the_database(db, key, expected):
    assert _dictionary()[key] == expected


def test_it_seeds_every_year_from_2004(calendar):
    assert calendar.missing_years(2004, 2026) == []
    assert sorted({h.year for h in official_arrangement()}) == list(range(2004, 2027))


def test_it_seeds_nothing_twice(db):
    before = (_dictionary(), AuditRecord.objects.count())
    assert seed_official_calendar(actor=None, at=timezone.now()) == 0
    assert (_dictionary(), AuditRecord.objects.count()) == before


def test_it_reseeds_an_empty_dictionary_with_one_audit_record(db):
    seeded = _dictionary()
    _empty_the_dictionary()
    assert get_calendar().is_workday(D(2026, 10, 1))  # a plain Thursday now

    created = seed_official_calendar(actor=None, at=timezone.now())

    assert _dictionary() == seeded
    assert created == Holiday.objects.count() + AdjustedWorkday.objects.count()
    record = AuditRecord.objects.get(action="calendar.seed")
    assert record.actor_id is None
    assert record.after["holidays"] == Holiday.objects.count()
    assert record.after["adjusted_workdays"] == AdjustedWorkday.objects.count()
    assert record.after["source"].startswith("chinesecalendar ")
    assert not get_calendar().is_workday(D(2026, 10, 1))


def test_it_keeps_what_an_administrator_changed(personas):
    admin = personas.system_admin
    merged = Holiday.objects.get(year=2025, name="国庆节、中秋节")
    services.update_holiday(actor=admin, holiday=merged, name="国庆节", at=timezone.now())
    services.delete_holiday(
        actor=admin, holiday=Holiday.objects.get(year=2026, name="清明节"), at=timezone.now()
    )

    created = seed_official_calendar(actor=None, at=timezone.now())

    # The renamed holiday is not filed twice; the deleted one comes back.
    assert created == 1
    assert not Holiday.objects.filter(year=2025, name="国庆节、中秋节").exists()
    assert Holiday.objects.filter(year=2026, name="清明节").exists()


def test_it_lets_only_the_system_administrator_seed(personas):
    with pytest.raises(PermissionDenied):
        seed_official_calendar(actor=personas.handler, at=timezone.now())
    assert seed_official_calendar(actor=personas.system_admin, at=timezone.now()) == 0
