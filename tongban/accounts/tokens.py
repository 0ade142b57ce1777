"""Staff API tokens: issuing, revoking, and authenticating a bearer token.

A token is ``tb_`` followed by 32 random bytes (URL-safe base64). Only its SHA-256 is
stored, so a copy of the database does not hand out working credentials; the secret
is shown once. The lookup compares hashes in the database, which a caller cannot
steer towards a stored secret, so its timing reveals nothing.

Who issues them: the security administrator (admin, Module.SECURITY) or the operator
on the server (``tongban api_token``, ``actor=None``). Tokens are not issued to the
three administrators: they hold no business data (the API would give them nothing),
and a token would be a standing credential that skips their mandatory second factor.
Supervisors, who also log in with a second factor, may be given one: that is the
security administrator's deliberate, audited decision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from tongban.audit.services import record_event
from tongban.core.errors import DomainError, ValidationFailed
from tongban.core.services import require_role

from .models import ApiToken, User
from .roles import ADMIN_ROLES, RoleCode

TOKEN_PREFIX = "tb_"  # noqa: S105 - a marker, not a secret
DEFAULT_DAYS = 90
MAX_DAYS = 366
VISIBLE_CHARS = 10  # "tb_" and 7 characters of the secret
# Writing ``last_used_at`` on every request would turn every read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenRefused(DomainError):
    """A bearer token that is unknown, revoked, expired, or whose owner is disabled.
    One message for all of them: the caller learns only that it must get a new one."""

    code = "invalid_token"
    status = 401


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _snapshot(token: ApiToken) -> dict[str, object]:
    return {
        "user": token.user.username,
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }


@transaction.atomic
def create_api_token(
    *,
    actor: User | None,
    user: User,
    name: str,
    days: int = DEFAULT_DAYS,
    at: dt.datetime,
) -> tuple[ApiToken, str]:
    """Issue a token to ``user``; returns the row and the secret (shown once)."""
    require_role(actor, RoleCode.SECURITY_ADMIN)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Name the token (what it is used for).")]
    elif len(name) > 100:
        errors["name"] = [_("At most %(n)d characters.") % {"n": 100}]
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors["days"] = [_("Between 1 and %(n)d days.") % {"n": MAX_DAYS}]
    if not user.is_active:
        errors["user"] = [_("The account is disabled.")]
    elif user.has_role(*ADMIN_ROLES):
        errors["user"] = [_("Administrators do not get API tokens.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:VISIBLE_CHARS],
        key_hash=hash_secret(secret),
        created_at=at,
        created_by=actor,
        expires_at=at + dt.timedelta(days=days),
    )
    record_event(actor=actor, action="api_token.create", obj=token, after=_snapshot(token), at=at)
    return token, secret


@transaction.atomic
def revoke_api_token(*, actor: User | None, token: ApiToken, at: dt.datetime) -> ApiToken:
    """Revoke a token at once; it is kept (refused) for the record. Idempotent."""
    require_role(actor, RoleCode.SECURITY_ADMIN)
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    before = _snapshot(token)
    token.revoked_at = at
    token.save(update_fields=["revoked_at"])
    record_event(
        actor=actor,
        action="api_token.revoke",
        obj=token,
        before=before,
        after=_snapshot(token),
        at=at,
    )
    return token


def authenticate_token(secret: str, *, at: dt.datetime) -> User:
    """The active user a bearer secret stands for, or ``TokenRefused``."""
    token = None
    if secret.startswith(TOKEN_PREFIX) and len(secret) < 200:
        token = (
            ApiToken.objects.select_related("user", "user__department", "user__section")
            .filter(key_hash=hash_secret(secret))
            .first()
        )
    if token is None or not token.is_valid_at(at) or not token.user.is_active:
        raise TokenRefused(_("The API token is invalid, expired or revoked."))
    if token.last_used_at is None or at - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)
    return token.user


class BearerTokenAuth(HttpBearer):
    """django-ninja authentication by ``Authorization: Bearer <token>``. A header
    that is present but wrong is refused (401) rather than passed on to the session
    check, so a script never silently runs as whoever is logged in in the browser."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = authenticate_token(token.strip(), at=timezone.now())
        # Code that reads ``request.user`` (audit IP context, permissions) sees the
        # token's owner, exactly as for a session.
        request.user = user
        return user
