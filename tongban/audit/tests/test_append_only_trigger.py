"""On PostgreSQL the database itself refuses changes to the audit log."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tongban.audit.services import write_checkpoint
from tongban.audit.verify import verify_chain

from .conftest import write_records

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists only on PostgreSQL; on SQLite the hash chain "
    "is the only protection",
)


def _refused(statement: str, params=()) -> str:
    with (
        pytest.raises(DatabaseError) as caught,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)
    return str(caught.value)


def test_it_refuses_a_plain_update(db):
    record = write_records(3)[1]

    message = _refused(
        "UPDATE audit_auditrecord SET object_repr = 'x' WHERE seq = %s", [record.seq]
    )

    assert "append-only" in message
    record.refresh_from_db()
    assert record.object_repr == "TS-2026-1001"
    assert verify_chain().ok


def test_it_refuses_a_plain_delete(db):
    record = write_records(3)[1]

    message = _refused("DELETE FROM audit_auditrecord WHERE seq = %s", [record.seq])

    assert "append-only" in message
    assert verify_chain().ok


def test_it_refuses_to_change_or_delete_a_checkpoint(db):
    write_records(2)
    checkpoint = write_checkpoint(at=timezone.now())

    assert "append-only" in _refused(
        "UPDATE audit_auditcheckpoint SET hash = 'x' WHERE id = %s", [checkpoint.pk]
    )
    assert "append-only" in _refused(
        "DELETE FROM audit_auditcheckpoint WHERE id = %s", [checkpoint.pk]
    )


def test_it_refuses_truncate(db):
    write_records(2)

    with (
        pytest.raises(DatabaseError) as caught,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Test databases allow TRUNCATE so the runner can empty them; production
        # databases never set this.
        cursor.execute("SET LOCAL tongban.audit_allow_truncate = 'off'")
        cursor.execute("TRUNCATE audit_auditrecord")

    assert "TRUNCATE" in str(caught.value)
    assert verify_chain().records >= 2


def test_it_lets_a_delete_through_only_with_the_purge_setting(db):
    record = write_records(3)[0]

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL tongban.audit_purge = 'on'")
        cursor.execute("DELETE FROM audit_auditrecord WHERE seq = %s", [record.seq])
        cursor.execute("SELECT count(*) FROM audit_auditrecord WHERE seq = %s", [record.seq])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SET LOCAL tongban.audit_purge = 'off'")
        transaction.set_rollback(True)
