"""E-mail to staff through Django's SMTP backend against a real aiosmtpd server."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.accounts.roles import RoleCode
from tongban.notify.models import Channel, FailureReason, OutboxMessage, OutboxStatus
from tongban.notify.services import dispatch_pending, notify_staff

from .conftest import T0
from .support import reload, run_clock

pytestmark = pytest.mark.django_db


def _staff(people, username, email):
    user = accounts.create_user(
        actor=None,
        username=username,
        password="Str0ng-Passw0rd!",
        full_name="孙科员",
        department=people.org.market,
        email=email,
        must_change_password=False,
        at=timezone.now(),
    )
    accounts.assign_roles(actor=None, user=user, roles=[RoleCode.HANDLER], at=timezone.now())
    user.refresh_from_db()
    return user


def test_it_mails_staff_who_have_an_address(smtp_server, people):
    user = _staff(people, "sun", "sun@tianshui.example")

    written = notify_staff(
        [user, people.handler], template="case.urged", body="请尽快办理", subject="催办", at=T0
    )
    dispatch_pending(at=T0)

    assert sorted(m.channel for m in written if m.recipient == user) == [
        Channel.EMAIL,
        Channel.INTERNAL,
    ]
    assert not [m for m in written if m.recipient == people.handler and m.channel == "email"]
    [mail] = smtp_server.mailbox.messages
    assert mail["to"] == ["sun@tianshui.example"]
    parsed = message_from_bytes(mail["data"].encode(), policy=default_policy)
    assert parsed.get_content().strip() == "请尽快办理"
    assert parsed["Subject"] == "催办"
    email = OutboxMessage.objects.get(channel=Channel.EMAIL)
    assert email.status == OutboxStatus.SENT
    assert email.gateway_message_id in mail["data"]


def test_it_delivers_mail_exactly_once_after_the_server_was_down(smtp_server, people):
    users = [_staff(people, f"staff{i}", f"staff{i}@tianshui.example") for i in range(3)]
    notify_staff(users, template="case.urged", body="请尽快办理", at=T0)
    smtp_server.stop()

    run_clock(T0, T0 + dt.timedelta(minutes=60))
    assert set(
        OutboxMessage.objects.filter(channel=Channel.EMAIL).values_list("status", flat=True)
    ) == {OutboxStatus.TEMPORARY_FAILURE}

    smtp_server.start()
    run_clock(T0 + dt.timedelta(minutes=61), T0 + dt.timedelta(minutes=100))

    assert sorted(m["to"][0] for m in smtp_server.mailbox.messages) == [
        f"staff{i}@tianshui.example" for i in range(3)
    ]
    assert set(
        OutboxMessage.objects.filter(channel=Channel.EMAIL).values_list("status", flat=True)
    ) == {OutboxStatus.SENT}


def test_it_fails_a_refused_mailbox_at_once(smtp_server, people):
    user = _staff(people, "gone", "nobody@tianshui.example")
    [email] = [
        m
        for m in notify_staff([user], template="case.urged", body="x", at=T0)
        if m.channel == Channel.EMAIL
    ]

    dispatch_pending(at=T0)

    email = reload(email)
    assert email.status == OutboxStatus.FAILED
    assert email.failure_reason == FailureReason.PERMANENT
    assert "550" in email.last_error
    assert smtp_server.mailbox.messages == []
