"""Authenticating a partner request: signature, clock window, nonce, rate limit,
and the scope check each endpoint makes.

Order of the checks, and why:

1. the four headers are present and well-formed (``missing_signature``,
   ``malformed_header``);
2. the timestamp is within ±300 s of our clock (``stale_timestamp``);
3. the key id exists (``unknown_key``);
4. the signature matches (``bad_signature``), computed with the key's secret even
   when the key is revoked, so that only a holder of the secret learns
5. that the key is revoked or expired, or its partner disabled (``key_inactive``);
6. the nonce has not been used with this key (``replayed_nonce``): remembered only
   once the signature is good, so nobody without the secret can fill the table or
   burn a partner's nonces;
7. the key's requests this minute are within its partner's limit (429
   ``rate_limited``, ``Retry-After``); only signed requests count, so nobody can
   exhaust a partner's quota with its public key id.

Every refusal is a 401 with its own ``code`` and a message that says what to fix
but not how close a forgery came. The scope (403 ``insufficient_scope``) is checked
by each endpoint (``require_scope``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security.base import AuthBase

from tongban.core import clock
from tongban.core.errors import DomainError, PermissionDenied

from . import signing
from .models import Nonce, Partner, PartnerKey

# Writing ``last_used_at`` on every request would turn every read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
RATE_WINDOW_SECONDS = 60


class SignatureRefused(DomainError):
    status = 401
    code = "bad_signature"


class InsufficientScope(PermissionDenied):
    code = "insufficient_scope"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, message=None, *, retry_after: int, **kwargs):
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


@dataclass(frozen=True)
class PartnerCall:
    """Who is calling (``request.auth`` on partner endpoints)."""

    partner: Partner
    key: PartnerKey
    at: dt.datetime

    def has_scope(self, scope: str) -> bool:
        return scope in self.key.scopes


def _header(request: HttpRequest, name: str) -> str:
    return request.headers.get(name, "").strip()


def _malformed(header: str):
    message = _("The header %(header)s is not well-formed.") % {"header": header}
    return SignatureRefused(message, fields={header: [message]}, code="malformed_header")


def verify_request(request: HttpRequest, *, at: dt.datetime) -> PartnerCall:
    """The partner call a signed request stands for, or a ``SignatureRefused``
    (``RateLimited`` when over the limit). Records the nonce."""
    key_id = _header(request, signing.HEADER_KEY)
    timestamp = _header(request, signing.HEADER_TIMESTAMP)
    nonce = _header(request, signing.HEADER_NONCE)
    signature = _header(request, signing.HEADER_SIGNATURE)
    if not (key_id and timestamp and nonce and signature):
        raise SignatureRefused(
            _(
                "The request is not signed: the headers X-Tongban-Key, X-Tongban-Timestamp, "
                "X-Tongban-Nonce and X-Tongban-Signature are required."
            ),
            code="missing_signature",
        )
    if not signing.TIMESTAMP_PATTERN.match(timestamp):
        raise _malformed(signing.HEADER_TIMESTAMP)
    if not signing.NONCE_PATTERN.match(nonce):
        raise _malformed(signing.HEADER_NONCE)
    if not signing.KEY_ID_PATTERN.match(key_id):
        raise _malformed(signing.HEADER_KEY)
    if len(signature) > 100:
        raise _malformed(signing.HEADER_SIGNATURE)

    if abs(at.timestamp() - int(timestamp)) > signing.CLOCK_WINDOW_SECONDS:
        raise SignatureRefused(
            _(
                "The request's timestamp is more than 5 minutes away from the server's "
                "clock; check the clock and sign the request again."
            ),
            code="stale_timestamp",
        )

    key = PartnerKey.objects.select_related("partner").filter(key_id=key_id).first()
    if key is None:
        raise SignatureRefused(_("Unknown key."), code="unknown_key")

    try:
        body = request.body
    except RequestDataTooBig:
        raise PayloadTooLarge(_("The request body is too large.")) from None
    canonical = signing.canonical_string(
        request.method or "",
        request.path,
        signing.wsgi_query_string(request.META.get("QUERY_STRING", "")),
        body,
        timestamp,
        nonce,
    )
    if not signing.signature_matches(key.secret, canonical, signature):
        raise SignatureRefused(_("The signature does not match the request."), code="bad_signature")

    if not key.is_active_at(at) or not key.partner.active:
        raise SignatureRefused(
            _("The key is revoked or expired, or the partner is disabled."),
            code="key_inactive",
        )

    _remember_nonce(key, nonce, at=at)
    _count_request(key, at=at)
    if key.last_used_at is None or at - key.last_used_at >= LAST_USED_RESOLUTION:
        PartnerKey.objects.filter(pk=key.pk).update(last_used_at=at)
    return PartnerCall(partner=key.partner, key=key, at=at)


def _remember_nonce(key: PartnerKey, nonce: str, *, at: dt.datetime) -> None:
    """Insert (key, nonce); the unique constraint refuses a second use, atomically
    across processes and nodes. A savepoint, so a refusal inside a caller's
    transaction (the tests') leaves it usable."""
    try:
        with transaction.atomic():
            Nonce.objects.create(key=key, nonce=nonce, seen_at=at)
    except IntegrityError:
        raise SignatureRefused(
            _("This nonce has already been used; sign every request with a new nonce."),
            code="replayed_nonce",
        ) from None


def _count_request(key: PartnerKey, *, at: dt.datetime) -> None:
    """A fixed one-minute window per key in the cache (Redis when configured, so
    every process shares the count; the per-process memory cache otherwise, which
    is exact on a single node). ``add`` then ``incr`` are atomic on both."""
    epoch = int(at.timestamp())
    window = epoch // RATE_WINDOW_SECONDS
    name = f"partners:rate:{key.pk}:{window}"
    if cache.add(name, 1, timeout=RATE_WINDOW_SECONDS * 2):
        count = 1
    else:
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.add(name, 1, timeout=RATE_WINDOW_SECONDS * 2)
            count = 1
    if count > key.partner.rate_limit_per_minute:
        retry_after = RATE_WINDOW_SECONDS - epoch % RATE_WINDOW_SECONDS
        raise RateLimited(
            _("Too many requests with this key; retry after %(seconds)d seconds.")
            % {"seconds": retry_after},
            retry_after=retry_after,
        )


def require_scope(request: HttpRequest, scope: str) -> PartnerCall:
    """The caller, if its key holds ``scope``; else 403 ``insufficient_scope``."""
    call: PartnerCall = request.auth
    if not call.has_scope(scope):
        raise InsufficientScope(
            _("This key does not have the scope %(scope)s.") % {"scope": scope},
        )
    return call


class PartnerSignature(AuthBase):
    """django-ninja authentication of partner requests by HMAC signature. Shown in
    the OpenAPI as an API key in ``X-Tongban-Key``, with the rest described."""

    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = signing.HEADER_KEY
    openapi_description = (
        "Partner request signature (see docs/partner-api.md). Send four headers: "
        "X-Tongban-Key (the key id), X-Tongban-Timestamp (unix seconds, within 300 s "
        "of the server's clock), X-Tongban-Nonce (16-64 characters of A-Z a-z 0-9 . _ ~ -, "
        "never reused) and X-Tongban-Signature: hex (or base64) "
        "HMAC-SHA256(secret, METHOD\\nPATH\\nSORTED-QUERY\\nhex(SHA256(body))\\n"
        "TIMESTAMP\\nNONCE). Refusals are 401 with code missing_signature, "
        "malformed_header, stale_timestamp, unknown_key, bad_signature, key_inactive "
        "or replayed_nonce; 403 insufficient_scope; 429 rate_limited with Retry-After."
    )

    def __call__(self, request: HttpRequest) -> PartnerCall:
        try:
            return verify_request(request, at=clock.now())
        except RateLimited as exc:
            # The error handler builds the body; ``partner_headers`` (api.py) adds
            # the Retry-After header from here.
            request.partner_retry_after = exc.retry_after
            raise
