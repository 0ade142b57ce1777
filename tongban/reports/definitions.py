"""The four reports of statistics.md, computed in the database.

Each report is one SQL statement: conditional counts (``COUNT(CASE WHEN … THEN 1
END)``) over the derived table of the cases' facts as of ``as_of``
(``facts.facts_table``), grouped by lead department (reports 1–3) or spread over one
column set per month (report 4). Each figure's condition is written once, below, and
serves both the count and ``cases_behind`` (the list of the cases behind a figure),
so a figure and its list cannot disagree.
"""

from __future__ import annotations

import calendar as monthcal
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import Department
from tongban.accounts.scoping import department_scope
from tongban.cases.models import Case
from tongban.catalog.models import HandlingType
from tongban.core.clock import LOCAL_TZ, local_date
from tongban.core.errors import ValidationFailed
from tongban.workcalendar.calendar import SPAN_FIRST, SPAN_LAST

from .facts import db_date, ensure_workday_index, facts_queryset, facts_table

REPORTS = ("acceptance", "workload", "completion", "monthly")

TITLES = {
    "acceptance": "受理办理情况统计表",
    "workload": "工作量统计",
    "completion": "办结率统计",
    "monthly": "受理办理情况月份统计表",
}

TOTAL = "TOTAL"
TOTAL_NAME = "合计"


@dataclass
class Column:
    key: str
    label: str  # the Chinese heading of statistics.md
    group: str = ""  # a heading spanning several columns (monthly: 即办件情况, 承诺件情况)
    rate: bool = False  # a percentage (Decimal or None)


@dataclass
class Report:
    key: str
    params: dict
    columns: list[Column]
    rows: list[dict]
    title: str = field(default="")

    def as_json(self) -> dict:
        """statistics.md's JSON shape; rates as numbers (null over zero cases)."""
        return {
            "report": self.key,
            "params": self.params,
            "columns": [
                {"key": c.key, "label": c.label, **({"group": c.group} if c.group else {})}
                for c in self.columns
            ],
            "rows": [
                {k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()}
                for row in self.rows
            ],
        }


# --- the figures' conditions over the facts table ``f`` -------------------------------------

COMPLETED = "f.completed_as_of IS NOT NULL"
TERMINATED = "f.terminated_as_of IS NOT NULL"
OPEN = "f.completed_as_of IS NULL AND f.terminated_as_of IS NULL"
SAME_DAY = f"{COMPLETED} AND f.completed_as_of = f.accepted"
NOT_SAME_DAY = f"{COMPLETED} AND f.completed_as_of <> f.accepted"
BEFORE_DEADLINE = f"{COMPLETED} AND f.completed_as_of < f.deadline_as_of"
AFTER_DEADLINE = f"{COMPLETED} AND f.completed_as_of > f.deadline_as_of"


@dataclass(frozen=True)
class Measure:
    """A figure: the cases meeting ``condition`` (SQL over ``f`` with ``params``);
    counted, or ``total`` (an SQL expression) summed over them."""

    key: str
    condition: str
    params: tuple = ()
    total: str | None = None

    def select(self) -> tuple[str, tuple]:
        if self.total is None:
            return f"COUNT(CASE WHEN {self.condition} THEN 1 END)", self.params
        return f"COALESCE(SUM(CASE WHEN {self.condition} THEN {self.total} ELSE 0 END), 0)", (
            self.params
        )


def _kind(kind: str) -> tuple[str, tuple]:
    return "f.kind = %s", (str(kind),)


def _measures(key: str, day: dt.date) -> list[Measure]:
    """The counted figures of reports 1–3 (rates are derived from them)."""
    if key == "acceptance":
        return [
            Measure("accepted", "1 = 1"),
            Measure("completed", COMPLETED),
            Measure("same_day", SAME_DAY),
            Measure("early", f"{NOT_SAME_DAY} AND f.completed_as_of < f.deadline_as_of"),
            Measure("on_time", f"{NOT_SAME_DAY} AND f.completed_as_of = f.deadline_as_of"),
            Measure("late", f"{NOT_SAME_DAY} AND f.completed_as_of > f.deadline_as_of"),
            Measure("in_progress", OPEN),
            Measure("terminated", TERMINATED),
        ]
    if key == "workload":
        return [
            Measure("accepted", "1 = 1"),
            Measure("completed", COMPLETED),
            Measure("early", BEFORE_DEADLINE),
            Measure("overdue_completed", AFTER_DEADLINE),
            # wd(completed, deadline) = ord(deadline) − ord(completed) when completed < deadline.
            Measure("workdays_saved", BEFORE_DEADLINE, total="f.ord_deadline - f.ord_completed"),
        ]
    if key == "completion":
        return [
            Measure("accepted", "1 = 1"),
            Measure("completed", COMPLETED),
            Measure(
                "overdue_open",
                f"{OPEN} AND NOT f.suspended_as_of AND f.deadline_as_of < %s",
                (db_date(day),),
            ),
            Measure(*_named("immediate", HandlingType.IMMEDIATE)),
            Measure(*_named("promised", HandlingType.PROMISED)),
            Measure(*_named("joint", HandlingType.JOINT)),
        ]
    raise AssertionError(key)


def _named(key: str, kind: str) -> tuple[str, str, tuple]:
    condition, params = _kind(kind)
    return key, condition, params


COLUMNS: dict[str, list[Column]] = {
    "acceptance": [
        Column("accepted", "累计受理"),
        Column("completed", "累计办结"),
        Column("same_day", "即日办结"),
        Column("early", "提前办结"),
        Column("on_time", "限期办结"),
        Column("late", "延期办结"),
        Column("in_progress", "正在办理"),
        Column("terminated", "终止"),
    ],
    "workload": [
        Column("accepted", "总受理件数"),
        Column("completed", "办结件数"),
        Column("early", "提前办结件数"),
        Column("early_rate", "提前办结率(%)", rate=True),
        Column("overdue_completed", "超期办结件数"),
        Column("normal_rate", "正常办结率(%)", rate=True),
        Column("workdays_saved", "实际节省工作日"),
    ],
    "completion": [
        Column("accepted", "总受理件数"),
        Column("overdue_open", "超期未办件数"),
        Column("completion_rate", "办结率(%)", rate=True),
        Column("immediate", "即办件"),
        Column("promised", "承诺件"),
        Column("joint", "联办件"),
    ],
    "monthly": [
        Column("accepted", "受理"),
        Column("carried_over", "上月结转"),
        Column("completed", "办结"),
        Column("terminated", "终止"),
        Column("in_progress", "正在办理"),
        Column("immediate_accepted", "受理", group="即办件情况"),
        Column("immediate_completed", "办结", group="即办件情况"),
        Column("promised_accepted", "受理", group="承诺件情况"),
        Column("promised_completed", "办结", group="承诺件情况"),
    ],
}

# The cases behind a rate (and behind the days saved): those of its numerator.
BEHIND_RATE = {
    ("workload", "early_rate"): BEFORE_DEADLINE,
    ("workload", "normal_rate"): f"{COMPLETED} AND NOT (f.completed_as_of > f.deadline_as_of)",
    ("completion", "completion_rate"): COMPLETED,
}


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage rounded half-up to 2 decimals; None over zero cases."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def _with_rates(key: str, counts: dict[str, int]) -> dict[str, Any]:
    values: dict[str, Any] = dict(counts)
    if key == "workload":
        values["early_rate"] = rate(counts["early"], counts["completed"])
        values["normal_rate"] = rate(
            counts["completed"] - counts["overdue_completed"], counts["completed"]
        )
    elif key == "completion":
        values["completion_rate"] = rate(counts["completed"], counts["accepted"])
    return {c.key: values[c.key] for c in COLUMNS[key]}


# --- monthly ------------------------------------------------------------------------------


def months(date_from: dt.date, date_to: dt.date) -> list[tuple[int, int]]:
    """The calendar months overlapping [from, to], as (year, month)."""
    result, year, month = [], date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        result.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def month_bounds(year: int, month: int, day: dt.date) -> tuple[dt.date, dt.date]:
    """m0 and m1 of statistics.md: the month's first and last day, m1 capped at the
    date of as_of (a month after it then has m1 < m0 and counts no events)."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, monthcal.monthrange(year, month)[1])
    return first, min(last, day)


def _monthly_measures(m0: dt.date, m1: dt.date) -> list[Measure]:
    a, b = db_date(m0), db_date(m1)
    accepted_in = "f.accepted >= %s AND f.accepted <= %s"
    completed_in = "f.completed_as_of >= %s AND f.completed_as_of <= %s"
    immediate, promised = str(HandlingType.IMMEDIATE), str(HandlingType.PROMISED)
    return [
        Measure("accepted", accepted_in, (a, b)),
        Measure(
            "carried_over",
            "f.accepted < %s AND (f.completed_as_of IS NULL OR f.completed_as_of >= %s)"
            " AND (f.terminated_as_of IS NULL OR f.terminated_as_of >= %s)",
            (a, a, a),
        ),
        Measure("completed", completed_in, (a, b)),
        Measure("terminated", "f.terminated_as_of >= %s AND f.terminated_as_of <= %s", (a, b)),
        Measure(
            "in_progress",
            "f.accepted <= %s AND (f.completed_as_of IS NULL OR f.completed_as_of > %s)"
            " AND (f.terminated_as_of IS NULL OR f.terminated_as_of > %s)",
            (b, b, b),
        ),
        Measure("immediate_accepted", f"f.kind = %s AND {accepted_in}", (immediate, a, b)),
        Measure(
            "immediate_completed",
            f"f.kind = %s AND {accepted_in} AND {completed_in}",
            (immediate, a, b, a, b),
        ),
        Measure("promised_accepted", f"f.kind = %s AND {accepted_in}", (promised, a, b)),
        Measure(
            "promised_completed",
            f"f.kind = %s AND {accepted_in} AND {completed_in}",
            (promised, a, b, a, b),
        ),
    ]


# --- parameters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    key: str
    date_from: dt.date
    date_to: dt.date
    as_of: dt.datetime
    day: dt.date  # the date of as_of
    department: Department | None
    scope: Q  # over Case: the user's subtree and the department asked for

    def as_dict(self) -> dict:
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "as_of": self.as_of.isoformat(),
            "department": self.department.code if self.department else None,
        }


def _fail(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={name: [message]})


def resolve(
    key: str,
    *,
    date_from: dt.date,
    date_to: dt.date,
    as_of: dt.datetime,
    department: str | None = None,
    user=None,
) -> Params:
    """Check the parameters (ValidationFailed naming the field) and work out the
    scope: everything for ``user=None``, else the user's department subtree (city
    supervisors: everything), narrowed to ``department`` and its subtree."""
    if key not in REPORTS:
        raise _fail("report", _("Unknown report."))
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise _fail(name, _("Enter a valid date."))
        if not SPAN_FIRST <= value <= SPAN_LAST:
            raise _fail(name, _("The date is outside the working-day calendar."))
    if date_from > date_to:
        raise _fail("date_to", _("The end date must not be before the start date."))
    if not isinstance(as_of, dt.datetime):
        raise _fail("as_of", _("Enter a valid date and time."))
    if timezone.is_naive(as_of):
        as_of = as_of.replace(tzinfo=LOCAL_TZ)

    root: Department | None = None
    nothing = False
    if user is not None:
        scope = department_scope(user)
        nothing = scope.nothing
        root = None if scope.everything else scope.root
    chosen: Department | None = None
    if department:
        chosen = Department.objects.filter(code=department).first()
        # A department outside the user's subtree reads as unknown (no disclosure).
        outside = root is not None and chosen is not None and not chosen.path.startswith(root.path)
        if chosen is None or nothing or outside:
            raise _fail("department", _("Unknown department."))
    if nothing:
        condition = Q(pk__in=[])
    elif chosen is not None or root is not None:
        condition = Q(department__path__startswith=(chosen or root).path)
    else:
        condition = Q()
    return Params(key, date_from, date_to, as_of, local_date(as_of), chosen, condition)


def _where(params: Params) -> Q:
    """Which cases a report counts (before the as-of facts)."""
    if params.key == "monthly":
        first = params.date_from.replace(day=1)
        last = month_bounds(params.date_to.year, params.date_to.month, params.day)[1]
        # Every case alive in the months: accepted by the last m1, not closed (as of
        # as_of) before the first m0. Closed after as_of = still open then.
        alive = (
            Q(completed_on__isnull=True, terminated_on__isnull=True)
            | Q(completed_on__gte=first)
            | Q(terminated_on__gte=first)
            | Q(closed_at__gt=params.as_of)
        )
        return params.scope & alive & Q(accepted_on__lte=last)
    return params.scope & Q(accepted_on__gte=params.date_from, accepted_on__lte=params.date_to)


def _run(sql: str, params: tuple) -> list[tuple]:
    # (PostgreSQL's JIT is off for the whole connection: see settings.py.)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- the API ------------------------------------------------------------------------------


def build_report(
    key: str,
    *,
    date_from: dt.date,
    date_to: dt.date,
    as_of: dt.datetime,
    department: str | None = None,
    user=None,
) -> Report:
    """One of ``REPORTS`` per statistics.md, in one SQL statement (plus a tiny check
    that the working-day index is current)."""
    params = resolve(
        key, date_from=date_from, date_to=date_to, as_of=as_of, department=department, user=user
    )
    ensure_workday_index()
    rows = _monthly_rows(params) if key == "monthly" else _department_rows(params)
    return Report(key, params.as_dict(), list(COLUMNS[key]), rows, TITLES[key])


def _department_rows(params: Params) -> list[dict]:
    measures = _measures(params.key, params.day)
    selects = [m.select() for m in measures]
    inner, inner_params = facts_table(
        params.as_of, _where(params), suspension=params.key == "completion"
    )
    # The conditions are constants of this module; values are parameters.
    # Grouped by the department's id: sorting 200,000 rows by names and paths spilled
    # to disk; the dozen departments' names and order are read afterwards.
    sql = (
        "SELECT f.dept_id, "  # noqa: S608
        + ", ".join(s for s, _ in selects)
        + f" FROM {inner} f GROUP BY f.dept_id"
    )
    values = tuple(p for _, ps in selects for p in ps) + inner_params
    found = _run(sql, values)
    departments = Department.objects.in_bulk([row[0] for row in found]) if found else {}
    found.sort(key=lambda row: departments[row[0]].path)
    rows, totals = [], dict.fromkeys((m.key for m in measures), 0)
    for dept_id, *figures in found:
        code, name = departments[dept_id].code, departments[dept_id].name
        counts = {m.key: int(v or 0) for m, v in zip(measures, figures, strict=True)}
        for k, v in counts.items():
            totals[k] += v
        rows.append({"department": code, "name": name, **_with_rates(params.key, counts)})
    # The total row sums the counts; rates are recomputed from the sums.
    rows.append({"department": TOTAL, "name": TOTAL_NAME, **_with_rates(params.key, totals)})
    return rows


def _monthly_rows(params: Params) -> list[dict]:
    spans = [month_bounds(y, m, params.day) for y, m in months(params.date_from, params.date_to)]
    per_month = [_monthly_measures(m0, m1) for m0, m1 in spans]
    selects = [m.select() for measures in per_month for m in measures]
    inner, inner_params = facts_table(params.as_of, _where(params), deadline=False)
    sql = "SELECT " + ", ".join(s for s, _ in selects) + f" FROM {inner} f"  # noqa: S608
    values = tuple(p for _, ps in selects for p in ps) + inner_params
    (figures,) = _run(sql, values)
    rows, i = [], 0
    for (m0, _m1), measures in zip(spans, per_month, strict=True):
        row: dict[str, Any] = {"month": m0.strftime("%Y-%m")}
        for m in measures:
            row[m.key] = int(figures[i] or 0)
            i += 1
        rows.append(row)
    return rows


def cases_behind(
    key: str,
    column: str,
    row: str,
    *,
    date_from: dt.date,
    date_to: dt.date,
    as_of: dt.datetime,
    department: str | None = None,
    user=None,
) -> QuerySet[Case]:
    """The cases counted in one figure of a report — ``row`` a department code,
    ``"TOTAL"`` or (monthly) ``"YYYY-MM"`` — with the same parameters and scope, so
    that ``.count()`` equals the figure. A rate (or the days saved) lists the cases of
    its numerator. The cases carry their facts as of ``as_of`` (``deadline_as_of``,
    ``completed_as_of``, ``terminated_as_of``…), ordered by acceptance date, number."""
    params = resolve(
        key, date_from=date_from, date_to=date_to, as_of=as_of, department=department, user=user
    )
    columns = {c.key for c in COLUMNS[key]}
    if column not in columns:
        raise _fail("column", _("Unknown column."))
    ensure_workday_index()
    if key == "monthly":
        spans = {
            f"{y:04d}-{m:02d}": month_bounds(y, m, params.day)
            for y, m in months(params.date_from, params.date_to)
        }
        if row not in spans:
            raise _fail("row", _("Unknown month."))
        measure = next(m for m in _monthly_measures(*spans[row]) if m.key == column)
        condition, values = measure.condition, measure.params
        deadline = False
    else:
        if (key, column) in BEHIND_RATE:
            condition, values = BEHIND_RATE[(key, column)], ()
        else:
            measure = next(m for m in _measures(key, params.day) if m.key == column)
            condition, values = measure.condition, measure.params
        if row != TOTAL:
            if not Department.objects.filter(code=row).exists():
                raise _fail("row", _("Unknown department."))
            condition = f"({condition}) AND f.dept_code = %s"
            values = (*values, row)
        deadline = True
    inner, inner_params = facts_table(
        params.as_of, _where(params), deadline=deadline, suspension=deadline and key == "completion"
    )
    # Parameters in order of appearance: the derived table's, then the condition's.
    # The condition is one of this module's constants; the values are parameters.
    subquery = RawSQL(  # noqa: S611
        f"SELECT f.case_id FROM {inner} f WHERE {condition}",  # noqa: S608
        inner_params + values,
    )
    return (
        facts_queryset(params.as_of, deadline=deadline)
        .filter(pk__in=subquery)
        .order_by("accepted_on", "number")
    )
