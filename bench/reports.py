"""f. Statistics at scale (issue 6, statistics.md report 1 ``acceptance``):

- the acceptance report for one month over a history of 100,000 and of 1,000,000
  accepted cases (about five years): the month's cases are the same in both, only the
  history around them grows, so a report that reads only the window's cases (index on
  acceptance date and department) costs about the same (target: ratio ≤ 1.5);
- the whole-year acceptance report at 1,000,000 cases through the project's code
  (``build_report``, as of now) beside the same aggregation as hand-written SQL —
  conditional counts over the stored facts, which are the facts as of now — in the
  same run (target: ratio ≤ 1.5); both must give the same figures.

The history is bulk-loaded with one ``INSERT … SELECT … FROM generate_series`` per
batch, like the supervision benchmark: slot ``g`` of 1,000,000 gets a working day of
the five years (uniformly, in slot order, so that each part of the history is written
in acceptance order as a real one is), an item of the catalogue (so departments and handling types
follow the catalogue), and a course: immediate items are handled on the spot; of the
others about 2 % are withdrawn or terminated, 5 % finish late, 10 % on the deadline,
4 % the same day and the rest early; one in 40 has an approved extension of 5 working
days, one in 50 a suspension of 3–7 working days. Deadlines are computed on the real
working-day calendar. A case whose course would end today or later is still open.
Every case has its acceptance event and, when closed, its closing event, so the
as-of rules (export.py) see the same facts as the stored columns.

The 100,000 are the month's cases (about 1/60 of the slots) plus every twelfth other
slot; the remaining 900,000 come next. The earlier reports' cases are removed first.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

from django.db import connection
from django.utils import timezone

from tongban.catalog.models import Item
from tongban.workcalendar.calendar import get_calendar

from .supervision import _clear, _execute, _params

TOTAL = int(os.environ.get("BENCH_REPORT_CASES", "1000000"))
EVERY = 12  # the small history: the month's slots and every twelfth other slot
BATCH = 250_000
REPEAT = 5
TARGET = 1.5
YEARS = 5

COLUMNS = ("accepted", "completed", "same_day", "early", "on_time", "late", "in_progress")
COLUMNS += ("terminated",)

# Deterministic from the slot number g. ``bench_workdays`` numbers the working days
# (rank 1, 2, …), so add(day, n) on the calendar is the working day n ranks further.
CASES_SQL = """
INSERT INTO cases_case (
    number, item_name, handling_type, channel, status, applicant_kind, applicant_name,
    applicant_id_type, applicant_id_number, applicant_id_index, applicant_mobile,
    applicant_mobile_index, applicant_address, contact_name, query_code, form_data,
    received_at, received_on, review_due_on, accepted_on, deemed_accepted, limit_days,
    extension_cap, extension_days, suspended_days, deadline, next_check_on,
    completed_on, terminated_on, closed_at, outcome, proposed_outcome,
    certificate_number, result_note, version, department_id, item_id
)
SELECT
    'REP-' || lpad(g::text, 8, '0'), i.name, i.handling_type,
    CASE WHEN g %% 3 = 0 THEN 'online' ELSE 'counter' END,
    CASE WHEN NOT closed THEN 'in_progress' WHEN c.kind = 'withdraw' THEN 'withdrawn'
         WHEN c.kind = 'terminate' THEN 'terminated' ELSE 'completed' END,
    'person', '张小三', 'resident_id', %(id_number)s, %(id_index)s, %(mobile)s,
    %(mobile_index)s, %(address)s, '', 'BENCH123', '{}'::jsonb,
    (a.day + time '10:00') AT TIME ZONE %(tz)s, a.day, a.day + 7, a.day, false,
    i.limit_days, t.ext, t.ext, t.susp, d.day,
    CASE WHEN closed THEN NULL ELSE greatest(d.day, %(today)s::date + 1) END,
    CASE WHEN closed AND c.kind = 'complete' THEN e.day END,
    CASE WHEN closed AND c.kind <> 'complete' THEN e.day END,
    CASE WHEN closed THEN (e.day + time '16:00') AT TIME ZONE %(tz)s END,
    CASE WHEN closed AND c.kind = 'complete'
         THEN CASE WHEN g %% 17 = 0 THEN 'denied' ELSE 'approved' END ELSE '' END,
    '', '', '', 5, i.department_id, i.item_id
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
JOIN bench_items i ON i.idx = g %% %(items)s
-- in acceptance order, as a real history is written: about TOTAL / ranks per working day
JOIN bench_workdays a ON a.rank = %(first_rank)s + (g - 1) * %(ranks)s / %(total)s
CROSS JOIN LATERAL (
    -- (none in the last month: their history would lie partly after now)
    SELECT CASE WHEN i.limit_days > 0 AND g %% 40 = 7 AND a.day < %(today)s::date - 30
                THEN 5 ELSE 0 END AS ext,
           CASE WHEN i.limit_days > 0 AND g %% 50 = 11 AND a.day < %(today)s::date - 30
                THEN 3 + g %% 5 ELSE 0 END AS susp,
           g %% 100 AS k
) t
JOIN bench_workdays d
  ON d.rank = a.rank + CASE WHEN i.limit_days = 0 THEN 0 ELSE i.limit_days + t.ext + t.susp END
CROSS JOIN LATERAL (
    SELECT CASE WHEN i.limit_days = 0 THEN 'complete'
                WHEN t.k = 0 THEN 'withdraw' WHEN t.k = 1 THEN 'terminate'
                ELSE 'complete' END AS kind,
           CASE WHEN i.limit_days = 0 THEN a.rank                          -- on the spot
                WHEN t.k < 2 THEN a.rank + 1 + g %% 3                       -- stopped
                WHEN t.k < 7 THEN d.rank + 1 + g %% 8                       -- late
                WHEN t.k < 17 THEN d.rank                                   -- on time
                WHEN t.k < 21 THEN a.rank                                   -- same day
                ELSE a.rank + 1 + (g * 31 %% greatest(d.rank - a.rank - 1, 1))  -- early
           END AS rank
) c
JOIN bench_workdays e ON e.rank = c.rank
CROSS JOIN LATERAL (SELECT e.day < %(today)s::date AS closed) s
WHERE (a.day BETWEEN %(m0)s AND %(m1)s OR g %% %(every)s = 0) = %(small)s
"""

# The history behind the stored facts: acceptance and closing events, approved
# extensions (decided two working days after acceptance), ended suspensions.
EVENTS_SQL = """
INSERT INTO cases_timelineevent (case_id, at, actor_name, action, opinion, detail)
SELECT id, received_at, '窗口', CASE WHEN limit_days = 0 THEN 'handle_immediately'
                                     ELSE 'accept' END, '', '{}'::jsonb
FROM cases_case WHERE id > %(after)s
UNION ALL
SELECT id, closed_at, '办结', CASE status WHEN 'completed' THEN 'complete'
                                  WHEN 'withdrawn' THEN 'withdraw' ELSE 'terminate' END,
       '', '{}'::jsonb
FROM cases_case WHERE id > %(after)s AND closed_at IS NOT NULL
"""
EXTENSIONS_SQL = """
INSERT INTO cases_extension (case_id, days, reason, status, requested_at, decided_at,
                             decision_note)
SELECT c.id, c.extension_days, '情况复杂', 'approved', c.received_at + interval '1 day',
       (w.day + time '11:00') AT TIME ZONE %(tz)s, ''
FROM cases_case c
JOIN bench_workdays a ON a.day = c.accepted_on
JOIN bench_workdays w ON w.rank = a.rank + 2
WHERE c.id > %(after)s AND c.extension_days > 0
"""
SUSPENSIONS_SQL = """
INSERT INTO cases_suspension (case_id, kind, procedure, reason, started_at, started_on,
                              ended_at, ended_on, days)
SELECT c.id, 'special', '', '专家评审', (s.day + time '09:30') AT TIME ZONE %(tz)s, s.day,
       (e.day + time '09:00') AT TIME ZONE %(tz)s, e.day, c.suspended_days
FROM cases_case c
JOIN bench_workdays a ON a.day = c.accepted_on
JOIN bench_workdays s ON s.rank = a.rank + 1
JOIN bench_workdays e ON e.rank = a.rank + 1 + c.suspended_days
WHERE c.id > %(after)s AND c.suspended_days > 0
"""

# Report 1 by hand over the stored facts (as of now they are the facts).
HAND_SQL = """
SELECT dep.code,
       count(*),
       count(*) FILTER (WHERE c.completed_on IS NOT NULL),
       count(*) FILTER (WHERE c.completed_on = c.accepted_on),
       count(*) FILTER (WHERE c.completed_on <> c.accepted_on AND c.completed_on < c.deadline),
       count(*) FILTER (WHERE c.completed_on <> c.accepted_on AND c.completed_on = c.deadline),
       count(*) FILTER (WHERE c.completed_on <> c.accepted_on AND c.completed_on > c.deadline),
       count(*) FILTER (WHERE c.completed_on IS NULL AND c.terminated_on IS NULL),
       count(*) FILTER (WHERE c.terminated_on IS NOT NULL)
FROM cases_case c
JOIN accounts_department dep ON dep.id = c.department_id
WHERE c.accepted_on BETWEEN %(date_from)s AND %(date_to)s
GROUP BY dep.code
ORDER BY dep.code
"""


def _prepare(today: dt.date) -> tuple[int, int, int]:
    """The catalogue and the working days as temporary tables: (items, first rank of
    the history, working days in it)."""
    items = list(
        Item.objects.filter(is_published=True)
        .order_by("code")
        .values_list("pk", "department_id", "name", "handling_type", "promised_limit")
    )
    _execute(
        "CREATE TEMP TABLE IF NOT EXISTS bench_items (idx int primary key, item_id bigint, "
        "department_id bigint, name text, handling_type text, limit_days int)"
    )
    _execute("TRUNCATE bench_items")
    calendar = get_calendar()
    first = today.replace(year=today.year - YEARS)
    # Room after today for the deadlines and late completions of the last cases.
    days = [first + dt.timedelta(days=i) for i in range((today - first).days + 200)]
    workdays = [d for d in days if calendar.is_workday(d)]
    _execute(
        "CREATE TEMP TABLE IF NOT EXISTS bench_workdays (rank int primary key, day date unique)"
    )
    _execute("TRUNCATE bench_workdays")
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_items VALUES (%s, %s, %s, %s, %s, %s)",
            [(i, *row) for i, row in enumerate(items)],
        )
        cursor.executemany(
            "INSERT INTO bench_workdays VALUES (%s, %s)",
            [(rank, day) for rank, day in enumerate(workdays, start=1)],
        )
    _execute("ANALYZE bench_items")
    _execute("ANALYZE bench_workdays")
    # The history's working days end before today.
    ranks = sum(1 for d in workdays if d < today)
    return len(items), 1, ranks


def _load(params: dict, *, small: bool) -> int:
    """Insert one part of the history with its events; the cases inserted."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM cases_case")
        after = cursor.fetchone()[0]
    for start in range(1, TOTAL + 1, BATCH):
        last = min(start + BATCH, TOTAL + 1) - 1
        _execute(CASES_SQL, params | {"first": start, "last": last, "small": small})
    for sql in (EVENTS_SQL, EXTENSIONS_SQL, SUSPENSIONS_SQL):
        _execute(sql, params | {"after": after})
    for table in ("cases_case", "cases_timelineevent", "cases_extension", "cases_suspension"):
        _execute(f"ANALYZE {table}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case WHERE id > %s", [after])
        return cursor.fetchone()[0]


def _report(date_from: dt.date, date_to: dt.date):
    from tongban.reports.definitions import build_report

    return build_report("acceptance", date_from=date_from, date_to=date_to, as_of=timezone.now())


def _hand(date_from: dt.date, date_to: dt.date) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, {"date_from": date_from, "date_to": date_to})
        rows = cursor.fetchall()
    total = tuple(sum(r[i] for r in rows) for i in range(1, len(COLUMNS) + 1))
    return _sorted([*rows, ("TOTAL", *total)])


def _median(call) -> tuple[float, object]:
    """Median seconds of ``REPEAT`` calls after one to warm caches and plans."""
    result = call()
    times = []
    for _i in range(REPEAT):
        began = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def _sorted(rows: list[tuple] | None) -> list[tuple] | None:
    """Department rows by code, then the total (the report orders by the tree)."""
    if rows is None:
        return None
    return sorted(rows, key=lambda row: (row[0] == "TOTAL", row[0]))


def _figures(report) -> list[tuple] | None:
    """The report's rows as (department, *COLUMNS), whatever object carries them."""
    data = report
    for name in ("as_json", "as_dict", "to_json", "to_dict"):
        if hasattr(data, name):
            data = getattr(data, name)()
            break
    rows = data.get("rows") if isinstance(data, dict) else getattr(data, "rows", None)
    if rows is None:
        return None
    out = []
    for row in rows:
        row = row if isinstance(row, dict) else getattr(row, "__dict__", {})
        out.append((row.get("department"), *(row.get(key) for key in COLUMNS)))
    return _sorted(out)


def report() -> None:
    began = time.monotonic()
    try:
        from tongban.reports.definitions import build_report  # noqa: F401
    except ImportError:
        print("f. Statistics: tongban.reports.definitions.build_report is missing; skipped.\n")
        return
    today = timezone.localdate()
    month_first = (today.replace(day=1) - dt.timedelta(days=365)).replace(day=1)
    month_last = (month_first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    year_first, year_last = dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)

    _clear()
    items, first_rank, ranks = _prepare(today)
    params = _params(today, items) | {
        "first_rank": first_rank,
        "ranks": ranks,
        "m0": month_first,
        "m1": month_last,
        "every": EVERY,
        "total": TOTAL,
    }

    loading = time.monotonic()
    small_count = _load(params, small=True)
    loaded = time.monotonic() - loading
    small_time, small_report = _median(lambda: _report(month_first, month_last))

    loading = time.monotonic()
    large_count = small_count + _load(params, small=False)
    loaded += time.monotonic() - loading
    large_time, large_report = _median(lambda: _report(month_first, month_last))

    in_month = _hand(month_first, month_last)[-1][1]
    print(f"f. Acceptance report (受理办理情况统计表) for {month_first:%Y-%m}, all departments,")
    print(f"   as of now; the same {in_month:,} cases in the month; median of {REPEAT}")
    print(f"   (bulk load of {large_count:,} cases with their events: {loaded:.0f} s)")
    print(f"   {'history':>10}  {'ms':>8}")
    print(f"   {small_count:>10,}  {small_time * 1000:>8.1f}")
    print(f"   {large_count:>10,}  {large_time * 1000:>8.1f}")
    ratio = large_time / small_time if small_time else 0.0
    verdict = "within target" if ratio <= TARGET else "ABOVE TARGET"
    print(f"   time ratio {ratio:.2f}  target ≤ {TARGET}: {verdict}")
    same = _figures(small_report) == _figures(large_report) == _hand(month_first, month_last)
    print(f"   same figures at both sizes and as hand-written SQL: {'yes' if same else 'NO'}")
    print()

    code_time, code_report = _median(lambda: _report(year_first, year_last))
    sql_time, sql_rows = _median(lambda: _hand(year_first, year_last))
    figures = _figures(code_report)
    print(f"g. Acceptance report for the whole of {year_first.year} at {large_count:,} cases")
    print(f"   ({sql_rows[-1][1]:,} accepted in the year), as of now; median of {REPEAT}")
    print(f"   project's code (build_report)  {code_time * 1000:>8.1f} ms")
    print(f"   hand-written SQL               {sql_time * 1000:>8.1f} ms")
    ratio = code_time / sql_time if sql_time else 0.0
    verdict = "within target" if ratio <= TARGET else "ABOVE TARGET"
    print(f"   time ratio {ratio:.2f}  target ≤ {TARGET}: {verdict}")
    if figures == sql_rows:
        print("   same figures: yes")
    else:
        print("   same figures: NO")
        for mine, theirs in zip(figures or [], sql_rows, strict=False):
            if mine != theirs:
                print(f"     report {mine}\n     SQL    {theirs}")
                break
    print(f"   (statistics benchmark: {time.monotonic() - began:.0f} s)")
    print()
