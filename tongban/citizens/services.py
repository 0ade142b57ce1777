"""Citizen accounts (security.md, "Identity and sessions", applied to the portal).

- Registration proves the mobile number with a one-time SMS code (``send_code`` then
  ``register_citizen``). The "send code" step answers the same whether or not the number
  is registered already: only the person holding the phone, after entering its code,
  learns that an account exists ("This mobile number is already registered").
- Passwords: argon2 and the staff rules (``AUTH_PASSWORD_VALIDATORS``).
- Login: lockout after 5 consecutive failures for 30 minutes, per mobile number (its
  blind index, whether or not an account exists) and per IP, counted before the
  password is checked: the staff lockout of ``accounts.security`` itself, on counters
  of their own kinds (``LoginThrottleKind.CITIZEN_*``).
- Every register, login, failure, lock, logout and password change is audited with
  ``actor=None`` and the citizen as the object (citizens are not staff users).

Session handling (which needs the request) is in ``sessions.py``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from typing import cast

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from tongban.accounts.models import LoginThrottle, LoginThrottleKind
from tongban.accounts.security import (
    LoginRefused,
    clear_attempt,
    locked_message,
    locked_throttle_rows,
    reserve_attempt,
    settle_failure,
)
from tongban.audit.services import record_event
from tongban.core.clock import local_date, start_of_local_day
from tongban.core.crypto import mask_mobile
from tongban.core.errors import ActionNotAllowed, ValidationFailed
from tongban.notify.services import enqueue

from .models import Citizen, CodePurpose, VerificationCode, index_mobile

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
CODE_DIGITS = 6
NAME_MAX = 50
SMS_TEMPLATE = "citizen_verification"


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def clean_mobile(mobile: str) -> str:
    """A mainland mobile number (11 digits starting 13–19), spaces and dashes removed."""
    value = re.sub(r"[\s-]", "", mobile or "")
    if value.startswith("+86"):
        value = value[3:]
    if not MOBILE_RE.match(value):
        raise _fail("mobile", _("Enter a valid 11-digit mobile number."))
    return value


def _code_hash(code: str) -> str:
    # Keyed: a copy of the table does not reveal the codes (6 digits are easy to
    # brute-force without the key).
    return salted_hmac("tongban.citizens.code", code, algorithm="sha256").hexdigest()


# --- verification codes -----------------------------------------------------------------


def send_code(*, mobile: str, purpose: str, ip: str | None, at: dt.datetime) -> VerificationCode:
    """Send a new code by SMS (through the outbox). Refused when the last code for
    this number and purpose is younger than the resend interval (60 s) or the daily
    limits per number or per IP are reached.

    For a password reset of a number that has no account nothing is sent, but the
    answer is the same (the page cannot be used to find out who is registered)."""
    mobile = clean_mobile(mobile)
    if purpose not in CodePurpose.values:
        raise _fail("purpose", _("Unknown purpose."))
    index = index_mobile(mobile)
    with transaction.atomic():
        # One row per number serialises concurrent sends: the resend interval holds.
        locked_throttle_rows([(LoginThrottleKind.CITIZEN_SEND, index)])
        last = (
            VerificationCode.objects.filter(mobile_index=index, purpose=purpose)
            .order_by("-created_at")
            .first()
        )
        wait = settings.TONGBAN_CITIZEN_CODE_RESEND_SECONDS
        if last is not None and (at - last.created_at).total_seconds() < wait:
            left = wait - int((at - last.created_at).total_seconds())
            raise ActionNotAllowed(
                _("A code was sent a moment ago. You can ask for another in %(seconds)d seconds.")
                % {"seconds": left}
            )
        day_start = start_of_local_day(local_date(at))
        today = VerificationCode.objects.filter(created_at__gte=day_start, created_at__lte=at)
        if today.filter(
            mobile_index=index
        ).count() >= settings.TONGBAN_CITIZEN_CODES_PER_MOBILE_DAY or (
            ip and today.filter(ip=ip).count() >= settings.TONGBAN_CITIZEN_CODES_PER_IP_DAY
        ):
            raise ActionNotAllowed(
                _("Too many codes were requested today. Please try again tomorrow.")
            )
        code = "".join(secrets.choice("0123456789") for _i in range(CODE_DIGITS))
        minutes = settings.TONGBAN_CITIZEN_CODE_MINUTES
        row = VerificationCode.objects.create(
            mobile_index=index,
            purpose=purpose,
            code_hash=_code_hash(code),
            ip=ip or None,
            created_at=at,
            expires_at=at + dt.timedelta(minutes=minutes),
        )
        # A reset for a number without an account is recorded (the limits count it)
        # but no SMS goes out.
        if purpose == CodePurpose.REGISTER or Citizen.objects.filter(mobile_index=index).exists():
            with translation.override(settings.LANGUAGE_CODE):
                body = _(
                    "Your verification code is %(code)s, valid for %(minutes)d minutes. "
                    "Do not tell it to anyone."
                ) % {"code": code, "minutes": minutes}
            enqueue(channel="sms", template=SMS_TEMPLATE, address=mobile, body=body, at=at)
        record_event(
            actor=None,
            actor_name=mask_mobile(mobile),
            action="citizen.code",
            obj=row,
            message=purpose,
            at=at,
            ip=ip,
        )
    return row


def _check_code(*, index: str, purpose: str, code: str, at: dt.datetime) -> None:
    """Use the latest code sent to the number for ``purpose``. A wrong guess is
    counted (and committed, even though the caller's action fails); after the allowed
    number of wrong guesses, or once used or expired, the code is dead."""
    code = "".join((code or "").split())
    error: ValidationFailed | None = None
    with transaction.atomic():
        row = (
            VerificationCode.objects.select_for_update()
            .filter(mobile_index=index, purpose=purpose)
            .order_by("-created_at")
            .first()
        )
        if row is None or row.used_at is not None or row.expires_at <= at:
            error = _fail(
                "code",
                _("The verification code has expired or was not requested. Please get a new one."),
            )
        elif row.attempts >= settings.TONGBAN_CITIZEN_CODE_ATTEMPTS:
            error = _fail("code", _("Too many wrong codes. Please get a new one."))
        elif not hmac.compare_digest(row.code_hash, _code_hash(code)):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            error = _fail("code", _("The verification code is wrong."))
        else:
            row.used_at = at
            row.save(update_fields=["used_at"])
    if error is not None:
        raise error


# --- registration -----------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise _fail("name", _("Enter your name."))
    if len(name) > NAME_MAX:
        raise _fail("name", _("The name may be at most %(max)d characters.") % {"max": NAME_MAX})
    return name


def _check_password(password: str, citizen: Citizen, field: str) -> None:
    try:
        # django-stubs types the user as AUTH_USER_MODEL; the validators only read the
        # account's attributes (for similarity), which a Citizen has.
        validate_password(password, citizen)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages = list(exc.messages)
        raise ValidationFailed(messages[0], fields={field: messages}) from exc


def register_citizen(
    *, mobile: str, name: str, password: str, code: str, ip: str | None, at: dt.datetime
) -> Citizen:
    """Create an account once the SMS code proves the number. Every field is checked
    before the code is used, so a weak password does not burn the code."""
    mobile = clean_mobile(mobile)
    name = _clean_name(name)
    citizen = Citizen(name=name, created_at=at, password_changed_at=at, last_login_at=at)
    citizen.set_mobile(mobile)
    _check_password(password, citizen, "password1")
    _check_code(index=citizen.mobile_index, purpose=CodePurpose.REGISTER, code=code, at=at)
    citizen.set_password(password)
    duplicate = _fail(
        "mobile",
        _("This mobile number is already registered. Log in, or reset your password."),
    )
    if Citizen.objects.filter(mobile_index=citizen.mobile_index).exists():
        raise duplicate
    try:
        with transaction.atomic():
            citizen.save(force_insert=True)
            record_event(
                actor=None,
                actor_name=citizen.masked_mobile,
                action="citizen.register",
                obj=citizen,
                at=at,
                ip=ip,
            )
            # Registration logs the citizen in (the view starts the session).
            record_event(
                actor=None,
                actor_name=citizen.masked_mobile,
                action="citizen.login",
                obj=citizen,
                message="after registration",
                at=at,
                ip=ip,
            )
    except IntegrityError:
        raise duplicate from None  # registered at the same moment by another request
    return citizen


# --- login and lockout ------------------------------------------------------------------


def _login_keys(index: str, ip: str | None) -> list[tuple[str, str]]:
    # Always in this order: concurrent attempts lock the rows alike, no deadlock.
    keys: list[tuple[str, str]] = [(LoginThrottleKind.CITIZEN_MOBILE, index)]
    if ip:
        keys.append((LoginThrottleKind.CITIZEN_IP, ip))
    return keys


# A fixed hash to check against when the number has no account: the same work as
# a real check, so the time taken does not tell whether an account exists.
_DUMMY_HASH: str | None = None


def _dummy_check(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = make_password(secrets.token_hex(16))
    Citizen(password=_DUMMY_HASH).check_password(password)


def generic_failure_message() -> str:
    return _("Incorrect mobile number or password.")


def authenticate_citizen(*, mobile: str, password: str, ip: str | None, at: dt.datetime) -> Citizen:
    """The login of a citizen: returns the account or raises ``LoginRefused`` with
    the same message for an unknown number, a wrong password and a disabled account."""
    raw = re.sub(r"[\s-]", "", mobile or "")[:20]
    index = index_mobile(raw)
    shown = mask_mobile(raw)
    attempt, locked = reserve_attempt(_login_keys(index, ip), at)
    if attempt is None:
        record_event(
            actor=None,
            actor_name=shown,
            action="citizen.login_failure",
            success=False,
            message="locked",
            at=at,
            ip=ip,
        )
        # No attempt means a key is locked: ``locked`` is its end.
        until = cast(dt.datetime, locked)
        raise LoginRefused(locked_message(until), locked_until=until)
    citizen = Citizen.objects.filter(mobile_index=index).first()
    # Hashing outside any transaction: slow, and must not hold the throttle rows.
    if citizen is None:
        _dummy_check(password)
        reason = "unknown mobile"
    elif not citizen.check_password(password):
        reason = "wrong password"
    elif not citizen.is_active:
        reason = "account disabled"
    else:
        reason = ""
    if reason:
        with transaction.atomic():
            record_event(
                actor=None,
                actor_name=shown,
                action="citizen.login_failure",
                obj=citizen,
                success=False,
                message=reason,
                at=at,
                ip=ip,
            )
            locked = settle_failure(attempt, actor_name=shown, ip=ip, action="citizen.locked")
        if locked:
            raise LoginRefused(locked_message(locked), locked_until=locked)
        raise LoginRefused(generic_failure_message())
    # An unknown number has a reason above: here the account exists.
    citizen = cast(Citizen, citizen)
    with transaction.atomic():
        clear_attempt(attempt)
        Citizen.objects.filter(pk=citizen.pk).update(last_login_at=at)
        citizen.last_login_at = at
        record_event(
            actor=None, actor_name=shown, action="citizen.login", obj=citizen, at=at, ip=ip
        )
    return citizen


def record_logout(*, citizen: Citizen, at: dt.datetime, ip: str | None, reason: str = "") -> None:
    record_event(
        actor=None,
        actor_name=citizen.masked_mobile,
        action="citizen.logout",
        obj=citizen,
        message=reason,
        at=at,
        ip=ip,
    )


# --- passwords --------------------------------------------------------------------------


def change_citizen_password(
    *, citizen: Citizen, old_password: str, new_password: str, ip: str | None, at: dt.datetime
) -> Citizen:
    """The citizen changes their password; the old one must be right. Other sessions
    end (their session hash no longer matches, see ``sessions.py``)."""
    with transaction.atomic():
        citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
        if not citizen.check_password(old_password):
            error = _fail("old_password", _("Your old password was entered incorrectly."))
        elif new_password == old_password:
            error = _fail("new_password1", _("The new password must differ from the old one."))
        else:
            try:
                _check_password(new_password, citizen, "new_password1")
                error = None
            except ValidationFailed as exc:
                error = exc
        if error is None:
            citizen.set_password(new_password)
            citizen.password_changed_at = at
            citizen.save(update_fields=["password", "password_changed_at"])
        record_event(
            actor=None,
            actor_name=citizen.masked_mobile,
            action="citizen.password_change",
            obj=citizen,
            success=error is None,
            message=str(error.message) if error else "",
            at=at,
            ip=ip,
        )
    # Raised after the commit: the refused attempt stays in the audit log.
    if error is not None:
        raise error
    return citizen


def reset_citizen_password(
    *, mobile: str, code: str, new_password: str, ip: str | None, at: dt.datetime
) -> Citizen:
    """Set a new password after proving the number with a reset code. Clears the
    lockout of the number: holding the phone is a stronger proof than a password."""
    mobile = clean_mobile(mobile)
    index = index_mobile(mobile)
    citizen = Citizen.objects.filter(mobile_index=index).first()
    if citizen is not None:
        _check_password(new_password, citizen, "new_password1")
    _check_code(index=index, purpose=CodePurpose.RESET, code=code, at=at)
    if citizen is None:  # no code was sent for it; unreachable unless one existed
        raise _fail("code", _("The verification code is wrong."))
    with transaction.atomic():
        citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
        citizen.set_password(new_password)
        citizen.password_changed_at = at
        citizen.save(update_fields=["password", "password_changed_at"])
        LoginThrottle.objects.filter(kind=LoginThrottleKind.CITIZEN_MOBILE, key=index).update(
            failures=0
        )
        record_event(
            actor=None,
            actor_name=citizen.masked_mobile,
            action="citizen.password_reset",
            obj=citizen,
            at=at,
            ip=ip,
        )
    return citizen
