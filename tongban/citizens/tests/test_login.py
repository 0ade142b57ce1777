"""Citizen login, lockout, logout, password change and reset."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.accounts.security import LoginRefused
from tongban.audit.models import AuditRecord
from tongban.citizens import services
from tongban.notify.models import OutboxMessage

from .support import MOBILE, NEW_PASSWORD, OTHER_MOBILE, PASSWORD, T0, register, sms_code, zh

pytestmark = pytest.mark.django_db

LOGIN = "/portal/account/login/"


def test_it_logs_a_citizen_in_under_a_new_session_key_and_back_to_next(client):
    citizen = register()
    client.get(LOGIN)
    client.cookies["sessionid"] = "x" * 32  # a fixed key planted by an attacker
    response = client.post(
        LOGIN, {"mobile": MOBILE, "password": PASSWORD, "next": "/portal/guide/"}
    )
    assert response.status_code == 302 and response.url == "/portal/guide/"
    assert client.cookies["sessionid"].value != "x" * 32
    assert client.session["_citizen_id"] == citizen.pk
    assert AuditRecord.objects.filter(action="citizen.login", object_id=str(citizen.pk)).exists()


def test_it_gives_one_message_for_an_unknown_number_and_a_wrong_password(client):
    register()
    wrong = client.post(LOGIN, {"mobile": MOBILE, "password": "Wrong-password-1"})
    unknown = client.post(LOGIN, {"mobile": OTHER_MOBILE, "password": PASSWORD})
    message = zh("Incorrect mobile number or password.")
    assert message in wrong.text and message in unknown.text
    assert "_citizen_id" not in client.session
    assert AuditRecord.objects.filter(action="citizen.login_failure").count() == 2


def test_it_locks_a_number_after_five_failures_for_thirty_minutes():
    register()
    for minute in range(5):
        with pytest.raises(LoginRefused):
            services.authenticate_citizen(
                mobile=MOBILE,
                password="Wrong-password-1",
                ip=f"10.0.1.{minute}",
                at=T0 + dt.timedelta(minutes=minute),
            )
    # Locked: even the right password is refused, with the time it ends.
    with pytest.raises(LoginRefused) as refused:
        services.authenticate_citizen(
            mobile=MOBILE, password=PASSWORD, ip="10.0.2.1", at=T0 + dt.timedelta(minutes=10)
        )
    assert refused.value.locked_until == T0 + dt.timedelta(minutes=34)
    assert "10:34" in str(refused.value.message)
    assert AuditRecord.objects.filter(action="citizen.locked").count() == 1
    # After the 30 minutes it works again.
    citizen = services.authenticate_citizen(
        mobile=MOBILE, password=PASSWORD, ip="10.0.2.1", at=T0 + dt.timedelta(minutes=35)
    )
    assert citizen.last_login_at == T0 + dt.timedelta(minutes=35)


def test_it_locks_an_address_trying_many_numbers():
    register()
    for index in range(5):
        with pytest.raises(LoginRefused):
            services.authenticate_citizen(
                mobile=f"1370000000{index}", password=PASSWORD, ip="10.9.9.9", at=T0
            )
    with pytest.raises(LoginRefused) as refused:
        services.authenticate_citizen(mobile=MOBILE, password=PASSWORD, ip="10.9.9.9", at=T0)
    assert refused.value.locked_until is not None
    # The same citizen from elsewhere is not locked.
    services.authenticate_citizen(mobile=MOBILE, password=PASSWORD, ip="10.9.9.10", at=T0)


def test_it_logs_out_only_the_citizen(client):
    register()
    client.post(LOGIN, {"mobile": MOBILE, "password": PASSWORD})
    response = client.post("/portal/account/logout/")
    assert response.status_code == 302
    assert "_citizen_id" not in client.session
    assert client.get("/portal/account/").status_code == 302
    assert AuditRecord.objects.filter(action="citizen.logout").count() == 1


def test_it_changes_the_password_and_ends_the_other_sessions(client):
    register()
    other = Client()
    for browser in (client, other):
        browser.post(LOGIN, {"mobile": MOBILE, "password": PASSWORD})
    weak = client.post(
        "/portal/account/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert 'id="id_new_password1-error"' in weak.text
    response = client.post(
        "/portal/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert zh("Password changed") in response.text
    assert client.get("/portal/account/").status_code == 200  # this session goes on
    assert other.get("/portal/account/").status_code == 302  # the other one ended
    services.authenticate_citizen(mobile=MOBILE, password=NEW_PASSWORD, ip=None, at=T0)


def test_it_resets_a_forgotten_password_with_an_sms_code(client):
    register()
    url = "/portal/account/password/reset/"
    answer = zh("If an account uses this number, a verification code was sent to it by SMS.")
    known = client.post(url, {"mobile": MOBILE, "action": "send"})
    unknown = client.post(url, {"mobile": OTHER_MOBILE, "action": "send"})
    assert answer in known.text and answer in unknown.text
    # Only the registered number gets an SMS.
    assert [m.address for m in OutboxMessage.objects.filter(template="citizen_verification")][
        -1
    ] == MOBILE
    response = client.post(
        url,
        {
            "mobile": MOBILE,
            "code": sms_code(MOBILE),
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "action": "reset",
        },
    )
    assert zh("Your password has been reset. Log in with the new password.") in response.text
    services.authenticate_citizen(mobile=MOBILE, password=NEW_PASSWORD, ip=None, at=T0)
    assert AuditRecord.objects.filter(action="citizen.password_reset").count() == 1
