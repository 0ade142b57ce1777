"""A built report as a printable HTML page, an Excel workbook or a PDF (statistics.md
"Output"). One table model (``table``) feeds all three, so the print view, the
workbook and the PDF show the same headers and the same figures as the page.

Every export is audited (security.md: every export), and every text written to the
workbook goes through ``neutralise`` (a department or item name such as
``=HYPERLINK(…)`` must stay text)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from tongban.audit.export import neutralise
from tongban.audit.services import record_event
from tongban.core.clock import LOCAL_TZ

from .definitions import TITLES

FORMATS = ("json", "html", "xlsx", "pdf")
CONTENT_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
TOTAL = "TOTAL"
NULL = "—"  # a rate over zero cases (statistics.md)


def title(key: str) -> str:
    """The report's Chinese title (the official name of the form, seed §1.4)."""
    return TITLES.get(key, key)


def column_label(column) -> str:
    """A heading; the monthly report's grouped columns (即办件情况: 受理, 办结) carry
    their group, so that each heading stands alone in a single header row."""
    return f"{column.group}（{column.label}）" if column.group else str(column.label)


def is_monthly(report) -> bool:
    return report.key == "monthly"


def display(value: Any) -> str:
    """A figure as shown: a null rate is "—", a rate keeps its two decimals."""
    if value is None:
        return NULL
    if isinstance(value, Decimal | float):
        return f"{Decimal(str(value)):.2f}"
    return str(value)


@dataclass(frozen=True)
class Cell:
    column: str  # the column key
    value: Any


@dataclass(frozen=True)
class Line:
    """One row of the table: its key (a department code, ``TOTAL`` or ``YYYY-MM``),
    its label and its figures in column order."""

    key: str
    label: str
    name: str
    is_total: bool
    cells: list[Cell]


def label_columns(report) -> list[tuple[str, str]]:
    """The leading (key, header) columns that say what a row is."""
    if is_monthly(report):
        return [("month", _("month"))]
    return [("department", _("department code")), ("name", _("department"))]


def table(report) -> list[Line]:
    lines = []
    for row in report.rows:
        if is_monthly(report):
            key = str(row["month"])
            name = label = key
        else:
            key = str(row["department"])
            name = str(row.get("name") or "")
            if key == TOTAL:
                name = label = name or _("Total")
            else:
                label = name or key
        lines.append(
            Line(
                key=key,
                label=label,
                name=name,
                is_total=key == TOTAL,
                cells=[Cell(c.key, row.get(c.key)) for c in report.columns],
            )
        )
    return lines


def params_text(report) -> list[tuple[str, str]]:
    """The parameters as (label, value) pairs for the print header."""
    params = report.params
    as_of = params.get("as_of")
    if isinstance(as_of, str) and as_of:
        as_of = dt.datetime.fromisoformat(as_of)
    if isinstance(as_of, dt.datetime):
        as_of = as_of.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    return [
        (_("Accepted from"), str(params.get("from") or "")),
        (_("Accepted to"), str(params.get("to") or "")),
        (_("As of"), str(as_of or "")),
        (_("Department"), str(params.get("department") or _("All in scope"))),
    ]


def html(report, *, printed_at: dt.datetime) -> str:
    """The printable page: the city's name, the title, the parameters, the table.
    Self-contained (inline style, no script, no static URL), so that WeasyPrint
    renders it without fetching anything."""
    return render_to_string(
        "reports/print.html",
        {
            "CITY_NAME": settings.CITY_NAME,
            "title": title(report.key),
            "report": report,
            "params": params_text(report),
            "label_columns": label_columns(report),
            "columns": [(c.key, column_label(c)) for c in report.columns],
            "width": len(label_columns(report)) + len(report.columns),
            "lines": [
                (line, [display(cell.value) for cell in line.cells]) for line in table(report)
            ],
            "printed_at": printed_at.astimezone(LOCAL_TZ),
        },
    )


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def xlsx(report) -> bytes:
    """One sheet: the Chinese header, the column keys as a hidden second header row
    (statistics.md), the rows, the total row in bold; widths set, header frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    leading = label_columns(report)
    headers = [label for _key, label in leading] + [column_label(c) for c in report.columns]
    keys = [key for key, _label in leading] + [c.key for c in report.columns]
    book = Workbook()
    sheet = book.active
    sheet.title = neutralise(title(report.key))[:31]
    sheet.append([neutralise(h) for h in headers])
    sheet.append(keys)
    for line in table(report):
        if is_monthly(report):
            lead = [line.key]
        else:
            lead = [line.key, line.label if line.is_total else line.name]
        sheet.append([_xlsx_value(v) for v in lead] + [_xlsx_value(c.value) for c in line.cells])
        if line.is_total:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F0")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    sheet.row_dimensions[2].hidden = True  # machine-readable keys, out of the reader's way
    for index, header in enumerate(headers, start=1):
        wide = index <= len(leading) and not is_monthly(report) and index == 2
        width = 30 if wide else max(10, min(18, len(header) * 2 + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cells in sheet.iter_rows(min_row=3):
        for cell in cells:
            if cell.data_type == "s":
                cell.number_format = "@"  # text stays text
            elif isinstance(cell.value, float):
                cell.number_format = "0.00"
    sheet.freeze_panes = "A3"  # both header rows stay in view (the second is hidden)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(report, *, printed_at: dt.datetime) -> bytes:
    """The print view through WeasyPrint; the CJK font comes from the system
    (fonts-noto-cjk, installed by scripts/install-system-packages)."""
    from weasyprint import HTML

    return HTML(string=html(report, printed_at=printed_at)).write_pdf()


def json_bytes(report) -> bytes:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.dumps(report.as_json(), ensure_ascii=False, cls=DjangoJSONEncoder).encode()


def export(report, fmt: str, *, actor, at: dt.datetime) -> bytes:
    """``report`` (already scoped to ``actor``) in ``fmt``, with one audit record."""
    if fmt == "xlsx":
        content = xlsx(report)
    elif fmt == "pdf":
        content = pdf(report, printed_at=at)
    elif fmt == "html":
        content = html(report, printed_at=at).encode()
    elif fmt == "json":
        content = json_bytes(report)
    else:
        raise ValueError(fmt)
    params = report.params
    with transaction.atomic():
        record_event(
            actor=actor,
            action="report.export",
            object_type="reports.report",
            object_id=report.key,
            object_repr=title(report.key),
            at=at,
            message=f"format={fmt} from={params.get('from')} to={params.get('to')} "
            f"as_of={params.get('as_of')} department={params.get('department') or ''} "
            f"rows={len(report.rows)}",
        )
    return content


def filename(report, fmt: str) -> str:
    params = report.params
    return f"{title(report.key)}_{params.get('from')}_{params.get('to')}.{fmt}"
