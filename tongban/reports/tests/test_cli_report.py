"""``tongban report KEY --from D --to D [--as-of ISO] [--department CODE] --format F
[-o FILE]``: every format, to stdout or a file, over all departments or one."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tongban.audit.models import AuditRecord
from tongban.reports.definitions import build_report

from .outputs_history import AS_OF, FROM, TO, busiest_head, make_history

pytestmark = pytest.mark.django_db

ARGS = ["--from", FROM.isoformat(), "--to", TO.isoformat(), "--as-of", AS_OF.isoformat()]


def _run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("report", *args, stdout=out, stderr=err)
    return out.getvalue()


class _BinaryOut(io.TextIOWrapper):
    """A stdout with a ``buffer``, like the real one."""


@pytest.mark.parametrize("key", ["acceptance", "workload", "completion", "monthly"])
def test_it_prints_the_json_of_statistics_md(key):
    make_history()

    data = json.loads(_run(key, *ARGS, "--format", "json"))

    expected = build_report(key, date_from=FROM, date_to=TO, as_of=AS_OF).as_json()
    assert data == json.loads(json.dumps(expected))
    assert data["report"] == key and set(data) == {"report", "params", "columns", "rows"}


def test_it_limits_the_report_to_a_department_and_its_subtree():
    make_history()
    department = busiest_head().department

    data = json.loads(_run("acceptance", *ARGS, "--department", department.code))

    assert {row["department"] for row in data["rows"]} == {department.code, "TOTAL"}
    assert data["params"]["department"] == department.code


def test_it_prints_the_html_page_to_stdout():
    make_history(n=10)

    text = _run("completion", *ARGS, "--format", "html")

    assert text.lstrip().startswith("<!doctype html>") and "办结率统计" in text


def test_it_writes_excel_and_pdf_files_and_audits_each_run(tmp_path):
    make_history(n=10)
    xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "r.pdf"

    _run("workload", *ARGS, "--format", "xlsx", "-o", str(xlsx))
    _run("workload", *ARGS, "--format", "pdf", "-o", str(pdf))

    sheet = load_workbook(xlsx).active
    assert sheet["C1"].value == "总受理件数" and sheet["A2"].value == "department"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert AuditRecord.objects.filter(action="report.export", actor_id=None).count() == 2


def test_it_writes_binary_formats_to_stdout_as_bytes():
    make_history(n=10)
    raw = io.BytesIO()
    out = _BinaryOut(raw, encoding="utf-8")

    call_command("report", "monthly", *ARGS, "--format", "xlsx", stdout=out)

    out.flush()
    assert raw.getvalue().startswith(b"PK")  # a zip: the workbook


def test_it_refuses_bad_arguments():
    make_history(n=5)

    with pytest.raises(CommandError, match="NOPE"):
        _run("acceptance", *ARGS, "--department", "NOPE")
    with pytest.raises(CommandError):
        _run("acceptance", "--from", "2026-03-31", "--to", "2026-01-01")
    with pytest.raises(CommandError):
        _run("acceptance", "--from", "yesterday", "--to", "2026-01-01")
