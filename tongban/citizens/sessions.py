"""The citizen's session. Citizens and staff share Django's session (one cookie) but
never its keys: the citizen lives under ``_citizen_id`` (agreed with the portal), so
a staff login grants nothing on the portal and a citizen login nothing in the office.

- Login cycles the session key (no fixation) and stores the login and last-seen
  times: the same idle (``SESSION_COOKIE_AGE``, 30 min) and absolute (12 h) limits as
  staff sessions.
- A hash derived from the password hash ends every other session when the password
  changes (like Django's session auth hash).
- Logout removes only the citizen's keys and cycles the key, so a staff member
  logged in on the same browser stays logged in.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from tongban.core.request_context import client_ip

from . import services
from .models import Citizen

SESSION_CITIZEN_ID = "_citizen_id"
SESSION_CITIZEN_HASH = "_citizen_hash"
SESSION_CITIZEN_LOGIN_AT = "_citizen_login_at"
SESSION_CITIZEN_SEEN_AT = "_citizen_seen_at"
CITIZEN_KEYS = (
    SESSION_CITIZEN_ID,
    SESSION_CITIZEN_HASH,
    SESSION_CITIZEN_LOGIN_AT,
    SESSION_CITIZEN_SEEN_AT,
)


def session_hash(citizen: Citizen) -> str:
    return salted_hmac("tongban.citizens.session", citizen.password, algorithm="sha256").hexdigest()


def start_session(request, citizen: Citizen, *, at: dt.datetime) -> None:
    """Log ``citizen`` in on ``request`` (after ``authenticate_citizen`` or
    registration) under a new session key."""
    session = request.session
    if session.get(SESSION_CITIZEN_ID) not in (None, citizen.pk):
        for key in CITIZEN_KEYS:
            session.pop(key, None)
    session.cycle_key()
    session[SESSION_CITIZEN_ID] = citizen.pk
    session[SESSION_CITIZEN_HASH] = session_hash(citizen)
    session[SESSION_CITIZEN_LOGIN_AT] = at.timestamp()
    session[SESSION_CITIZEN_SEEN_AT] = at.timestamp()
    request.citizen = citizen


def keep_session_after_password_change(request, citizen: Citizen) -> None:
    """The current session survives the change, under a new key."""
    request.session.cycle_key()
    request.session[SESSION_CITIZEN_HASH] = session_hash(citizen)
    request.citizen = citizen


def end_session(request, *, at: dt.datetime, reason: str = "") -> None:
    citizen = getattr(request, "citizen", None)
    if citizen is not None:
        services.record_logout(
            citizen=citizen,
            at=at,
            ip=getattr(request, "client_ip", None) or client_ip(request),
            reason=reason,
        )
    for key in CITIZEN_KEYS:
        request.session.pop(key, None)
    if request.session.session_key:
        request.session.cycle_key()
    request.citizen = None


def session_citizen(request, *, at: dt.datetime) -> tuple[Citizen | None, str]:
    """The citizen of this session and, when the session just ended, why
    (``"idle"``, ``"absolute"``, ``"password"``, ``"disabled"``). Records this
    request as activity. A session holding only ``_citizen_id`` (set by a test
    helper, not by the login view) starts its clocks and hash now."""
    session = request.session
    citizen_id = session.get(SESSION_CITIZEN_ID)
    if citizen_id is None:
        return None, ""
    citizen = Citizen.objects.filter(pk=citizen_id).first()
    if citizen is None or not citizen.is_active:
        return citizen, "disabled"
    now = at.timestamp()
    stored_hash = session.get(SESSION_CITIZEN_HASH)
    if stored_hash is None:
        session[SESSION_CITIZEN_HASH] = session_hash(citizen)
    elif not constant_time_compare(stored_hash, session_hash(citizen)):
        return citizen, "password"
    login_at = session.setdefault(SESSION_CITIZEN_LOGIN_AT, now)
    if now - login_at > settings.TONGBAN_SESSION_ABSOLUTE_HOURS * 3600:
        return citizen, "absolute"
    seen_at = session.get(SESSION_CITIZEN_SEEN_AT)
    if seen_at is not None and now - seen_at > settings.SESSION_COOKIE_AGE:
        return citizen, "idle"
    session[SESSION_CITIZEN_SEEN_AT] = now
    return citizen, ""
