"""The background worker: a job queued by the web side is run by a separate
``tongban run_huey`` process through the configured queue (Redis when ``REDIS_URL``
is set, as in CI; the embedded SQLite queue otherwise)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from huey import RedisHuey, SqliteHuey

from tongban.audit.models import AuditCheckpoint
from tongban.audit.services import record_event

TONGBAN = str(Path(sys.executable).with_name("tongban"))


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def _queue(name: str):
    if settings.REDIS_URL:
        return RedisHuey(name, url=settings.REDIS_URL)
    return SqliteHuey(name, filename=settings.HUEY["filename"])


@pytest.mark.django_db(transaction=True)
def test_it_runs_a_queued_job_in_the_worker_process():
    from tongban.audit import tasks

    record_event(actor=None, action="test.worker", object_repr="queued job", at=timezone.now())
    name = f"tongban-test-{uuid.uuid4().hex[:8]}"
    queue = _queue(name)
    queue._registry.register(tasks.checkpoint_audit_chain.task_class)
    queue.enqueue(tasks.checkpoint_audit_chain.s())

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TONGBAN_TEST"))}
    env.update(
        DATABASE_URL=_database_url(),
        TONGBAN_HUEY_NAME=name,
        TONGBAN_TESTING="0",
        TONGBAN_VAR_DIR=str(settings.VAR_DIR),
    )
    worker = subprocess.Popen(
        [TONGBAN, "run_huey", "--workers", "1", "--no-periodic"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not AuditCheckpoint.objects.exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                os.killpg(worker.pid, signal.SIGTERM)  # its output ends when it does
                output = worker.communicate(timeout=30)[0]
                pytest.fail(f"the worker did not run the job:\n{output}")
            time.sleep(0.2)
    finally:
        with contextlib.suppress(ProcessLookupError):  # already stopped on a failure
            os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        queue.flush()
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.seq >= 1
