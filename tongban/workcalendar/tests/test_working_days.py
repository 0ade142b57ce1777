"""add / wd on the festival edges of the official arrangements (seeded data).

Every expected value below was counted by hand from the State Council notices as
chinesecalendar carries them:
- 2026 春节: off 02-15 (Sun) … 02-23 (Mon); worked 02-14 (Sat), 02-28 (Sat).
- 2026 中秋节: off 09-25 (Fri) … 09-27 (Sun).
- 2026 国庆节: off 10-01 … 10-07; worked 09-20 (Sun), 10-10 (Sat).
- 2025 国庆节、中秋节: off 10-01 … 10-08 (中秋 10-06); worked 09-28 (Sun), 10-11 (Sat).
- 2026 元旦: off 01-01 … 01-03; worked 01-04 (Sun).
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from tongban.workcalendar.calendar import OutsideCalendarSpan

D = dt.date


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Spring Festival 2026
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Friday → the adjusted Saturday
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # over the whole holiday
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        (D(2026, 2, 27), 1, D(2026, 2, 28)),  # the second adjusted Saturday
        # Mid-Autumn and National Day 2026
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # the adjusted Sunday before National Day
        (D(2026, 9, 24), 1, D(2026, 9, 28)),  # Mid-Autumn Friday is off
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 20, D(2026, 11, 3)),  # the example
        (D(2026, 10, 7), 3, D(2026, 10, 10)),  # ends on the adjusted Saturday
        # National Day and Mid-Autumn 2025 (one eight-day holiday)
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        # New Year 2026 across the year boundary
        (D(2025, 12, 31), 1, D(2026, 1, 4)),
    ],
)
def test_it_adds_working_days_across_festivals(calendar, start, n, expected):
    assert calendar.add(start, n) == expected
    assert calendar.wd(start, expected) == n


@pytest.mark.parametrize(
    ("accepted_on", "n", "expected"),
    [
        (D(2026, 10, 3), 1, D(2026, 10, 8)),  # accepted on a National Day holiday
        (D(2026, 2, 18), 5, D(2026, 2, 28)),  # accepted during Spring Festival
        (D(2025, 10, 6), 1, D(2025, 10, 9)),  # accepted on Mid-Autumn 2025
        (D(2025, 10, 8), 3, D(2025, 10, 11)),  # last holiday day → adjusted Saturday
        (D(2026, 2, 21), 1, D(2026, 2, 24)),  # a Saturday inside the holiday
    ],
)
def test_it_counts_from_a_holiday_to_the_first_working_day_after(
    calendar, accepted_on, n, expected
):
    assert not calendar.is_workday(accepted_on)
    assert calendar.add(accepted_on, n) == expected


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 2, 14), True),  # adjusted Saturday
        (D(2026, 2, 16), False),  # Monday in Spring Festival
        (D(2026, 2, 23), False),  # last day, a Monday
        (D(2026, 2, 28), True),
        (D(2026, 3, 1), False),  # plain Sunday
        (D(2026, 9, 20), True),
        (D(2026, 9, 25), False),
        (D(2026, 10, 10), True),
        (D(2026, 10, 11), False),
        (D(2025, 10, 6), False),
        (D(2025, 10, 11), True),
        (D(2005, 12, 31), True),  # New Year 2006 make-up day (docs/calendar.md)
    ],
)
def test_it_knows_working_days_on_festival_edges(calendar, day, working):
    assert calendar.is_workday(day) is working


def test_it_counts_working_days_between_two_dates(calendar):
    assert calendar.wd(D(2026, 2, 13), D(2026, 2, 27)) == 5  # 14, 24, 25, 26, 27
    assert calendar.wd(D(2025, 9, 30), D(2025, 10, 31)) == 18
    assert calendar.wd(D(2026, 9, 18), D(2026, 10, 10)) == 11
    assert calendar.wd(D(2025, 12, 31), D(2026, 1, 5)) == 2  # 01-04 (Sun), 01-05


def test_it_returns_the_start_for_zero_days_and_zero_when_b_is_not_after_a(calendar):
    assert calendar.add(D(2026, 10, 3), 0) == D(2026, 10, 3)  # even on a holiday
    assert calendar.wd(D(2026, 9, 30), D(2026, 9, 30)) == 0
    assert calendar.wd(D(2026, 11, 3), D(2026, 9, 30)) == 0


def test_it_refuses_a_negative_number_of_days(calendar):
    with pytest.raises(ValueError, match="n ≥ 0"):
        calendar.add(D(2026, 9, 30), -1)


def test_it_refuses_dates_outside_its_span(calendar):
    with pytest.raises(OutsideCalendarSpan, match="outside the working-day calendar"):
        calendar.is_workday(D(1989, 12, 31))
    with pytest.raises(OutsideCalendarSpan, match="beyond the calendar's last day"):
        calendar.add(D(2100, 12, 28), 5)


def test_it_explains_the_holidays_skipped_and_adjusted_days_used(calendar):
    explanation = calendar.explain(D(2026, 9, 30), 20)
    assert explanation.result == D(2026, 11, 3)
    assert [(h.name, h.first_day, h.last_day) for h in explanation.holidays] == [
        ("国庆节", D(2026, 10, 1), D(2026, 10, 7))
    ]
    assert [a.date for a in explanation.adjusted_workdays] == [D(2026, 10, 10)]
    assert explanation.missing_years == ()

    explanation = calendar.explain(D(2026, 9, 18), 8)
    assert explanation.result == D(2026, 9, 30)
    assert [h.name for h in explanation.holidays] == ["中秋节"]
    assert [(a.date, a.holiday_name) for a in explanation.adjusted_workdays] == [
        (D(2026, 9, 20), "国庆节")
    ]


def test_it_warns_once_when_a_year_has_no_arrangement(calendar, caplog):
    with caplog.at_level(logging.WARNING, logger="tongban.workcalendar"):
        # 2027 has no arrangement on file yet: 2027-01-01 (a Friday) counts as working.
        assert calendar.add(D(2026, 12, 30), 2) == D(2027, 1, 1)
        calendar.wd(D(2026, 12, 1), D(2027, 3, 1))
    warnings = [r.getMessage() for r in caplog.records if r.name == "tongban.workcalendar"]
    assert len(warnings) == 1
    assert "No holiday arrangement on file for 2027" in warnings[0]
    assert calendar.missing_years(2003, 2027) == [2003, 2027]
    assert calendar.explain(D(2026, 12, 30), 2).missing_years == (2027,)
