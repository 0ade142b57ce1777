"""``Idempotency-Key`` on partner writes: a repeat gets the first response and
writes nothing more; the same key on a different request is a 409; a refused
request is not remembered; the key is required."""

from __future__ import annotations

import pytest

from tongban.core import clock
from tongban.partners import services
from tongban.partners.models import IdempotencyRecord, Scope
from tongban.qa.models import Question

from .support import PartnerClient, error

pytestmark = pytest.mark.django_db

QUESTION = {
    "title": "营业执照办理时间",
    "content": "个体工商户营业执照需要多长时间？",
    "contact_name": "张小三",
    "contact_mobile": "13800001234",
    "department": "SCJG",
}


def test_it_replays_the_first_response_to_a_repeat(wireless, personas):
    first = wireless.post("/questions", QUESTION, idempotency_key="retry-0000-0001")
    repeat = wireless.post("/questions", QUESTION, idempotency_key="retry-0000-0001")

    assert first.status_code == repeat.status_code == 201
    assert repeat.json() == first.json()
    assert repeat["Idempotent-Replayed"] == "true"
    assert Question.objects.count() == 1


def test_it_refuses_the_same_key_for_a_different_request(wireless, personas):
    wireless.post("/questions", QUESTION, idempotency_key="retry-0000-0002")

    other = wireless.post(
        "/questions", {**QUESTION, "title": "另一个问题"}, idempotency_key="retry-0000-0002"
    )

    assert other.status_code == 409
    assert error(other) == "idempotency_conflict"
    assert list(other.json()["fields"]) == ["Idempotency-Key"]
    assert Question.objects.count() == 1


def test_it_replays_to_a_retry_signed_with_the_partners_new_key(client, wireless, personas):
    first = wireless.post("/questions", QUESTION, idempotency_key="retry-0000-0003")
    new, secret = services.issue_key(
        actor=None, partner=wireless_partner(wireless), scopes=[Scope.QA_WRITE], at=clock.now()
    )

    retry = PartnerClient(client, new.key_id, secret).post(
        "/questions", QUESTION, idempotency_key="retry-0000-0003"
    )

    assert retry.json() == first.json()
    assert Question.objects.count() == 1


def test_it_does_not_remember_a_refusal(wireless, personas):
    refused = wireless.post(
        "/questions", {**QUESTION, "contact_mobile": "12"}, idempotency_key="retry-0000-0004"
    )
    corrected = wireless.post("/questions", QUESTION, idempotency_key="retry-0000-0004")

    assert refused.status_code == 422
    assert "contact_mobile" in refused.json()["fields"]
    assert corrected.status_code == 201
    assert Question.objects.count() == 1


@pytest.mark.parametrize("key", [None, "short", "has space in it", "x" * 65])
def test_it_requires_a_well_formed_idempotency_key(wireless, personas, key):
    response = wireless.post("/questions", QUESTION, idempotency_key=key)

    assert response.status_code == 422
    assert error(response) == "validation_failed"
    assert list(response.json()["fields"]) == ["Idempotency-Key"]
    assert not Question.objects.exists()
    assert not IdempotencyRecord.objects.exists()


def wireless_partner(wireless):
    from tongban.partners.models import PartnerKey

    return PartnerKey.objects.get(key_id=wireless.key_id).partner
