"""Verification of the audit chain: find the first record that was altered, removed,
inserted or reordered, a cut tail, and forged or rewritten checkpoints.

What each record gives us: its number ``seq`` (dense, 1, 2, 3 … as written), the
``prev_hash`` it was chained to when written, and ``hash`` = H(prev_hash ‖ content),
where the content includes ``seq``. Walking in ``seq`` order with ``prev`` the last
good record (or the start: the genesis hash, or a signed purge anchor), for each
record ``r`` with the next one ``n``:

1. ``r.seq`` skips numbers after ``prev``:
   - ``r`` is intact and chained to ``prev`` → the writer never skips a number, so
     ``r`` was made up with a fresh number: **inserted** at ``r``;
   - otherwise → the records in between are gone: **removed** at the first missing.
2. ``r`` intact (content matches its hash) and chained to ``prev`` → good.
3. ``r`` chained to ``prev`` and ``n`` still chained to ``r``'s stored hash, but the
   content no longer matches → edited in place: **altered** at ``r`` (or
   **reordered** if the content is exactly ``n``'s: two rows exchanged contents).
4. Otherwise ``r`` is not ``prev``'s successor. We find the number ``r`` was written
   with (the ``seq`` at which its content matches its hash, searched near ``r``) and
   the record ``r`` was chained to (the row whose hash is ``r.prev_hash``):
   - content matches nowhere → forged or edited: **inserted** if ``n`` is chained
     straight to ``prev`` (``r`` stands between two records that were adjacent),
     else **altered**;
   - ``r``'s predecessor no longer exists → if ``r`` was written with its current
     number, ``prev`` was rewritten with a recomputed hash (**altered** at ``prev``);
     if ``r`` was renumbered, the record before it was deleted and the rest renumbered
     (**removed** at ``r``);
   - the predecessor stands before ``prev`` → the rows after it were **inserted**;
   - the predecessor stands after ``r`` → rows were moved: **reordered** at ``r``.
5. A checkpoint at ``r.seq`` must carry a valid signature (else
   **bad_checkpoint_signature**) and ``r``'s hash. A different hash means the chain up
   to ``r`` was recomputed consistently (which hash links alone cannot show):
   **altered** at ``r`` if ``n`` is still chained to the signed hash, else
   **rewritten** (somewhere after the previous good checkpoint).
6. After the last record: a validly signed checkpoint beyond it, or a chain head
   (``AuditChainHead``) further on, with no such record → **cut_tail**; records beyond
   the chain head → **inserted** (the writer always moves the head with the record);
   a head whose hash differs from the last record's → **altered**.

Limits (documented in ``docs/audit.md``): records after the newest checkpoint are
protected by the hash links, the chain head and (on PostgreSQL) the trigger only;
someone who can rewrite the tables and the head can forge a consistent tail after the
last checkpoint without the key, which is why checkpoints are written every ten
minutes.

Memory is bounded: records and checkpoints are streamed with ``iterator()``; only
the previous and the next record are held. The look-ups in step 4 run once, at the
failure.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from collections.abc import Iterator
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core.crypto import digest_name

from .chain import GENESIS, checkpoint_signature_ok, record_hash
from .models import AuditChainHead, AuditCheckpoint, AuditRecord, CheckpointKind

CHUNK_SIZE = 2000
# How far from its place a moved record is looked for (step 4); a record moved
# further is reported as altered — still at the right place.
SEARCH_WINDOW = 256
# Passes over records appended while verifying, before giving up on catching up.
MAX_PASSES = 5


class ProblemKind(StrEnum):
    ALTERED = "altered"
    REMOVED = "removed"
    INSERTED = "inserted"
    REORDERED = "reordered"
    REWRITTEN = "rewritten"
    CUT_TAIL = "cut_tail"
    BAD_CHECKPOINT_SIGNATURE = "bad_checkpoint_signature"


KIND_LABELS = {
    ProblemKind.ALTERED: gettext_lazy("altered"),
    ProblemKind.REMOVED: gettext_lazy("removed"),
    ProblemKind.INSERTED: gettext_lazy("inserted"),
    ProblemKind.REORDERED: gettext_lazy("reordered"),
    ProblemKind.REWRITTEN: gettext_lazy("rewritten"),
    ProblemKind.CUT_TAIL: gettext_lazy("tail cut off"),
    ProblemKind.BAD_CHECKPOINT_SIGNATURE: gettext_lazy("bad checkpoint signature"),
}


@dataclasses.dataclass(frozen=True)
class VerifyResult:
    """The outcome of one verification. ``kind``/``seq``/``detail`` name the first
    problem found (all None/empty when the chain verifies)."""

    records: int
    checkpoints: int
    first_seq: int | None
    last_seq: int | None
    head_hash: str
    algorithm: str
    kind: str | None = None
    seq: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.kind is None

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[ProblemKind(self.kind)]) if self.kind else ""

    def summary(self) -> str:
        if self.ok:
            return f"OK: {self.records} records, head {self.head_hash}"
        return f"FAIL: record #{self.seq} {self.kind}: {self.detail}"

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["ok"] = self.ok
        return data


@dataclasses.dataclass(frozen=True)
class _Link:
    seq: int
    hash: str
    is_record: bool


class _Problem(Exception):
    def __init__(self, kind: ProblemKind, seq: int, detail: str):
        super().__init__(detail)
        self.kind, self.seq, self.detail = kind, seq, detail


def verify_chain(*, upto: int | None = None, chunk_size: int = CHUNK_SIZE) -> VerifyResult:
    """Walk the whole log (or the records up to ``upto``: then the tail checks are
    skipped) and report the first problem. Read-only; safe while records are
    being appended."""
    return _Verifier(upto=upto, chunk_size=chunk_size).run()


class _Verifier:
    def __init__(self, *, upto: int | None, chunk_size: int):
        self.upto = upto
        self.chunk_size = chunk_size
        self.records = 0
        self.checkpoints = 0
        self.first_seq: int | None = None
        self.prev = _Link(0, GENESIS, is_record=False)
        self.last_good_checkpoint = 0

    def run(self) -> VerifyResult:
        problem = None
        try:
            self._start()
            self._walk()
            if self.upto is None:
                self._check_tail()
        except _Problem as exc:
            problem = exc
        return VerifyResult(
            records=self.records,
            checkpoints=self.checkpoints,
            first_seq=self.first_seq,
            last_seq=self.prev.seq if self.prev.is_record else None,
            head_hash=self.prev.hash,
            algorithm=digest_name(),
            kind=str(problem.kind) if problem else None,
            seq=problem.seq if problem else None,
            detail=problem.detail if problem else "",
        )

    # --- the start: genesis, or the purge anchor just before the first record ------

    def _start(self) -> None:
        anchors = list(AuditCheckpoint.objects.filter(kind=CheckpointKind.PURGE).order_by("seq"))
        for anchor in anchors:
            self._require_signature(anchor)
        first = AuditRecord.objects.order_by("seq").values_list("seq", flat=True).first()
        if first is None:
            return
        usable = [anchor for anchor in anchors if anchor.seq < first]
        if usable:
            # A purge removed the records up to the anchor; the first remaining record
            # must chain to the hash the anchor signed.
            self.prev = _Link(usable[-1].seq, usable[-1].hash, is_record=False)
            self.last_good_checkpoint = usable[-1].seq

    # --- the walk ---------------------------------------------------------------------

    def _walk(self) -> None:
        records = AuditRecord.objects.filter(seq__gt=self.prev.seq)
        checkpoints = AuditCheckpoint.objects.filter(seq__gt=self.prev.seq)
        if self.upto is not None:
            records = records.filter(seq__lte=self.upto)
            checkpoints = checkpoints.filter(seq__lte=self.upto)
        # Closed explicitly: on PostgreSQL these are server-side cursors, which must
        # not outlive a failure (a later close would hit a finished transaction).
        with (
            contextlib.closing(
                checkpoints.order_by("seq", "kind").iterator(chunk_size=self.chunk_size)
            ) as pending,
            contextlib.closing(
                records.order_by("seq").iterator(chunk_size=self.chunk_size)
            ) as stream,
        ):
            checkpoint = next(pending, None)
            for record, following in _pairs(stream):
                self._check_record(record, following)
                while checkpoint is not None and checkpoint.seq <= record.seq:
                    self._check_checkpoint(checkpoint, record, following)
                    checkpoint = next(pending, None)
                if self.first_seq is None:
                    self.first_seq = record.seq
                self.records += 1
                self.prev = _Link(record.seq, record.hash, is_record=True)

    def _check_record(self, r: AuditRecord, n: AuditRecord | None) -> None:
        prev = self.prev
        intact = record_hash(r.prev_hash, r) == r.hash
        linked = r.prev_hash == prev.hash

        # 1. Numbers skipped.
        if r.seq != prev.seq + 1:
            first_missing, last_missing = prev.seq + 1, r.seq - 1
            if intact and linked:
                raise _Problem(
                    ProblemKind.INSERTED,
                    r.seq,
                    _(
                        "record #%(seq)s is chained to %(prev)s, yet the numbers %(gap)s "
                        "between them were never written: it was made up with a fresh number"
                    )
                    % {
                        "seq": r.seq,
                        "prev": self._name(prev),
                        "gap": _numbers(first_missing, last_missing),
                    },
                )
            raise _Problem(
                ProblemKind.REMOVED,
                first_missing,
                _("missing: %(records)s (the log goes from %(prev)s to #%(seq)s)")
                % {
                    "records": _records(first_missing, last_missing),
                    "prev": self._name(prev),
                    "seq": r.seq,
                },
            )

        # 2. Good.
        if intact and linked:
            return

        # 3. Edited in place: both neighbours still hold the hash it was written with.
        if linked and (n is None or n.prev_hash == r.hash):
            if n is not None and _content_matches(r, n):
                raise _Problem(
                    ProblemKind.REORDERED,
                    r.seq,
                    _("record #%(seq)s holds the content of #%(other)s: the two were exchanged")
                    % {"seq": r.seq, "other": n.seq},
                )
            raise _Problem(
                ProblemKind.ALTERED,
                r.seq,
                _("the content of record #%(seq)s no longer matches its hash") % {"seq": r.seq},
            )

        # 4. Not prev's successor.
        origin = r.seq if intact else _original_seq(r)
        if origin is None:
            if n is not None and n.prev_hash == prev.hash:
                raise _Problem(
                    ProblemKind.INSERTED,
                    r.seq,
                    _(
                        "record #%(next)s is chained directly to %(prev)s: #%(seq)s was "
                        "inserted between them"
                    )
                    % {"next": n.seq, "prev": self._name(prev), "seq": r.seq},
                )
            raise _Problem(
                ProblemKind.ALTERED,
                r.seq,
                _("record #%(seq)s matches neither its hash nor its link to %(prev)s")
                % {"seq": r.seq, "prev": self._name(prev)},
            )
        predecessor = (
            AuditRecord.objects.filter(hash=r.prev_hash).values_list("seq", flat=True).first()
        )
        if predecessor is None:
            if origin == r.seq and prev.is_record:
                raise _Problem(
                    ProblemKind.ALTERED,
                    prev.seq,
                    _(
                        "record #%(prev)s no longer has the hash that #%(seq)s was chained "
                        "to: it was rewritten and its hash recomputed"
                    )
                    % {"prev": prev.seq, "seq": r.seq},
                )
            if origin == r.seq:
                raise _Problem(
                    ProblemKind.ALTERED,
                    r.seq,
                    _("record #%(seq)s is not chained to %(prev)s")
                    % {"seq": r.seq, "prev": self._name(prev)},
                )
            raise _Problem(
                ProblemKind.REMOVED,
                r.seq,
                _(
                    "record #%(seq)s was written as #%(origin)s; the record before it is "
                    "gone and the later records were renumbered"
                )
                % {"seq": r.seq, "origin": origin},
            )
        if predecessor < prev.seq:
            raise _Problem(
                ProblemKind.INSERTED,
                predecessor + 1,
                _("record #%(seq)s was chained to #%(pred)s; inserted between them: %(records)s")
                % {
                    "seq": r.seq,
                    "pred": predecessor,
                    "records": _records(predecessor + 1, prev.seq),
                },
            )
        raise _Problem(
            ProblemKind.REORDERED,
            r.seq,
            _(
                "record #%(seq)s (written as #%(origin)s) was chained to #%(pred)s, which "
                "now stands after it: records were moved"
            )
            % {"seq": r.seq, "origin": origin, "pred": predecessor},
        )

    def _check_checkpoint(
        self, checkpoint: AuditCheckpoint, r: AuditRecord, n: AuditRecord | None
    ) -> None:
        self._require_signature(checkpoint)
        if checkpoint.seq != r.seq:  # pragma: no cover - a skipped number fails first
            raise _Problem(ProblemKind.REMOVED, checkpoint.seq, "signed record is missing")
        if checkpoint.hash != r.hash:
            if n is not None and n.prev_hash == checkpoint.hash:
                raise _Problem(
                    ProblemKind.ALTERED,
                    r.seq,
                    _(
                        "record #%(seq)s was rewritten and its hash recomputed: the "
                        "checkpoint signed at %(at)s and #%(next)s hold the old hash"
                    )
                    % {"seq": r.seq, "at": _when(checkpoint), "next": n.seq},
                )
            raise _Problem(
                ProblemKind.REWRITTEN,
                r.seq,
                _(
                    "the %(kind)s signed at %(at)s holds another hash for #%(seq)s: "
                    "rewritten with recomputed hashes somewhere in %(records)s"
                )
                % {
                    "kind": checkpoint.get_kind_display(),
                    "at": _when(checkpoint),
                    "seq": r.seq,
                    "records": _records(self.last_good_checkpoint + 1, r.seq),
                },
            )
        self.checkpoints += 1
        self.last_good_checkpoint = r.seq

    # --- after the last record -----------------------------------------------------------

    def _check_tail(self) -> None:
        for _pass in range(MAX_PASSES):
            if not AuditRecord.objects.filter(seq__gt=self.prev.seq).exists():
                break
            self._walk()  # records appended while we walked
        end = self.prev.seq
        beyond = AuditCheckpoint.objects.filter(seq__gt=end).order_by("seq")
        for checkpoint in beyond:
            self._require_signature(checkpoint)
            if AuditRecord.objects.filter(seq__gt=end).exists():
                return  # appended meanwhile: verified next time
            raise _Problem(
                ProblemKind.CUT_TAIL,
                end + 1,
                _(
                    "the checkpoint signed at %(at)s says the log reached #%(seq)s, but it "
                    "ends at #%(end)s"
                )
                % {"at": _when(checkpoint), "seq": checkpoint.seq, "end": end},
            )
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is None or (head.last_seq == 0 and end == 0):
            return
        if head.last_seq > end:
            if AuditRecord.objects.filter(seq__gt=end).exists():
                return
            raise _Problem(
                ProblemKind.CUT_TAIL,
                end + 1,
                _("the chain head says the log reached #%(seq)s, but it ends at #%(end)s")
                % {"seq": head.last_seq, "end": end},
            )
        if head.last_seq < end:
            raise _Problem(
                ProblemKind.INSERTED,
                head.last_seq + 1,
                _("beyond the chain head (#%(head)s), so not written by the audit log: %(records)s")
                % {"head": head.last_seq, "records": _records(head.last_seq + 1, end)},
            )
        if self.prev.is_record and head.last_hash != self.prev.hash:
            raise _Problem(
                ProblemKind.ALTERED,
                end,
                _(
                    "the chain head holds another hash for #%(seq)s: it was rewritten and "
                    "its hash recomputed"
                )
                % {"seq": end},
            )

    # --- helpers --------------------------------------------------------------------------

    def _require_signature(self, checkpoint: AuditCheckpoint) -> None:
        if not checkpoint_signature_ok(checkpoint):
            raise _Problem(
                ProblemKind.BAD_CHECKPOINT_SIGNATURE,
                checkpoint.seq,
                _("the %(kind)s at #%(seq)s is not signed with the audit key: forged or edited")
                % {"kind": checkpoint.get_kind_display(), "seq": checkpoint.seq},
            )

    @staticmethod
    def _name(link: _Link) -> str:
        if link.is_record:
            return f"#{link.seq}"
        if link.seq == 0:
            return _("the start of the log")
        return _("the purge anchor at #%(seq)s") % {"seq": link.seq}


def _pairs(records: Iterator[AuditRecord]) -> Iterator[tuple[AuditRecord, AuditRecord | None]]:
    """Each record with the one after it (one record of look-ahead)."""
    current = next(records, None)
    while current is not None:
        following = next(records, None)
        yield current, following
        current = following


def _hash_as(record: AuditRecord, seq: int, prev_hash: str) -> str:
    clone = copy.copy(record)
    clone.seq = seq
    return record_hash(prev_hash, clone)


def _original_seq(record: AuditRecord) -> int | None:
    """The number ``record`` was written with: the ``seq`` at which its content matches
    its own hash, searched outwards from where it stands."""
    for distance in range(1, SEARCH_WINDOW + 1):
        for seq in (record.seq - distance, record.seq + distance):
            if seq >= 1 and _hash_as(record, seq, record.prev_hash) == record.hash:
                return seq
    return None


def _content_matches(record: AuditRecord, other: AuditRecord) -> bool:
    """Is ``record``'s content exactly what ``other`` was written with?"""
    return _hash_as(record, other.seq, other.prev_hash) == other.hash


def _numbers(first: int, last: int) -> str:
    return f"#{first}" if first == last else f"#{first}–#{last}"


def _records(first: int, last: int) -> str:
    if first == last:
        return _("record #%(seq)s") % {"seq": first}
    return _("records #%(first)s–#%(last)s") % {"first": first, "last": last}


def _when(checkpoint: AuditCheckpoint) -> str:
    return timezone.localtime(checkpoint.at).strftime("%Y-%m-%d %H:%M")
