"""Staff login security (security.md, "Identity and sessions").

- Lockout: 5 consecutive failed attempts lock a username (case-insensitive, whether or
  not the account exists) or a client IP for 30 minutes. The lock is checked before the
  password, and an attempt is counted *before* it is checked, so parallel requests
  cannot try more passwords than the threshold. Second-factor failures count too.
- Second factor: TOTP (RFC 6238) for the three administrators and supervisors; a code
  is usable once.
- Sessions: a new session key at login and again after the second factor; the login
  time and last activity are kept in the session for the absolute (12 h) and idle
  (30 min) limits enforced by ``accounts.middleware``; every session is recorded in
  ``UserSession`` so that it can be ended with the account's others.
- Passwords: changed through ``change_password`` (all validators, other sessions
  ended); an optional maximum age forces a change.
- Dormant accounts are disabled after 90 days without a login.

Functions that work on the HTTP session take the ``request``; the others take ``at``
(the clock) so that tests move time instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from tongban.audit.services import record_event
from tongban.core import clock
from tongban.core.errors import ActionNotAllowed, DomainError, NotFound, ValidationFailed
from tongban.core.request_context import client_ip
from tongban.core.services import require_role

from . import services as accounts
from .models import LoginThrottle, LoginThrottleKind, TOTPDevice, User, UserSession
from .roles import RoleCode

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Session keys (the session is signed and stored server-side).
SESSION_LOGIN_AT = "tb_login_at"  # POSIX seconds of the login: absolute lifetime
SESSION_SEEN_AT = "tb_seen_at"  # POSIX seconds of the last request: idle timeout
SESSION_VERIFIED = "tb_second_factor"  # True once the second factor (if needed) is done

TOTP_DIGITS = 6
TOTP_INTERVAL = 30  # seconds per time step
TOTP_WINDOW = 1  # steps accepted either side of the current one (clock drift)


class LoginRefused(DomainError):
    """A login step was refused. The message never says whether the username exists
    or the password was right; ``locked_until`` is set when the refusal is a lock."""

    code = "login_refused"
    status = 401

    def __init__(self, message: StrOrPromise, *, locked_until: dt.datetime | None = None):
        super().__init__(message)
        self.locked_until = locked_until


# --- lockout ------------------------------------------------------------------------


def _lock_period() -> dt.timedelta:
    return dt.timedelta(minutes=settings.TONGBAN_LOCKOUT_MINUTES)


def normalise_username(username: str) -> str:
    """The lockout key of a username: usernames are unique regardless of case."""
    return username.strip().lower()[:150]


def _keys(username: str, ip: str | None) -> list[tuple[str, str]]:
    # Always in this order, so that concurrent attempts lock the rows in the same
    # order and cannot deadlock.
    keys: list[tuple[str, str]] = [(LoginThrottleKind.USERNAME, normalise_username(username))]
    if ip:
        keys.append((LoginThrottleKind.IP, ip))
    return keys


def _locked_until(row: LoginThrottle, at: dt.datetime) -> dt.datetime | None:
    if row.failures < settings.TONGBAN_LOCKOUT_THRESHOLD or row.last_attempt_at is None:
        return None
    until = row.last_attempt_at + _lock_period()
    return until if until > at else None


def _is_stale(row: LoginThrottle, at: dt.datetime) -> bool:
    """Failures further apart than the lockout period are not consecutive; a lock
    that has run out starts a new count."""
    return row.last_attempt_at is None or row.last_attempt_at + _lock_period() <= at


def locked_throttle_rows(keys: list[tuple[str, str]]) -> list[LoginThrottle]:
    rows = []
    for kind, key in keys:
        LoginThrottle.objects.get_or_create(kind=kind, key=key)
        rows.append(LoginThrottle.objects.select_for_update().get(kind=kind, key=key))
    return rows


@dataclass(frozen=True)
class _Attempt:
    """An attempt counted in advance (see ``LoginThrottle``)."""

    keys: list[tuple[str, str]]
    counts: dict[tuple[str, str], int]
    at: dt.datetime


def reserve_attempt(
    keys: list[tuple[str, str]], at: dt.datetime
) -> tuple[_Attempt | None, dt.datetime | None]:
    """Count an attempt for every key, unless one of them is locked: then nothing is
    counted (a locked attempt does not extend the lock) and the lock's end is returned."""
    with transaction.atomic():
        rows = locked_throttle_rows(keys)
        for row in rows:
            if _is_stale(row, at):
                row.failures = 0
        locks = [until for row in rows if (until := _locked_until(row, at))]
        if locks:
            return None, max(locks)
        for row in rows:
            row.failures += 1
            row.last_attempt_at = at
            row.save(update_fields=["failures", "last_attempt_at"])
        return _Attempt(keys, {(r.kind, r.key): r.failures for r in rows}, at), None


def clear_attempt(attempt: _Attempt) -> None:
    """A complete login: the counters start again."""
    for kind, key in attempt.keys:
        LoginThrottle.objects.filter(kind=kind, key=key).update(failures=0)


def _uncount_attempt(attempt: _Attempt) -> None:
    """A correct password before the second factor: the attempt was not a failure,
    but the count is not cleared either (otherwise knowing the password would allow
    unlimited guesses at the code)."""
    for kind, key in attempt.keys:
        LoginThrottle.objects.filter(kind=kind, key=key, failures__gt=0).update(
            failures=F("failures") - 1
        )


def settle_failure(
    attempt: _Attempt, *, actor_name: str, ip: str | None, action: str = "login.locked"
) -> dt.datetime | None:
    """The counted attempt failed. Writes ``action`` (``login.locked``, or the
    citizens' ``citizen.locked``) for each key this failure locked and returns the
    end of the lock, if any key is now locked."""
    threshold = settings.TONGBAN_LOCKOUT_THRESHOLD
    rows = locked_throttle_rows(attempt.keys)
    locks = []
    for row in rows:
        until = _locked_until(row, attempt.at)
        if until is None:
            continue
        locks.append(until)
        if attempt.counts[(row.kind, row.key)] == threshold:
            record_event(
                actor=None,
                actor_name=actor_name,
                action=action,
                object_type="accounts.loginthrottle",
                object_id=row.pk,
                object_repr=f"{row.kind}:{row.key}",
                success=False,
                message=f"{threshold} consecutive failures",
                after={"kind": row.kind, "key": row.key, "locked_until": until},
                at=attempt.at,
                ip=ip,
            )
    return max(locks) if locks else None


def lock_status(*, username: str, ip: str | None, at: dt.datetime) -> dt.datetime | None:
    """When the lock on ``username`` or ``ip`` ends, or None when neither is locked."""
    ends = []
    for kind, key in _keys(username, ip):
        row = LoginThrottle.objects.filter(kind=kind, key=key).first()
        if row is not None and (until := _locked_until(row, at)):
            ends.append(until)
    return max(ends) if ends else None


def locked_out(locked_until: dt.datetime | None) -> LoginRefused:
    """The refusal of a locked account or address (the generic one if the lock has
    just ended)."""
    if locked_until is None:
        return LoginRefused(generic_failure_message())
    return LoginRefused(locked_message(locked_until), locked_until=locked_until)


def locked_message(locked_until: dt.datetime) -> str:
    local = timezone.localtime(locked_until, clock.LOCAL_TZ)
    # Shown to the minute, rounded up: "locked until 10:31" must not refuse at 10:31.
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return _(
        "Too many failed attempts: login is locked until %(time)s. Please try again later."
    ) % {"time": local.strftime("%Y-%m-%d %H:%M")}


def generic_failure_message() -> str:
    return _("Incorrect username or password.")


# --- the password step ------------------------------------------------------------------


def authenticate_staff(*, username: str, password: str, ip: str | None, at: dt.datetime) -> User:
    """The password step of a staff login; returns the user or raises ``LoginRefused``.

    Unknown usernames, wrong passwords, disabled accounts and demo accounts outside
    demo mode all get the same message and are counted alike, so that neither the
    answer nor the lockout tells whether an account exists. A user who needs a second
    factor is not logged in yet (``login.password``); everyone else is
    (``login.success``)."""
    attempted = username.strip()[:150]
    attempt, locked_until = reserve_attempt(_keys(attempted, ip), at)
    if attempt is None:
        record_event(
            actor=None,
            actor_name=attempted,
            action="login.failure",
            success=False,
            message="locked",
            at=at,
            ip=ip,
        )
        raise locked_out(locked_until)

    # Outside any transaction: hashing is slow and must not hold the database lock.
    # Django's backend hashes a dummy password for unknown usernames (same timing).
    user = authenticate(None, username=attempted, password=password)
    refusal, target = "", None
    if user is None:
        refusal, target = _failure_reason(attempted)
    elif user.is_demo and not settings.DEMO_MODE:
        refusal, target = "demo account outside demo mode", user
    if refusal:
        with transaction.atomic():
            record_event(
                actor=None,
                actor_name=attempted,
                action="login.failure",
                obj=target,
                success=False,
                message=refusal,
                at=at,
                ip=ip,
            )
            locked_until = settle_failure(attempt, actor_name=attempted, ip=ip)
        if locked_until:
            raise locked_out(locked_until)
        raise LoginRefused(generic_failure_message())
    if user is None:  # every unknown user has a refusal above; this tells the checker
        raise LoginRefused(generic_failure_message())

    if user.needs_second_factor:
        with transaction.atomic():
            _uncount_attempt(attempt)
            record_event(
                actor=user,
                action="login.password",
                obj=user,
                message="password accepted; second factor required",
                at=at,
                ip=ip,
            )
    else:
        _complete_login(user, attempt, at=at, ip=ip, second_factor=False)
    return user


def _failure_reason(attempted: str) -> tuple[str, User | None]:
    """For the audit log only (never shown to the person logging in)."""
    target = User.objects.filter(username__iexact=attempted).first()
    if target is None:
        return "unknown username", None
    if not target.is_active:
        return "account disabled", target
    return "wrong password", target


@transaction.atomic
def _complete_login(
    user: User, attempt: _Attempt, *, at: dt.datetime, ip: str | None, second_factor: bool
) -> None:
    clear_attempt(attempt)
    User.objects.filter(pk=user.pk).update(last_login=at)
    user.last_login = at
    record_event(
        actor=user,
        action="login.success",
        obj=user,
        after={"second_factor": second_factor},
        at=at,
        ip=ip,
    )


# --- second factor (TOTP) ---------------------------------------------------------------


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def _totp(device: TOTPDevice) -> pyotp.TOTP:
    return pyotp.TOTP(device.secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL)


@transaction.atomic
def begin_totp_enrolment(*, user: User, at: dt.datetime) -> TOTPDevice:
    """The unconfirmed device whose secret the enrolment page shows. Created once and
    kept, so that reloading the page does not invalidate an app already set up."""
    device = TOTPDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.is_confirmed:
        raise ActionNotAllowed(_("An authenticator is already set up for this account."))
    if device is None:
        device = TOTPDevice.objects.create(user=user, secret=pyotp.random_base32(), created_at=at)
    return device


@transaction.atomic
def enrol_totp(
    user: User,
    *,
    secret: str | None = None,
    confirm: bool = True,
    at: dt.datetime,
) -> TOTPDevice:
    """Give ``user`` a TOTP device with ``secret`` (random when omitted), replacing any
    device they had. With ``confirm`` it is usable at once: the demo loader pre-enrols
    the demo accounts this way. Only for the system itself (set-up commands); people
    enrol through ``begin_totp_enrolment`` and ``verify_second_factor``."""
    secret = secret or pyotp.random_base32()
    pyotp.TOTP(secret).now()  # refuses a secret that is not valid base32
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, secret=secret, created_at=at, confirmed_at=at if confirm else None
    )
    if confirm:
        record_event(
            actor=None, action="totp.enrol", obj=user, message="enrolled by the system", at=at
        )
    return device


@transaction.atomic
def reset_totp(*, actor: User | None, user: User, at: dt.datetime) -> None:
    """Remove ``user``'s authenticator (lost phone): they enrol a new one at their next
    login. Their sessions end. System or security administrator."""
    require_role(actor, RoleCode.SYSTEM_ADMIN, RoleCode.SECURITY_ADMIN)
    deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
    if not deleted:
        raise NotFound(_("This account has no authenticator."))
    record_event(actor=actor, action="totp.reset", obj=user, at=at)
    _end_sessions(user)


def verify_second_factor(*, user: User, code: str, ip: str | None, at: dt.datetime) -> TOTPDevice:
    """The second step of a login: ``code`` from the user's authenticator. The first
    valid code confirms a device being enrolled (``totp.enrol``). A code is usable once
    (its time step must be later than the last one used). A wrong or reused code is a
    failed login attempt for the lockout (``totp.failure``); success completes the
    login (``login.success``) and clears the counters."""
    if not TOTPDevice.objects.filter(user=user).exists():
        raise ActionNotAllowed(_("Set up your authenticator first."))
    attempt, locked_until = reserve_attempt(_keys(user.username, ip), at)
    if attempt is None:
        record_event(
            actor=user,
            action="totp.failure",
            obj=user,
            success=False,
            message="locked",
            at=at,
            ip=ip,
        )
        raise locked_out(locked_until)

    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(user=user)
        step = _matching_step(device, code, at)
        if step is not None:
            enrolling = not device.is_confirmed
            device.last_used_step = step
            fields = ["last_used_step"]
            if enrolling:
                device.confirmed_at = at
                fields.append("confirmed_at")
                record_event(actor=user, action="totp.enrol", obj=user, at=at, ip=ip)
            device.save(update_fields=fields)
            _complete_login(user, attempt, at=at, ip=ip, second_factor=True)
            return device
        record_event(
            actor=user,
            action="totp.failure",
            obj=user,
            success=False,
            message="wrong or reused code",
            at=at,
            ip=ip,
        )
        locked_until = settle_failure(attempt, actor_name=user.username, ip=ip)
    if locked_until:
        raise locked_out(locked_until)
    raise LoginRefused(_("The verification code is wrong or has already been used."))


def _matching_step(device: TOTPDevice, code: str, at: dt.datetime) -> int | None:
    code = "".join(code.split())
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    totp = _totp(device)
    current = totp.timecode(at)
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if step <= device.last_used_step:
            continue  # used already, or older than a code already used
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(device: TOTPDevice) -> str:
    issuer = settings.CITY_NAME + _("Tongban")
    return _totp(device).provisioning_uri(name=device.user.get_username(), issuer_name=issuer)


def qr_code_svg(text: str) -> str:
    """An inline SVG QR code, made here: the secret never leaves the server."""
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=8,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    return str(image.to_string(encoding="unicode"))


def demo_totp_code(*, username: str, at: dt.datetime) -> str:
    """The current code of a demo account's authenticator, for the demo only."""
    if not settings.DEMO_MODE:
        raise ActionNotAllowed(_("Codes are shown only in demo mode."))
    user = User.objects.filter(username__iexact=username).first()
    if user is None or not user.is_demo:
        raise ActionNotAllowed(_("Codes are shown only for demo accounts."))
    device = confirmed_device(user)
    if device is None:
        raise NotFound(_("This account has no authenticator."))
    return _totp(device).at(at)


# --- sessions ---------------------------------------------------------------------------


def start_session(request: HttpRequest, user: User, *, at: dt.datetime) -> None:
    """Log ``user`` in on ``request`` after ``authenticate_staff``: a new session key
    (Django's ``login`` cycles it: no session fixation), the times for the lifetime
    limits, the second-factor flag and the ``UserSession`` record."""
    login(request, user)
    session = request.session
    session[SESSION_LOGIN_AT] = at.timestamp()
    session[SESSION_SEEN_AT] = at.timestamp()
    session[SESSION_VERIFIED] = not user.needs_second_factor
    _track_session(request, user, at=at)


def mark_second_factor_verified(request: HttpRequest, *, at: dt.datetime) -> None:
    """After ``verify_second_factor``: the session is fully authenticated, under a new
    key (privileges rose)."""
    old_key = request.session.session_key
    request.session.cycle_key()
    request.session[SESSION_VERIFIED] = True
    # The user has just passed the password and the second factor: never anonymous.
    _track_session(request, cast(User, request.user), at=at, old_key=old_key)


def _track_session(
    request: HttpRequest, user: User, *, at: dt.datetime, old_key: str | None = None
) -> None:
    session = request.session
    if session.session_key is None:
        session.save()  # a flushed session gets its new key when saved
    if old_key:
        UserSession.objects.filter(session_key=old_key).delete()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "created_at": at,
            "ip": getattr(request, "client_ip", None) or client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        },
    )


def session_expiry(session: SessionBase, *, at: dt.datetime) -> str | None:
    """``"absolute"`` or ``"idle"`` when the session is past its lifetime; otherwise
    records this request as activity and returns None. A session started without the
    login view (a test's ``force_login``) starts its clocks at its first request."""
    now = at.timestamp()
    login_at = session.get(SESSION_LOGIN_AT)
    seen_at = session.get(SESSION_SEEN_AT)
    if login_at is None:
        session[SESSION_LOGIN_AT] = now
    elif now - login_at > settings.TONGBAN_SESSION_ABSOLUTE_HOURS * 3600:
        return "absolute"
    if seen_at is not None and now - seen_at > settings.SESSION_COOKIE_AGE:
        return "idle"
    session[SESSION_SEEN_AT] = now
    return None


def log_out(request: HttpRequest, *, at: dt.datetime, reason: str = "") -> None:
    """End the current session (logout button, expiry, lock) with a ``logout`` record."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        with transaction.atomic():
            record_event(actor=user, action="logout", obj=user, message=reason, at=at)
            if request.session.session_key:
                UserSession.objects.filter(session_key=request.session.session_key).delete()
    logout(request)


def _end_sessions(user: User, *, keep: str | None = None) -> int:
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


# --- passwords --------------------------------------------------------------------------

# Django 5.2 rewrote this validator message (``%d`` instead of ``%(min_length)d``) and
# its zh_Hans catalogue still has only the old one: it is translated in our catalogue,
# and written here so that ``makemessages`` keeps it there.
_DJANGO_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    10,
)


def password_expired(user: User, *, at: dt.datetime) -> bool:
    """Whether the optional maximum password age (``TONGBAN_PASSWORD_MAX_AGE_DAYS``,
    0 = off) has passed. An unknown age counts as expired. Demo accounts are exempt:
    their passwords are published and shared by everyone trying the demo."""
    days = settings.TONGBAN_PASSWORD_MAX_AGE_DAYS
    if not days or user.is_demo:
        return False
    if user.password_changed_at is None:
        return True
    return at - user.password_changed_at > dt.timedelta(days=days)


def must_change_password(user: User, *, at: dt.datetime) -> bool:
    return user.must_change_password or password_expired(user, at=at)


def change_password(
    *,
    user: User,
    old_password: str,
    new_password: str,
    keep_session_key: str | None = None,
    at: dt.datetime,
) -> User:
    """A user changes their own password (seed §1.6). The old password must be right
    and the new one pass every password rule; then the change time is recorded, a
    forced change is cleared and every other session of the user ends (the current
    one, ``keep_session_key``, is kept by the caller with ``update_session_auth_hash``)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.check_password(old_password):
            message = _("Your old password was entered incorrectly.")
            error = ValidationFailed(message, fields={"old_password": [message]})
        else:
            try:
                validate_password(new_password, user)
                error = None
            except ValidationError as exc:
                messages = list(exc.messages)
                error = ValidationFailed(messages[0], fields={"new_password1": messages})
        if error is None and new_password == old_password:
            message = _("The new password must differ from the old one.")
            error = ValidationFailed(message, fields={"new_password1": [message]})
        if error is not None:
            record_event(
                actor=user,
                action="password.change",
                obj=user,
                success=False,
                message=str(error.message),
                at=at,
            )
        else:
            user.set_password(new_password)
            user.password_changed_at = at
            user.must_change_password = False
            user.save(update_fields=["password", "password_changed_at", "must_change_password"])
            ended = _end_sessions(user, keep=keep_session_key)
            record_event(
                actor=user,
                action="password.change",
                obj=user,
                after={"sessions_ended": ended},
                at=at,
            )
    # Raised after the commit: the refused attempt stays in the audit log.
    if error is not None:
        raise error
    return user


def keep_session_after_password_change(
    request: HttpRequest, user: User, *, at: dt.datetime
) -> None:
    """The current session survives the password change under a new key; the others
    are gone (the session hash changed)."""
    old_key = request.session.session_key
    update_session_auth_hash(request, user)
    _track_session(request, user, at=at, old_key=old_key)


# --- dormant accounts and housekeeping --------------------------------------------------


def disable_dormant_accounts(*, at: dt.datetime) -> list[str]:
    """Disable every active account whose last login (or creation, if it never logged
    in) is more than ``TONGBAN_DORMANT_DAYS`` (90) days old, audited like a disable by
    an administrator and ending its sessions. Returns the usernames disabled.

    Demo accounts are left alone: they can log in only in demo mode, where the
    simulated history would otherwise disable them."""
    days = settings.TONGBAN_DORMANT_DAYS
    if not days:
        return []
    cutoff = at - dt.timedelta(days=days)
    dormant = User.objects.filter(is_active=True, is_demo=False).filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    )
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Disabled automatically after %(days)d days without login") % {"days": days}
    disabled = []
    for user in dormant.order_by("pk"):
        # One transaction per account: one failure does not keep the others enabled.
        accounts.set_user_active(actor=None, user=user, active=False, reason=reason, at=at)
        disabled.append(user.username)
    return disabled


def purge_login_records(*, at: dt.datetime) -> None:
    """Housekeeping: lockout counters that no longer count, expired sessions and the
    records of sessions that no longer exist."""
    LoginThrottle.objects.filter(
        Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=at - _lock_period())
    ).delete()
    Session.objects.filter(expire_date__lt=at).delete()
    UserSession.objects.exclude(session_key__in=Session.objects.values("session_key")).delete()
