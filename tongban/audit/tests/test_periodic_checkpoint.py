"""The worker signs the end of the chain periodically."""

from __future__ import annotations

from tongban.audit.models import AuditCheckpoint, CheckpointKind
from tongban.audit.tasks import checkpoint_audit_chain

from .conftest import write_records


def test_it_signs_the_end_of_the_chain_once(db):
    records = write_records(3)

    checkpoint_audit_chain.call_local()
    checkpoint_audit_chain.call_local()

    checkpoints = AuditCheckpoint.objects.filter(kind=CheckpointKind.CHECKPOINT)
    assert [(c.seq, c.hash) for c in checkpoints] == [(records[-1].seq, records[-1].hash)]


def test_it_signs_every_n_records_inside_the_writing_transaction(db, settings):
    settings.TONGBAN_AUDIT_CHECKPOINT_EVERY = 2
    records = write_records(5)

    seqs = sorted(AuditCheckpoint.objects.values_list("seq", flat=True))

    assert seqs == [r.seq for r in records if r.seq % 2 == 0]
