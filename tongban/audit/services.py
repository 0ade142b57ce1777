"""Writing the audit log. ``record_event`` runs inside the caller's transaction: if
the record cannot be written, the change it records fails with it.

Who may do what (三员分立, security.md): everybody's actions are recorded; only the
audit administrator reads, verifies and exports the log; nobody edits it; only the
system itself (``actor=None``: the ``tongban audit purge`` command run by the
operator on the server) purges records past the retention period.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import ipaddress
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.ipv6 import clean_ipv6_address
from django.utils.translation import gettext as _

from tongban.core.clock import local_date, start_of_local_day
from tongban.core.errors import ActionNotAllowed, PermissionDenied, ValidationFailed
from tongban.core.request_context import current_ip

from .chain import jsonable, record_hash, sign_checkpoint
from .models import AuditChainHead, AuditCheckpoint, AuditRecord, CheckpointKind
from .verify import verify_chain

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tongban.accounts.models import User


def record_event(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    success: bool = True,
    message: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: dt.datetime,
    ip: str | None = None,
    actor_name: str = "",
) -> AuditRecord:
    """Append one record to the chain. ``actor`` may be None (system or anonymous;
    ``actor_name`` then says who, e.g. the username tried at a failed login)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk or ""
        object_repr = object_repr or str(obj)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    # No savepoint of its own: a failed audit write must fail the enclosing change
    # anyway, and two statements fewer per business action.
    with transaction.atomic(savepoint=False):
        # The head row is taken last and held briefly: it serialises appenders.
        head = _locked_head()
        record = AuditRecord(
            seq=head.last_seq + 1,
            at=at,
            actor_id=actor.pk if actor is not None and is_user else None,
            actor_name=_text(
                actor.get_username() if actor is not None and is_user else actor_name, 150
            ),
            ip=_normalised_ip(ip if ip is not None else current_ip()),
            action=_text(action, 64),
            object_type=_text(object_type, 64),
            object_id=_text(object_id, 64),
            object_repr=_text(object_repr, 200),
            success=success,
            message=_text(message, 500),
            before=jsonable(before),
            after=jsonable(after),
            prev_hash=head.last_hash,
        )
        record.hash = record_hash(head.last_hash, record)
        head.last_seq, head.last_hash = record.seq, record.hash
        _append(record, head)
        every = settings.TONGBAN_AUDIT_CHECKPOINT_EVERY
        if every and record.seq % every == 0:
            _write_checkpoint(record, at)
    return record


def _append(record: AuditRecord, head: AuditChainHead) -> None:
    """Insert the record and move the head. On PostgreSQL one statement does both
    (a data-modifying CTE): every business action pays for the audit chain, so a round
    trip less per action counts. Elsewhere two ORM statements."""
    if connection.vendor != "postgresql":
        record.save(force_insert=True)
        head.save(update_fields=["last_seq", "last_hash"])
        return
    fields = [f for f in AuditRecord._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    # A concrete field always has a column (that is what makes it concrete).
    columns = ", ".join(quote(cast(str, f.column)) for f in fields)
    values = [f.get_db_prep_save(getattr(record, f.attname), connection) for f in fields]
    head_table = quote(AuditChainHead._meta.db_table)
    # Identifiers come from the models' own metadata; every value is a parameter.
    sql = (
        f"WITH appended AS (INSERT INTO {quote(AuditRecord._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote('id')}) "
        f"UPDATE {head_table} SET {quote('last_seq')} = %s, {quote('last_hash')} = %s "
        f"FROM appended WHERE {head_table}.{quote('id')} = %s RETURNING appended.{quote('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, head.last_seq, head.last_hash, head.pk])
        row = cursor.fetchone()
    if row is None:  # pragma: no cover - the head row was locked a moment ago
        raise RuntimeError("the audit chain head disappeared")
    record.pk = row[0]
    record._state.adding = False
    record._state.db = connection.alias


def _text(value: object, limit: int) -> str:
    # PostgreSQL refuses NUL in text; a user-supplied name must not make the audit
    # write (and with it the business action) fail.
    return str(value).replace("\x00", "")[:limit]


def _normalised_ip(ip: str | None) -> str | None:
    """The address as the database will return it (PostgreSQL's ``inet`` prints IPv6
    compressed), so the hash reads back the same; not an address → None."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(str(ip).strip())
    except ValueError:
        return None
    if address.version == 6:
        return clean_ipv6_address(str(address))
    return str(address)


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Only on an empty database (a migration creates the row; a test flush
        # removes it). The chain restarts from the genesis hash. Two first writers
        # may race to create it: get_or_create settles that, then we lock it.
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


# --- checkpoints ------------------------------------------------------------------------


def write_checkpoint(*, at: dt.datetime) -> AuditCheckpoint | None:
    """Sign the current end of the chain (the worker runs this every ten minutes).
    Nothing to do when the log is empty or the end is already signed."""
    with transaction.atomic():
        head = _locked_head()
        if (
            head.last_seq == 0
            or AuditCheckpoint.objects.filter(
                kind=CheckpointKind.CHECKPOINT, seq=head.last_seq
            ).exists()
        ):
            return None
        last = AuditRecord.objects.get(seq=head.last_seq)
        return _write_checkpoint(last, at)


def _write_checkpoint(
    record: AuditRecord, at: dt.datetime, kind: str = CheckpointKind.CHECKPOINT
) -> AuditCheckpoint:
    return AuditCheckpoint.objects.create(
        kind=kind,
        seq=record.seq,
        hash=record.hash,
        at=at,
        signature=sign_checkpoint(kind=kind, seq=record.seq, chain_hash=record.hash, at=at),
    )


def records_between(
    date_from: dt.date | None, date_to: dt.date | None
) -> models.QuerySet[AuditRecord]:
    """Records whose local date lies in ``[date_from, date_to]``, in sequence order."""
    records = AuditRecord.objects.order_by("seq")
    if date_from is not None:
        records = records.filter(at__gte=start_of_local_day(date_from))
    if date_to is not None:
        records = records.filter(at__lt=start_of_local_day(date_to + dt.timedelta(days=1)))
    return records


# --- retention ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PurgeResult:
    deleted: int
    first_seq: int | None = None
    last_seq: int | None = None
    anchor: AuditCheckpoint | None = None


def purge_audit_log(
    *, actor: User | None, before: dt.date, operator: str = "", at: dt.datetime
) -> PurgeResult:
    """Delete the oldest records, those dated before ``before`` (local date), keeping
    at least ``TONGBAN_AUDIT_RETENTION_DAYS`` (≥ 180, Cybersecurity Law Art. 21).

    Only the system itself may purge (``actor=None``): no administrator may delete
    the trail of anyone's actions, their own included. Only a prefix of the chain is
    removed (records are numbered in order; a younger record stops the purge even if
    older ones follow it). Before deleting, the part to be removed is verified — a
    purge must not erase evidence of tampering — and a signed purge anchor records
    the hash of the last removed record, from which the verifier then starts.
    """
    if actor is not None:
        raise PermissionDenied(
            _(
                "Only the system itself may purge the audit log: run "
                "`tongban audit purge` on the server."
            )
        )
    days = settings.TONGBAN_AUDIT_RETENTION_DAYS
    latest = local_date(at) - dt.timedelta(days=days)
    if before > latest:
        message = _(
            "Audit records must be kept for at least %(days)d days: the purge date "
            "must be %(latest)s or earlier."
        ) % {"days": days, "latest": latest.isoformat()}
        raise ValidationFailed(message, fields={"before": [message]})
    cutoff = start_of_local_day(before)
    bound = _purge_bound(cutoff)
    if bound is None:
        return PurgeResult(deleted=0)
    result = verify_chain(upto=bound)
    if not result.ok:
        raise ActionNotAllowed(
            _(
                "The audit log does not verify (%(problem)s); nothing was purged. "
                "Investigate before purging."
            )
            % {"problem": result.summary()}
        )
    with transaction.atomic():
        _locked_head()
        # Records are only ever appended, so the bound cannot move backwards.
        bound = min(bound, _purge_bound(cutoff) or bound)
        first = AuditRecord.objects.order_by("seq").values_list("seq", flat=True).first()
        last = AuditRecord.objects.get(seq=bound)
        anchor = _write_checkpoint(last, at, kind=CheckpointKind.PURGE)
        with _purge_allowed():
            deleted, _detail = AuditRecord.objects.filter(seq__lte=bound).delete()
        record_event(
            actor=None,
            actor_name=operator or "system",
            action="audit.purge",
            object_type="audit.auditrecord",
            object_repr=f"#{first}–#{bound}",
            after={
                "before": before.isoformat(),
                "first_seq": first,
                "last_seq": bound,
                "deleted": deleted,
                "anchor_hash": last.hash,
            },
            at=at,
        )
    return PurgeResult(deleted=deleted, first_seq=first, last_seq=bound, anchor=anchor)


def _purge_bound(cutoff: dt.datetime) -> int | None:
    """The last ``seq`` of the longest prefix dated before ``cutoff``, or None."""
    first = AuditRecord.objects.order_by("seq").values_list("seq", flat=True).first()
    if first is None:
        return None
    young = (
        AuditRecord.objects.filter(at__gte=cutoff)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    if young is None:
        bound = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first()
    else:
        bound = young - 1
    return bound if bound is not None and bound >= first else None


@contextlib.contextmanager
def _purge_allowed() -> Iterator[None]:
    """On PostgreSQL the append-only trigger lets a DELETE through only while the
    transaction-local setting ``tongban.audit_purge`` is on (migration 0004). It is
    switched off again right after; after an error the rollback resets it anyway."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('tongban.audit_purge', 'on', true)")
    yield
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('tongban.audit_purge', 'off', true)")


# --- helpers for before/after ------------------------------------------------------------


def model_snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The values of ``obj``'s concrete fields, for before/after. Encrypted personal
    data is left out (the audit log must not become a copy of it)."""
    from tongban.core.fields import EncryptedTextField

    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if isinstance(field, EncryptedTextField) or field.name in {"password", "mobile_index"}:
            continue
        data[field.attname] = getattr(obj, field.attname)
    snapshot: dict[str, Any] = jsonable(data)
    return snapshot


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
