"""Sessions: 12 hours absolute, 30 minutes idle, ended when the account is disabled,
the password is reset or changed, or an administrator ends them."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.accounts import security
from tongban.accounts import services as accounts
from tongban.accounts.models import UserSession
from tongban.audit.models import AuditRecord
from tongban.core import clock

from .conftest import post_login

EXPIRED = "会话已过期，请重新登录"


def _shift(client, key: str, delta: dt.timedelta) -> None:
    session = client.session
    session[key] = (clock.now() - delta).timestamp()
    session.save()


def test_it_ends_the_session_twelve_hours_after_login(client, personas):
    post_login(client, "handler")
    _shift(client, security.SESSION_LOGIN_AT, dt.timedelta(hours=11, minutes=59))
    assert client.get("/office/").status_code == 200

    _shift(client, security.SESSION_LOGIN_AT, dt.timedelta(hours=12, seconds=1))
    response = client.get("/office/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    assert EXPIRED in client.get(response["Location"]).content.decode()
    record = AuditRecord.objects.get(action="logout")
    assert record.actor_id == personas.handler.pk
    assert record.message == "session expired (absolute)"
    assert not UserSession.objects.filter(user=personas.handler).exists()


def test_it_ends_the_session_after_thirty_idle_minutes_even_while_recently_active(client, personas):
    post_login(client, "handler")
    # Activity keeps the session going (the login time stays fresh enough).
    _shift(client, security.SESSION_SEEN_AT, dt.timedelta(minutes=29))
    assert client.get("/office/").status_code == 200

    _shift(client, security.SESSION_SEEN_AT, dt.timedelta(minutes=30, seconds=1))
    response = client.get("/office/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.get(action="logout").message == "session expired (idle)"


def test_it_expires_the_stored_session_itself_after_thirty_minutes(client, personas):
    post_login(client, "handler")
    stored = Session.objects.get(session_key=client.session.session_key)
    assert dt.timedelta(minutes=29) < stored.expire_date - clock.now() <= dt.timedelta(minutes=30)


def test_it_tells_htmx_to_reload_the_page_when_the_session_expired(client, personas):
    post_login(client, "handler")
    _shift(client, security.SESSION_LOGIN_AT, dt.timedelta(hours=13))
    response = client.get("/office/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


def test_it_ends_the_sessions_of_a_disabled_account(client, personas):
    post_login(client, "handler")
    key = client.session.session_key

    accounts.set_user_active(
        actor=personas.system_admin,
        user=personas.handler,
        active=False,
        reason="离职",
        at=timezone.now(),
    )

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/office/").status_code == 302


def test_it_stops_even_an_unrecorded_session_of_a_disabled_account(client, personas):
    """Django itself refuses a session whose user is inactive."""
    client.force_login(personas.handler)
    assert client.get("/office/").status_code == 200
    accounts.set_user_active(
        actor=personas.system_admin, user=personas.handler, active=False, at=timezone.now()
    )
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_stops_a_session_when_the_password_is_reset(client, personas):
    client.force_login(personas.handler)
    assert client.get("/office/").status_code == 200
    accounts.reset_password(
        actor=personas.system_admin,
        user=personas.handler,
        new_password="Reset-Pass-2026!",
        at=timezone.now(),
    )
    assert client.get("/office/").status_code == 302


def test_it_lets_an_administrator_end_a_users_sessions(client, personas):
    post_login(client, "handler", ip="10.4.0.1")
    other = Client()
    post_login(other, "handler", ip="10.4.0.2")
    assert UserSession.objects.filter(user=personas.handler).count() == 2

    ended = accounts.end_user_sessions(
        actor=personas.security_admin, user=personas.handler, at=timezone.now()
    )

    assert ended == 2
    assert client.get("/office/").status_code == 302
    assert other.get("/office/").status_code == 302


def test_it_clears_records_of_sessions_that_are_gone(client, personas):
    post_login(client, "handler")
    assert UserSession.objects.exists()
    security.purge_login_records(at=clock.now() + dt.timedelta(minutes=31))
    assert not Session.objects.exists()
    assert not UserSession.objects.exists()
