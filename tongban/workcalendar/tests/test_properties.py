"""Properties of add/wd over the seeded calendar, and agreement with the two packages.

The hypothesis checks run inside the test (the calendar is built once from the test
database), so no function-scoped fixture is re-used across examples.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import holidays as python_holidays
from hypothesis import given, settings
from hypothesis import strategies as st

D = dt.date
FIRST, LAST = D(2004, 1, 1), D(2026, 12, 31)
# The one documented difference (docs/calendar.md): 2005-12-31 was a working day of
# the 2006 New Year arrangement; chinesecalendar lacks it, python-holidays has it.
ONLY_PYTHON_HOLIDAYS = {D(2005, 12, 31)}

dates = st.dates(min_value=D(2003, 1, 1), max_value=D(2028, 12, 31))
counts = st.integers(min_value=0, max_value=400)
check = settings(max_examples=300, deadline=None, database=None)


def _all_days():
    day = FIRST
    while day <= LAST:
        yield day
        day += dt.timedelta(days=1)


def test_it_agrees_with_chinesecalendar_on_every_day_2004_to_2026(calendar):
    # Every day rather than a sample: 8 401 look-ups cost nothing.
    disagree = {d for d in _all_days() if calendar.is_workday(d) != chinese_calendar.is_workday(d)}
    assert disagree == ONLY_PYTHON_HOLIDAYS


def test_it_agrees_with_python_holidays_on_every_day_2004_to_2026(calendar):
    china = python_holidays.China(years=range(2004, 2027))
    assert [d for d in _all_days() if calendar.is_workday(d) != china.is_working_day(d)] == []


def test_it_counts_like_a_day_by_day_count_of_chinesecalendar(calendar):
    def official(day):
        return day in ONLY_PYTHON_HOLIDAYS or chinese_calendar.is_workday(day)

    @check
    @given(st.dates(min_value=FIRST, max_value=LAST), st.integers(min_value=0, max_value=120))
    def wd_is_a_count(a, span):
        b = min(a + dt.timedelta(days=span), LAST)
        days = [a + dt.timedelta(days=i) for i in range(1, (b - a).days + 1)]
        assert calendar.wd(a, b) == sum(official(d) for d in days)

    wd_is_a_count()


def test_it_inverts_add_with_wd(calendar):
    @check
    @given(dates, counts)
    def inverse(a, n):
        assert calendar.wd(a, calendar.add(a, n)) == n

    inverse()


def test_it_lands_add_on_a_working_day_after_the_start(calendar):
    @check
    @given(dates, st.integers(min_value=1, max_value=400))
    def lands(a, n):
        result = calendar.add(a, n)
        assert result > a
        assert calendar.is_workday(result)

    lands()


def test_it_finds_the_last_working_day_not_after_b(calendar):
    @check
    @given(dates, dates)
    def last_working_day(a, b):
        result = calendar.add(a, calendar.wd(a, b))
        if b <= a:
            assert result == a
            return
        assert result <= b
        assert calendar.wd(result, b) == 0  # no working day in (result, b]
        if calendar.is_workday(b):
            assert result == b

    last_working_day()


def test_it_is_monotonic_and_additive(calendar):
    @check
    @given(dates, dates, counts, counts)
    def monotonic(a1, a2, m, n):
        a1, a2 = min(a1, a2), max(a1, a2)
        assert calendar.add(a1, n) <= calendar.add(a2, n)
        assert calendar.add(a1, min(m, n)) <= calendar.add(a1, max(m, n))
        assert calendar.add(calendar.add(a1, m), n) == calendar.add(a1, m + n)
        assert calendar.wd(a1, a2) <= calendar.wd(a1, a2 + dt.timedelta(days=m))
        middle = a1 + dt.timedelta(days=(a2 - a1).days // 2)
        assert calendar.wd(a1, middle) + calendar.wd(middle, a2) == calendar.wd(a1, a2)

    monotonic()
