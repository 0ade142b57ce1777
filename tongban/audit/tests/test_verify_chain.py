"""``verify_chain`` finds every kind of tampering and names the first bad record."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from tongban.audit.models import AuditCheckpoint, AuditRecord
from tongban.audit.services import record_event, write_checkpoint
from tongban.audit.verify import verify_chain

from .conftest import BUSINESS_COLUMNS, write_records


def test_it_accepts_an_untouched_chain(db):
    records = write_records(12)
    write_checkpoint(at=timezone.now())

    result = verify_chain()

    assert result.ok, result.summary()
    assert result.last_seq == records[-1].seq
    assert result.head_hash == records[-1].hash
    assert result.summary() == f"OK: {result.records} records, head {records[-1].hash}"
    assert result.checkpoints >= 1


def test_it_reads_back_local_times_and_ipv6_addresses_unchanged(db):
    # Values the database normalises (UTC instants, compressed IPv6) must hash the same.
    record_event(
        actor=None,
        action="login.failure",
        actor_name="张三",
        ip="2001:0DB8:0000:0000:0000:0000:0000:0001",
        at=dt.datetime(2026, 5, 1, 8, 30, 15, 123456, tzinfo=ZoneInfo("Asia/Shanghai")),
        after={"when": dt.date(2026, 5, 1), "attempts": 3},
    )
    record_event(actor=None, action="login.failure", ip="::ffff:10.1.2.3", at=timezone.now())

    assert verify_chain().ok


def test_it_names_a_record_edited_in_place_as_altered(tamper):
    records = write_records(8)
    target = records[3].seq

    tamper.update(target, object_repr="TS-2026-0000")

    result = verify_chain()
    assert (result.kind, result.seq) == ("altered", target)
    assert result.summary().startswith(f"FAIL: record #{target} altered")


def test_it_names_an_edited_record_even_with_a_recomputed_hash(tamper):
    records = write_records(8)
    target = records[3].seq

    tamper.update(target, after='{"status": "rejected"}')
    tamper.rehash(target)

    result = verify_chain()
    assert (result.kind, result.seq) == ("altered", target)


def test_it_reports_a_deleted_middle_record_as_removed_there(tamper):
    records = write_records(8)
    target = records[4].seq

    tamper.delete(target)

    result = verify_chain()
    assert (result.kind, result.seq) == ("removed", target)
    assert f"#{target}" in result.detail


def test_it_reports_a_deletion_hidden_by_renumbering(tamper):
    records = write_records(8)
    target = records[4].seq

    tamper.delete(target)
    tamper.renumber(from_seq=target + 1, by=-1)

    result = verify_chain()
    assert (result.kind, result.seq) == ("removed", target)


def test_it_reports_a_forged_record_slipped_in_by_renumbering(tamper):
    records = write_records(8)
    target = records[4].seq

    tamper.renumber(from_seq=target, by=1)
    tamper.forge(target, prev_hash=records[3].hash, consistent=True)

    result = verify_chain()
    assert (result.kind, result.seq) == ("inserted", target)


def test_it_reports_a_forged_record_without_a_valid_hash_as_inserted(tamper):
    records = write_records(8)
    target = records[4].seq

    tamper.renumber(from_seq=target, by=1)
    tamper.forge(target, prev_hash=records[3].hash, consistent=False)

    result = verify_chain()
    assert (result.kind, result.seq) == ("inserted", target)


def test_it_reports_a_forged_record_with_a_fresh_number_after_a_gap(tamper):
    records = write_records(5)
    fresh = records[-1].seq + 3

    tamper.forge(fresh, prev_hash=records[-1].hash)

    result = verify_chain()
    assert (result.kind, result.seq) == ("inserted", fresh)


def test_it_reports_a_record_appended_behind_the_writers_back(tamper):
    records = write_records(5)
    forged = records[-1].seq + 1

    tamper.forge(forged, prev_hash=records[-1].hash)

    result = verify_chain()
    assert (result.kind, result.seq) == ("inserted", forged)


def test_it_reports_two_exchanged_rows_as_reordered(tamper):
    records = write_records(8)
    a, b = records[2].seq, records[3].seq

    tamper.swap(a, b, [*BUSINESS_COLUMNS, "prev_hash", "hash"])

    result = verify_chain()
    assert (result.kind, result.seq) == ("reordered", a)


def test_it_reports_two_exchanged_contents_as_reordered(tamper):
    records = write_records(8)
    a, b = records[2].seq, records[3].seq

    tamper.swap(a, b, BUSINESS_COLUMNS)

    result = verify_chain()
    assert (result.kind, result.seq) == ("reordered", a)


def test_it_reports_rows_moved_further_apart(tamper):
    records = write_records(10)
    a, b = records[2].seq, records[7].seq

    tamper.swap(a, b, [*BUSINESS_COLUMNS, "prev_hash", "hash"])

    result = verify_chain()
    assert (result.kind, result.seq) == ("reordered", a)


def test_it_reports_a_cut_tail_after_a_checkpoint(tamper):
    records = write_records(10)
    write_checkpoint(at=timezone.now())
    first_cut = records[7].seq

    tamper.delete(*(r.seq for r in records[7:]))
    # The attacker also winds the chain head back, so only the checkpoint tells.
    tamper.sql(
        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s",
        [records[6].seq, records[6].hash],
    )

    result = verify_chain()
    assert (result.kind, result.seq) == ("cut_tail", first_cut)
    assert f"#{records[-1].seq}" in result.detail


def test_it_reports_a_cut_tail_from_the_chain_head(tamper):
    records = write_records(6)

    tamper.delete(records[-1].seq)

    result = verify_chain()
    assert (result.kind, result.seq) == ("cut_tail", records[-1].seq)


def test_it_reports_a_forged_checkpoint_signature(tamper):
    write_records(6)
    checkpoint = write_checkpoint(at=timezone.now())

    tamper.sql(
        "UPDATE audit_auditcheckpoint SET hash = %s WHERE id = %s", ["a" * 64, checkpoint.pk]
    )

    result = verify_chain()
    assert (result.kind, result.seq) == ("bad_checkpoint_signature", checkpoint.seq)


def test_it_catches_a_consistently_rewritten_chain_at_the_checkpoint(tamper):
    records = write_records(10)
    checkpoint = write_checkpoint(at=timezone.now())

    # Edit record 4 and recompute every hash after it: the links all agree again.
    tamper.update(records[4].seq, object_repr="TS-2026-0000")
    prev_hash = records[3].hash
    for record in records[4:]:
        prev_hash = tamper.rehash(record.seq, prev_hash=prev_hash)
    tamper.sql(
        "UPDATE audit_auditchainhead SET last_hash = %s WHERE last_seq = %s",
        [prev_hash, checkpoint.seq],
    )

    result = verify_chain()
    assert (result.kind, result.seq) == ("rewritten", checkpoint.seq)
    assert AuditCheckpoint.objects.filter(seq=checkpoint.seq).exists()


def test_it_reports_only_the_first_problem(tamper):
    records = write_records(10)

    tamper.update(records[2].seq, actor_name="nobody")
    tamper.delete(records[6].seq)

    result = verify_chain()
    assert (result.kind, result.seq) == ("altered", records[2].seq)
    assert AuditRecord.objects.count() >= 9


def test_it_reads_the_log_in_chunks(db):
    write_records(25)

    assert verify_chain(chunk_size=4).ok
