"""a. Full case lifecycles per second: the services beside hand-written SQL of the
same shape (per action: lock the case row, check, update the case and its steps,
append a timeline row, an audit record on the locked chain head, an outbox row)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import time

from django.db import connection, connections

from .common import Lifecycle, lifecycle_context, run_service_lifecycle

DURATION = float(os.environ.get("BENCH_SECONDS", "15"))  # seconds per measurement
_ctx: Lifecycle | None = None  # inherited by the forked workers

RAW_SCHEMA = """
CREATE TABLE IF NOT EXISTS bench_counter (
    year int, dept text, last int NOT NULL DEFAULT 0, PRIMARY KEY (year, dept));
CREATE TABLE IF NOT EXISTS bench_case (
    id bigserial PRIMARY KEY, number text UNIQUE NOT NULL, item_id bigint NOT NULL,
    department_id bigint NOT NULL, status text NOT NULL, applicant_name text NOT NULL,
    form_data jsonb NOT NULL, received_at timestamptz NOT NULL, received_on date NOT NULL,
    accepted_on date, deadline date, next_check_on date, completed_on date,
    closed_at timestamptz, outcome text NOT NULL DEFAULT '', version int NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS bench_case_dept ON bench_case (department_id, status);
CREATE INDEX IF NOT EXISTS bench_case_check ON bench_case (next_check_on);
CREATE INDEX IF NOT EXISTS bench_case_deadline ON bench_case (deadline);
CREATE TABLE IF NOT EXISTS bench_step (
    id bigserial PRIMARY KEY, case_id bigint NOT NULL REFERENCES bench_case (id),
    "order" int NOT NULL, name text NOT NULL, role text NOT NULL, status text NOT NULL,
    assignee_id bigint, started_at timestamptz, due_on date, finished_at timestamptz,
    finished_by bigint, decision text NOT NULL DEFAULT '', opinion text NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS bench_step_case ON bench_step (case_id);
CREATE INDEX IF NOT EXISTS bench_step_assignee ON bench_step (assignee_id, status);
CREATE TABLE IF NOT EXISTS bench_timeline (
    id bigserial PRIMARY KEY, case_id bigint NOT NULL REFERENCES bench_case (id),
    at timestamptz NOT NULL, actor_id bigint, action text NOT NULL, step_id bigint,
    opinion text NOT NULL DEFAULT '', detail jsonb NOT NULL);
CREATE INDEX IF NOT EXISTS bench_timeline_case ON bench_timeline (case_id, at);
CREATE TABLE IF NOT EXISTS bench_audit_head (
    id int PRIMARY KEY, last_seq bigint NOT NULL, last_hash text NOT NULL);
INSERT INTO bench_audit_head VALUES (1, 0, '') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS bench_audit (
    seq bigint PRIMARY KEY, at timestamptz NOT NULL, actor_id bigint, action text NOT NULL,
    object_id text NOT NULL, before jsonb, after jsonb, prev_hash text NOT NULL,
    hash text NOT NULL);
CREATE TABLE IF NOT EXISTS bench_outbox (
    id bigserial PRIMARY KEY, channel text NOT NULL, template text NOT NULL,
    recipient_id bigint, address text NOT NULL, body text NOT NULL, case_id bigint,
    status text NOT NULL, created_at timestamptz NOT NULL, next_attempt_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS bench_outbox_due ON bench_outbox (status, next_attempt_at);
"""

STEPS = [
    ("受理", "window_clerk"),
    ("承办", "handler"),
    ("审核", "section_head"),
    ("批准", "department_head"),
    ("办结", "handler"),
]


def _conninfo() -> str:
    s = connection.settings_dict
    return (
        f"host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} dbname={s['NAME']} "
        f"user={s['USER']}" + (f" password={s['PASSWORD']}" if s["PASSWORD"] else "")
    )


def _audit(cur, actor: int | None, action: str, case_id: int, now: dt.datetime, after: dict):
    cur.execute("SELECT last_seq, last_hash FROM bench_audit_head WHERE id = 1 FOR UPDATE")
    seq, prev = cur.fetchone()
    body = json.dumps([seq + 1, now.isoformat(), actor, action, case_id, after], sort_keys=True)
    digest = hashlib.sha256((prev + body).encode()).hexdigest()
    cur.execute(
        "INSERT INTO bench_audit (seq, at, actor_id, action, object_id, before, after,"
        " prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (seq + 1, now, actor, action, str(case_id), "{}", json.dumps(after), prev, digest),
    )
    cur.execute(
        "UPDATE bench_audit_head SET last_seq = %s, last_hash = %s WHERE id = 1",
        (seq + 1, digest),
    )


def _timeline_and_outbox(cur, case_id, actor, action, step_id, now, recipient):
    cur.execute(
        "INSERT INTO bench_timeline (case_id, at, actor_id, action, step_id, opinion, detail)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (case_id, now, actor, action, step_id, "同意。", "{}"),
    )
    cur.execute(
        "INSERT INTO bench_outbox (channel, template, recipient_id, address, body, case_id,"
        " status, created_at, next_attempt_at) VALUES"
        " ('sms', %s, %s, '13900000000', %s, %s, 'pending', %s, %s)",
        (f"case.{action}", recipient, f"Case {case_id}: {action}", case_id, now, now),
    )


def run_raw_lifecycle(conn, ids: dict, day: dt.date) -> None:
    now = dt.datetime.now(dt.UTC)
    with conn.transaction(), conn.cursor() as cur:  # submit
        cur.execute(
            "INSERT INTO bench_counter (year, dept, last) VALUES (%s, %s, 0)"
            " ON CONFLICT DO NOTHING",
            (day.year, "SCJG"),
        )
        cur.execute(
            "UPDATE bench_counter SET last = last + 1 WHERE year = %s AND dept = %s RETURNING last",
            (day.year, "SCJG"),
        )
        (serial,) = cur.fetchone()
        cur.execute(
            "INSERT INTO bench_case (number, item_id, department_id, status, applicant_name,"
            " form_data, received_at, received_on, next_check_on) VALUES"
            " (%s, %s, %s, 'received', %s, %s, %s, %s, %s) RETURNING id",
            (
                f"B-{day.year}-{serial:08d}",
                ids["item"],
                ids["department"],
                "张三",
                json.dumps({"shop_name": "小三面馆"}),
                now,
                day,
                day,
            ),
        )
        (case_id,) = cur.fetchone()
        _timeline_and_outbox(cur, case_id, ids["clerk"], "receive", None, now, None)
        _audit(cur, ids["clerk"], "case.receive", case_id, now, {"status": "received"})
    with conn.transaction(), conn.cursor() as cur:  # accept
        cur.execute("SELECT status FROM bench_case WHERE id = %s FOR UPDATE", (case_id,))
        assert cur.fetchone()[0] == "received"
        cur.executemany(
            'INSERT INTO bench_step (case_id, "order", name, role, status, assignee_id,'
            " started_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    case_id,
                    i,
                    name,
                    role,
                    "done" if i == 0 else "active" if i == 1 else "waiting",
                    ids["clerk"] if i == 0 else None,
                    now if i < 2 else None,
                )
                for i, (name, role) in enumerate(STEPS)
            ],
        )
        cur.execute(
            "UPDATE bench_case SET status = 'in_progress', accepted_on = %s, deadline = %s,"
            " next_check_on = %s, version = version + 1 WHERE id = %s",
            (day, day + dt.timedelta(days=21), day + dt.timedelta(days=14), case_id),
        )
        _timeline_and_outbox(cur, case_id, ids["clerk"], "accept", None, now, None)
        _audit(cur, ids["clerk"], "case.accept", case_id, now, {"status": "in_progress"})
    for index, actor in enumerate(ids["actors"]):  # 承办 审核 批准 办结
        last = index == len(ids["actors"]) - 1
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT status FROM bench_case WHERE id = %s FOR UPDATE", (case_id,))
            assert cur.fetchone()[0] == "in_progress"
            cur.execute(
                'SELECT id, status FROM bench_step WHERE case_id = %s ORDER BY "order", id',
                (case_id,),
            )
            steps = cur.fetchall()
            current = next(i for i, (_id, status) in enumerate(steps) if status == "active")
            cur.execute(
                "UPDATE bench_step SET status = 'done', finished_at = %s, finished_by = %s,"
                " decision = 'agree', opinion = '同意。' WHERE id = %s",
                (now, actor, steps[current][0]),
            )
            if last:
                cur.execute(
                    "UPDATE bench_case SET status = 'completed', completed_on = %s,"
                    " closed_at = %s, outcome = 'approved', next_check_on = NULL,"
                    " version = version + 1 WHERE id = %s",
                    (day, now, case_id),
                )
            else:
                cur.execute(
                    "UPDATE bench_step SET status = 'active', started_at = %s, due_on = %s"
                    " WHERE id = %s",
                    (now, day + dt.timedelta(days=7), steps[current + 1][0]),
                )
                cur.execute(
                    "UPDATE bench_case SET version = version + 1, next_check_on = %s WHERE id = %s",
                    (day + dt.timedelta(days=7), case_id),
                )
            action = "complete" if last else "advance"
            _timeline_and_outbox(cur, case_id, actor, action, steps[current][0], now, actor)
            _audit(cur, actor, f"case.{action}", case_id, now, {"step": current})


def _ids(ctx: Lifecycle) -> dict:
    return {
        "item": ctx.item.pk,
        "department": ctx.item.department_id,
        "clerk": ctx.clerk.pk,
        "actors": [a.pk for a in ctx.actors],
    }


def _worker(kind: str) -> tuple[int, float]:
    """Run lifecycles for DURATION seconds on this process's own connection."""
    import psycopg

    ctx = _ctx
    day = dt.date.today()
    count, began = 0, time.monotonic()
    if kind == "services":
        while time.monotonic() - began < DURATION:
            run_service_lifecycle(ctx, day)
            count += 1
        connections.close_all()
    else:
        ids = _ids(ctx)
        with psycopg.connect(_conninfo()) as conn:
            while time.monotonic() - began < DURATION:
                run_raw_lifecycle(conn, ids, day)
                count += 1
    return count, time.monotonic() - began


def _measure(kind: str, processes: int) -> float:
    connections.close_all()  # every forked worker opens its own connection
    pool = multiprocessing.get_context("fork").Pool(processes)
    try:
        results = pool.map(_worker, [kind] * processes)
    finally:
        pool.close()
        pool.join()
    return sum(c for c, _s in results) / max(s for _c, s in results)


def report() -> None:
    global _ctx
    import psycopg

    _ctx = lifecycle_context()
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        conn.execute(RAW_SCHEMA)
    # Warm up both paths (caches, the calendar, prepared plans) outside the timing.
    run_service_lifecycle(_ctx, dt.date.today())
    with psycopg.connect(_conninfo()) as conn:
        run_raw_lifecycle(conn, _ids(_ctx), dt.date.today())

    print("a. Full lifecycles per second (submit, accept, 承办, 审核, 批准, 办结)")
    print(f"   item {_ctx.item.code} {_ctx.item.name}; {DURATION:.0f} s per measurement")
    print(
        f"   {'processes':>9}  {'services/s':>10}  {'raw SQL/s':>10}  {'ratio':>6}  target ≥ 0.50"
    )
    for processes in (1, 2):
        services_rate = _measure("services", processes)
        raw_rate = _measure("raw", processes)
        ratio = services_rate / raw_rate if raw_rate else 0.0
        verdict = "ok" if ratio >= 0.5 else "BELOW TARGET"
        print(
            f"   {processes:>9}  {services_rate:>10.1f}  {raw_rate:>10.1f}"
            f"  {ratio:>6.2f}  {verdict}"
        )
    print()
