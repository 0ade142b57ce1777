"""``tongban calendar …`` through call_command, and once through the real console script."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongban.workcalendar.models import Holiday

D = dt.date


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("calendar", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


@pytest.mark.parametrize(
    ("args", "printed"),
    [
        (("add-workdays", "2026-09-30", "20"), "2026-11-03"),
        (("add-workdays", "2026-02-13", "1"), "2026-02-14"),  # adjusted Saturday
        (("add-workdays", "2026-10-03", "1"), "2026-10-08"),  # accepted on a holiday
        (("add-workdays", "2025-09-30", "1"), "2025-10-09"),
        (("add-workdays", "2026-10-03", "0"), "2026-10-03"),
        (("workdays-between", "2026-09-30", "2026-11-03"), "20"),
        (("workdays-between", "2026-02-13", "2026-02-27"), "5"),
        (("workdays-between", "2026-11-03", "2026-09-30"), "0"),
        (("is-workday", "2026-10-10"), "true"),
        (("is-workday", "2026-10-01"), "false"),
        (("missing-years", "--from", "2003", "--to", "2027"), "2003\n2027"),
    ],
)
def test_it_answers_on_the_command_line(db, args, printed):
    assert run(*args) == printed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add-workdays", "2026-13-01", "5"), "日期无效：“2026-13-01”"),
        (("add-workdays", "2026-09-30", "twenty"), "工作日数必须是整数：“twenty”"),
        (("add-workdays", "2026-09-30", "-1"), "工作日数不能为负数：-1"),
        (("workdays-between", "2026-09-30", "30/11/2026"), "日期无效：“30/11/2026”"),
        (("add-workdays", "2100-12-30", "5"), "beyond the calendar's last day"),
        (("missing-years", "--from", "2027", "--to", "2004"), "--to 2004 早于 --from 2027"),
        (("import", "/nonexistent/holidays.xlsx"), "文件不存在"),
    ],
)
def test_it_refuses_bad_input_with_a_message(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_it_exports_and_imports_through_the_command(db, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "holidays.xlsx"
    assert run("export", "-o", str(target)).startswith(f"已将 {Holiday.objects.count()} 个节假日")
    workbook = load_workbook(target)
    sheet = workbook.active
    sheet.delete_rows(3, sheet.max_row)  # keep one row, then add one
    sheet.append([2027, "元旦", "2027-01-01", "2027-01-03", "2026-12-27", ""])
    workbook.save(target)
    assert run("import", str(target)) == "导入完成：新增 1 条，更新 0 条，未变 1 条。"
    assert run("is-workday", "2027-01-01") == "false"
    assert run("seed") == "新增 0 条记录。"


def test_it_reports_every_bad_row_of_an_import(db, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["年度", "节日名称", "开始日期", "结束日期", "调休上班日期"])
    workbook.active.append([2027, "元旦", "2027-01-03", "2027-01-01", ""])
    path = tmp_path / "bad.xlsx"
    workbook.save(path)
    with pytest.raises(CommandError) as refused:
        run("import", str(path))
    assert "第 2 行：结束日期（2027-01-01）早于开始日期（2027-01-03）。" in str(refused.value)
    assert not Holiday.objects.filter(year=2027).exists()


def test_it_works_as_the_installed_console_script(tmp_path):
    """The real ``tongban`` script against a scratch SQLite database of its own."""
    script = Path(sys.executable).with_name("tongban")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'calendar.sqlite3'}",
        "TONGBAN_VAR_DIR": str(tmp_path),
    }

    def tongban(*args):
        return subprocess.run(
            [str(script), *args], env=env, capture_output=True, text=True, timeout=300
        )

    migrated = tongban("migrate", "--no-input", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    added = tongban("calendar", "add-workdays", "2026-09-30", "20")
    assert (added.returncode, added.stdout) == (0, "2026-11-03\n")
    bad = tongban("calendar", "add-workdays", "2026-02-30", "20")
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert "2026-02-30" in bad.stderr
