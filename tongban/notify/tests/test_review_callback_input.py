"""The gateway's status callback answers odd but signed input without a server error
(a 500 would make the gateway send the same receipt again and again)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tongban.notify.backends.http import sign
from tongban.notify.models import OutboxMessage, OutboxStatus

from .conftest import T0
from .support import citizen_sms, reload

SECRET = "shared-secret"


def _callback(client, payload):
    body = json.dumps(payload).encode()
    return client.post(
        reverse("notify:sms_status"),
        data=body,
        content_type="application/json",
        HTTP_X_TONGBAN_SIGNATURE=sign(body, SECRET),
    )


@pytest.mark.django_db
def test_a_nul_in_the_message_id_is_refused_naming_the_field(client, settings):
    settings.TONGBAN_SMS_HTTP_SECRET = SECRET
    response = _callback(client, {"message_id": "gw\x001", "status": "delivered"})
    assert response.status_code == 422
    assert "message_id" in response.json()["fields"]


@pytest.mark.django_db
def test_a_nul_in_the_detail_still_records_the_failure(client, settings):
    settings.TONGBAN_SMS_HTTP_SECRET = SECRET
    message = citizen_sms(T0, "13812345678")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENT, sent_at=T0, gateway_message_id="gw-9"
    )
    response = _callback(
        client, {"message_id": "gw-9", "status": "permanent_failure", "detail": "no\x00pe"}
    )
    assert response.status_code == 204
    message = reload(message)
    assert message.status == OutboxStatus.FAILED
    assert message.last_error == "nope"


@pytest.mark.django_db
def test_a_status_of_the_wrong_json_type_is_refused_naming_the_field(client, settings):
    settings.TONGBAN_SMS_HTTP_SECRET = SECRET
    response = _callback(client, {"message_id": "gw-1", "status": ["delivered"]})
    assert response.status_code == 422
    assert "status" in response.json()["fields"]
