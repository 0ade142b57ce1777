"""Excel export and import of the holiday dictionary (all or nothing)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tongban.audit.models import AuditRecord
from tongban.core.errors import ValidationFailed
from tongban.workcalendar import services
from tongban.workcalendar.calendar import get_calendar
from tongban.workcalendar.excel import COLUMNS, export_holidays
from tongban.workcalendar.models import AdjustedWorkday, Holiday

D = dt.date


def _dictionary():
    return [
        (
            h.year,
            h.name,
            h.first_day,
            h.last_day,
            h.note,
            [a.date for a in h.adjusted_workdays.all()],
        )
        for h in Holiday.objects.order_by("first_day").prefetch_related("adjusted_workdays")
    ]


def _export() -> bytes:
    return export_holidays(
        Holiday.objects.order_by("first_day").prefetch_related("adjusted_workdays")
    )


def _workbook(*rows, header=COLUMNS) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "holidays.xlsx"
    return out


def test_it_exports_one_row_per_holiday_with_its_adjusted_days(db):
    sheet = load_workbook(io.BytesIO(_export())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    assert len(rows) == Holiday.objects.count() + 1
    national_day = next(r for r in rows if r[:2] == (2026, "国庆节"))
    assert national_day[2].date() == D(2026, 10, 1)
    assert national_day[3].date() == D(2026, 10, 7)
    assert national_day[4] == "2026-09-20, 2026-10-10"


def test_it_reproduces_the_dictionary_from_its_export_on_an_empty_table(personas):
    admin = personas.system_admin
    services.update_holiday(
        actor=admin,
        holiday=Holiday.objects.get(year=2026, name="春节"),
        note="丙午年",
        at=timezone.now(),
    )
    original, exported = _dictionary(), _export()
    # An empty dictionary, as a fresh (flushed) database has it.
    AdjustedWorkday.objects.all().delete()
    Holiday.objects.all().delete()

    result = services.import_holidays(actor=admin, file=io.BytesIO(exported), at=timezone.now())

    assert (result.created, result.updated, result.unchanged) == (len(original), 0, 0)
    assert _dictionary() == original
    assert get_calendar().add(D(2026, 9, 30), 20) == D(2026, 11, 3)
    summary = AuditRecord.objects.get(action="calendar.import")
    assert summary.after == {"created": len(original), "updated": 0, "unchanged": 0}


def test_it_updates_existing_holidays_and_leaves_identical_rows_alone(personas):
    result = services.import_holidays(
        actor=personas.system_admin,
        file=_workbook(
            (2026, "国庆节", D(2026, 10, 1), D(2026, 10, 8), "2026-09-20", ""),
            (2026, "春节", "2026-02-15", "2026-02-23", "2026-02-14，2026-02-28", ""),
            (2027, "元旦", "2027/1/1", "2027/1/3", "", "待国务院通知"),
        ),
        at=timezone.now(),
    )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    national_day = Holiday.objects.get(year=2026, name="国庆节")
    assert national_day.last_day == D(2026, 10, 8)
    assert [a.date for a in national_day.adjusted_workdays.all()] == [D(2026, 9, 20)]
    assert Holiday.objects.get(year=2027, name="元旦").note == "待国务院通知"
    assert not get_calendar().is_workday(D(2026, 10, 10))


def test_it_imports_nothing_when_one_row_is_bad_and_names_the_row(personas):
    before = (_dictionary(), AuditRecord.objects.count())
    with pytest.raises(ValidationFailed) as refused:
        services.import_holidays(
            actor=personas.system_admin,
            file=_workbook(
                (2027, "元旦", "2027-01-01", "2027-01-03", "2026-12-27", ""),
                (2027, "春节", "2027-02-06", "2027-02-12", "2027-02-15", ""),  # a Monday
                (2027, "清明节", "2027-04-05", "2027-04-03", "", ""),  # reversed
                (2027, "劳动节", "五月一日", "2027-05-05", "", ""),
            ),
            at=timezone.now(),
        )
    assert str(refused.value.message) == "未导入任何数据：发现 3 处问题。"
    assert refused.value.fields["file"] == [
        "第 3 行：2027-02-15 本来就是工作日（不在节假日内的周一至周五）；"
        "调休上班日必须是周六或周日。",
        "第 4 行：结束日期（2027-04-03）早于开始日期（2027-04-05）。",
        "第 5 行：“开始日期”列：“五月一日”不是日期（格式 YYYY-MM-DD）。",
    ]
    assert (_dictionary(), AuditRecord.objects.count()) == before


def test_it_refuses_the_same_holiday_twice_in_one_file(personas):
    with pytest.raises(ValidationFailed) as refused:
        services.import_holidays(
            actor=personas.system_admin,
            file=_workbook(
                (2027, "元旦", "2027-01-01", "2027-01-03", "", ""),
                (2027, "元旦", "2027-01-01", "2027-01-02", "", ""),
            ),
            at=timezone.now(),
        )
    assert refused.value.fields["file"] == ["第 3 行：与第 2 行是同一个节日（2027 年 元旦）。"]
    assert not Holiday.objects.filter(year=2027).exists()


def test_it_refuses_a_file_that_is_not_the_holiday_sheet(personas):
    with pytest.raises(ValidationFailed) as refused:
        services.import_holidays(
            actor=personas.system_admin,
            file=_workbook(header=("年度", "名称", "开始", "结束")),
            at=timezone.now(),
        )
    assert refused.value.fields["file"] == [
        "第一行必须是列名 年度、节日名称、开始日期、结束日期、调休上班日期；"
        "缺少：节日名称、开始日期、结束日期、调休上班日期。"
    ]
    with pytest.raises(ValidationFailed) as refused:
        services.import_holidays(
            actor=personas.system_admin, file=io.BytesIO(b"not a workbook"), at=timezone.now()
        )
    assert refused.value.fields["file"] == ["该文件不是 Excel 工作簿（.xlsx）。"]
