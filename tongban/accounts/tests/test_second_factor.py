"""Second factor (TOTP): required for the three administrators and supervisors,
enrolment with a server-made QR code, codes usable once, demo support."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tongban.accounts import security
from tongban.accounts import services as accounts
from tongban.accounts.models import LoginThrottle, TOTPDevice, UserSession
from tongban.accounts.testing import PASSWORD
from tongban.audit.models import AuditRecord
from tongban.core import clock
from tongban.core.errors import ActionNotAllowed, PermissionDenied

from .conftest import code_for, post_code, post_login

SECOND_FACTOR_USERS = ["system_admin", "security_admin", "audit_admin", "supervisor"]
USERNAMES = {
    "system_admin": "sysadmin",
    "security_admin": "secadmin",
    "audit_admin": "auditadmin",
    "supervisor": "supervisor",
}


@pytest.mark.parametrize("persona", SECOND_FACTOR_USERS)
def test_it_requires_the_second_factor_of_administrators_and_supervisors(client, personas, persona):
    response = post_login(client, USERNAMES[persona], next="/office/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor"))
    for path in ("/office/", "/admin/", "/"):
        blocked = client.get(path)
        assert blocked.status_code == 302, path
        assert blocked["Location"].startswith(reverse("accounts:second_factor"))
    assert not AuditRecord.objects.filter(action="login.success").exists()
    assert (
        AuditRecord.objects.get(action="login.password").actor_id == getattr(personas, persona).pk
    )


def test_it_does_not_ask_a_handler_for_a_second_factor(client, personas):
    response = post_login(client, "handler", next="/office/")
    assert response["Location"] == "/office/"
    assert client.get("/office/").status_code == 200
    assert client.get(reverse("accounts:second_factor")).status_code == 302


def test_it_lets_a_half_logged_in_user_log_out_and_fetch_static_files(client, personas):
    post_login(client, "supervisor")
    assert client.get("/static/core/tongban.css").status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_it_enrols_an_authenticator_with_a_qr_code_and_a_confirming_code(client, personas):
    post_login(client, "supervisor", next="/office/")

    page = client.get(reverse("accounts:second_factor"), {"next": "/office/"})

    html = page.content.decode()
    assert "设置身份验证器" in html
    assert "<svg" in html and "<path" in html  # the QR code, drawn on the server
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    device = TOTPDevice.objects.get(user=personas.supervisor)
    assert device.secret == secret and not device.is_confirmed
    # Reloading shows the same secret (an app already set up keeps working).
    assert secret in client.get(reverse("accounts:second_factor")).content.decode().replace(" ", "")

    wrong = post_code(client, "123456")
    assert "验证码错误或已被使用。" in wrong.content.decode()

    key_before = client.session.session_key
    response = post_code(client, code_for(secret), next="/office/")

    assert response["Location"] == "/office/"
    assert client.get("/office/").status_code == 200
    device.refresh_from_db()
    assert device.is_confirmed
    assert client.session.session_key != key_before  # privileges rose: new key
    assert UserSession.objects.get(user=personas.supervisor).session_key == (
        client.session.session_key
    )
    assert AuditRecord.objects.filter(action="totp.enrol", actor_id=personas.supervisor.pk).exists()
    success = AuditRecord.objects.get(action="login.success")
    assert success.after == {"second_factor": True}


def test_it_asks_an_enrolled_user_for_a_code_without_showing_the_secret(client, personas, enrolled):
    secret = enrolled(personas.security_admin)
    post_login(client, "secadmin")
    html = client.get(reverse("accounts:second_factor")).content.decode()
    assert "totp-secret" not in html and "<svg" not in html
    assert post_code(client, code_for(secret))["Location"] == reverse("site:home")
    assert client.get("/office/").status_code == 200


def test_it_refuses_a_code_that_was_already_used(client, personas, enrolled):
    secret = enrolled(personas.audit_admin)
    code = code_for(secret)
    post_login(client, "auditadmin")
    assert post_code(client, code).status_code == 302
    client.post(reverse("accounts:logout"))

    post_login(client, "auditadmin")
    response = post_code(client, code)

    assert "验证码错误或已被使用。" in response.content.decode()
    assert client.get("/office/").status_code == 302
    # The next step's code is still good.
    assert post_code(client, code_for(secret, steps_later=1)).status_code == 302


@pytest.mark.parametrize(
    ("steps", "accepted"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)]
)
def test_it_accepts_one_step_of_clock_drift_and_no_more(personas, enrolled, steps, accepted):
    secret = enrolled(personas.supervisor)
    at = clock.now()
    code = code_for(secret, at, steps_later=steps)
    if accepted:
        security.verify_second_factor(user=personas.supervisor, code=code, ip=None, at=at)
    else:
        with pytest.raises(security.LoginRefused):
            security.verify_second_factor(user=personas.supervisor, code=code, ip=None, at=at)


def test_it_refuses_an_older_code_once_a_newer_one_was_used(personas, enrolled):
    secret = enrolled(personas.supervisor)
    at = clock.now()
    newer = code_for(secret, at, steps_later=1)
    security.verify_second_factor(user=personas.supervisor, code=newer, ip=None, at=at)
    with pytest.raises(security.LoginRefused):
        security.verify_second_factor(
            user=personas.supervisor, code=code_for(secret, at), ip=None, at=at
        )


def test_it_counts_a_wrong_code_as_a_failed_attempt(personas, enrolled):
    enrolled(personas.supervisor)
    at = clock.now()
    with pytest.raises(security.LoginRefused) as refused:
        security.verify_second_factor(user=personas.supervisor, code="000000", ip="10.3.0.1", at=at)
    assert refused.value.locked_until is None
    failure = AuditRecord.objects.get(action="totp.failure")
    assert failure.actor_id == personas.supervisor.pk and not failure.success
    assert LoginThrottle.objects.get(kind="username", key="supervisor").failures == 1
    assert LoginThrottle.objects.get(kind="ip", key="10.3.0.1").failures == 1


def test_it_stores_the_secret_encrypted(personas, enrolled):
    secret = enrolled(personas.supervisor)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret FROM accounts_totpdevice WHERE user_id = %s", [personas.supervisor.pk]
        )
        (stored,) = cursor.fetchone()
    assert secret not in stored
    assert TOTPDevice.objects.get(user=personas.supervisor).secret == secret


def test_it_lets_an_administrator_reset_a_lost_authenticator(client, personas, enrolled):
    enrolled(personas.supervisor)
    with pytest.raises(PermissionDenied):
        security.reset_totp(actor=personas.handler, user=personas.supervisor, at=timezone.now())
    security.reset_totp(actor=personas.system_admin, user=personas.supervisor, at=timezone.now())
    assert not TOTPDevice.objects.filter(user=personas.supervisor).exists()
    assert AuditRecord.objects.get(action="totp.reset").actor_id == personas.system_admin.pk
    post_login(client, "supervisor")
    assert "设置身份验证器" in client.get(reverse("accounts:second_factor")).content.decode()


def _demo_supervisor():
    user = accounts.create_user(
        actor=None,
        username="demo-supervisor",
        password=PASSWORD,
        must_change_password=False,
        is_demo=True,
        at=timezone.now(),
    )
    accounts.assign_roles(actor=None, user=user, roles=["supervisor"], at=timezone.now())
    return user


@override_settings(DEMO_MODE=True)
def test_it_prints_a_demo_accounts_code_in_demo_mode(capsys, personas):
    user = _demo_supervisor()
    secret = pyotp.random_base32()
    security.enrol_totp(user, secret=secret, confirm=True, at=timezone.now())

    call_command("totp_code", "demo-supervisor")

    code = capsys.readouterr().out.strip()
    assert pyotp.TOTP(secret).verify(code, valid_window=1)
    security.verify_second_factor(user=user, code=code, ip=None, at=timezone.now())
    with pytest.raises(CommandError, match="演示账号"):
        call_command("totp_code", "supervisor")


@override_settings(DEMO_MODE=False)
def test_it_refuses_to_print_codes_outside_demo_mode(personas):
    user = _demo_supervisor()
    security.enrol_totp(user, confirm=True, at=timezone.now())
    with pytest.raises(CommandError, match="演示模式"):
        call_command("totp_code", "demo-supervisor")


def test_it_pre_enrols_a_device_for_the_demo_loader(personas):
    at = clock.now() - dt.timedelta(days=30)
    secret = pyotp.random_base32()
    device = security.enrol_totp(personas.supervisor, secret=secret, confirm=True, at=at)
    assert device.is_confirmed and device.confirmed_at == at
    with pytest.raises(ActionNotAllowed):
        security.begin_totp_enrolment(user=personas.supervisor, at=clock.now())
    security.verify_second_factor(
        user=personas.supervisor, code=code_for(secret), ip=None, at=clock.now()
    )
