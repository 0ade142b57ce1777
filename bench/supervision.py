"""d. Electronic supervision at scale (time-limits.md, "Sweep cost"):

- the sweep's time with 10,000 and with 1,000,000 open cases of which the same 1,000
  become due — it reads only the cases whose ``next_check_on`` has come, so the two
  times should be about equal (target: ratio ≤ 1.3);
- cards issued per second, by the sweeps that issue them;
- the dashboard's server time (open cases by colour, cards by department this month,
  on-time rate by month, top overdue items; evaluated) at 1,000,000 open cases beside
  a year of completed history and its cards, for the city supervisor and for one
  department's head.

The 1,000 due cases are made through the services (accepted long enough ago that the
deadline and the first step's limit have passed: each gets a yellow card and an
automatic urging); the others are bulk-loaded with one ``INSERT … SELECT … FROM
generate_series`` per batch — only the shape of the data matters for them, and their
next check lies in the future. The earlier reports' cases are removed first.

``BENCH_SUPERVISION_CASES`` (default 1000000) sets the large size for a quick trial.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

from django.db import connection

from tongban.accounts.models import User
from tongban.cases.models import Case, Urging
from tongban.catalog.models import HandlingType, Item
from tongban.core.clock import LOCAL_TZ
from tongban.core.crypto import provider
from tongban.supervision import selectors
from tongban.supervision.models import Alert, Card
from tongban.supervision.services import sweep
from tongban.workcalendar.calendar import get_calendar

from .common import at, lifecycle_context, submit_and_accept

SMALL, LARGE = 10_000, int(os.environ.get("BENCH_SUPERVISION_CASES", "1000000"))
DUE = 1_000
HISTORY = LARGE // 5  # completed cases over the last year, for the on-time trend
BATCH = 250_000
REPEAT = 5
TARGET = 1.3

# One statement per batch: numbers, items, dates and statuses derived from the series
# number (deterministic), the applicant's encrypted fields the same ciphertext for all.
OPEN_SQL = """
INSERT INTO cases_case (
    number, item_name, handling_type, channel, status, applicant_kind, applicant_name,
    applicant_id_type, applicant_id_number, applicant_id_index, applicant_mobile,
    applicant_mobile_index, applicant_address, contact_name, query_code, form_data,
    received_at, received_on, review_due_on, accepted_on, deemed_accepted, limit_days,
    extension_cap, extension_days, suspended_days, deadline, next_check_on, outcome,
    proposed_outcome, certificate_number, result_note, version, department_id, item_id
)
SELECT
    'SUP-' || lpad(g::text, 8, '0'), i.name, i.handling_type, 'counter', s.status,
    'person', '张小三', 'resident_id', %(id_number)s, %(id_index)s, %(mobile)s,
    %(mobile_index)s, %(address)s, '', 'BENCH123', '{}'::jsonb,
    (r.received_on + time '10:00') AT TIME ZONE %(tz)s, r.received_on, r.received_on + 7,
    CASE WHEN s.waiting THEN NULL ELSE r.received_on END,
    false, i.limit_days, 0, 0, 0,
    CASE WHEN s.waiting THEN NULL ELSE r.received_on + i.limit_days * 7 / 5 END,
    -- checked already: nothing can happen to them before a day in the future
    CASE WHEN s.status = 'supplement' THEN NULL ELSE %(today)s::date + (30 + g %% 300)::int END,
    '', '', '', '', 0, i.department_id, i.item_id
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
JOIN bench_items i ON i.idx = g %% %(items)s
-- within the limit, but one in 25 is 1 to 10 days past its deadline
CROSS JOIN LATERAL (
    SELECT CASE WHEN g %% 25 = 0 THEN %(today)s::date - (i.limit_days * 7 / 5 + 1 + g %% 10)::int
                ELSE %(today)s::date - (g * 7919 %% (i.limit_days * 7 / 5 + 1))::int
           END AS received_on
) r
CROSS JOIN LATERAL (
    SELECT v.status, v.status IN ('received', 'supplement') AS waiting
    FROM (SELECT CASE g %% 20 WHEN 0 THEN 'received' WHEN 1 THEN 'supplement'
                 WHEN 2 THEN 'suspended' ELSE 'in_progress' END AS status) v
) s
"""

# A year of completed cases, about one in eight finished late.
HISTORY_SQL = """
INSERT INTO cases_case (
    number, item_name, handling_type, channel, status, applicant_kind, applicant_name,
    applicant_id_type, applicant_id_number, applicant_id_index, applicant_mobile,
    applicant_mobile_index, applicant_address, contact_name, query_code, form_data,
    received_at, received_on, review_due_on, accepted_on, deemed_accepted, limit_days,
    extension_cap, extension_days, suspended_days, deadline, next_check_on,
    completed_on, closed_at, outcome, proposed_outcome, certificate_number, result_note,
    version, department_id, item_id
)
SELECT
    'SUPH-' || lpad(g::text, 8, '0'), i.name, i.handling_type, 'counter', 'completed',
    'person', '张小三', 'resident_id', %(id_number)s, %(id_index)s, %(mobile)s,
    %(mobile_index)s, %(address)s, '', 'BENCH123', '{}'::jsonb,
    (r.received_on + time '10:00') AT TIME ZONE %(tz)s, r.received_on, r.received_on + 7,
    r.received_on, false, i.limit_days, 0, 0, 0, r.received_on + i.limit_days * 7 / 5, NULL,
    r.received_on + d.days, (r.received_on + d.days + time '16:00') AT TIME ZONE %(tz)s,
    'approved', '', '', '', 5, i.department_id, i.item_id
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
JOIN bench_items i ON i.idx = g %% %(items)s
CROSS JOIN LATERAL (SELECT %(today)s::date - 30 - (g * 7919 %% 335)::int AS received_on) r
CROSS JOIN LATERAL (
    SELECT CASE WHEN g %% 8 = 0 THEN i.limit_days * 7 / 5 + 1 + g %% 9
                ELSE g * 31 %% (i.limit_days * 7 / 5 + 1) END::int AS days
) d
"""

# The cards that history would have: a yellow card for every case that ran late
# (cured when it was completed), and for every running case past its deadline.
CARDS_SQL = """
INSERT INTO supervision_card (
    subject_kind, subject_id, subject_number, subject_title, colour, rule, step_name,
    department_id, deadline, days_overdue, issued_at, issued_on, recipients, cured_at,
    cured_on, rectification
)
SELECT
    'case', c.id, c.number, c.item_name, 'yellow', 'deadline', '承办', c.department_id,
    c.deadline, 1,
    (c.deadline + 2 + time '00:01') AT TIME ZONE %(tz)s, c.deadline + 2, '[]'::jsonb,
    c.closed_at, c.completed_on, ''
FROM cases_case c
WHERE c.number LIKE 'SUP%%'
  AND ((c.status = 'completed' AND c.completed_on > c.deadline + 1)
       OR (c.status = 'in_progress' AND c.deadline < %(today)s::date - 1))
"""


def _execute(sql: str, params: dict | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _clear() -> None:
    """Start from no case at all (the earlier reports left 100,000 open ones)."""
    _execute(
        "TRUNCATE cases_case, cases_casecounter, supervision_card, supervision_alert"
        " RESTART IDENTITY CASCADE"
    )


def _prepare_items() -> int:
    items = list(
        Item.objects.filter(is_published=True)
        .exclude(handling_type=HandlingType.IMMEDIATE)
        .filter(promised_limit__gt=0)
        .order_by("code")
        .values_list("pk", "department_id", "name", "handling_type", "promised_limit")
    )
    _execute(
        "CREATE TEMP TABLE IF NOT EXISTS bench_items (idx int primary key, item_id bigint, "
        "department_id bigint, name text, handling_type text, limit_days int)"
    )
    _execute("TRUNCATE bench_items")
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_items VALUES (%s, %s, %s, %s, %s, %s)",
            [(i, *row) for i, row in enumerate(items)],
        )
    return len(items)


def _params(today: dt.date, items: int) -> dict:
    field = Case._meta.get_field
    index = provider().blind_index
    return {
        "id_number": field("applicant_id_number").get_prep_value("620502199001011235"),
        "id_index": index("620502199001011235"),
        "mobile": field("applicant_mobile").get_prep_value("13912341234"),
        "mobile_index": index("13912341234"),
        "address": field("applicant_address").get_prep_value("天水市秦州区民主西路1号"),
        "tz": str(LOCAL_TZ),
        "today": today,
        "items": items,
    }


def _bulk(sql: str, first: int, count: int, params: dict) -> float:
    """Insert ``count`` rows in batches; the seconds it took."""
    began = time.monotonic()
    for start in range(first, first + count, BATCH):
        last = min(start + BATCH, first + count) - 1
        _execute(sql, params | {"first": start, "last": last})
    _execute("ANALYZE cases_case")
    return time.monotonic() - began


def _due_cases(today: dt.date) -> dict[int, dt.date]:
    """The 1,000 cases that become due, through the services: accepted so long ago
    that their deadline and their first step's limit have passed. Their next check
    (stored by the case engine), to put back between the two sweeps."""
    ctx = lifecycle_context()
    calendar = get_calendar()
    day = today - dt.timedelta(days=90)
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    pks = [submit_and_accept(ctx, at(day, i % 400)).pk for i in range(DUE)]
    return dict(Case.objects.filter(pk__in=pks).values_list("pk", "next_check_on"))


def _reset(due: dict[int, dt.date]) -> None:
    """Undo what the sweep did to the due cases, so the same 1,000 are due again."""
    Card.objects.filter(subject_kind="case", subject_id__in=due).delete()
    Alert.objects.filter(subject_kind="case", subject_id__in=due).delete()
    Urging.objects.filter(case_id__in=due, automatic=True).delete()
    Case.objects.bulk_update(
        [Case(pk=pk, next_check_on=on) for pk, on in due.items()], ["next_check_on"]
    )


class _Statements:
    """Counts the SQL statements sent (``CaptureQueriesContext`` keeps only the last
    9,000, fewer than a sweep of 1,000 cases sends)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _sweep(instant: dt.datetime) -> tuple[float, dict, int]:
    """Seconds, what it did, and the SQL statements it took."""
    statements = _Statements()
    with connection.execute_wrapper(statements):
        began = time.perf_counter()
        result = sweep(at=instant)
        seconds = time.perf_counter() - began
    return seconds, result.as_dict(), statements.count


def _dashboard(user, today: dt.date) -> dict[str, float]:
    """The four figures of the dashboard, each evaluated; seconds per figure."""
    first_of_month = today.replace(day=1)
    year_ago = (first_of_month - dt.timedelta(days=335)).replace(day=1)
    calls = {
        "open_counts": lambda: selectors.open_counts(user, today),
        "cards_by_department": lambda: selectors.cards_by_department(user, first_of_month, today),
        "on_time_trend": lambda: selectors.on_time_trend(user, year_ago, today),
        "top_overdue_items": lambda: selectors.top_overdue_items(user, today),
    }
    times = {}
    for name, call in calls.items():
        began = time.perf_counter()
        call()
        times[name] = time.perf_counter() - began
    return times


def _measure_dashboard(user, today: dt.date) -> tuple[dict[str, float], int]:
    _dashboard(user, today)  # warm caches and plans
    runs = [_dashboard(user, today) for _i in range(REPEAT)]
    statements = _Statements()
    with connection.execute_wrapper(statements):
        _dashboard(user, today)
    medians = {name: statistics.median(r[name] for r in runs) for name in runs[0]}
    return medians, statements.count


def report() -> None:
    began = time.monotonic()
    today = dt.date.today()
    instant = dt.datetime.combine(today, dt.time(0, 5), LOCAL_TZ)
    _clear()
    items = _prepare_items()
    params = _params(today, items)

    loading = time.monotonic()
    due = _due_cases(today)
    made = time.monotonic() - loading
    loaded = _bulk(OPEN_SQL, 1, SMALL - DUE, params)
    small_open = Case.objects.open().count()
    small_time, small, small_queries = _sweep(instant)

    _reset(due)
    loaded += _bulk(OPEN_SQL, SMALL - DUE + 1, LARGE - SMALL, params)
    large_open = Case.objects.open().count()
    large_time, large, large_queries = _sweep(instant)

    print("d. Supervision sweep: the same 1,000 cases due among more and more open ones")
    print(
        f"   ({DUE:,} due cases through the services: {made:.0f} s; bulk load of"
        f" {large_open - DUE:,} open cases: {loaded:.0f} s)"
    )
    print(
        f"   {'open cases':>10}  {'checked':>7}  {'yellow':>6}  {'red':>4}  {'urgings':>7}"
        f"  {'seconds':>7}  {'cards/s':>7}  {'SQL/case':>8}"
    )
    for n, seconds, result, queries in (
        (small_open, small_time, small, small_queries),
        (large_open, large_time, large, large_queries),
    ):
        cards = result["yellow_cards"] + result["red_cards"]
        print(
            f"   {n:>10,}  {result['checked']:>7,}  {result['yellow_cards']:>6,}"
            f"  {result['red_cards']:>4,}  {result['urgings']:>7,}  {seconds:>7.2f}"
            f"  {cards / seconds if seconds else 0:>7.0f}"
            f"  {queries / max(1, result['checked']):>8.1f}"
        )
    ratio = large_time / small_time if small_time else 0.0
    verdict = "within target" if ratio <= TARGET else "ABOVE TARGET"
    print(f"   time ratio {ratio:.2f}  target ≤ {TARGET}: {verdict}")
    print()

    loading = time.monotonic()
    _bulk(HISTORY_SQL, 1, HISTORY, params)
    _execute(CARDS_SQL, params)
    _execute("ANALYZE supervision_card")
    loaded = time.monotonic() - loading
    total = Case.objects.count()
    card_count = Card.objects.count()
    print("e. Supervision dashboard (open by colour, cards by department this month,")
    print("   on-time rate by month over a year, top overdue items; median of 5)")
    print(
        f"   ({large_open:,} open and {total - large_open:,} closed cases, {card_count:,} cards;"
        f" history and cards loaded in {loaded:.0f} s)"
    )
    names = ("open_counts", "cards_by_department", "on_time_trend", "top_overdue_items")
    print(f"   {'user':<16}{'total ms':>9}  {'queries':>7}  " + "  ".join(names))
    for username in ("jiancha", "scjg.head"):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        medians, queries = _measure_dashboard(user, today)
        figures = "  ".join(f"{medians[n] * 1000:>{len(n)}.0f}" for n in names)
        print(f"   {username:<16}{sum(medians.values()) * 1000:>9.0f}  {queries:>7}  {figures}")
    print(f"   (supervision benchmark: {time.monotonic() - began:.0f} s)")
    print()
