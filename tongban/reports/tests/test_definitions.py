"""The four reports against an independent computation (statistics.md, to the letter):
plain Python over the exported facts (``case_facts``) and the calendar, on a simulated
history — for all departments, for one department with its subtree, and as of an
instant in the past."""

from __future__ import annotations

import calendar as monthcal
import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import transaction
from django.db.models import Count

from tongban.accounts.models import Department, User
from tongban.accounts.roles import RoleCode
from tongban.cases.export import case_facts
from tongban.cases.models import Case
from tongban.cases.simulation import simulate
from tongban.core.clock import LOCAL_TZ, local_date
from tongban.core.errors import ValidationFailed
from tongban.reports.definitions import REPORTS, build_report, cases_behind, rate
from tongban.reports.facts import ensure_workday_index
from tongban.workcalendar.calendar import get_calendar

START, END = dt.date(2026, 1, 5), dt.date(2026, 3, 6)
FROM, TO = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
NOW = dt.datetime.combine(END, dt.time(23, 0), LOCAL_TZ)
PAST = dt.datetime(2026, 2, 11, 15, 30, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    """One simulated history for the module, rolled back at its end (each test runs
    in a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        simulate(80, START, END, seed=23)
        lead_some_cases_from_a_section()
        ensure_workday_index()
        yield
        transaction.set_rollback(True)


def lead_some_cases_from_a_section() -> None:
    """The demo's lead departments are all bureaus or counties; to see a department's
    subtree counted, half the cases of the busiest bureau get one of its sections as
    lead department (no service changes a lead department: set-up only)."""
    busiest = (
        Case.objects.exclude(accepted_on=None)
        .filter(department__children__isnull=False)
        .values("department")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n")
        .first()
    )
    bureau = Department.objects.get(pk=busiest["department"])
    section = bureau.children.order_by("code").first()
    ids = list(Case.objects.filter(department=bureau).order_by("pk").values_list("pk", flat=True))
    Case.objects.filter(pk__in=ids[::2]).update(department=section)


# --- the independent computation ----------------------------------------------------------


def pct(numerator: int, denominator: int) -> Decimal | None:
    """Half-up to 2 decimals with exact fractions (not the code's Decimal quantize)."""
    if denominator == 0:
        return None
    hundredths = math.floor(Fraction(100 * 100 * numerator, denominator) + Fraction(1, 2))
    return Decimal(hundredths) / 100


def figures(key: str, facts: list[dict], day: dt.date) -> dict:
    cal = get_calendar()
    completed = [f for f in facts if f["completed_on"] is not None]
    terminated = [f for f in facts if f["terminated_on"] is not None]
    open_ = [f for f in facts if f["completed_on"] is None and f["terminated_on"] is None]
    not_same = [f for f in completed if f["completed_on"] != f["accepted_on"]]
    before = [f for f in completed if f["completed_on"] < f["deadline"]]
    after = [f for f in completed if f["completed_on"] > f["deadline"]]
    if key == "acceptance":
        return {
            "accepted": len(facts),
            "completed": len(completed),
            "same_day": len(completed) - len(not_same),
            "early": sum(f["completed_on"] < f["deadline"] for f in not_same),
            "on_time": sum(f["completed_on"] == f["deadline"] for f in not_same),
            "late": sum(f["completed_on"] > f["deadline"] for f in not_same),
            "in_progress": len(open_),
            "terminated": len(terminated),
        }
    if key == "workload":
        return {
            "accepted": len(facts),
            "completed": len(completed),
            "early": len(before),
            "early_rate": pct(len(before), len(completed)),
            "overdue_completed": len(after),
            "normal_rate": pct(len(completed) - len(after), len(completed)),
            "workdays_saved": sum(cal.wd(f["completed_on"], f["deadline"]) for f in before),
        }
    assert key == "completion"
    return {
        "accepted": len(facts),
        "overdue_open": sum(f["status"] != "suspended" and f["deadline"] < day for f in open_),
        "completion_rate": pct(len(completed), len(facts)),
        "immediate": sum(f["type"] == "immediate" for f in facts),
        "promised": sum(f["type"] == "promised" for f in facts),
        "joint": sum(f["type"] == "joint" for f in facts),
    }


def expected_rows(key, as_of, department=None) -> list[dict]:
    day = local_date(as_of)
    facts = list(case_facts(as_of, department))
    if key == "monthly":
        return expected_months(facts, day)
    selected = [f for f in facts if FROM <= f["accepted_on"] <= TO]
    groups = defaultdict(list)
    for f in selected:
        groups[f["department"]].append(f)
    paths = dict(Department.objects.values_list("code", "path"))
    rows = [
        {"department": code, **figures(key, groups[code], day)}
        for code in sorted(groups, key=paths.get)
    ]
    return [*rows, {"department": "TOTAL", **figures(key, selected, day)}]


def expected_months(facts, day) -> list[dict]:
    rows = []
    for month in (1, 2, 3):
        m0 = dt.date(2026, month, 1)
        m1 = min(dt.date(2026, month, monthcal.monthrange(2026, month)[1]), day)

        def in_m(d, m0=m0, m1=m1):
            return d is not None and m0 <= d <= m1

        def closed_by(f, d):
            return any(x is not None and x <= d for x in (f["completed_on"], f["terminated_on"]))

        accepted_in = [f for f in facts if in_m(f["accepted_on"])]
        rows.append(
            {
                "month": f"2026-{month:02d}",
                "accepted": len(accepted_in),
                "carried_over": sum(
                    f["accepted_on"] < m0 and not closed_by(f, m0 - dt.timedelta(days=1))
                    for f in facts
                ),
                "completed": sum(in_m(f["completed_on"]) for f in facts),
                "terminated": sum(in_m(f["terminated_on"]) for f in facts),
                "in_progress": sum(f["accepted_on"] <= m1 and not closed_by(f, m1) for f in facts),
                "immediate_accepted": sum(f["type"] == "immediate" for f in accepted_in),
                "immediate_completed": sum(
                    f["type"] == "immediate" and in_m(f["completed_on"]) for f in accepted_in
                ),
                "promised_accepted": sum(f["type"] == "promised" for f in accepted_in),
                "promised_completed": sum(
                    f["type"] == "promised" and in_m(f["completed_on"]) for f in accepted_in
                ),
            }
        )
    return rows


def report(key, as_of=NOW, **kwargs):
    return build_report(key, date_from=FROM, date_to=TO, as_of=as_of, **kwargs)


def without_names(rows):
    return [{k: v for k, v in row.items() if k != "name"} for row in rows]


def subtree_department() -> str:
    """A department whose subtree holds cases of at least two lead departments."""
    leads = {f["department"] for f in case_facts(NOW)}
    paths = dict(Department.objects.values_list("code", "path"))
    best = max(
        (d for d in Department.objects.exclude(parent=None)),
        key=lambda d: (
            sum(paths[c].startswith(d.path) for c in leads),
            -len(d.path),
        ),
    )
    assert sum(paths[c].startswith(best.path) for c in leads) >= 2
    return best.code


# --- the reports against the independent computation --------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("key", REPORTS)
@pytest.mark.parametrize("as_of", [NOW, PAST], ids=["now", "past"])
def test_it_matches_the_independent_computation_for_all_departments(history, key, as_of):
    built = report(key, as_of)

    assert without_names(built.rows) == expected_rows(key, as_of)
    assert len(built.rows) >= 3
    assert [c.key for c in built.columns] == [k for k in built.rows[0] if k not in NAMES]


NAMES = ("department", "name", "month")


@pytest.mark.django_db
@pytest.mark.parametrize("key", REPORTS)
def test_it_matches_the_independent_computation_for_a_department_and_its_subtree(history, key):
    code = subtree_department()

    for as_of in (NOW, PAST):
        built = report(key, as_of, department=code)
        assert without_names(built.rows) == expected_rows(key, as_of, code)
    assert built.params["department"] == code
    if key != "monthly":
        assert len(built.rows) >= 3  # at least two departments of the subtree and TOTAL


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", [NOW, PAST], ids=["now", "past"])
def test_it_keeps_every_invariant_of_the_definitions(history, as_of):
    acceptance, workload, completion = (report(k, as_of) for k in REPORTS[:3])
    for row in acceptance.rows:
        assert row["accepted"] == row["completed"] + row["in_progress"] + row["terminated"]
        assert row["completed"] == row["same_day"] + row["early"] + row["on_time"] + row["late"]
    for rows in (acceptance.rows, workload.rows, completion.rows):
        *departments, total = rows
        assert total["department"] == "TOTAL" and total["name"] == "合计"
        for column in rows[0]:
            if column not in NAMES and not column.endswith("_rate"):
                assert total[column] == sum(r[column] for r in departments), column
    total = workload.rows[-1]
    assert total["early_rate"] == rate(total["early"], total["completed"])  # from the sums
    assert completion.rows[-1]["completion_rate"] == rate(
        acceptance.rows[-1]["completed"], acceptance.rows[-1]["accepted"]
    )
    names = dict(Department.objects.values_list("code", "name"))
    assert all(r["name"] == names[r["department"]] for r in acceptance.rows[:-1])
    monthly = report("monthly", as_of)
    assert [r["month"] for r in monthly.rows] == ["2026-01", "2026-02", "2026-03"]
    for row in monthly.rows:
        assert (
            row["carried_over"] + row["accepted"]
            == row["completed"] + row["terminated"] + row["in_progress"]
        )
    for previous, row in zip(monthly.rows, monthly.rows[1:], strict=False):
        assert row["carried_over"] == previous["in_progress"]


@pytest.mark.django_db
def test_it_caps_the_months_at_the_date_of_as_of(history):
    rows = report("monthly", PAST).rows

    march = rows[2]
    assert march["accepted"] == march["completed"] == march["terminated"] == 0
    assert march["carried_over"] == march["in_progress"] == rows[1]["in_progress"] > 0


# --- the cases behind a figure ------------------------------------------------------------

FIGURES = {
    "acceptance": ["accepted", "completed", "same_day", "early", "late", "in_progress"],
    "workload": ["early", "overdue_completed"],
    "completion": ["overdue_open", "immediate", "promised"],
    "monthly": ["carried_over", "completed", "in_progress", "promised_completed"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("key", REPORTS)
@pytest.mark.parametrize("as_of", [NOW, PAST], ids=["now", "past"])
def test_it_lists_exactly_the_cases_behind_a_figure(history, key, as_of):
    built = report(key, as_of)
    label = "month" if key == "monthly" else "department"
    rows = built.rows if key == "monthly" else [built.rows[-1], max(built.rows[:-1], key=count)]
    checked = 0
    for row in rows:
        for column in FIGURES[key]:
            cases = cases_behind(key, column, row[label], date_from=FROM, date_to=TO, as_of=as_of)
            assert cases.count() == row[column], (row[label], column)
            checked += row[column]
    assert checked > 0


def count(row):
    return row["accepted"]


@pytest.mark.django_db
def test_it_lists_the_numerator_behind_a_rate_with_the_facts_as_of(history):
    total = report("workload").rows[-1]
    early = cases_behind("workload", "early_rate", "TOTAL", date_from=FROM, date_to=TO, as_of=NOW)
    normal = cases_behind("workload", "normal_rate", "TOTAL", date_from=FROM, date_to=TO, as_of=NOW)

    assert early.count() == total["early"]
    assert normal.count() == total["completed"] - total["overdue_completed"]
    expected = {
        f["number"]: f
        for f in case_facts(NOW)
        if FROM <= f["accepted_on"] <= TO
        and f["completed_on"] is not None
        and f["completed_on"] < f["deadline"]
    }
    assert {c.number: (c.completed_as_of, c.deadline_as_of) for c in early} == {
        n: (f["completed_on"], f["deadline"]) for n, f in expected.items()
    }


# --- scope, parameters, rounding, null rates ----------------------------------------------


@pytest.mark.django_db
def test_it_scopes_a_report_to_the_users_subtree(history):
    code = subtree_department()
    department = Department.objects.get(code=code)
    head = (
        User.objects.with_role(RoleCode.DEPARTMENT_HEAD)
        .filter(department__path__startswith=department.path)
        .first()
    )
    supervisor = User.objects.with_role(RoleCode.SUPERVISOR).first()
    assert head is not None and supervisor is not None

    mine = report("acceptance", user=head)
    everything = report("acceptance", user=supervisor)

    paths = dict(Department.objects.values_list("code", "path"))
    assert mine.rows[:-1] and all(
        paths[r["department"]].startswith(head.department.path) for r in mine.rows[:-1]
    )
    assert without_names(mine.rows) == expected_rows("acceptance", NOW, head.department.code)
    assert everything.rows == report("acceptance").rows
    outside = next(c for c, p in paths.items() if not p.startswith(head.department.path))
    with pytest.raises(ValidationFailed) as refused:
        report("acceptance", user=head, department=outside)
    assert "department" in refused.value.fields


@pytest.mark.django_db
def test_it_runs_each_report_in_one_statement(history, django_assert_max_num_queries):
    ensure_workday_index()
    for key in REPORTS:
        # The index check, the report itself, and (reports 1–3) the names of the
        # departments that have a row — never a query per case.
        with django_assert_max_num_queries(3):
            report(key)


@pytest.mark.django_db
def test_it_refuses_bad_parameters_naming_the_field():
    cases = [
        ({"key": "nope"}, "report"),
        ({"department": "NO-SUCH"}, "department"),
        ({"date_from": TO, "date_to": FROM}, "date_to"),
    ]
    for change, field in cases:
        kwargs = {"key": "acceptance", "date_from": FROM, "date_to": TO, "as_of": NOW}
        kwargs.update(change)
        with pytest.raises(ValidationFailed) as refused:
            build_report(kwargs.pop("key"), **kwargs)
        assert field in refused.value.fields, change
    for key, column, row, field in [
        ("acceptance", "nope", "TOTAL", "column"),
        ("monthly", "accepted", "2025-12", "row"),
        ("acceptance", "accepted", "NO-SUCH", "row"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            cases_behind(key, column, row, date_from=FROM, date_to=TO, as_of=NOW)
        assert field in refused.value.fields


def test_it_rounds_rates_half_up_to_two_decimals():
    assert rate(1, 800) == Decimal("0.13")  # 0.125: half-up, not half-even
    assert rate(3, 800) == Decimal("0.38")  # 0.375
    assert rate(1, 3) == Decimal("33.33")
    assert rate(2, 3) == Decimal("66.67")
    assert rate(7, 7) == Decimal("100.00")
    assert rate(0, 5) == Decimal("0.00")
    assert rate(0, 0) is None
    for n, d in [(1, 800), (1, 3), (2, 3), (5, 9), (123, 4567)]:
        assert rate(n, d) == pct(n, d)
