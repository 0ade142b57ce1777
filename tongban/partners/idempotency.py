"""``Idempotency-Key`` on partner writes: the first successful response is
remembered and replayed for a repeat of the same request; the same key with a
different request is a 409 ``idempotency_conflict``.

Only successes are remembered. A refused request (bad input, a business rule)
wrote nothing, so the partner may correct it and send it again under the same key.

The write and the remembered response are committed in one transaction: either
both exist or neither. Two concurrent requests with the same key both run the write,
but the second's insert of the record waits for the first's commit and then fails
on the unique constraint, which rolls its write back; it answers with the first's
response. (Application submission is also idempotent by itself, via the case's own
idempotency key.)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from tongban.core.errors import ActionNotAllowed, ValidationFailed

from . import signing
from .auth import PartnerCall
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
PATTERN = re.compile(r"^[A-Za-z0-9._:~-]{8,64}$")
REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotencyConflict(ActionNotAllowed):
    code = "idempotency_conflict"


def checked_key(value: str | None) -> str:
    """The header's value, or a ``ValidationFailed`` naming the header."""
    value = (value or "").strip()
    if not value:
        message = _("The Idempotency-Key header is required on this request.")
    elif not PATTERN.match(value):
        message = _(
            "The Idempotency-Key must be 8 to 64 characters of letters, digits and . _ : ~ -."
        )
    else:
        return value
    raise ValidationFailed(message, fields={HEADER: [message]})


def request_hash(request: HttpRequest) -> str:
    """What makes two requests "the same": method, path, query and body (not the
    timestamp and nonce, which a retry must change)."""
    canonical = "\n".join(
        [
            (request.method or "").upper(),
            signing.canonical_path(request.path),
            signing.canonical_query(
                signing.wsgi_query_string(request.META.get("QUERY_STRING", ""))
            ),
            signing.body_sha256(request.body),
        ]
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _answer(record: IdempotencyRecord, fingerprint: str) -> JsonResponse:
    if record.request_hash != fingerprint:
        message = _(
            "This Idempotency-Key was already used for a different request; "
            "use a new key for a new request."
        )
        raise IdempotencyConflict(message, fields={HEADER: [message]})
    response = JsonResponse(record.response_body, status=record.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def run_once(
    request: HttpRequest,
    *,
    call: PartnerCall,
    idempotency_key: str,
    write: Callable[[], tuple[int, dict]],
) -> JsonResponse:
    """Run ``write`` (returning status and a JSON-ready body) once per key and
    request; answer a repeat with the remembered response."""
    fingerprint = request_hash(request)
    records = IdempotencyRecord.objects.filter(
        partner=call.partner, idempotency_key=idempotency_key
    )
    existing = records.first()
    if existing is not None:
        return _answer(existing, fingerprint)
    try:
        with transaction.atomic():
            status, body = write()
            IdempotencyRecord.objects.create(
                partner=call.partner,
                idempotency_key=idempotency_key,
                request_hash=fingerprint,
                status_code=status,
                response_body=body,
                created_at=call.at,
            )
    except IntegrityError:
        existing = records.first()
        if existing is None:
            raise
        return _answer(existing, fingerprint)
    return JsonResponse(body, status=status)
