"""Lockout: 5 consecutive failures lock a username (any case) or an IP for 30 minutes,
checked before the password, without revealing whether an account exists."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tongban.accounts import security
from tongban.accounts.models import LoginThrottle
from tongban.accounts.testing import PASSWORD
from tongban.audit.models import AuditRecord
from tongban.core import clock

from .conftest import code_for, post_code, post_login

WRONG = "Wrong-Password-99"
GENERIC = "用户名或密码错误。"
LOCKED = "登录失败次数过多，已锁定至"


def _fail(username, *, ip, at):
    with pytest.raises(security.LoginRefused) as refused:
        security.authenticate_staff(username=username, password=WRONG, ip=ip, at=at)
    return refused.value


def test_it_locks_a_username_after_exactly_five_failures_in_any_case(client, personas):
    spellings = ["Handler", "handler", "HANDLER", "hAndler", "Handler"]
    for n, username in enumerate(spellings[:4], start=1):
        response = post_login(client, username, WRONG, ip=f"10.0.0.{n}")
        assert GENERIC in response.content.decode()

    assert security.lock_status(username="handler", ip=None, at=timezone.now()) is None
    fifth = post_login(client, spellings[4], WRONG, ip="10.0.0.5")
    assert LOCKED in fifth.content.decode()

    # The right password, from an IP never seen before, is still refused.
    response = post_login(client, "handler", PASSWORD, ip="10.9.9.9")
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_does_not_lock_before_the_fifth_failure_and_a_success_resets_the_count(client, personas):
    for n in range(4):
        post_login(client, "handler", WRONG, ip=f"10.0.1.{n}")
    assert post_login(client, "handler", ip="10.0.1.9").status_code == 302
    client.post("/accounts/logout/")

    for n in range(4):
        post_login(client, "handler", WRONG, ip=f"10.0.2.{n}")
    assert post_login(client, "handler", ip="10.0.2.9").status_code == 302


def test_it_locks_an_ip_after_five_failures_across_usernames(client, personas):
    for username in ["clerk", "nobody", "sectionhead", "head", "someone"]:
        post_login(client, username, WRONG, ip="192.0.2.10")

    refused = post_login(client, "handler", PASSWORD, ip="192.0.2.10")
    assert LOCKED in refused.content.decode()
    # The same account from elsewhere is not locked: the lock is the IP's.
    assert post_login(client, "handler", PASSWORD, ip="192.0.2.11").status_code == 302


def test_it_lifts_the_lock_after_thirty_minutes(personas):
    t0 = clock.now()
    for n in range(5):
        _fail("handler", ip=f"10.0.3.{n}", at=t0)

    at_29 = t0 + dt.timedelta(minutes=29, seconds=59)
    with pytest.raises(security.LoginRefused) as refused:
        security.authenticate_staff(username="handler", password=PASSWORD, ip="10.0.3.9", at=at_29)
    assert refused.value.locked_until == t0 + dt.timedelta(minutes=30)

    at_30 = t0 + dt.timedelta(minutes=30)
    user = security.authenticate_staff(
        username="handler", password=PASSWORD, ip="10.0.3.9", at=at_30
    )
    assert user == personas.handler


def test_it_does_not_extend_the_lock_with_attempts_made_while_locked(personas):
    t0 = clock.now()
    for n in range(5):
        _fail("handler", ip=f"10.0.4.{n}", at=t0)
    for minute in (5, 10, 20):
        refused = _fail("handler", ip="10.0.4.9", at=t0 + dt.timedelta(minutes=minute))
        assert refused.locked_until == t0 + dt.timedelta(minutes=30)


def test_it_forgets_failures_more_than_thirty_minutes_apart(personas):
    t0 = clock.now()
    for n in range(4):
        _fail("handler", ip=f"10.0.5.{n}", at=t0)
    later = t0 + dt.timedelta(minutes=31)
    refused = _fail("handler", ip="10.0.5.9", at=later)
    assert refused.locked_until is None
    assert LoginThrottle.objects.get(kind="username", key="handler").failures == 1


def test_it_locks_unknown_usernames_exactly_like_real_ones(client, personas):
    for username in ("handler", "no-such-user"):
        for n in range(5):
            post_login(client, username, WRONG, ip=f"10.1.{len(username)}.{n}")
    real = post_login(client, "handler", WRONG, ip="10.2.0.1").content.decode()
    unknown = post_login(client, "no-such-user", WRONG, ip="10.2.0.2").content.decode()

    def message(page: str) -> str:
        text = re.search(f"{LOCKED}[^<]*", page).group(0)
        return re.sub(r"\d", "#", text)  # the unlock time may differ by a minute

    assert message(real) == message(unknown)
    assert message(real).endswith("请稍后再试。")


def test_it_writes_an_audit_record_for_each_failure_the_lock_and_the_success(personas):
    t0 = clock.now()
    for _n in range(5):
        _fail("Handler", ip="10.0.6.1", at=t0)
    _fail("handler", ip="10.0.6.2", at=t0 + dt.timedelta(minutes=1))

    failures = AuditRecord.objects.filter(action="login.failure").order_by("seq")
    assert failures.count() == 6
    assert {f.actor_name for f in failures} == {"Handler", "handler"}
    assert all(f.actor_id is None and not f.success for f in failures)
    assert [f.message for f in failures][-2:] == ["wrong password", "locked"]
    assert all(f.object_id == str(personas.handler.pk) for f in failures[:5])
    locks = AuditRecord.objects.filter(action="login.locked")
    assert sorted(lock.object_repr for lock in locks) == ["ip:10.0.6.1", "username:handler"]

    security.authenticate_staff(
        username="handler", password=PASSWORD, ip="10.0.6.3", at=t0 + dt.timedelta(minutes=31)
    )
    success = AuditRecord.objects.get(action="login.success")
    assert success.actor_id == personas.handler.pk
    assert success.ip == "10.0.6.3"


def test_it_counts_wrong_codes_toward_the_lockout_and_logs_the_session_out(
    client, personas, enrolled
):
    enrolled(personas.supervisor)
    post_login(client, "supervisor", ip="10.0.7.1")
    for _n in range(4):
        response = post_code(client, "000000", ip="10.0.7.1")
        assert "验证码错误或已被使用。" in response.content.decode()

    response = post_code(client, "000000", ip="10.0.7.1", next="")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert LOCKED in page
    assert AuditRecord.objects.filter(action="totp.failure").count() == 5
    assert AuditRecord.objects.filter(action="login.locked").exists()


def test_it_does_not_clear_the_count_for_a_right_password_before_the_second_factor(
    personas, enrolled
):
    """Otherwise knowing the password would allow unlimited guesses at the code."""
    secret = enrolled(personas.supervisor)
    t0 = clock.now()
    for n in range(4):
        _fail("supervisor", ip=f"10.0.8.{n}", at=t0)
    user = security.authenticate_staff(
        username="supervisor", password=PASSWORD, ip="10.0.8.9", at=t0
    )
    with pytest.raises(security.LoginRefused) as refused:
        security.verify_second_factor(user=user, code="000000", ip="10.0.8.9", at=t0)
    assert refused.value.locked_until == t0 + dt.timedelta(minutes=30)
    with pytest.raises(security.LoginRefused):
        security.verify_second_factor(user=user, code=code_for(secret, t0), ip="10.0.8.9", at=t0)


def test_it_counts_an_attempt_before_checking_the_password(personas):
    """A request in flight already counts, so parallel requests cannot try more
    passwords than the threshold: with four failures counted and one attempt in
    flight, the next one is refused as locked without its password being tried."""
    t0 = clock.now()
    for n in range(4):
        _fail("handler", ip=f"10.0.9.{n}", at=t0)
    in_flight, locked = security.reserve_attempt(security._keys("handler", None), t0)
    assert in_flight is not None and locked is None
    with pytest.raises(security.LoginRefused) as refused:
        security.authenticate_staff(username="handler", password=PASSWORD, ip=None, at=t0)
    assert refused.value.locked_until is not None
