"""Canonical content and hashing of audit records (shared by writer and verifier).

``hash = H(prev_hash ‖ "\\n" ‖ canonical(record))`` with H = SM3 where the platform's
OpenSSL offers it, else SHA-256 (``tongban.core.crypto.digest_name``). The canonical
form must read back identically from every database, so values are normalised before
hashing: instants in UTC with microseconds, JSON with sorted keys.

Checkpoints are HMACs (same digest) keyed with ``TONGBAN_AUDIT_KEY``, which lives in
the environment and never in the database: someone who can write the tables but does
not hold the key cannot make a checkpoint that verifies.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from tongban.core.crypto import digest_name, new_digest

GENESIS = "0" * 64


def canonical(record) -> bytes:
    """The bytes that a record's hash covers: every column except ``id``, ``prev_hash``
    and ``hash`` (``prev_hash`` enters the hash separately)."""
    content = {
        "seq": record.seq,
        "at": record.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": record.actor_id,
        "actor_name": record.actor_name,
        "ip": record.ip,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "object_repr": record.object_repr,
        "success": record.success,
        "message": record.message,
        "before": record.before,
        "after": record.after,
    }
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    ).encode()


def record_hash(prev_hash: str, record) -> str:
    return new_digest(prev_hash.encode() + b"\n" + canonical(record)).hexdigest()


def sign_checkpoint(*, kind: str, seq: int, chain_hash: str, at: dt.datetime) -> str:
    """HMAC over everything a checkpoint states, so that none of it (not even whether
    it is a purge anchor) can be changed without the key."""
    message = f"{kind}:{seq}:{chain_hash}:{at.astimezone(dt.UTC).isoformat()}"
    return hmac.new(
        settings.TONGBAN_AUDIT_KEY.encode(), message.encode(), digest_name()
    ).hexdigest()


def checkpoint_signature_ok(checkpoint) -> bool:
    expected = sign_checkpoint(
        kind=checkpoint.kind, seq=checkpoint.seq, chain_hash=checkpoint.hash, at=checkpoint.at
    )
    return hmac.compare_digest(expected, checkpoint.signature)


def jsonable(value):
    """Values as they will read back from a JSONField (dates → ISO strings …)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))
