"""节假日维护 through the services: create, edit, delete, adjusted working days; bad
input refused with the Chinese message and nothing changed; audit; the calendar
follows every change at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tongban.audit.models import AuditRecord
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.workcalendar import calendar as calendar_module
from tongban.workcalendar import services
from tongban.workcalendar.calendar import get_calendar
from tongban.workcalendar.models import AdjustedWorkday, Holiday

D = dt.date


def _state():
    """What a user could notice: the dictionary, its audit trail, the arithmetic."""
    return (
        list(Holiday.objects.values_list("year", "name", "first_day", "last_day", "note")),
        list(AdjustedWorkday.objects.values_list("holiday_id", "date")),
        AuditRecord.objects.count(),
        get_calendar().add(D(2026, 9, 30), 20),
    )


def _create_new_year_2027(actor, **overrides):
    # A made-up 2027 arrangement (the real one is not on file): off 01-01 … 01-03,
    # worked Sunday 2026-12-27.
    data = {
        "year": 2027,
        "name": "元旦",
        "first_day": D(2027, 1, 1),
        "last_day": D(2027, 1, 3),
        "adjusted_workdays": [D(2026, 12, 27)],
        **overrides,
    }
    return services.create_holiday(actor=actor, at=timezone.now(), **data)


def test_it_creates_a_holiday_with_its_adjusted_days_and_the_calendar_follows(personas):
    admin = personas.system_admin
    before = get_calendar()
    assert before.is_workday(D(2027, 1, 1))  # a Friday, no arrangement yet
    assert before.missing_years(2026, 2027) == [2027]

    holiday = _create_new_year_2027(admin, note="测试")

    holiday.refresh_from_db()
    assert (holiday.year, holiday.name, holiday.day_count) == (2027, "元旦", 3)
    assert [a.date for a in holiday.adjusted_workdays.all()] == [D(2026, 12, 27)]
    record = AuditRecord.objects.get(action="holiday.create", object_id=str(holiday.pk))
    assert record.actor_id == admin.pk
    assert record.after["first_day"] == "2027-01-01"
    assert record.after["adjusted_workdays"] == ["2026-12-27"]

    after = get_calendar()
    assert not after.is_workday(D(2027, 1, 1))
    assert after.is_workday(D(2026, 12, 27))
    assert after.add(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert after.missing_years(2026, 2027) == []


def test_it_edits_a_holiday_and_the_calendar_changes_immediately(personas):
    admin = personas.system_admin
    national_day = Holiday.objects.get(year=2026, name="国庆节")
    assert get_calendar().add(D(2026, 9, 30), 20) == D(2026, 11, 3)

    services.update_holiday(
        actor=admin,
        holiday=national_day,
        last_day=D(2026, 10, 8),
        adjusted_workdays=[D(2026, 9, 20)],
        at=timezone.now(),
    )

    national_day.refresh_from_db()
    assert national_day.last_day == D(2026, 10, 8)
    assert [a.date for a in national_day.adjusted_workdays.all()] == [D(2026, 9, 20)]
    calendar = get_calendar()
    assert not calendar.is_workday(D(2026, 10, 8))
    assert not calendar.is_workday(D(2026, 10, 10))  # no longer worked
    assert calendar.add(D(2026, 9, 30), 20) == D(2026, 11, 5)
    record = AuditRecord.objects.get(action="holiday.update", object_id=str(national_day.pk))
    assert record.actor_id == admin.pk
    assert record.before == {
        "last_day": "2026-10-07",
        "adjusted_workdays": ["2026-09-20", "2026-10-10"],
    }
    assert record.after == {"last_day": "2026-10-08", "adjusted_workdays": ["2026-09-20"]}


def test_it_deletes_a_holiday_and_its_days_become_ordinary(personas):
    admin = personas.system_admin
    spring = Holiday.objects.get(year=2026, name="春节")

    services.delete_holiday(actor=admin, holiday=spring, at=timezone.now())

    assert not Holiday.objects.filter(pk=spring.pk).exists()
    assert not AdjustedWorkday.objects.filter(date=D(2026, 2, 14)).exists()
    calendar = get_calendar()
    assert calendar.is_workday(D(2026, 2, 16))
    assert not calendar.is_workday(D(2026, 2, 14))
    record = AuditRecord.objects.get(action="holiday.delete", object_id=str(spring.pk))
    assert record.before["adjusted_workdays"] == ["2026-02-14", "2026-02-28"]


def test_it_adds_and_removes_a_single_adjusted_working_day(personas):
    admin = personas.system_admin
    labour_day = Holiday.objects.get(year=2026, name="劳动节")

    adjusted = services.add_adjusted_workday(
        actor=admin, holiday=labour_day, date=D(2026, 4, 26), at=timezone.now()
    )
    assert get_calendar().is_workday(D(2026, 4, 26))
    assert AuditRecord.objects.filter(
        action="adjusted_workday.create", object_id=str(adjusted.pk)
    ).exists()

    services.remove_adjusted_workday(actor=admin, adjusted_workday=adjusted, at=timezone.now())
    assert not get_calendar().is_workday(D(2026, 4, 26))
    assert AuditRecord.objects.filter(
        action="adjusted_workday.delete", object_id=str(adjusted.pk)
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"first_day": D(2027, 1, 3), "last_day": D(2027, 1, 1)},
            "last_day",
            "结束日期（2027-01-01）早于开始日期（2027-01-03）。",
        ),
        (
            {"adjusted_workdays": [D(2027, 1, 4)]},  # a Monday outside any holiday
            "adjusted_workdays",
            "2027-01-04 本来就是工作日（不在节假日内的周一至周五）；调休上班日必须是周六或周日。",
        ),
        (
            {
                "year": 2026,
                "name": "春节",
                "first_day": D(2026, 12, 31),
                "last_day": D(2026, 12, 31),
            },
            "name",
            "2026 年度安排中已有名为“春节”的节日。",
        ),
        (
            {"adjusted_workdays": [D(2027, 1, 2)]},  # inside the holiday itself
            "adjusted_workdays",
            "2027-01-02 在节日“元旦（2027）”（2027-01-01 至 2027-01-03）期间；"
            "调休上班日必须在所有节假日之外。",
        ),
        (
            {"adjusted_workdays": [D(2026, 10, 10)]},  # National Day's adjusted Saturday
            "adjusted_workdays",
            "2026-10-10 已是“国庆节（2026）”的调休上班日。",
        ),
        (
            {"year": 2026, "first_day": D(2026, 10, 6), "last_day": D(2026, 10, 9)},
            "first_day",
            "2026-10-06 至 2026-10-09 与节日“国庆节（2026）”（2026-10-01 至 2026-10-07）重叠。",
        ),
        (
            {"year": 2026, "first_day": D(2026, 10, 10), "last_day": D(2026, 10, 10)},
            "first_day",
            "2026-10-10 至 2026-10-10 包含 2026-10-10，该日是“国庆节（2026）”的调休上班日。",
        ),
        (
            {"year": 2025},
            "year",
            "安排年度必须是开始日期或结束日期所在的年份（2027 或 2027）。",
        ),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message_and_changes_nothing(
    personas, overrides, field, message
):
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        _create_new_year_2027(personas.system_admin, **overrides)
    assert str(refused.value.fields[field][0]) == message
    assert _state() == before


def test_it_refuses_an_edit_that_reverses_a_holiday_and_keeps_it(personas):
    spring = Holiday.objects.get(year=2026, name="春节")
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        services.update_holiday(
            actor=personas.system_admin, holiday=spring, last_day=D(2026, 2, 1), at=timezone.now()
        )
    assert refused.value.fields["last_day"] == [
        "结束日期（2026-02-01）早于开始日期（2026-02-15）。"
    ]
    assert _state() == before


def test_it_refuses_an_edit_that_swallows_its_own_adjusted_day(personas):
    national_day = Holiday.objects.get(year=2026, name="国庆节")
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        services.update_holiday(
            actor=personas.system_admin,
            holiday=national_day,
            last_day=D(2026, 10, 10),
            at=timezone.now(),
        )
    assert "2026-10-10 在节日“国庆节（2026）”" in refused.value.fields["adjusted_workdays"][0]
    assert _state() == before


def test_it_lets_only_the_system_administrator_change_the_calendar(personas):
    before = _state()
    for actor in (personas.handler, personas.security_admin, personas.supervisor):
        with pytest.raises(PermissionDenied):
            _create_new_year_2027(actor)
        with pytest.raises(PermissionDenied):
            services.delete_holiday(
                actor=actor, holiday=Holiday.objects.get(year=2026, name="春节"), at=timezone.now()
            )
    assert _state() == before


def test_it_tells_listeners_which_dates_changed(personas):
    calls = []

    def listener(first, last):
        # Called inside the transaction: the new data is already visible.
        calls.append((first, last, get_calendar().is_workday(D(2026, 10, 8))))

    services.on_calendar_changed(listener)
    try:
        national_day = Holiday.objects.get(year=2026, name="国庆节")
        services.update_holiday(
            actor=personas.system_admin,
            holiday=national_day,
            last_day=D(2026, 10, 8),
            at=timezone.now(),
        )
    finally:
        services.remove_calendar_listener(listener)
    assert calls == [(D(2026, 9, 20), D(2026, 10, 10), False)]


def test_it_does_not_query_the_database_on_every_call(
    calendar, settings, django_assert_num_queries
):
    settings.TONGBAN_CALENDAR_CHECK_SECONDS = 3600
    with django_assert_num_queries(0):
        for _ in range(50):
            assert get_calendar() is calendar
            get_calendar().add(D(2026, 9, 30), 20)
    # When the check is due: one small query, and the same calendar if nothing changed.
    settings.TONGBAN_CALENDAR_CHECK_SECONDS = 0
    with django_assert_num_queries(1):
        assert get_calendar() is calendar


def test_it_notices_a_change_made_by_another_process(personas, settings):
    stale = get_calendar()
    services.update_holiday(
        actor=personas.system_admin,
        holiday=Holiday.objects.get(year=2026, name="国庆节"),
        last_day=D(2026, 10, 8),
        at=timezone.now(),
    )
    # Another process still holds the calendar it built before the change; only the
    # version row tells it otherwise.
    calendar_module._cached = stale
    settings.TONGBAN_CALENDAR_CHECK_SECONDS = 3600
    assert get_calendar().is_workday(D(2026, 10, 8))  # within the interval: stale
    settings.TONGBAN_CALENDAR_CHECK_SECONDS = 0
    fresh = get_calendar()
    assert fresh is not stale
    assert not fresh.is_workday(D(2026, 10, 8))
