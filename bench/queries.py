"""b. SQL statements per workflow step (承办 → 审核), for a fresh case and for a case
with a long history (50 return/advance cycles): the write path should cost the same
few statements however long the history is."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases import services
from tongban.cases.models import CaseStep, Decision, StepStatus

from .common import active_step_id, advance, at, lifecycle_context, submit_and_accept

CYCLES = 50
TARGET = 8


def _measure_advance(ctx, case, when) -> CaptureQueriesContext:
    step_id = active_step_id(case)
    with CaptureQueriesContext(connection) as captured:
        services.advance_step(
            actor=ctx.actors[0],
            case=case,
            step_id=step_id,
            decision=Decision.AGREE,
            opinion="同意。",
            at=when,
        )
    return captured


def report() -> None:
    ctx = lifecycle_context()
    day = dt.date.today()
    fresh = submit_and_accept(ctx, at(day))
    step_id = active_step_id(fresh)
    if CaseStep.objects.get(pk=step_id).assignee_id is None:
        services.claim_step(actor=ctx.actors[0], case=fresh, step_id=step_id, at=at(day, 1))
    fresh_queries = _measure_advance(ctx, fresh, at(day, 2))

    long = submit_and_accept(ctx, at(day))
    minute = 0
    for _cycle in range(CYCLES):
        minute += 2
        advance(ctx, long, 0, at(day, minute))  # 承办 agrees
        target = (
            CaseStep.objects.filter(case=long, status=StepStatus.DONE, order=1)
            .order_by("-id")
            .values_list("pk", flat=True)
            .first()
        )
        services.advance_step(  # 审核 returns it to 承办
            actor=ctx.actors[1],
            case=long,
            step_id=active_step_id(long),
            decision=Decision.RETURN,
            opinion="请补充核查。",
            return_to=target,
            at=at(day, minute + 1),
        )
    long_queries = _measure_advance(ctx, long, at(day, minute + 2))
    history = long.timeline.count()

    def count(captured) -> int:
        # BEGIN and COMMIT are the transaction's frame, not the step's work.
        return sum(
            1
            for q in captured.captured_queries
            if q["sql"].strip().upper() not in ("BEGIN", "COMMIT")
        )

    n_fresh, n_long = count(fresh_queries), count(long_queries)
    print("b. SQL statements for one step (承办 agrees, 审核 starts), BEGIN/COMMIT not counted")
    print(f"   fresh case:                          {n_fresh:>3}   target ≤ {TARGET}")
    print(f"   case with {history:>4} timeline events:    {n_long:>3}   target: the same")
    verdicts = [
        "within target" if max(n_fresh, n_long) <= TARGET else "ABOVE TARGET",
        "equal" if n_fresh == n_long else "NOT EQUAL",
    ]
    print(f"   {', '.join(verdicts)}")
    print("   The statements of the fresh case's step:")
    for number, query in enumerate(fresh_queries.captured_queries, start=1):
        sql = " ".join(query["sql"].split())
        print(f"   {number:>3}. {sql[:400]}{' …' if len(sql) > 400 else ''}")
    print()
