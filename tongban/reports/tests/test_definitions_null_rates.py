"""Rates over zero cases are null ("—"), a report with no case has only its total row,
and the JSON shape of statistics.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tongban.cases.testing import accepted, at, make_items
from tongban.reports.definitions import build_report

FROM, TO = dt.date(2026, 1, 1), dt.date(2026, 3, 31)


@pytest.mark.django_db
def test_it_gives_null_rates_over_zero_cases(personas):
    items = make_items(personas)
    case = accepted(personas, items.promised, at("2026-03-02"))
    as_of = at("2026-03-03", 12)

    workload = build_report("workload", date_from=FROM, date_to=TO, as_of=as_of)
    completion = build_report("completion", date_from=FROM, date_to=TO, as_of=as_of)
    empty = build_report("completion", date_from=FROM, date_to=TO, as_of=at("2026-03-01"))

    row = workload.rows[0]
    assert (row["department"], row["accepted"], row["completed"]) == (
        case.department.code,
        1,
        0,
    )
    assert row["early_rate"] is None and row["normal_rate"] is None
    assert completion.rows[0]["completion_rate"] == Decimal("0.00")
    assert empty.rows == [
        {
            "department": "TOTAL",
            "name": "合计",
            "accepted": 0,
            "overdue_open": 0,
            "completion_rate": None,
            "immediate": 0,
            "promised": 0,
            "joint": 0,
        }
    ]
    as_json = workload.as_json()
    assert as_json["rows"][0]["early_rate"] is None
    assert completion.as_json()["rows"][0]["completion_rate"] == 0.0
    assert as_json["report"] == "workload"
    assert as_json["params"] == {
        "from": "2026-01-01",
        "to": "2026-03-31",
        "as_of": as_of.isoformat(),
        "department": None,
    }
    assert as_json["columns"][3] == {"key": "early_rate", "label": "提前办结率(%)"}
