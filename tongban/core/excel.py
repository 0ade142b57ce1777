"""One sheet of a list as an .xlsx file: the shape every exported list shares (a bold
header row kept in view, column widths, dates as dates, text kept as text, a filter)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence


def table_workbook(
    title: str, header: Sequence[tuple[str, int]], rows: Iterable[Sequence[object]]
) -> tuple[bytes, int]:
    """``header`` is ``(title, width)`` per column; ``rows`` are the cell values, already
    neutralised by the caller (the audit app's ``export.neutralise``). Returns the file
    and the number of rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = str(title)[:31]
    sheet.append([str(name) for name, _width in header])
    count = 0
    for row in rows:
        sheet.append(list(row))
        count += 1
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F0")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
    for index, (_name, width) in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif cell.data_type == "s":
                cell.number_format = "@"  # text stays text
    sheet.freeze_panes = "A2"  # the header stays in view
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(sheet.max_row, 1)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count
