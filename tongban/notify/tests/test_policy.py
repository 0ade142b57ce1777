"""Quiet hours for citizens and the per-number daily cap, on the simulated clock."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core.clock import LOCAL_TZ
from tongban.notify.models import Channel, OutboxStatus
from tongban.notify.services import dispatch_pending, enqueue

from .conftest import T0
from .support import citizen_sms, reload

pytestmark = pytest.mark.django_db

NIGHT = dt.datetime(2026, 3, 2, 22, 30, tzinfo=LOCAL_TZ)
MORNING = dt.datetime(2026, 3, 3, 8, 0, tzinfo=LOCAL_TZ)


def test_it_keeps_a_citizens_sms_written_at_night_until_the_morning(people):
    citizen = citizen_sms(NIGHT, "13812345678")
    staff = enqueue(
        channel=Channel.SMS, template="case.urged", body="催办", at=NIGHT, recipient=people.handler
    )

    dispatch_pending(at=NIGHT)

    assert reload(citizen).status == OutboxStatus.PENDING
    assert reload(citizen).next_attempt_at == MORNING
    assert reload(staff).status == OutboxStatus.SENT  # staff notices are exempt
    dispatch_pending(at=MORNING - dt.timedelta(minutes=1))
    assert reload(citizen).status == OutboxStatus.PENDING
    dispatch_pending(at=MORNING)
    assert reload(citizen).status == OutboxStatus.SENT
    assert reload(citizen).sent_at == MORNING


def test_it_holds_a_retry_that_falls_into_the_quiet_hours(people):
    citizen = citizen_sms(T0, "13812345678")
    late = dt.datetime(2026, 3, 2, 21, 5, tzinfo=LOCAL_TZ)

    counts = dispatch_pending(at=late)

    assert counts["deferred"] == 1
    assert reload(citizen).next_attempt_at == MORNING
    assert reload(citizen).attempts == 0


def test_it_sends_at_most_the_daily_cap_to_one_number_and_the_rest_next_morning(people, settings):
    settings.TONGBAN_SMS_DAILY_CAP = 3
    capped = [citizen_sms(T0, "13812345678", f"第{i}条") for i in range(5)]
    other = citizen_sms(T0, "13887654321")

    dispatch_pending(at=T0)

    assert [reload(m).status for m in capped] == [OutboxStatus.SENT] * 3 + [
        OutboxStatus.PENDING
    ] * 2
    assert reload(capped[3]).next_attempt_at == MORNING
    assert reload(other).status == OutboxStatus.SENT
    dispatch_pending(at=MORNING)
    assert [reload(m).status for m in capped] == [OutboxStatus.SENT] * 5


def test_a_verification_code_asked_for_at_night_goes_at_once(people):
    code = citizen_sms(NIGHT, "13812345678", "验证码 482913", template="citizen_verification")

    dispatch_pending(at=NIGHT)

    assert reload(code).status == OutboxStatus.SENT
    assert reload(code).sent_at is not None
