"""The holiday dictionary as an Excel workbook (openpyxl).

One sheet, a header row, one holiday per row:

    年度 | 节日名称 | 开始日期 | 结束日期 | 调休上班日期 | 备注

Dates are date cells or ``YYYY-MM-DD`` text; 调休上班日期 lists the adjusted working
days separated by commas (, ， 、 ; or spaces). 备注 is optional. The column titles
are part of the file format, so they are Chinese in every UI language.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

COLUMNS = ("年度", "节日名称", "开始日期", "结束日期", "调休上班日期", "备注")
REQUIRED = COLUMNS[:5]
SHEET_TITLE = "节假日"
SEPARATORS = re.compile(r"[,，、;；\s]+")
DATE_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
MAX_ROWS = 5000


@dataclass(frozen=True)
class HolidayRow:
    number: int  # the spreadsheet row number, as the user sees it
    year: int
    name: str
    first_day: dt.date
    last_day: dt.date
    adjusted_workdays: tuple[dt.date, ...]
    note: str


def export_holidays(holidays: Iterable) -> bytes:
    """An .xlsx file with ``holidays`` (Holiday objects), adjusted days included."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for holiday in holidays:
        adjusted = ", ".join(a.date.isoformat() for a in holiday.adjusted_workdays.all())
        sheet.append(
            [
                holiday.year,
                holiday.name,
                holiday.first_day,
                holiday.last_day,
                adjusted,
                holiday.note,
            ]
        )
        for cell in sheet[sheet.max_row][2:4]:
            cell.number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEF", (8, 22, 12, 12, 28, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_holiday_rows(file) -> tuple[list[HolidayRow], list[tuple[int, str]]]:
    """Parse an uploaded workbook. Returns the well-formed rows and the problems as
    (row number, message); row number 0 is a problem with the file itself."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not .xlsx
        return [], [(0, _("The file is not an Excel workbook (.xlsx)."))]
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = [_text(v) for v in next(lines, ())]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            return [], [
                (
                    0,
                    _("The first row must name the columns %(columns)s; missing: %(missing)s.")
                    % {"columns": "、".join(REQUIRED), "missing": "、".join(missing)},
                )
            ]
        where = {title: header.index(title) for title in COLUMNS if title in header}
        rows: list[HolidayRow] = []
        problems: list[tuple[int, str]] = []
        for number, values in enumerate(lines, start=2):
            if number > MAX_ROWS + 1:
                problems.append((number, _("too many rows (at most %(max)s).") % {"max": MAX_ROWS}))
                break
            cells = {t: (values[i] if i < len(values) else None) for t, i in where.items()}
            if all(v is None or _text(v) == "" for v in cells.values()):
                continue
            row, row_problems = _parse_row(number, cells)
            if row_problems:
                problems.extend((number, p) for p in row_problems)
            else:
                rows.append(row)
        return rows, problems
    finally:
        workbook.close()


def _parse_row(number: int, cells: dict) -> tuple[HolidayRow | None, list[str]]:
    problems: list[str] = []
    year = _year(cells.get("年度"), problems)
    name = _text(cells.get("节日名称"))
    if not name:
        problems.append(_("column 节日名称 is empty."))
    first = _date("开始日期", cells.get("开始日期"), problems, required=True)
    last = _date("结束日期", cells.get("结束日期"), problems, required=True)
    adjusted: list[dt.date] = []
    raw = cells.get("调休上班日期")
    if isinstance(raw, dt.date | dt.datetime):
        adjusted.append(_date("调休上班日期", raw, problems))
    else:
        for part in SEPARATORS.split(_text(raw)):
            if part:
                day = _date("调休上班日期", part, problems)
                if day is not None:
                    adjusted.append(day)
    note = _text(cells.get("备注"))
    if problems:
        return None, problems
    return HolidayRow(number, year, name, first, last, tuple(adjusted), note), []


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _year(value, problems: list[str]) -> int | None:
    text = _text(value)
    if text.isdecimal() and 1900 <= int(text) <= 2200:
        return int(text)
    problems.append(
        _("column 年度: “%(value)s” is not a year such as 2026.") % {"value": text}
        if text
        else _("column 年度 is empty.")
    )
    return None


def _date(column: str, value, problems: list[str], *, required: bool = False) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        if required:
            problems.append(_("column %(column)s is empty.") % {"column": column})
        return None
    match = DATE_TEXT.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        problems.append(
            _("column %(column)s: “%(value)s” is not a date (YYYY-MM-DD).")
            % {"column": column, "value": text}
        )
        return None
