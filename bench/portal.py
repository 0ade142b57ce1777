"""f. The public progress query (办件查询) served by gunicorn — DEBUG off, persistent
database connections, the full middleware — under a bounded loopback load, beside a
plain primary-key lookup view on the same server in the same run.

Targets: requests per second of the query ≥ 0.6 × the pk lookup's, p99 ≤ 2 × its
p99, at most 2 SQL queries per query. The load alternates between the two views in
rounds so that both see the same machine; the rate limit is off for the run.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongban.accounts.roles import RoleCode
from tongban.cases.models import Case, CaseStatus, CaseStep, Channel, StepKind, StepStatus
from tongban.cases.simulation import Staff, usable_items
from tongban.core.clock import LOCAL_TZ
from tongban.core.crypto import provider
from tongban.workcalendar.calendar import get_calendar

CASES = int(os.environ.get("BENCH_PORTAL_CASES", "10000"))
THREADS = int(os.environ.get("BENCH_PORTAL_THREADS", "4"))
WORKERS = int(os.environ.get("BENCH_PORTAL_WORKERS", "2"))
ROUND_SECONDS = float(os.environ.get("BENCH_PORTAL_SECONDS", "4"))
ROUNDS = 3
BATCH = 2_000
STEP_NAMES = ["承办", "审核", "批准", "办结"]
ROOT = Path(__file__).resolve().parent.parent


def _insert(count: int) -> list[tuple[int, str]]:
    """Bulk-insert accepted cases with four steps each (only the shape of the data
    matters here); returns (pk, number) of every case."""
    staff = Staff()
    profiles = usable_items(staff)
    calendar = get_calendar()
    index = provider().blind_index
    id_hash, mobile_hash = index("620502199001011235"), index("13912341234")
    rng = random.Random(11)
    today = dt.date.today()
    for offset in range(0, count, BATCH):
        cases = []
        for i in range(offset, min(offset + BATCH, count)):
            item = rng.choice(profiles).item
            received = today - dt.timedelta(days=rng.randint(0, 60))
            cases.append(
                Case(
                    number=f"BENCH-P-{i:07d}",
                    item=item,
                    item_name=item.name,
                    handling_type=item.handling_type,
                    department=item.department,
                    channel=Channel.ONLINE,
                    status=CaseStatus.IN_PROGRESS,
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
                    accepted_on=received,
                    limit_days=item.promised_limit,
                    deadline=calendar.add(received, item.promised_limit),
                )
            )
        Case.objects.bulk_create(cases, batch_size=BATCH)
        steps = []
        for case in cases:
            active = rng.randint(0, 3)
            for order, name in enumerate(STEP_NAMES):
                done = order < active
                steps.append(
                    CaseStep(
                        case=case,
                        order=order + 1,
                        kind=StepKind.LEAD,
                        name=name,
                        role=RoleCode.HANDLER,
                        department=case.department,
                        status=StepStatus.DONE
                        if done
                        else StepStatus.ACTIVE
                        if order == active
                        else StepStatus.WAITING,
                        started_on=case.received_on if order <= active else None,
                        finished_on=case.received_on if done else None,
                    )
                )
        CaseStep.objects.bulk_create(steps, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return list(Case.objects.filter(number__startswith="BENCH-P-").values_list("pk", "number"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(port: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        {
            "TONGBAN_BENCH_VIEWS": "1",
            "TONGBAN_PROGRESS_RATE_LIMIT": "0",  # the bench is one address
            "TONGBAN_DEBUG": "0",
            "DATABASE_CONN_MAX_AGE": "600",
            "ALLOWED_HOSTS": "127.0.0.1",
            "TONGBAN_LOG_LEVEL": "WARNING",
        }
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "tongban.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "gthread",
            "--threads",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/portal/progress/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    _stop_server(server)
    raise SystemExit("gunicorn did not start within 30 s")


def _stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def _csrf(port: int) -> tuple[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/portal/progress/")
    response = conn.getresponse()
    body = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    return cookie, token


def _load(port: int, make_request, seconds: float) -> list[float]:
    """THREADS clients, each on one keep-alive connection, for ``seconds``; the
    latency of every request. Each must answer 200 with the text ``make_request``
    expects (a progress query that found nothing would be a cheaper, wrong answer);
    the first failure stops the run (raised here, not lost in its thread)."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        try:
            while time.monotonic() < stop_at and not failures:
                method, path, body, headers, expected = make_request(rng)
                began = time.perf_counter()
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                mine.append(time.perf_counter() - began)
                if response.status != 200 or expected not in content:
                    raise AssertionError(f"{method} {path}: HTTP {response.status}")
        except Exception as exc:  # reported by the main thread
            with lock:
                failures.append(str(exc))
        finally:
            conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"The load failed: {failures[0]}")
    return latencies


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def _queries_per_query(number: str) -> int:
    settings.TONGBAN_PROGRESS_RATE_LIMIT = 0
    client = Client(HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/portal/progress/", {"number": number, "verifier": "1234"})
    assert response.status_code == 200 and "139****1234" in response.text
    return len(captured.captured_queries)


def report() -> None:
    began = time.monotonic()
    cases = _insert(CASES)
    inserted = time.monotonic() - began
    queries = _queries_per_query(cases[0][1])
    port = _free_port()
    server = _start_server(port)
    try:
        cookie, token = _csrf(port)

        def progress_request(rng):
            _pk, number = rng.choice(cases)
            body = urlencode({"csrfmiddlewaretoken": token, "number": number, "verifier": "1234"})
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
                "Host": "127.0.0.1",
            }
            return "POST", "/portal/progress/", body, headers, b"139****1234"

        def pk_request(rng):
            pk, _number = rng.choice(cases)
            return "GET", f"/portal/progress/bench/{pk}/", None, {"Host": "127.0.0.1"}, b"BENCH-P-"

        _load(port, progress_request, 1)  # warm up every worker and connection
        _load(port, pk_request, 1)
        progress_lat: list[float] = []
        pk_lat: list[float] = []
        progress_time = pk_time = 0.0
        for _round in range(ROUNDS):
            progress_lat += _load(port, progress_request, ROUND_SECONDS)
            progress_time += ROUND_SECONDS
            pk_lat += _load(port, pk_request, ROUND_SECONDS)
            pk_time += ROUND_SECONDS
    finally:
        _stop_server(server)

    progress_rps, pk_rps = len(progress_lat) / progress_time, len(pk_lat) / pk_time
    rps_ratio = progress_rps / pk_rps
    p99_ratio = _p99(progress_lat) / _p99(pk_lat)
    print("f. Progress query on gunicorn vs a plain pk lookup (same server, same run)")
    print(
        f"   ({CASES:,} cases with 4 steps inserted in {inserted:.0f} s; gunicorn "
        f"{WORKERS} workers × 2 threads; {THREADS} keep-alive clients; "
        f"{ROUNDS} × {ROUND_SECONDS:.0f} s per view)"
    )
    print(f"   {'view':<16} {'req/s':>8} {'median ms':>10} {'p99 ms':>8}")
    for name, lat, rps in (
        ("progress query", progress_lat, progress_rps),
        ("pk lookup", pk_lat, pk_rps),
    ):
        print(
            f"   {name:<16} {rps:>8.0f} {statistics.median(lat) * 1000:>10.1f}"
            f" {_p99(lat) * 1000:>8.1f}"
        )
    ok = rps_ratio >= 0.6 and p99_ratio <= 2 and queries <= 2
    print(
        f"   req/s ratio {rps_ratio:.2f} (target ≥ 0.6); p99 ratio {p99_ratio:.2f} "
        f"(target ≤ 2); {queries} SQL queries per query (target ≤ 2) — "
        f"{'met' if ok else 'NOT MET'}"
    )
    print()
