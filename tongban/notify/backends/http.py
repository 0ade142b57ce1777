"""SMS through an HTTP gateway: one signed JSON POST per message.

Request: ``{"reference", "template_code", "params", "mobile", "signature"}`` to
TONGBAN_SMS_HTTP_URL with ``X-Tongban-Signature: sha256=<HMAC-SHA256 of the body>``
(key TONGBAN_SMS_HTTP_SECRET). ``reference`` is our outbox id, stable across retries,
so a gateway that keeps it can drop a repeated request. A 2xx answer
``{"message_id": …}`` means accepted; the gateway later reports the outcome to
``/notify/sms/status`` (views.sms_status), signed the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.translation import gettext as _

from ..models import FailureReason
from . import (
    Backend,
    GatewayUnavailable,
    PermanentFailure,
    TemporaryFailure,
    render_sms,
    sms_params,
)

SIGNATURE_HEADER = "X-Tongban-Signature"
# Answers after which trying again cannot help. 401/403 (our key) and 408/429/5xx
# are retried until the message gives up and the administrators are told.
PERMANENT_HTTP = {400, 404, 410, 413, 422}
# The gateway's error codes that are our configuration, not the recipient.
TECHNICAL_CODES = {"template_not_registered", "signature_not_registered", "bad_params"}


def sign(body: bytes, secret: str | None = None) -> str:
    key = (settings.TONGBAN_SMS_HTTP_SECRET if secret is None else secret).encode()
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, header: str) -> bool:
    if not settings.TONGBAN_SMS_HTTP_SECRET or not header:
        return False
    return hmac.compare_digest(sign(body), header)


class HttpGatewayBackend(Backend):
    needs_registered_template = True

    def send(self, message, *, template=None) -> str:
        render_sms(message, template)  # refuses a template whose values are missing
        payload = {
            "reference": str(message.pk),
            "template_code": template.gateway_template_id or template.code,
            "params": sms_params(message),
            "mobile": message.address,
            "signature": template.signature,
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        url = settings.TONGBAN_SMS_HTTP_URL
        if not url.startswith(("http://", "https://")):
            raise GatewayUnavailable(_("TONGBAN_SMS_HTTP_URL must be an http(s) address."))
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(body)},
        )
        try:
            timeout = settings.TONGBAN_SMS_HTTP_TIMEOUT
            with urllib.request.urlopen(request, timeout=timeout) as r:  # noqa: S310
                answer = _json(r.read())
        except urllib.error.HTTPError as exc:
            answer = _json(exc.read())
            error = f"HTTP {exc.code} {answer.get('code', '')} {answer.get('message', '')}"
            error = error.strip()
            if exc.code in PERMANENT_HTTP:
                reason = (
                    FailureReason.TECHNICAL
                    if answer.get("code") in TECHNICAL_CODES
                    else FailureReason.PERMANENT
                )
                raise PermanentFailure(error, reason=reason) from exc
            raise TemporaryFailure(error) from exc
        except (urllib.error.URLError, ConnectionError) as exc:
            raise GatewayUnavailable(_("SMS gateway unreachable: %s") % exc) from exc
        except TimeoutError as exc:
            # The gateway may have taken it: the retry carries the same reference.
            raise TemporaryFailure(_("SMS gateway did not answer in time")) from exc
        return str(answer.get("message_id", ""))[:100]


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
