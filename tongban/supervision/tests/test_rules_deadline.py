"""time-limits.md, "Case deadline" and "Status colours", on the seeded 2026 calendar.

The 2026 arrangement on file (checked in the first test, so a reseeded calendar that
differs fails loudly here rather than confusingly elsewhere): 清明节 04-04…06; 劳动节
05-01…05 with Saturday 05-09 worked; 端午节 06-19…21; 中秋节 09-25…27; 国庆节
10-01…07 with Sunday 09-20 and Saturday 10-10 worked.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import clock
from tongban.cases.testing import accepted, at
from tongban.supervision import selectors
from tongban.supervision.kinds.cases import lists
from tongban.workcalendar.calendar import get_calendar

D = dt.date.fromisoformat


@pytest.mark.django_db
def test_it_reads_the_2026_arrangement_the_other_tests_count_on():
    calendar = get_calendar()
    off = ["2026-04-06", "2026-05-01", "2026-05-04", "2026-05-05", "2026-06-19", "2026-10-08"]
    worked = ["2026-05-09", "2026-09-20", "2026-10-10"]
    assert not any(calendar.is_workday(D(d)) for d in off[:-1])
    # 国庆节 2026 ends on 07; Thursday 08 is an ordinary working day.
    assert calendar.is_workday(D("2026-10-08"))
    assert all(calendar.is_workday(D(d)) for d in worked)
    assert not calendar.is_workday(D("2026-05-10"))  # the Sunday after stays a rest day


def test_it_counts_the_deadline_past_labour_day_and_its_adjusted_saturday(personas, items):
    # Monday 20 April + 15 working days: 21–24 (4), 27–30 (8), 1–5 May off, 6–8 (11),
    # Saturday 9 May worked (12), 11–13 (15) → Wednesday 13 May. Counted Monday to
    # Friday it would be Monday 11 May.
    case = accepted(personas, items.promised, at("2026-04-20"))
    assert case.deadline == D("2026-05-13")
    explanation = clock.explain_deadline(case, get_calendar())
    assert explanation.result == case.deadline and explanation.days == 15
    assert [h.name for h in explanation.holidays] == ["劳动节"]
    assert [a.date for a in explanation.adjusted_workdays] == [D("2026-05-09")]


def test_it_counts_the_deadline_past_qingming(personas, items):
    # Monday 30 March + 15: 31 Mar–3 Apr (4), 4–6 April off, 7–10 (8), 13–17 (13),
    # 20–21 (15) → Tuesday 21 April (Monday 20 April without the holiday).
    case = accepted(personas, items.promised, at("2026-03-30"))
    assert case.deadline == D("2026-04-21")
    explanation = clock.explain_deadline(case, get_calendar())
    assert [h.name for h in explanation.holidays] == ["清明节"]
    assert explanation.adjusted_workdays == ()


def test_it_counts_the_deadline_past_mid_autumn_and_national_day(personas, items):
    # Monday 21 September + 15: 22–24 (3), 25–27 off (中秋节), 28–30 (6), 1–7 October
    # off, 8–9 (8), Saturday 10 October worked (9), 12–16 (14), 19 (15) → 19 October.
    # The adjusted Sunday 20 September lies before the count and is not used.
    case = accepted(personas, items.promised, at("2026-09-21"))
    assert case.deadline == D("2026-10-19")
    explanation = clock.explain_deadline(case, get_calendar())
    assert [h.name for h in explanation.holidays] == ["中秋节", "国庆节"]
    assert [a.date for a in explanation.adjusted_workdays] == [D("2026-10-10")]


def test_it_sets_an_immediate_case_s_deadline_to_its_acceptance_day(personas, items):
    case = accepted(personas, items.immediate, at("2026-05-09"))  # the adjusted Saturday
    assert case.deadline == D("2026-05-09")


# --- due soon at warn_days ----------------------------------------------------------------


def _colours(case, days: list[str]) -> list[str]:
    calendar = get_calendar()
    return [clock.colour(case, D(d), calendar) for d in days]


def test_it_turns_due_soon_at_two_working_days_by_default(personas, items):
    case = accepted(personas, items.promised, at("2026-04-20"))  # deadline Wed 13 May
    days = ["2026-05-08", "2026-05-09", "2026-05-10", "2026-05-11", "2026-05-13", "2026-05-14"]
    # wd(t, 13 May): Fri 8 → 4, Sat 9 (worked) → 3, Sun 10 → 3, Mon 11 → 2, Wed 13 → 0.
    assert _colours(case, days) == [
        clock.Colour.NORMAL,
        clock.Colour.NORMAL,
        clock.Colour.NORMAL,
        clock.Colour.DUE_SOON,
        clock.Colour.DUE_SOON,
        clock.Colour.OVERDUE,
    ]
    supervisor = personas.supervisor
    for day, colour in zip(days, _colours(case, days), strict=True):
        counts = selectors.open_counts(supervisor, D(day))
        listed = lists.processing_limits(supervisor, D(day)).filter(pk=case.pk).exists()
        assert counts["due_soon"] == (colour == clock.Colour.DUE_SOON), day
        assert counts["overdue"] == (colour == clock.Colour.OVERDUE), day
        # The processing-limits list shows what is due soon or overdue, nothing else.
        assert listed == (colour != clock.Colour.NORMAL), day
        assert (selectors.due_soon_limit(D(day)) >= case.deadline) == listed, day


def test_it_follows_a_changed_warn_days(personas, items, settings):
    settings.TONGBAN_WARN_DAYS = 3
    case = accepted(personas, items.promised, at("2026-04-20"))  # deadline Wed 13 May
    days = ["2026-05-08", "2026-05-09", "2026-05-10"]
    # With three days' warning the adjusted Saturday (wd 3) is already due soon.
    assert _colours(case, days) == [
        clock.Colour.NORMAL,
        clock.Colour.DUE_SOON,
        clock.Colour.DUE_SOON,
    ]
    assert [selectors.open_counts(personas.supervisor, D(d))["due_soon"] for d in days] == [
        0,
        1,
        1,
    ]
    assert selectors.due_soon_limit(D("2026-05-08")) == D("2026-05-12")
    assert selectors.due_soon_limit(D("2026-05-09")) == D("2026-05-13")
