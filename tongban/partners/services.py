"""Partners and their signing keys: creating, changing, issuing, revoking, purging.

Who: the security administrator (admin, ``Module.SECURITY``: keys are credentials)
or the operator on the server (``tongban partner_key``, ``actor=None``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.accounts.roles import RoleCode
from tongban.audit.services import record_event
from tongban.core.errors import ActionNotAllowed, ValidationFailed
from tongban.core.services import full_clean_or_raise, require_role

from .models import IdempotencyRecord, Nonce, Partner, PartnerKey, Scope
from .signing import NONCE_TTL_SECONDS

MAX_ACTIVE_KEYS = 2  # the one in use and its successor during a rotation
DEFAULT_KEY_DAYS = 365
MAX_KEY_DAYS = 731
KEY_ID_PREFIX = "tbk_"
# Remembered write responses are kept a day: long enough for any client's retries.
IDEMPOTENCY_TTL = dt.timedelta(hours=24)

PARTNER_FIELDS = ("name", "active", "rate_limit_per_minute", "contact")


def _partner_snapshot(partner: Partner) -> dict[str, Any]:
    return {
        "code": partner.code,
        "name": partner.name,
        "active": partner.active,
        "rate_limit_per_minute": partner.rate_limit_per_minute,
        "contact": partner.contact,
    }


def _key_snapshot(key: PartnerKey) -> dict[str, Any]:
    # Never the secret: the audit log is read by people who must not sign requests.
    return {
        "partner": key.partner.code,
        "key_id": key.key_id,
        "name": key.name,
        "scopes": list(key.scopes),
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
    }


@transaction.atomic
def create_partner(
    *,
    actor: User | None,
    code: str,
    name: str,
    at: dt.datetime,
    rate_limit_per_minute: int = 120,
    contact: str = "",
    active: bool = True,
) -> Partner:
    require_role(actor, RoleCode.SECURITY_ADMIN)
    partner = Partner(
        code=(code or "").strip().lower(),
        name=(name or "").strip(),
        rate_limit_per_minute=rate_limit_per_minute,
        contact=(contact or "").strip(),
        active=active,
        created_at=at,
    )
    full_clean_or_raise(partner)
    partner.save()
    record_event(
        actor=actor, action="partner.create", obj=partner, after=_partner_snapshot(partner), at=at
    )
    return partner


@transaction.atomic
def update_partner(
    *, actor: User | None, partner: Partner, at: dt.datetime, **changes: Any
) -> Partner:
    """Change the name, contact, rate limit or ``active`` (a deactivated partner's
    keys are all refused at once, and work again when it is reactivated)."""
    require_role(actor, RoleCode.SECURITY_ADMIN)
    unknown = set(changes) - set(PARTNER_FIELDS)
    if unknown:
        raise ValueError(f"not changeable: {sorted(unknown)}")
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    before = _partner_snapshot(partner)
    for name, value in changes.items():
        setattr(partner, name, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(partner, validate_unique=False)
    changed = [name for name in changes if before[name] != getattr(partner, name)]
    if not changed:
        return partner
    partner.save(update_fields=changed)
    record_event(
        actor=actor,
        action="partner.update",
        obj=partner,
        before=before,
        after=_partner_snapshot(partner),
        at=at,
    )
    return partner


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(str(s).strip() for s in scopes))
    unknown = [s for s in chosen if s not in Scope.values]
    if unknown:
        raise ValidationFailed(
            _("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)},
            fields={"scopes": [_("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)}]},
        )
    if not chosen:
        message = _("Choose at least one scope.")
        raise ValidationFailed(message, fields={"scopes": [message]})
    # Stored in the order of ``Scope`` so listings read the same for every key.
    return [s for s in Scope.values if s in chosen]


@transaction.atomic
def issue_key(
    *,
    actor: User | None,
    partner: Partner,
    scopes: Iterable[str],
    at: dt.datetime,
    days: int = DEFAULT_KEY_DAYS,
    name: str = "",
) -> tuple[PartnerKey, str]:
    """A new signing key for ``partner``; returns the key and its secret, which is
    shown only now. Refused while the partner already has two active keys: revoke
    the old one when the partner has switched to the new one."""
    require_role(actor, RoleCode.SECURITY_ADMIN)
    chosen = _clean_scopes(scopes)
    if not isinstance(days, int) or not 1 <= days <= MAX_KEY_DAYS:
        message = _("Between 1 and %(n)d days.") % {"n": MAX_KEY_DAYS}
        raise ValidationFailed(message, fields={"days": [message]})
    name = (name or "").strip()
    if len(name) > 100:
        message = _("At most %(n)d characters.") % {"n": 100}
        raise ValidationFailed(message, fields={"name": [message]})
    # The partner row serialises issuers: two concurrent issues cannot both see
    # one active key and make three.
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if PartnerKey.objects.filter(partner=partner).active_at(at).count() >= MAX_ACTIVE_KEYS:
        message = _(
            "The partner already has %(n)d active keys; revoke one before issuing another."
        ) % {"n": MAX_ACTIVE_KEYS}
        raise ActionNotAllowed(message, fields={"partner": [message]}, code="too_many_keys")
    secret = secrets.token_urlsafe(32)
    key = PartnerKey.objects.create(
        partner=partner,
        key_id=KEY_ID_PREFIX + secrets.token_hex(10),
        secret=secret,
        scopes=chosen,
        name=name,
        created_at=at,
        created_by=actor,
        expires_at=at + dt.timedelta(days=days),
    )
    record_event(actor=actor, action="partner_key.issue", obj=key, after=_key_snapshot(key), at=at)
    return key, secret


@transaction.atomic
def revoke_key(*, actor: User | None, key: PartnerKey, at: dt.datetime) -> PartnerKey:
    """Refuse the key from now on; the row is kept for the record. Idempotent."""
    require_role(actor, RoleCode.SECURITY_ADMIN)
    key = PartnerKey.objects.select_for_update().select_related("partner").get(pk=key.pk)
    if key.revoked_at is not None:
        return key
    before = _key_snapshot(key)
    key.revoked_at = at
    key.save(update_fields=["revoked_at"])
    record_event(
        actor=actor,
        action="partner_key.revoke",
        obj=key,
        before=before,
        after=_key_snapshot(key),
        at=at,
    )
    return key


def purge_partner_records(*, at: dt.datetime) -> tuple[int, int]:
    """Forget nonces past the replay window and remembered responses past a day.
    Housekeeping, not a business action: not audited. Returns the counts."""
    nonces, _detail = Nonce.objects.filter(
        seen_at__lt=at - dt.timedelta(seconds=NONCE_TTL_SECONDS)
    ).delete()
    records, _detail = IdempotencyRecord.objects.filter(
        created_at__lt=at - IDEMPOTENCY_TTL
    ).delete()
    return nonces, records
