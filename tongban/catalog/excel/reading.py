"""Import, reading: the report (``RowError``, ``ImportReport``) and typed access to a
sheet's cells (``_Row``), with our own formula neutralisation undone.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tongban.audit.export import FORMULA_PREFIXES

from .layout import (
    COLUMNS,
    DATE_TEXT,
    FALSE_WORDS,
    LIST_SEPARATOR,
    MAX_ROWS,
    NO,
    REQUIRED,
    SHEET_ORDER,
    TRUE_WORDS,
    YES,
)

# --- import: the report -----------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem, where the user sees it: sheet, spreadsheet row (1 is the header,
    0 the file itself) and column title."""

    sheet: str
    row: int
    column: str
    message: str
    code: str = ""  # the row's item code, when it has one

    def __str__(self) -> str:
        if not self.row:
            return str(self.message)
        if not self.column:
            return _("Sheet “%(sheet)s”, row %(row)d: %(message)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "message": self.message,
            }
        return _("Sheet “%(sheet)s”, row %(row)d, “%(column)s”: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def sorted_errors(self) -> list[RowError]:
        order = {title: i for i, title in enumerate(("", *SHEET_ORDER))}
        return sorted(self.errors, key=lambda e: (e.row != 0, order.get(e.sheet, 99), e.row))


# --- import: reading cells --------------------------------------------------------------


class _Row:
    """One spreadsheet row of a sheet: typed access to its cells, problems recorded."""

    def __init__(self, sheet: str, number: int, cells: dict, errors: list[RowError]):
        self.sheet, self.number, self.cells, self._errors = sheet, number, cells, errors

    def error(self, column: str, message) -> None:
        cell = self.cells.get("事项编码")
        code = _plain(cell.value) if cell is not None else ""
        self._errors.append(RowError(self.sheet, self.number, column, str(message), code))

    def has(self, column: str) -> bool:
        return column in self.cells

    def raw(self, column: str):
        cell = self.cells.get(column)
        if cell is None:
            return None
        if getattr(cell, "data_type", None) == "f":
            self.error(column, _("The cell holds a formula; enter the value itself."))
            return None
        return cell.value

    def text(self, column: str) -> str:
        return _plain(self.raw(column))

    def integer(self, column: str) -> int | None:
        value = self.raw(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            value = None
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and value.strip().isdecimal():
            value = int(value.strip())
        if not isinstance(value, int) or value < 0:
            self.error(
                column,
                _("“%(value)s” is not a whole number (0 or more).")
                % {"value": _plain(self.raw(column))},
            )
            return None
        return value

    def amount(self, column: str) -> decimal.Decimal | None:
        value = self.raw(column)
        text = _plain(value)
        if not text:
            return None
        try:
            number = decimal.Decimal(str(value) if isinstance(value, int | float) else text)
            # As stored (two decimal places), so that an unchanged value compares equal.
            if number.is_finite() and number.as_tuple().exponent >= -2:
                number = number.quantize(decimal.Decimal("0.01"))
            return number
        except decimal.InvalidOperation:
            self.error(column, _("“%(value)s” is not a number.") % {"value": text})
            return None

    def boolean(self, column: str) -> bool | None:
        value = self.raw(column)
        if isinstance(value, bool):
            return value
        text = _plain(value).casefold()
        if not text:
            return None
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        self.error(column, _("Enter 是 or 否, not “%(value)s”.") % {"value": _plain(value)})
        return None

    def date(self, column: str) -> dt.date | None:
        value = self.raw(column)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _plain(value)
        if not text:
            return None
        match = DATE_TEXT.fullmatch(text)
        try:
            if match is None:
                raise ValueError(text)
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            self.error(column, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text})
            return None

    def coded(self, column: str, names: dict[str, str]) -> str | None:
        """A coded value given by its Chinese name (or the code itself)."""
        text = self.text(column)
        if not text:
            return None
        code = _code_for(text, names)
        if code is None:
            self.error(
                column,
                _("“%(value)s” is not one of: %(allowed)s.")
                % {"value": text, "allowed": "、".join(names.values())},
            )
        return code


def _code_for(text: str, names: dict[str, str]) -> str | None:
    for code, name in names.items():
        if text == name or text.casefold() == str(code).casefold():
            return str(code)
    return None


def _plain(value) -> str:
    """A cell as text, with our own formula neutralisation undone (round trip)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    text = str(value)
    if len(text) > 1 and text[0] == "'" and text[1] in "".join(FORMULA_PREFIXES):
        text = text[1:]
    return text.strip()


def _split(text: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATOR.split(text) if part.strip()]


def _read_sheet(workbook, title: str, errors: list[RowError]) -> list[_Row] | None:
    """The non-empty rows of sheet ``title`` (``None`` when the workbook has no such
    sheet). The header row names the columns; their order does not matter."""
    if title not in workbook.sheetnames:
        return None
    lines = workbook[title].iter_rows(min_row=1)
    header = [_plain(cell.value) for cell in next(lines, ())]
    known = {c.title for c in COLUMNS[title]}
    where: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in known and name not in where:
            where[name] = index
    missing = [name for name in REQUIRED[title] if name not in where]
    if missing:
        errors.append(
            RowError(
                title,
                1,
                "、".join(missing),
                _("The first row must name this column."),
            )
        )
        return []
    rows: list[_Row] = []
    for number, cells in enumerate(lines, start=2):
        values = {name: (cells[i] if i < len(cells) else None) for name, i in where.items()}
        if all(c is None or _plain(c.value) == "" for c in values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            errors.append(
                RowError(
                    title, number, "", _("Too many rows (at most %(max)d).") % {"max": MAX_ROWS}
                )
            )
            break
        rows.append(_Row(title, number, values, errors))
    return rows
