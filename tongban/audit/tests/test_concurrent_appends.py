"""Records written at the same time by separate transactions keep one valid chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tongban.audit.models import AuditRecord
from tongban.audit.services import record_event
from tongban.audit.verify import verify_chain

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises all writers; real concurrency needs PostgreSQL",
)

THREADS = 4
PER_THREAD = 15


@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_valid_chain_under_concurrent_writers():
    record_event(actor=None, action="test.start", at=timezone.now())  # creates the chain head
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(PER_THREAD):
                with transaction.atomic():
                    record_event(
                        actor=None, action="test.write", object_id=f"{n}-{i}", at=timezone.now()
                    )
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, THREADS * PER_THREAD + 2))
    result = verify_chain()
    assert result.ok, result.summary()
    assert result.records == THREADS * PER_THREAD + 1
