"""The HTTP SMS gateway's status callback: machine to machine, signed with the
shared secret (TONGBAN_SMS_HTTP_SECRET), so no session and no CSRF token."""

from __future__ import annotations

import json

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .backends import DELIVERED
from .backends.http import SIGNATURE_HEADER, signature_ok
from .models import FailureReason
from .services import record_delivery_receipt

STATUSES = {DELIVERED, *FailureReason.values}


def _error(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message, "fields": fields or {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
@require_POST
def sms_status(request):
    """``{"message_id": "…", "status": "delivered" | "permanent_failure" |
    "temporary_failure" | "technical_failure", "detail": "…"}``."""
    if not signature_ok(request.body, request.headers.get(SIGNATURE_HEADER, "")):
        return _error(403, "permission_denied", _("The request signature is not valid."))
    try:
        payload = json.loads(request.body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return _error(400, "validation_failed", _("The body must be a JSON object."))
    fields = {}
    message_id = payload.get("message_id")
    status = payload.get("status")
    # PostgreSQL text cannot hold NUL: a 500 here would make the gateway retry forever.
    if not isinstance(message_id, str) or not message_id.strip() or "\x00" in message_id:
        fields["message_id"] = [_("Give the gateway's message id.")]
    if not isinstance(status, str) or status not in STATUSES:
        fields["status"] = [
            _("Status must be one of: %(choices)s.") % {"choices": ", ".join(sorted(STATUSES))}
        ]
    if fields:
        return _error(422, "validation_failed", _("Some fields are not valid."), fields)
    detail = payload.get("detail")
    record_delivery_receipt(
        gateway_message_id=message_id.strip()[:100],
        status=status,
        at=timezone.now(),
        detail=detail.replace("\x00", "")[:200] if isinstance(detail, str) else "",
    )
    # Unknown ids are accepted too: the gateway must not retry them forever.
    return HttpResponse(status=204)
