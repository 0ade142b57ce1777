"""Rate limits per key: over the partner's requests per minute, 429 with
Retry-After; the partner's other key has its own count."""

from __future__ import annotations

import time

import pytest

from tongban.core import clock
from tongban.partners import services
from tongban.partners.models import Scope

from .support import PartnerClient, error

pytestmark = pytest.mark.django_db


def burst(client: PartnerClient, count: int) -> list:
    """``count`` requests inside one counting window (the window is the server's
    clock minute; a burst that straddles two is sent again)."""
    while True:
        minute = int(time.time()) // 60
        responses = [client.get("/catalog/items") for _n in range(count)]
        if int(time.time()) // 60 == minute:
            return responses


def test_it_refuses_requests_over_the_limit_with_retry_after(client, partner, catalogue):
    services.update_partner(actor=None, partner=partner, rate_limit_per_minute=3, at=clock.now())
    first, first_secret = services.issue_key(
        actor=None, partner=partner, scopes=[Scope.CATALOG_READ], at=clock.now()
    )
    second, second_secret = services.issue_key(
        actor=None, partner=partner, scopes=[Scope.CATALOG_READ], at=clock.now()
    )
    caller = PartnerClient(client, first.key_id, first_secret)

    responses = burst(caller, 4)
    other_key = PartnerClient(client, second.key_id, second_secret).get("/catalog/items")

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    refused = responses[-1]
    assert error(refused) == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert other_key.status_code == 200


def test_it_does_not_count_forged_requests_against_the_key(client, partner, catalogue):
    services.update_partner(actor=None, partner=partner, rate_limit_per_minute=2, at=clock.now())
    key, secret = services.issue_key(
        actor=None, partner=partner, scopes=[Scope.CATALOG_READ], at=clock.now()
    )
    genuine = PartnerClient(client, key.key_id, secret)
    forger = PartnerClient(client, key.key_id, "guessed-secret")

    while True:
        minute = int(time.time()) // 60
        forged = [forger.get("/catalog/items") for _n in range(5)]
        accepted = [genuine.get("/catalog/items") for _n in range(2)]
        if int(time.time()) // 60 == minute:
            break
        time.sleep(0)  # straddled a window: send the whole round again

    assert {error(r) for r in forged} == {"bad_signature"}
    assert [r.status_code for r in accepted] == [200, 200]
