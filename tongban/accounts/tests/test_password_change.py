"""Password change (个人设置 · 密码管理, seed §1.6): every rule in Chinese, forced
changes (administrator's reset, maximum age), other sessions ended."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.accounts.models import User
from tongban.accounts.testing import PASSWORD
from tongban.audit.models import AuditRecord
from tongban.core import clock

from .conftest import post_login

NEW = "Qinzhou-Maiji-88"


def _change(client, old=PASSWORD, new=NEW, confirm=None):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": confirm or new},
    )


def test_it_shows_the_password_rules_in_chinese(client, personas):
    post_login(client, "handler")
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "修改密码" in page and "密码管理" in page
    assert "至少包含小写字母、大写字母、数字、符号中的三类。" in page
    assert "不能包含您的用户名。" in page


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Ab1!xyz", "密码长度太短。密码必须包含至少 10 个字符。"),
        ("abcdefghijk123", "密码必须至少包含小写字母、大写字母、数字和符号中的三类。"),
        ("My-handler-2026", "密码不能包含用户名。"),
        ("Password1234", "这个密码太常见了。"),
        ("Aa1!" + "x" * 130, "密码长度不能超过 128 个字符。"),
    ],
    ids=["too-short", "two-classes", "contains-username", "common", "too-long"],
)
def test_it_refuses_a_password_breaking_a_rule_and_changes_nothing(client, personas, new, message):
    post_login(client, "handler")
    before = User.objects.get(pk=personas.handler.pk)

    response = _change(client, new=new)

    assert response.status_code == 200
    assert message in response.content.decode()
    after = User.objects.get(pk=personas.handler.pk)
    assert after.password == before.password
    assert after.password_changed_at == before.password_changed_at
    assert not AuditRecord.objects.filter(action="password.change", success=True).exists()


def test_it_refuses_a_wrong_old_password_and_audits_the_attempt(client, personas):
    post_login(client, "handler")
    response = _change(client, old="Not-The-Password-1")
    assert "当前密码输入错误。" in response.content.decode()
    assert User.objects.get(pk=personas.handler.pk).check_password(PASSWORD)
    refused = AuditRecord.objects.get(action="password.change")
    assert refused.success is False and refused.actor_id == personas.handler.pk


def test_it_refuses_mismatched_new_passwords(client, personas):
    post_login(client, "handler")
    response = _change(client, confirm="Something-Else-77")
    assert "两次输入的新密码不一致。" in response.content.decode()
    assert User.objects.get(pk=personas.handler.pk).check_password(PASSWORD)


def test_it_changes_the_password_keeps_this_session_and_ends_the_others(client, personas):
    other = Client()
    post_login(other, "handler", ip="10.5.0.2")
    post_login(client, "handler", ip="10.5.0.1")
    started = clock.now()

    response = _change(client)

    assert response.status_code == 302
    user = User.objects.get(pk=personas.handler.pk)
    assert user.check_password(NEW)
    assert user.password_changed_at >= started
    assert client.get("/office/").status_code == 200
    assert other.get("/office/").status_code == 302
    record = AuditRecord.objects.get(action="password.change")
    assert record.success and record.actor_id == user.pk
    assert record.after == {"sessions_ended": 1}
    assert user.sessions.get().session_key == client.session.session_key


def test_it_keeps_a_user_whose_password_was_reset_on_the_change_page(client, personas):
    accounts.reset_password(
        actor=personas.system_admin,
        user=personas.handler,
        new_password="Reset-Pass-2026!",
        at=timezone.now(),
    )
    post_login(client, "handler", "Reset-Pass-2026!", next="/office/")

    for path in ("/office/", "/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:password_change"))
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "您的密码由管理员设置" in page
    assert client.get("/static/core/tongban.css").status_code == 200

    response = client.post(
        reverse("accounts:password_change") + "?next=/office/",
        {
            "old_password": "Reset-Pass-2026!",
            "new_password1": NEW,
            "new_password2": NEW,
            "next": "/office/",
        },
    )

    assert response["Location"] == "/office/"
    assert client.get("/office/").status_code == 200
    assert User.objects.get(pk=personas.handler.pk).must_change_password is False


def _user_with_password_changed(days_ago: int) -> User:
    return accounts.create_user(
        actor=None,
        username="oldpass",
        password=PASSWORD,
        must_change_password=False,
        at=clock.now() - dt.timedelta(days=days_ago),
    )


def test_it_forces_a_change_of_a_password_older_than_ninety_days(client, personas):
    _user_with_password_changed(91)
    post_login(client, "oldpass")
    response = client.get("/office/")
    assert response["Location"].startswith(reverse("accounts:password_change"))
    page = client.get(response["Location"]).content.decode()
    assert "您的密码已超过 90 天未修改" in page


def test_it_does_not_force_a_change_before_ninety_days(client, personas):
    _user_with_password_changed(89)
    post_login(client, "oldpass")
    assert client.get("/office/").status_code == 200


@override_settings(TONGBAN_PASSWORD_MAX_AGE_DAYS=0)
def test_it_has_no_maximum_age_when_set_to_zero(client, personas):
    _user_with_password_changed(400)
    post_login(client, "oldpass")
    assert client.get("/office/").status_code == 200
