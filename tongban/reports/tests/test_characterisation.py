"""Characterisation: the as-of facts export and the four reports over one fixed
simulated history, pinned against golden files (``data/characterisation_*.json``).

The history is fixed by everything that makes it: the demo organisation, people,
calendar and catalogue loaded as of a fixed instant, then ``simulate`` with a fixed
seed over a fixed period. Nothing in the pinned output depends on database ids or
the wall clock (case numbers come from per-department counters, not sequences), so
the same files hold on SQLite and PostgreSQL, however often the tests run.

Regenerate with ``TONGBAN_REGENERATE_GOLDEN=1`` (``tongban.core.tests.golden``) ONLY
after an intended change of behaviour — of the simulation, the services, the
calendar, the demo catalogue, the export or the reports — and say so in the commit.
A difference after a refactoring is a regression until proven otherwise.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import transaction

from tongban.cases.export import COLUMNS as EXPORT_COLUMNS
from tongban.cases.export import case_facts
from tongban.cases.models import Case
from tongban.cases.simulation import load_base_data, simulate
from tongban.core.clock import LOCAL_TZ
from tongban.core.tests.golden import assert_matches_golden
from tongban.reports.definitions import COLUMNS, REPORTS, TOTAL, build_report, cases_behind
from tongban.reports.facts import ensure_workday_index
from tongban.workcalendar.calendar import invalidate_calendar

DATA = Path(__file__).parent / "data"

LOADED_AT = dt.datetime(2026, 1, 2, 9, 0, tzinfo=LOCAL_TZ)
START, END = dt.date(2026, 1, 5), dt.date(2026, 3, 13)  # over the Spring Festival
CASES, SEED = 36, 14
FROM, TO = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
INSTANTS = {
    "mid": dt.datetime(2026, 2, 11, 15, 30, tzinfo=LOCAL_TZ),
    "end": dt.datetime.combine(END, dt.time(23, 0), LOCAL_TZ),
}
DEPARTMENT = "SCJG"  # one department with its subtree, next to all of them


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    """The fixed history, once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        invalidate_calendar()
        assert not Case.objects.exists()
        load_base_data(at=LOADED_AT)
        simulate(CASES, START, END, seed=SEED)
        ensure_workday_index()
        yield
        transaction.set_rollback(True)
    invalidate_calendar()


@pytest.mark.django_db
def test_the_export_rows_are_those_of_the_golden_file(history):
    rows = {
        name: [[row[key] for key in EXPORT_COLUMNS] for row in case_facts(as_of)]
        for name, as_of in INSTANTS.items()
    }

    assert len(rows["end"]) > len(rows["mid"]) > 5  # a history, not an empty table
    assert_matches_golden(
        DATA / "characterisation_export.json",
        {
            "as_of": {name: as_of.isoformat() for name, as_of in INSTANTS.items()},
            "columns": list(EXPORT_COLUMNS),
            "rows": rows,
        },
    )


def _reports() -> dict:
    out: dict = {}
    for name, as_of in INSTANTS.items():
        for department in (None, DEPARTMENT):
            for key in REPORTS:
                report = build_report(
                    key, date_from=FROM, date_to=TO, as_of=as_of, department=department
                )
                out[f"{name}/{department or 'all'}/{key}"] = report.as_json()
    return out


def _behind(as_of: dt.datetime) -> dict:
    """The case numbers behind every figure of the TOTAL row (monthly: every month)."""
    out: dict = {}
    for key in REPORTS:
        rows = ["2026-01", "2026-02", "2026-03"] if key == "monthly" else [TOTAL]
        for row in rows:
            for column in COLUMNS[key]:
                cases = cases_behind(key, column.key, row, date_from=FROM, date_to=TO, as_of=as_of)
                out[f"{key}/{row}/{column.key}"] = list(cases.values_list("number", flat=True))
    return out


@pytest.mark.django_db
def test_every_report_figure_is_that_of_the_golden_file(history):
    reports = _reports()
    behind = _behind(INSTANTS["end"])

    assert reports["end/all/acceptance"]["rows"][-1]["accepted"] > 0
    assert_matches_golden(
        DATA / "characterisation_reports.json", {"reports": reports, "behind_end": behind}
    )
