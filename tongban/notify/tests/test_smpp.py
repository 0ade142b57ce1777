"""SMS over SMPP 3.4 against a real SMSC process (tests/smsc.js)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from tongban.audit.models import AuditRecord
from tongban.notify.models import Channel, FailureReason, OutboxMessage, OutboxStatus
from tongban.notify.services import FAILURE_ALERT_TEMPLATE, dispatch_pending, notify_staff

from .conftest import T0
from .support import MINUTE, citizen_sms, reload, run_clock

pytestmark = pytest.mark.django_db


def test_it_sends_chinese_sms_and_records_the_delivery_receipt(smsc, people):
    citizen = citizen_sms(T0, "13812345678", "您的申请TS-2026-0001已受理。")
    [staff_sms] = [
        m
        for m in notify_staff([people.handler], template="case.urged", body="请尽快办理", at=T0)
        if m.channel == Channel.SMS
    ]

    counts = dispatch_pending(at=T0)

    assert counts["sent"] == 3  # two SMS and the handler's internal message
    received = {r["dest"]: r for r in smsc.received()}
    assert received["13812345678"]["text"] == "【天水政务】办件通知：您的申请TS-2026-0001已受理。"
    assert received["13812345678"]["data_coding"] == 8  # UCS2
    assert received["13812345678"]["source"] == "10690001"
    assert received[people.handler.mobile]["text"] == "【天水政务】催办提醒：请尽快办理"
    for message in (reload(citizen), reload(staff_sms)):
        assert message.status == OutboxStatus.DELIVERED
        assert message.delivered_at == T0
        assert message.sent_at == T0
    assert reload(citizen).gateway_message_id == received["13812345678"]["id"]


def test_it_splits_a_long_message_with_a_udh(smsc, people):
    text = "您的申请材料需要补正：" + "营业执照副本复印件一份；" * 12
    message = citizen_sms(T0, "13812345678", text, template="case.supplement_requested")

    dispatch_pending(at=T0)

    parts = smsc.received()
    assert len(parts) > 1
    assert all(p["esm_class"] & 0x40 for p in parts)  # UDH indicator
    # IE 00 03 ref total seq: one reference, parts numbered 1..n.
    assert {p["udh"][4:6] for p in parts} == {parts[0]["udh"][4:6]}
    assert [int(p["udh"][8:10], 16) for p in parts] == list(range(1, len(parts) + 1))
    assert "".join(p["text"] for p in parts) == "【天水政务】补正通知：" + text
    message = reload(message)
    assert message.status == OutboxStatus.DELIVERED
    assert message.gateway_message_id == parts[0]["id"]


def test_it_fails_an_invalid_number_at_once_and_retries_a_throttled_one(smsc, people):
    invalid = citizen_sms(T0, "13900000000")
    throttled = citizen_sms(T0, "13911111111")
    undeliverable = citizen_sms(T0, "13922222222")

    dispatch_pending(at=T0)

    invalid = reload(invalid)
    assert invalid.status == OutboxStatus.FAILED
    assert invalid.failure_reason == FailureReason.PERMANENT
    assert "0x0B" in invalid.last_error
    throttled = reload(throttled)
    assert throttled.status == OutboxStatus.TEMPORARY_FAILURE
    assert throttled.next_attempt_at == T0 + MINUTE
    assert "0x58" in throttled.last_error
    undeliverable = reload(undeliverable)
    assert undeliverable.status == OutboxStatus.FAILED
    assert undeliverable.failure_reason == FailureReason.PERMANENT
    assert "UNDELIV" in undeliverable.last_error
    # The recipient's problem, not ours: no alert to the administrators.
    assert not OutboxMessage.objects.filter(template=FAILURE_ALERT_TEMPLATE).exists()


def test_it_fails_a_message_whose_template_is_not_registered_and_alerts(smsc, people):
    message = citizen_sms(T0, "13812345678", template="case.unheard_of")

    dispatch_pending(at=T0)

    message = reload(message)
    assert message.status == OutboxStatus.FAILED
    assert message.failure_reason == FailureReason.TECHNICAL
    assert "case.unheard_of" in message.last_error
    assert smsc.received() == []
    alert = OutboxMessage.objects.get(template=FAILURE_ALERT_TEMPLATE)
    assert alert.channel == Channel.INTERNAL
    assert alert.recipient == people.system_admin
    assert "case.unheard_of" in alert.body


def test_it_delivers_every_message_exactly_once_after_an_hour_long_outage(smsc, people):
    mobiles = [f"1381234000{i}" for i in range(5)]
    messages = [citizen_sms(T0, m, f"第{i}条通知") for i, m in enumerate(mobiles)]
    smsc.stop()

    run_clock(T0, T0 + dt.timedelta(minutes=60))

    waits = []
    for message in messages:
        message = reload(message)
        assert message.status == OutboxStatus.TEMPORARY_FAILURE
        assert message.first_failed_at == T0
        waits.append(message.attempts)
    # Backoff 1, 2, 4, 8, 16 minutes, then capped at 30: attempts at 0, 1, 3, 7, 15, 31.
    assert waits == [6] * 5
    assert reload(messages[0]).next_attempt_at == T0 + dt.timedelta(minutes=61)

    smsc.start()
    run_clock(T0 + dt.timedelta(minutes=61), T0 + dt.timedelta(minutes=100))

    received = smsc.received()
    assert sorted(r["dest"] for r in received) == mobiles
    for message in messages:
        message = reload(message)
        assert message.status == OutboxStatus.DELIVERED
        assert message.sent_at == T0 + dt.timedelta(minutes=61)
    assert not OutboxMessage.objects.filter(template=FAILURE_ALERT_TEMPLATE).exists()


def test_it_gives_up_after_four_hours_and_alerts_the_system_administrators(smsc, people):
    message = citizen_sms(T0, "13812345678")
    smsc.stop()
    attempts_at = []

    at = T0
    while at <= T0 + dt.timedelta(hours=5):
        before = reload(message).attempts
        dispatch_pending(at=at)
        if reload(message).attempts > before:
            attempts_at.append(at)
        at += MINUTE

    message = reload(message)
    assert message.status == OutboxStatus.FAILED
    assert message.failure_reason == FailureReason.TECHNICAL
    assert attempts_at[-1] - T0 >= dt.timedelta(hours=4)
    assert attempts_at[-2] - T0 < dt.timedelta(hours=4)
    gaps = [b - a for a, b in itertools.pairwise(attempts_at)]
    assert max(gaps) == dt.timedelta(minutes=30)  # the backoff is capped
    alert = OutboxMessage.objects.get(template=FAILURE_ALERT_TEMPLATE)
    assert alert.recipient == people.system_admin
    assert alert.channel == Channel.INTERNAL
    assert alert.status == OutboxStatus.SENT  # delivered internally by the same runs
    assert AuditRecord.objects.filter(action="outbox.failed").count() == 1
    smsc.start()
    dispatch_pending(at=at)
    assert smsc.received() == []  # a message that gave up is not sent later
