"""The working-day index and the as-of facts the reports aggregate over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from tongban.cases.export import case_facts
from tongban.cases.models import Case
from tongban.cases.simulation import simulate
from tongban.core.clock import LOCAL_TZ
from tongban.reports.facts import (
    ensure_workday_index,
    facts_queryset,
    facts_table,
    index_is_current,
    rebuild_workday_index,
)
from tongban.reports.models import WorkdayIndex
from tongban.workcalendar import services as calendar_services
from tongban.workcalendar.calendar import get_calendar

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 1, 5), dt.date(2026, 3, 6)


def as_date(value) -> dt.date | None:
    # Raw SQL on SQLite returns dates as ISO strings.
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def test_it_indexes_every_day_of_the_calendar_so_that_wd_and_add_agree():
    ensure_workday_index()
    calendar = get_calendar()

    assert WorkdayIndex.objects.count() == (calendar.last - calendar.first).days + 1
    first, last = dt.date(2025, 12, 1), dt.date(2027, 3, 31)
    rows = WorkdayIndex.objects.filter(day__range=(first, last))
    ordinal = {r.day: r.ordinal for r in rows}
    by_ordinal = {r.ordinal: r.day for r in rows if r.workday}
    assert {r.day for r in rows if r.workday} == {d for d in ordinal if calendar.is_workday(d)}
    days = [first + dt.timedelta(days=i) for i in range(0, 400, 3)]
    for a in days:
        for b in days:
            expected = calendar.wd(a, b)
            assert (ordinal[b] - ordinal[a] if b > a else 0) == expected, (a, b)
        for n in (1, 2, 5, 20, 60):
            assert by_ordinal[ordinal[a] + n] == calendar.add(a, n), (a, n)


def test_it_rebuilds_the_index_once_a_calendar_change_has_committed(
    personas, django_capture_on_commit_callbacks
):
    ensure_workday_index()
    monday = dt.date(2030, 6, 3)
    assert WorkdayIndex.objects.get(day=monday).workday

    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.create_holiday(
            actor=personas.system_admin,
            year=2030,
            name="测试假期",
            first_day=monday,
            last_day=monday + dt.timedelta(days=2),
            at=timezone.now(),
        )

    assert index_is_current()
    assert not WorkdayIndex.objects.get(day=monday).workday
    # The ordinals after the holiday moved down by its three working days.
    friday_before = monday - dt.timedelta(days=3)
    thursday = monday + dt.timedelta(days=3)
    assert (
        WorkdayIndex.objects.get(day=thursday).ordinal
        - WorkdayIndex.objects.get(day=friday_before).ordinal
        == 1
    )


def test_it_rebuilds_a_stale_index_lazily(personas):
    ensure_workday_index()
    # The change commits only with the test's transaction: no listener ran yet.
    calendar_services.create_holiday(
        actor=personas.system_admin,
        year=2030,
        name="测试假期",
        first_day=dt.date(2030, 6, 3),
        last_day=dt.date(2030, 6, 3),
        at=timezone.now(),
    )
    assert not index_is_current()

    ensure_workday_index()

    assert index_is_current()
    assert not WorkdayIndex.objects.get(day=dt.date(2030, 6, 3)).workday
    assert rebuild_workday_index() == 0  # nothing to do: already current


@pytest.mark.parametrize(
    "as_of",
    [
        dt.datetime.combine(END, dt.time(23, 0), LOCAL_TZ),
        dt.datetime(2026, 2, 10, 12, 0, tzinfo=LOCAL_TZ),  # mid-history: the past
    ],
)
def test_it_computes_the_same_facts_as_the_export(as_of):
    simulate(40, START, END, seed=11)
    ensure_workday_index()
    expected = {row["number"]: row for row in case_facts(as_of)}
    numbers = dict(Case.objects.values_list("pk", "number"))

    table, params = facts_table(as_of, Q())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.case_id, f.dept_code, f.kind, f.accepted, f.deadline_as_of,"  # noqa: S608
            f" f.completed_as_of, f.terminated_as_of, f.suspended_as_of FROM {table} f",
            params,
        )
        rows = cursor.fetchall()
    listed = {c.number: c for c in facts_queryset(as_of)}

    assert len(expected) > 10
    assert {numbers[r[0]] for r in rows} == set(expected) == set(listed)
    for case_id, dept, kind, accepted, deadline, completed, terminated, suspended in rows:
        fact = expected[numbers[case_id]]
        open_ = fact["completed_on"] is None and fact["terminated_on"] is None
        assert (
            dept,
            kind,
            as_date(accepted),
            as_date(deadline),
            as_date(completed),
            as_date(terminated),
        ) == (
            fact["department"],
            fact["type"],
            fact["accepted_on"],
            fact["deadline"],
            fact["completed_on"],
            fact["terminated_on"],
        )
        if open_:
            assert bool(suspended) == (fact["status"] == "suspended")
        case = listed[numbers[case_id]]
        assert (case.deadline_as_of, case.completed_as_of, case.terminated_as_of) == (
            fact["deadline"],
            fact["completed_on"],
            fact["terminated_on"],
        )
