"""Writing the audit log. ``record_event`` runs inside the caller's transaction: if
the record cannot be written, the change it records fails with it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from tongban.core.request_context import current_ip

from .chain import jsonable, record_hash, sign_checkpoint
from .models import AuditChainHead, AuditCheckpoint, AuditRecord


def record_event(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    success: bool = True,
    message: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
    ip: str | None = None,
    actor_name: str = "",
) -> AuditRecord:
    """Append one record to the chain. ``actor`` may be None (system or anonymous)."""
    at = at or timezone.now()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk or ""
        object_repr = object_repr or str(obj)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        # The head row is taken last and held briefly: it serialises appenders.
        head = _locked_head()
        record = AuditRecord(
            seq=head.last_seq + 1,
            at=at,
            actor_id=actor.pk if is_user else None,
            actor_name=(actor.get_username() if is_user else actor_name)[:150],
            ip=ip if ip is not None else current_ip(),
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64],
            object_repr=str(object_repr)[:200],
            success=success,
            message=str(message)[:500],
            before=jsonable(before),
            after=jsonable(after),
            prev_hash=head.last_hash,
        )
        record.hash = record_hash(head.last_hash, record)
        record.save(force_insert=True)
        head.last_seq, head.last_hash = record.seq, record.hash
        head.save(update_fields=["last_seq", "last_hash"])
        from django.conf import settings

        every = settings.TONGBAN_AUDIT_CHECKPOINT_EVERY
        if every and record.seq % every == 0:
            _write_checkpoint(record, at)
    return record


def write_checkpoint(*, at: dt.datetime | None = None) -> AuditCheckpoint | None:
    """Sign the current end of the chain (run periodically by the worker)."""
    at = at or timezone.now()
    with transaction.atomic():
        head = _locked_head()
        if head.last_seq == 0 or AuditCheckpoint.objects.filter(seq=head.last_seq).exists():
            return None
        last = AuditRecord.objects.get(seq=head.last_seq)
        return _write_checkpoint(last, at)


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Only on an empty database (a migration creates the row; a test flush
        # removes it). The chain restarts from the genesis hash.
        head, _ = AuditChainHead.objects.get_or_create(pk=1)
    return head


def _write_checkpoint(record: AuditRecord, at: dt.datetime) -> AuditCheckpoint:
    return AuditCheckpoint.objects.create(
        seq=record.seq, hash=record.hash, at=at, signature=sign_checkpoint(record.seq, record.hash)
    )


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
    return jsonable(data)


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
