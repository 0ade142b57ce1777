"""节假日维护 in system management (the Django admin), driven over HTTP."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from tongban.audit.models import AuditRecord
from tongban.core import clock
from tongban.workcalendar.calendar import get_calendar
from tongban.workcalendar.models import AdjustedWorkday, Holiday

from .conftest import log_in_verified

D = dt.date
LIST = "/admin/workcalendar/holiday/"
ADD = "/admin/workcalendar/holiday/add/"


def _state():
    return (
        list(Holiday.objects.values_list("year", "name", "first_day", "last_day")),
        list(AdjustedWorkday.objects.values_list("holiday_id", "date")),
        AuditRecord.objects.filter(action__startswith="holiday.").count(),
    )


def _form(*adjusted, initial=(), **fields):
    """The change form's POST: holiday fields and the adjusted-days inline."""
    data = {"year": "2027", "name": "元旦", "first_day": "2027-01-01", "last_day": "2027-01-03"}
    data.update(fields)
    data.update(
        {
            "adjusted_workdays-TOTAL_FORMS": str(len(initial) + len(adjusted)),
            "adjusted_workdays-INITIAL_FORMS": str(len(initial)),
            "adjusted_workdays-MIN_NUM_FORMS": "0",
            "adjusted_workdays-MAX_NUM_FORMS": "1000",
        }
    )
    rows = [(a.pk, a.date.isoformat(), delete) for a, delete in initial]
    rows += [("", day, False) for day in adjusted]
    for i, (pk, day, delete) in enumerate(rows):
        data[f"adjusted_workdays-{i}-id"] = str(pk)
        data[f"adjusted_workdays-{i}-date"] = day
        if delete:
            data[f"adjusted_workdays-{i}-DELETE"] = "on"
    return data


@pytest.fixture
def admin_client(client, personas):
    log_in_verified(client, personas.system_admin)
    return client


def test_it_warns_about_next_year_missing_an_arrangement(admin_client, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 11, 25, 9, tzinfo=clock.LOCAL_TZ))
    page = admin_client.get(LIST).content.decode()
    assert "尚未录入 2027 年的节假日安排" in page
    assert "国庆节、中秋节" in page


def test_it_does_not_warn_when_both_years_are_on_file(admin_client, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2025, 6, 1, 9, tzinfo=clock.LOCAL_TZ))
    assert "尚未录入" not in admin_client.get(LIST).content.decode()


def test_it_adds_a_holiday_with_its_adjusted_days_through_the_service(admin_client, personas):
    response = admin_client.post(ADD, _form("2026-12-27", note="测试"))

    assert response.status_code == 302, response.content.decode()[:3000]
    holiday = Holiday.objects.get(year=2027, name="元旦")
    assert [a.date for a in holiday.adjusted_workdays.all()] == [D(2026, 12, 27)]
    record = AuditRecord.objects.get(action="holiday.create", object_id=str(holiday.pk))
    assert record.actor_id == personas.system_admin.pk
    assert not get_calendar().is_workday(D(2027, 1, 1))


def test_it_changes_a_holiday_and_its_adjusted_days_in_one_form(admin_client):
    national_day = Holiday.objects.get(year=2026, name="国庆节")
    sunday, saturday = national_day.adjusted_workdays.order_by("date")
    response = admin_client.post(
        f"{LIST}{national_day.pk}/change/",
        _form(
            year="2026",
            name="国庆节",
            first_day="2026-10-01",
            last_day="2026-10-10",  # swallows the adjusted Saturday, which is removed
            initial=[(sunday, False), (saturday, True)],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    national_day.refresh_from_db()
    assert national_day.last_day == D(2026, 10, 10)
    assert [a.date for a in national_day.adjusted_workdays.all()] == [D(2026, 9, 20)]
    assert AuditRecord.objects.filter(action="holiday.update").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _form(first_day="2027-01-03", last_day="2027-01-01"),
            "结束日期（2027-01-01）早于开始日期（2027-01-03）。",
        ),
        (_form("2027-01-04"), "2027-01-04 本来就是工作日（不在节假日内的周一至周五）"),
        (_form("2027-01-02"), "2027-01-02 在节日“元旦（2027）”（2027-01-01 至 2027-01-03）期间"),
        (
            _form(year="2026", name="春节", first_day="2026-12-31", last_day="2026-12-31"),
            "2026 年度安排中已有名为“春节”的节日。",
        ),
    ],
)
def test_it_shows_bad_input_as_a_form_error_and_saves_nothing(admin_client, data, message):
    before = _state()
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _state() == before


def test_it_deletes_through_the_service(admin_client):
    spring = Holiday.objects.get(year=2026, name="春节")
    response = admin_client.post(f"{LIST}{spring.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Holiday.objects.filter(pk=spring.pk).exists()
    assert AuditRecord.objects.filter(action="holiday.delete", object_id=str(spring.pk)).exists()


def test_it_exports_to_excel(admin_client):
    response = admin_client.get(f"{LIST}export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == Holiday.objects.count() + 1


def test_it_imports_from_excel_and_reports_bad_rows(admin_client):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["年度", "节日名称", "开始日期", "结束日期", "调休上班日期"])
    sheet.append([2027, "元旦", "2027-01-01", "2027-01-03", "2026-12-27"])
    sheet.append([2027, "春节", "2027-02-12", "2027-02-06", ""])
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "2027.xlsx"
    before = _state()

    response = admin_client.post(f"{LIST}import/", {"file": upload})

    assert response.status_code == 200
    page = response.content.decode()
    assert "未导入任何数据：发现 1 处问题。" in page
    assert "第 3 行：结束日期（2027-02-06）早于开始日期（2027-02-12）。" in page
    assert _state() == before

    sheet.delete_rows(3)
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "2027.xlsx"
    response = admin_client.post(f"{LIST}import/", {"file": upload}, follow=True)
    assert "导入完成：新增 1 条" in response.content.decode()
    assert Holiday.objects.filter(year=2027, name="元旦").exists()


def test_it_keeps_other_staff_out(client, personas):
    log_in_verified(client, personas.handler)
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}export/").status_code == 403
