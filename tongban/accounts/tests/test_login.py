"""Staff login: the password step, the new session, disabled and demo accounts, the
safe next URL, logout."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tongban.accounts import security
from tongban.accounts import services as accounts
from tongban.accounts.models import User, UserSession
from tongban.accounts.testing import PASSWORD
from tongban.audit.models import AuditRecord

from .conftest import post_login

GENERIC = "用户名或密码错误。"


def test_it_shows_the_login_page_in_chinese(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "工作人员登录" in page
    assert "用户名" in page and "密码" in page
    assert 'autocomplete="current-password"' in page


def test_it_logs_a_handler_in_with_a_new_session_and_records_it(client, personas):
    client.get(reverse("accounts:login"))
    client.session.save()
    anonymous_key = client.session.session_key

    response = post_login(client, "handler", next="/office/", ip="10.0.0.7")

    assert response.status_code == 302
    assert response["Location"] == "/office/"
    session_key = client.session.session_key
    assert session_key != anonymous_key
    assert not Session.objects.filter(session_key=anonymous_key).exists()
    tracked = UserSession.objects.get(user=personas.handler)
    assert tracked.session_key == session_key
    assert tracked.ip == "10.0.0.7"
    personas.handler.refresh_from_db()
    assert personas.handler.last_login is not None
    success = AuditRecord.objects.get(action="login.success")
    assert success.actor_id == personas.handler.pk
    assert success.ip == "10.0.0.7"
    assert client.get("/office/").status_code == 200


def test_it_matches_the_username_regardless_of_case(client, personas):
    response = post_login(client, "HANDLER")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.handler.pk)


@pytest.mark.parametrize(
    ("username", "password"),
    [("handler", "Wrong-Password-99"), ("nobody", PASSWORD), ("nobody", "Wrong-Password-99")],
)
def test_it_gives_the_same_message_for_unknown_users_and_wrong_passwords(
    client, personas, username, password
):
    response = post_login(client, username, password)
    assert response.status_code == 200
    assert GENERIC in response.content.decode()
    assert "_auth_user_id" not in client.session
    failure = AuditRecord.objects.get(action="login.failure")
    assert failure.actor_id is None
    assert failure.actor_name == username
    assert failure.success is False


def test_it_refuses_a_disabled_account_with_the_generic_message(client, personas):
    accounts.set_user_active(
        actor=personas.system_admin,
        user=personas.handler,
        active=False,
        reason="调离",
        at=timezone.now(),
    )
    response = post_login(client, "handler")
    assert GENERIC in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.get(action="login.failure").message == "account disabled"


def _demo_user():
    return accounts.create_user(
        actor=None,
        username="demo-handler",
        password=PASSWORD,
        full_name="演示承办人",
        must_change_password=False,
        is_demo=True,
        at=timezone.now(),
    )


@override_settings(DEMO_MODE=False)
def test_it_refuses_a_demo_account_outside_demo_mode(client, personas):
    _demo_user()
    response = post_login(client, "demo-handler")
    assert GENERIC in response.content.decode()
    assert "_auth_user_id" not in client.session
    failure = AuditRecord.objects.get(action="login.failure")
    assert failure.message == "demo account outside demo mode"


@override_settings(DEMO_MODE=True)
def test_it_lets_a_demo_account_in_in_demo_mode(client, personas):
    user = _demo_user()
    response = post_login(client, "demo-handler")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/office/", "//evil.example/", "javascript:alert(1)"]
)
def test_it_does_not_redirect_to_another_site_after_login(client, personas, next_url):
    response = post_login(client, "handler", next=next_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("site:home")


def test_it_sends_an_anonymous_visitor_to_the_login_page_and_back(client, personas):
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    login_page = client.get(response["Location"])
    assert 'value="/office/"' in login_page.content.decode()
    assert post_login(client, "handler", next="/office/")["Location"] == "/office/"


def test_it_logs_out_only_by_post_and_records_it(client, personas):
    post_login(client, "handler")
    session_key = client.session.session_key

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get("/office/").status_code == 200

    response = client.post(reverse("accounts:logout"), follow=True)

    assert "您已退出登录。" in response.content.decode()
    assert not Session.objects.filter(session_key=session_key).exists()
    assert not UserSession.objects.filter(user=personas.handler).exists()
    logout = AuditRecord.objects.get(action="logout")
    assert logout.actor_id == personas.handler.pk
    assert client.get("/office/").status_code == 302


def test_it_records_the_login_time_given_to_the_service(personas):
    at = security.clock.now().replace(year=2026, month=3, day=2, hour=1)
    security.authenticate_staff(username="handler", password=PASSWORD, ip="10.0.0.1", at=at)
    assert User.objects.get(pk=personas.handler.pk).last_login == at
