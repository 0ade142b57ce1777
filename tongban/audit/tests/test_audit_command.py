"""``tongban audit verify|checkpoint|export|purge``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tongban.audit.models import AuditCheckpoint, AuditRecord
from tongban.audit.services import record_event

from .conftest import START, write_records


def _run(*args) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return out.getvalue(), err.getvalue(), code


def test_it_prints_ok_with_the_head_and_exits_zero(db):
    records = write_records(4)

    out, err, code = _run("verify")

    assert code == 0
    assert out.strip() == f"OK: 4 records, head {records[-1].hash}"
    assert err == ""


def test_it_fails_after_a_row_is_altered_with_sql(tamper):
    records = write_records(5)
    tamper.update(records[2].seq, message="nothing happened")

    out, err, code = _run("verify")

    assert code == 1
    assert err.startswith(f"FAIL: record #{records[2].seq} altered")
    assert out == ""


def test_it_fails_after_a_row_is_deleted_with_sql(tamper):
    records = write_records(5)
    tamper.delete(records[2].seq)

    _out, err, code = _run("verify")

    assert code == 1
    assert err.startswith(f"FAIL: record #{records[2].seq} removed")


def test_it_reports_as_json(tamper):
    records = write_records(3)
    tamper.delete(records[1].seq)

    out, _err, code = _run("verify", "--json")

    assert code == 1
    data = json.loads(out)
    assert (data["ok"], data["kind"], data["seq"]) == (False, "removed", records[1].seq)


def test_it_writes_a_checkpoint(db):
    records = write_records(2)

    out, _err, _code = _run("checkpoint")

    assert out.strip() == f"Checkpoint #{records[-1].seq} {records[-1].hash}"
    assert AuditCheckpoint.objects.filter(seq=records[-1].seq).exists()
    assert "Nothing to sign" in _run("checkpoint")[0]


def test_it_exports_a_date_range_with_formulas_neutralised(db, tmp_path):
    write_records(2, start=START - dt.timedelta(days=3))
    for name in ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", "plain"]:
        record_event(actor=None, actor_name=name, action="login.failure", at=START)
    target = tmp_path / "audit.csv"

    _out, err, code = _run(
        "export", "--from", "2026-03-02", "--to", "2026-03-02", "-o", str(target)
    )

    assert code == 0
    assert "7 records" in err
    with open(target, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "序号"
    actors = [row[3] for row in rows[1:]]
    assert actors == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tTAB",
        "'\rCR",
        "plain",
    ]
    assert rows[1][6] == "登录失败"
    export = AuditRecord.objects.get(action="audit.export")
    assert export.after["rows"] == 7
    assert export.actor_name.startswith("cli")


def test_it_refuses_to_purge_young_records_with_a_clear_message(db):
    write_records(2)
    too_recent = (dt.date.today() - dt.timedelta(days=30)).isoformat()

    with pytest.raises(CommandError, match="180"):
        call_command("audit", "purge", "--before", too_recent, stdout=io.StringIO())

    assert AuditRecord.objects.count() == 2
