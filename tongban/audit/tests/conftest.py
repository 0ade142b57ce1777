"""Fixtures for the audit tests: writing a chain, and tampering with it the way an
attacker with database access would (raw SQL, triggers disabled on PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tongban.audit.chain import record_hash
from tongban.audit.models import AuditRecord
from tongban.audit.services import record_event

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def write_records(count: int, *, start: dt.datetime = START, action: str = "case.accept"):
    """``count`` records through the real writer, one minute apart."""
    return [
        record_event(
            actor=None,
            actor_name=f"clerk{i}",
            action=action,
            object_type="cases.case",
            object_id=str(1000 + i),
            object_repr=f"TS-2026-{1000 + i}",
            before={"status": "submitted"},
            after={"status": "accepted", "n": i},
            ip="10.0.0.7",
            at=start + dt.timedelta(minutes=i),
        )
        for i in range(count)
    ]


class Tamper:
    """Raw SQL on the audit tables, as someone with database rights would do it."""

    def __init__(self):
        if connection.vendor == "postgresql":
            # An attacker with DDL rights switches the append-only triggers off first.
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER USER")
                cursor.execute("ALTER TABLE audit_auditcheckpoint DISABLE TRIGGER USER")

    def sql(self, statement: str, params=()):
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    def update(self, seq: int, **columns):
        assignments = ", ".join(f"{name} = %s" for name in columns)
        self.sql(
            f"UPDATE audit_auditrecord SET {assignments} WHERE seq = %s",  # noqa: S608
            [*columns.values(), seq],
        )

    def delete(self, *seqs: int):
        for seq in seqs:
            self.sql("DELETE FROM audit_auditrecord WHERE seq = %s", [seq])

    def renumber(self, *, from_seq: int, by: int):
        """Shift every record from ``from_seq`` on by ``by`` (through a temporary range,
        so the unique index never sees two equal numbers)."""
        offset = 10**12
        self.sql("UPDATE audit_auditrecord SET seq = seq + %s WHERE seq >= %s", [offset, from_seq])
        self.sql(
            "UPDATE audit_auditrecord SET seq = seq - %s + %s WHERE seq >= %s",
            [offset, by, offset],
        )

    def rehash(self, seq: int, prev_hash: str | None = None) -> str:
        """Recompute a record's hash after editing it (SM3/SHA-256 need no key)."""
        record = AuditRecord.objects.get(seq=seq)
        if prev_hash is not None:
            record.prev_hash = prev_hash
        new = record_hash(record.prev_hash, record)
        self.update(seq, prev_hash=record.prev_hash, hash=new)
        return new

    def swap(self, a: int, b: int, columns: list[str]):
        """Exchange the given columns of records ``a`` and ``b``, numbers kept."""
        rows = {
            r["seq"]: r for r in AuditRecord.objects.filter(seq__in=[a, b]).values("seq", *columns)
        }
        self.update(a, **{c: _db_value(rows[b][c]) for c in columns})
        self.update(b, **{c: _db_value(rows[a][c]) for c in columns})

    def forge(self, seq: int, *, prev_hash: str, consistent: bool = True, **fields) -> None:
        """Insert a made-up record; ``consistent``: with a correctly computed hash."""
        record = AuditRecord(
            seq=seq,
            at=fields.pop("at", START),
            actor_name=fields.pop("actor_name", "intruder"),
            action=fields.pop("action", "case.accept"),
            object_repr=fields.pop("object_repr", "TS-2026-9999"),
            prev_hash=prev_hash,
            **fields,
        )
        record.hash = record_hash(prev_hash, record) if consistent else "f" * 64
        AuditRecord.objects.bulk_create([record])


BUSINESS_COLUMNS = [
    "at",
    "actor_id",
    "actor_name",
    "ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "success",
    "message",
    "before",
    "after",
]


def _db_value(value):
    import json

    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


@pytest.fixture
def tamper(db):
    return Tamper()


def admin_client(client, user):
    """The Django test client logged in as ``user``, second factor done."""
    client.force_login(user)
    session = client.session
    try:
        from tongban.accounts.security import SESSION_VERIFIED
    except ImportError:  # before the second-factor work lands
        SESSION_VERIFIED = "tongban_2fa_verified"
    session[SESSION_VERIFIED] = True
    session.save()
    return client
