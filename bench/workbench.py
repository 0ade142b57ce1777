"""c. The workbench's data — my to-do list, the department queue, applications
awaiting review, urgings received (first 10 of each, evaluated) — with 100,000 open
cases beside 1,000: the time should barely grow and the query count not at all."""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.accounts.roles import RoleCode
from tongban.cases import selectors
from tongban.cases.models import (
    Case,
    CaseStatus,
    CaseStep,
    Channel,
    StepKind,
    StepStatus,
    Urging,
)
from tongban.cases.simulation import Staff, usable_items
from tongban.core.clock import LOCAL_TZ
from tongban.core.crypto import provider
from tongban.workcalendar.calendar import get_calendar

SMALL, LARGE = 1_000, int(os.environ.get("BENCH_CASES", "100000"))
BATCH = 2_000
REPEAT = 15


def _insert(start: int, count: int, staff: Staff, rng: random.Random) -> None:
    """Bulk-insert open cases with their active step (not through the services: only
    the shape of the data matters here)."""
    profiles = [p for p in usable_items(staff) if p.handling != "immediate"]
    handlers = [u for u in staff.users if u.has_role(RoleCode.HANDLER)]
    calendar = get_calendar()
    index = provider().blind_index
    id_hash, mobile_hash = index("620502199001011235"), index("13912341234")
    today = dt.date.today()
    for offset in range(start, start + count, BATCH):
        cases, plans = [], []
        for i in range(offset, min(offset + BATCH, start + count)):
            profile = rng.choice(profiles)
            item = profile.item
            received = today - dt.timedelta(days=rng.randint(0, 60))
            waiting = rng.random() < 0.1
            accepted = None if waiting else received
            cases.append(
                Case(
                    number=f"BENCH-{i:07d}",
                    item=item,
                    item_name=item.name,
                    handling_type=item.handling_type,
                    department=item.department,
                    channel=Channel.COUNTER,
                    status=CaseStatus.RECEIVED if waiting else CaseStatus.IN_PROGRESS,
                    applicant_kind="person",
                    applicant_name="张小三",
                    applicant_id_type="resident_id",
                    applicant_id_number="620502199001011235",
                    applicant_id_index=id_hash,
                    applicant_mobile="13912341234",
                    applicant_mobile_index=mobile_hash,
                    query_code="BENCH123",
                    received_at=dt.datetime.combine(received, dt.time(10), LOCAL_TZ),
                    received_on=received,
                    review_due_on=calendar.add(received, 5),
                    accepted_on=accepted,
                    limit_days=item.promised_limit,
                    deadline=calendar.add(accepted, item.promised_limit) if accepted else None,
                )
            )
            if not waiting:
                candidates = [
                    u for u in handlers if u.department_id == item.department_id
                ] or handlers
                assignee = rng.choice(candidates) if rng.random() < 0.6 else None
                plans.append((len(cases) - 1, item, assignee, received))
        Case.objects.bulk_create(cases, batch_size=BATCH)
        steps = [
            CaseStep(
                case=cases[position],
                order=1,
                kind=StepKind.LEAD,
                name="承办",
                role=RoleCode.HANDLER,
                department=item.department,
                status=StepStatus.ACTIVE,
                assignee=assignee,
                started_at=cases[position].received_at,
                started_on=received,
                due_on=calendar.add(received, 5),
            )
            for position, item, assignee, received in plans
        ]
        CaseStep.objects.bulk_create(steps, batch_size=BATCH)
        Urging.objects.bulk_create(
            [
                Urging(
                    case=step.case,
                    step=step,
                    urged_user=step.assignee,
                    department=step.department,
                    automatic=True,
                    message="请抓紧办理。",
                    at=step.started_at + dt.timedelta(days=7),
                    on=step.started_on + dt.timedelta(days=7),
                )
                for step in steps
                if step.assignee is not None and rng.random() < 0.05
            ],
            batch_size=BATCH,
        )


def _workbench(handler, clerk) -> None:
    list(selectors.my_todo(handler)[:10])
    list(selectors.department_queue(handler)[:10])
    list(selectors.urgings_received(handler)[:10])
    list(selectors.awaiting_review(clerk)[:10])


def _measure(handler, clerk) -> tuple[float, int]:
    _workbench(handler, clerk)  # warm caches and plans
    times = []
    for _i in range(REPEAT):
        began = time.perf_counter()
        _workbench(handler, clerk)
        times.append(time.perf_counter() - began)
    with CaptureQueriesContext(connection) as captured:
        _workbench(handler, clerk)
    return statistics.median(times), len(captured.captured_queries)


def report() -> None:
    staff = Staff()
    rng = random.Random(7)
    handler = next(u for u in staff.users if u.username == "scjg.handler1")
    clerk = next(u for u in staff.users if u.username == "zwfw.clerk")
    open_before = Case.objects.open().count()
    began = time.monotonic()
    _insert(0, SMALL - open_before, staff, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    small_time, small_queries = _measure(handler, clerk)
    _insert(SMALL, LARGE - SMALL, staff, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    inserted = time.monotonic() - began
    large_time, large_queries = _measure(handler, clerk)
    todo = selectors.my_todo(handler).count()
    queue = selectors.department_queue(handler).count()

    print("c. Workbench data (my to-do, department queue, urgings, awaiting review; 10 each)")
    print(
        f"   (bulk insert of {LARGE:,} open cases: {inserted:.0f} s; user {handler.username}"
        f" has {todo:,} to do and {queue:,} in the queue)"
    )
    print(f"   {'open cases':>10}  {'median ms':>9}  {'queries':>7}")
    print(f"   {SMALL:>10,}  {small_time * 1000:>9.1f}  {small_queries:>7}")
    print(f"   {LARGE:>10,}  {large_time * 1000:>9.1f}  {large_queries:>7}")
    ratio = large_time / small_time if small_time else 0.0
    same = "equal" if small_queries == large_queries else "NOT EQUAL"
    print(f"   time ratio {ratio:.1f}×; query counts {same}")
    print()
