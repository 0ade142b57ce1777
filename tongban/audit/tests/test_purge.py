"""The purge keeps at least the retention period, removes only a verified prefix, and
leaves a chain that still verifies from a signed purge anchor."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.audit.models import AuditCheckpoint, AuditRecord, CheckpointKind
from tongban.audit.services import purge_audit_log
from tongban.audit.verify import verify_chain
from tongban.core.errors import ActionNotAllowed, PermissionDenied, ValidationFailed

from .conftest import write_records

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
YOUNG = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def test_it_refuses_records_younger_than_the_retention_period(db, settings):
    settings.TONGBAN_AUDIT_RETENTION_DAYS = 180
    write_records(3)

    with pytest.raises(ValidationFailed) as caught:
        purge_audit_log(actor=None, before=dt.date(2026, 6, 5), at=NOW)

    assert "180" in str(caught.value.message)
    assert "2026-06-04" in str(caught.value.message)
    assert caught.value.fields["before"]
    assert AuditRecord.objects.count() == 3


def test_it_lets_no_administrator_purge(personas):
    for user in (personas.system_admin, personas.security_admin, personas.audit_admin):
        with pytest.raises(PermissionDenied):
            purge_audit_log(actor=user, before=dt.date(2026, 1, 1), at=NOW)


def test_it_purges_the_old_prefix_and_the_chain_still_verifies(db):
    old = write_records(6)
    young = write_records(3, start=YOUNG)

    result = purge_audit_log(actor=None, before=dt.date(2026, 6, 1), operator="cli:ops", at=NOW)

    assert (result.deleted, result.first_seq, result.last_seq) == (6, old[0].seq, old[-1].seq)
    assert not AuditRecord.objects.filter(seq__lte=old[-1].seq).exists()
    anchor = AuditCheckpoint.objects.get(kind=CheckpointKind.PURGE)
    assert (anchor.seq, anchor.hash) == (old[-1].seq, old[-1].hash)
    purge = AuditRecord.objects.get(action="audit.purge")
    assert purge.actor_name == "cli:ops"
    assert purge.after["deleted"] == 6
    verified = verify_chain()
    assert verified.ok, verified.summary()
    assert verified.first_seq == young[0].seq
    assert verified.records == 4  # three young records and the purge's own


def test_it_stops_at_the_first_young_record(db):
    old = write_records(3)
    write_records(1, start=YOUNG)
    write_records(2)  # old dates again, but after a young record

    result = purge_audit_log(actor=None, before=dt.date(2026, 6, 1), at=NOW)

    assert result.last_seq == old[-1].seq
    assert AuditRecord.objects.filter(at__lt=YOUNG).count() == 2
    assert verify_chain().ok


def test_it_does_nothing_when_nothing_is_old_enough(db):
    write_records(2, start=YOUNG)

    result = purge_audit_log(actor=None, before=dt.date(2026, 6, 1), at=NOW)

    assert result.deleted == 0
    assert AuditRecord.objects.count() == 2


def test_it_still_detects_records_deleted_after_a_purge(tamper):
    write_records(4)
    young = write_records(4, start=YOUNG)
    purge_audit_log(actor=None, before=dt.date(2026, 6, 1), at=NOW)

    tamper.delete(young[0].seq)

    result = verify_chain()
    assert (result.kind, result.seq) == ("removed", young[0].seq)


def test_it_detects_a_forged_purge_anchor(tamper):
    old = write_records(4)
    write_records(2, start=YOUNG)
    purge_audit_log(actor=None, before=dt.date(2026, 6, 1), at=NOW)

    # Pretend more was purged: move the anchor forward and delete the records.
    tamper.delete(old[-1].seq + 1)
    tamper.sql("UPDATE audit_auditcheckpoint SET seq = seq + 1 WHERE kind = 'purge'")

    result = verify_chain()
    assert (result.kind, result.seq) == ("bad_checkpoint_signature", old[-1].seq + 1)


def test_it_refuses_to_purge_a_tampered_prefix(tamper):
    old = write_records(4)
    write_records(2, start=YOUNG)
    tamper.update(old[1].seq, actor_name="nobody")

    with pytest.raises(ActionNotAllowed) as caught:
        purge_audit_log(actor=None, before=dt.date(2026, 6, 1), at=NOW)

    assert f"#{old[1].seq} altered" in str(caught.value.message)
    assert AuditRecord.objects.filter(seq=old[0].seq).exists()
