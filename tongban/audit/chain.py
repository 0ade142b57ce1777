"""Canonical content and hashing of audit records (shared by writer and verifier)."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from tongban.core.crypto import digest_name, new_digest

GENESIS = "0" * 64


def canonical(record) -> bytes:
    content = {
        "seq": record.seq,
        "at": record.at.isoformat(timespec="microseconds"),
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


def sign_checkpoint(seq: int, chain_hash: str) -> str:
    return hmac.new(
        settings.TONGBAN_AUDIT_KEY.encode(), f"{seq}:{chain_hash}".encode(), digest_name()
    ).hexdigest()


def jsonable(value):
    """Values as they will read back from a JSONField (dates → ISO strings …)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))
