"""A report as Excel and PDF (statistics.md "Output"): the workbook's headers, hidden
keys row, totals, frozen header and neutralised text; the PDF's Chinese text."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tongban.accounts import services as accounts
from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.reports.definitions import build_report

from .outputs_history import AS_OF, FROM, PARAMS, TO, busiest_head, make_history, supervisor

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INJECTION = '=HYPERLINK("http://evil.example","点我")'


def _download(user, key: str, fmt: str, **params):
    response = log_in(Client(), user).get(
        f"/office/reports/{key}/", {**PARAMS, **params, "format": fmt}
    )
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("key", ["acceptance", "workload", "completion"])
def test_it_writes_a_workbook_with_headers_keys_rows_and_total(key):
    make_history()
    head = busiest_head()

    response = _download(head, key, "xlsx")

    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    report = build_report(key, date_from=FROM, date_to=TO, as_of=AS_OF, user=head)
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][2:]) == [c.label for c in report.columns]  # Chinese headings
    assert list(rows[1]) == ["department", "name", *(c.key for c in report.columns)]
    assert sheet.row_dimensions[2].hidden
    assert sheet.freeze_panes == "A3"
    assert all(sheet.column_dimensions[letter].width for letter in "ABC")
    assert len(rows) == 2 + len(report.rows)
    for cells, row in zip(rows[2:], report.rows, strict=True):
        assert cells[0] == row["department"]
        for column, value in zip(report.columns, cells[2:], strict=True):
            expected = row[column.key]
            assert value == ("—" if expected is None else float(expected)), column.key
    assert rows[-1][0] == "TOTAL" and rows[-1][1] == "合计"
    assert sheet.cell(row=len(rows), column=3).font.b  # the total row in bold


def test_it_writes_the_monthly_workbook_with_one_row_per_month():
    make_history()

    response = _download(supervisor(), "monthly", "xlsx")

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "month" and "即办件情况（受理）" in rows[0]
    assert [r[0] for r in rows[2:]] == ["2026-01", "2026-02", "2026-03"]


def test_it_neutralises_text_that_a_spreadsheet_would_run_as_a_formula():
    make_history()
    head = busiest_head()
    accounts.update_department(
        actor=None, department=head.department, name=INJECTION, at=timezone.now()
    )

    response = _download(head, "acceptance", "xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [cell.value for cell in sheet["B"]]
    assert "'" + INJECTION in names
    assert not any(isinstance(v, str) and v.startswith("=") for v in names)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_it_audits_every_export():
    make_history(n=10)
    head = busiest_head()

    _download(head, "acceptance", "xlsx")

    record = AuditRecord.objects.get(action="report.export")
    assert record.actor_id == head.pk and record.object_id == "acceptance"
    assert "format=xlsx" in record.message and "from=2026-01-01" in record.message


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_it_prints_a_pdf_with_the_chinese_title_and_the_department_names(tmp_path):
    make_history()
    head = busiest_head()

    response = _download(head, "acceptance", "pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "受理办理情况统计表" in text
    assert head.department.name in text and "累计受理" in text
