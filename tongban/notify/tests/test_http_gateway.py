"""SMS through the HTTP gateway (a real local HTTP server) and its status callback."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.urls import reverse

from tongban.notify.backends.http import sign
from tongban.notify.models import FailureReason, OutboxMessage, OutboxStatus
from tongban.notify.services import FAILURE_ALERT_TEMPLATE, dispatch_pending

from .conftest import T0
from .support import citizen_sms, reload

SECRET = "shared-secret"


def _callback(client, payload, secret=SECRET):
    body = json.dumps(payload).encode()
    return client.post(
        reverse("notify:sms_status"),
        data=body,
        content_type="application/json",
        HTTP_X_TONGBAN_SIGNATURE=sign(body, secret),
    )


@pytest.mark.django_db
def test_it_posts_a_signed_template_request_and_takes_the_status_callback(
    http_gateway, people, client
):
    message = citizen_sms(T0, "13812345678", "您的申请已受理。", params={"number": "TS-1"})

    dispatch_pending(at=T0)

    [request] = http_gateway.requests
    assert request["payload"] == {
        "reference": str(message.pk),
        "template_code": "case.accepted",
        "params": {"content": "您的申请已受理。", "number": "TS-1"},
        "mobile": "13812345678",
        "signature": "【天水政务】",
    }
    assert request["signature"] == sign(request["body"], SECRET)
    message = reload(message)
    assert message.status == OutboxStatus.SENT
    assert message.gateway_message_id == "gw-1"

    forged = _callback(client, {"message_id": "gw-1", "status": "delivered"}, secret="guess")
    assert forged.status_code == 403
    assert reload(message).status == OutboxStatus.SENT
    bad = _callback(client, {"message_id": "gw-1", "status": "arrived"})
    assert bad.status_code == 422
    assert "status" in bad.json()["fields"]
    assert _callback(client, {"message_id": "gw-1", "status": "delivered"}).status_code == 204
    assert reload(message).status == OutboxStatus.DELIVERED


@pytest.mark.django_db
def test_it_maps_the_gateways_answers_to_retry_or_failure(http_gateway, people):
    invalid = citizen_sms(T0, "13900000000")
    throttled = citizen_sms(T0, "13911111111")
    unknown_template = citizen_sms(T0, "13933333333")

    dispatch_pending(at=T0)

    assert reload(invalid).status == OutboxStatus.FAILED
    assert reload(invalid).failure_reason == FailureReason.PERMANENT
    assert reload(throttled).status == OutboxStatus.TEMPORARY_FAILURE
    assert "429" in reload(throttled).last_error
    assert reload(unknown_template).failure_reason == FailureReason.TECHNICAL
    alert = OutboxMessage.objects.get(template=FAILURE_ALERT_TEMPLATE)
    assert alert.recipient == people.system_admin


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_in_parallel_never_send_one_message_twice(http_gateway):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL")
    messages = [citizen_sms(T0, f"138000{i:05d}") for i in range(40)]
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            dispatch_pending(at=T0)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    references = [r["payload"]["reference"] for r in http_gateway.requests]
    assert sorted(references) == sorted(str(m.pk) for m in messages)
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 40
