"""Signed partner requests: accepted when the signature covers exactly what was sent,
refused (401, each with its own code) for every kind of tampering, and 403 when the
key lacks the endpoint's scope."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time

import pytest

from tongban.core import clock
from tongban.partners import services
from tongban.partners.models import Nonce, Scope
from tongban.partners.signing import canonical_string, compute_signature
from tongban.qa.models import Question

from .support import BASE, PartnerClient, error

pytestmark = pytest.mark.django_db

QUESTION = {
    "title": "营业执照办理时间",
    "content": "个体工商户营业执照需要多长时间？",
    "contact_name": "张小三",
    "contact_mobile": "13800001234",
    "department": "SCJG",
}


def test_it_accepts_a_signed_get(wireless, catalogue):
    response = wireless.get("/catalog/items", query="q=食品")

    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == [catalogue.food.code]
    assert response["Cache-Control"] == "no-store"


def test_it_accepts_a_signed_post(wireless, personas):
    response = wireless.post("/questions", QUESTION, idempotency_key="ask-0001-abcdef")

    assert response.status_code == 201, response.json()
    question = Question.objects.get()
    assert (question.title, question.source) == (QUESTION["title"], "partner")


def test_it_accepts_a_base64_signature(client, issued, catalogue):
    key, secret = issued
    timestamp, nonce = int(time.time()), "base64-nonce-0000001"
    canonical = canonical_string("GET", f"{BASE}/catalog/items", "", b"", timestamp, nonce)
    signature = base64.b64encode(compute_signature(secret, canonical)).decode()

    response = client.get(
        f"{BASE}/catalog/items",
        headers={
            "X-Tongban-Key": key.key_id,
            "X-Tongban-Timestamp": str(timestamp),
            "X-Tongban-Nonce": nonce,
            "X-Tongban-Signature": signature,
        },
    )

    assert response.status_code == 200


def test_it_refuses_a_changed_body_and_stores_nothing(wireless, personas):
    signed = json.dumps(QUESTION).encode()
    sent = json.dumps({**QUESTION, "department": "ZRZY"}).encode()

    response = wireless.post(
        "/questions", None, body=sent, signed_body=signed, idempotency_key="ask-0002-abcdef"
    )

    assert response.status_code == 401
    assert error(response) == "bad_signature"
    assert response["WWW-Authenticate"].startswith("Tongban-HMAC-SHA256")
    assert not Question.objects.exists()


def test_it_refuses_a_changed_path(wireless, catalogue):
    response = wireless.get(
        f"/catalog/items/{catalogue.food.code}", signed_path=f"{BASE}/catalog/items"
    )

    assert response.status_code == 401
    assert error(response) == "bad_signature"


def test_it_refuses_a_changed_query(wireless, catalogue):
    response = wireless.get("/catalog/items", query="q=户籍", signed_query="q=食品")

    assert response.status_code == 401
    assert error(response) == "bad_signature"


def test_it_signs_the_query_sorted_and_encoded(wireless, catalogue):
    # The client may send the parameters in any order; the signature is the same.
    response = wireless.get(
        "/catalog/items",
        query="page_size=5&q=%E9%A3%9F%E5%93%81",
        signed_query="q=食品&page_size=5",
    )

    assert response.status_code == 200
    assert response.json()["page_size"] == 5


@pytest.mark.parametrize("offset", [-301, 301])
def test_it_refuses_a_timestamp_more_than_five_minutes_off(wireless, catalogue, offset):
    response = wireless.get("/catalog/items", timestamp=int(time.time()) + offset)

    assert response.status_code == 401
    assert error(response) == "stale_timestamp"


def test_it_accepts_a_timestamp_within_the_window(wireless, catalogue):
    response = wireless.get("/catalog/items", timestamp=int(time.time()) - 240)

    assert response.status_code == 200


def test_it_refuses_a_replayed_nonce(wireless, catalogue):
    first = wireless.get("/catalog/items", nonce="same-nonce-00000001")
    replay = wireless.get("/catalog/items", nonce="same-nonce-00000001")

    assert first.status_code == 200
    assert replay.status_code == 401
    assert error(replay) == "replayed_nonce"


def test_it_does_not_burn_a_nonce_on_a_forged_request(wireless, catalogue):
    forged = wireless.get("/catalog/items", nonce="nonce-of-a-forgery-1", secret="guessed")
    genuine = wireless.get("/catalog/items", nonce="nonce-of-a-forgery-1")

    assert error(forged) == "bad_signature"
    assert genuine.status_code == 200
    assert Nonce.objects.filter(nonce="nonce-of-a-forgery-1").count() == 1


def test_it_refuses_an_unknown_key(wireless, catalogue):
    response = wireless.get("/catalog/items", key_id="tbk_00000000000000000000")

    assert response.status_code == 401
    assert error(response) == "unknown_key"


def test_it_refuses_a_wrong_secret(wireless, catalogue):
    response = wireless.get("/catalog/items", secret="not-the-secret")

    assert response.status_code == 401
    assert error(response) == "bad_signature"


def test_it_refuses_another_partners_secret(client, wireless, catalogue):
    other = services.create_partner(actor=None, code="hotline", name="12345", at=clock.now())
    _key, other_secret = services.issue_key(
        actor=None, partner=other, scopes=[Scope.CATALOG_READ], at=clock.now()
    )

    response = wireless.get("/catalog/items", secret=other_secret)

    assert error(response) == "bad_signature"


def test_it_refuses_a_revoked_key(wireless, issued, catalogue):
    services.revoke_key(actor=None, key=issued[0], at=clock.now())

    response = wireless.get("/catalog/items")

    assert response.status_code == 401
    assert error(response) == "key_inactive"


def test_it_refuses_an_expired_key(client, partner, catalogue):
    long_ago = clock.now() - dt.timedelta(days=30)
    key, secret = services.issue_key(
        actor=None, partner=partner, scopes=[Scope.CATALOG_READ], days=7, at=long_ago
    )

    response = PartnerClient(client, key.key_id, secret).get("/catalog/items")

    assert response.status_code == 401
    assert error(response) == "key_inactive"


def test_it_refuses_every_key_of_a_disabled_partner(wireless, partner, catalogue):
    services.update_partner(actor=None, partner=partner, active=False, at=clock.now())

    refused = wireless.get("/catalog/items")
    services.update_partner(actor=None, partner=partner, active=True, at=clock.now())
    accepted = wireless.get("/catalog/items")

    assert error(refused) == "key_inactive"
    assert accepted.status_code == 200


def test_it_refuses_an_unsigned_request(client, catalogue):
    response = client.get(f"{BASE}/catalog/items")

    assert response.status_code == 401
    assert error(response) == "missing_signature"


def test_it_names_a_malformed_header(wireless, catalogue):
    response = wireless.get("/catalog/items", nonce="short")

    assert response.status_code == 401
    assert error(response) == "malformed_header"
    assert list(response.json()["fields"]) == ["X-Tongban-Nonce"]


def test_it_refuses_a_key_without_the_endpoints_scope(client, partner, catalogue):
    key, secret = services.issue_key(
        actor=None, partner=partner, scopes=[Scope.QA_READ], at=clock.now()
    )
    reader = PartnerClient(client, key.key_id, secret)

    catalogue_response = reader.get("/catalog/items")
    ask_response = reader.post("/questions", QUESTION, idempotency_key="ask-0003-abcdef")

    assert catalogue_response.status_code == 403
    assert error(catalogue_response) == "insufficient_scope"
    assert ask_response.status_code == 403
    assert error(ask_response) == "insufficient_scope"
    assert not Question.objects.exists()


def test_it_names_a_malformed_key_id(wireless, catalogue):
    response = wireless.get("/catalog/items", key_id="tbk_\x00' OR 1=1")

    assert response.status_code == 401
    assert error(response) == "malformed_header"
    assert list(response.json()["fields"]) == ["X-Tongban-Key"]
