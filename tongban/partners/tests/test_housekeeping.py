"""Purging nonces past the replay window and remembered responses past a day; a
partner created in the admin is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.core import clock
from tongban.partners import services
from tongban.partners.models import IdempotencyRecord, Nonce, Partner

pytestmark = pytest.mark.django_db


def test_it_purges_only_nonces_past_the_replay_window(issued):
    key, _secret = issued
    now = clock.now()
    Nonce.objects.create(
        key=key, nonce="old-nonce-000000001", seen_at=now - dt.timedelta(seconds=601)
    )
    Nonce.objects.create(
        key=key, nonce="new-nonce-000000001", seen_at=now - dt.timedelta(seconds=599)
    )
    IdempotencyRecord.objects.create(
        partner=key.partner,
        idempotency_key="old-key-0001",
        request_hash="0" * 64,
        status_code=201,
        response_body={},
        created_at=now - dt.timedelta(hours=25),
    )

    assert services.purge_partner_records(at=now) == (1, 1)
    assert list(Nonce.objects.values_list("nonce", flat=True)) == ["new-nonce-000000001"]


def test_it_creates_a_partner_in_the_admin(client, personas):
    log_in(client, personas.security_admin)

    response = client.post(
        reverse("admin:partners_partner_add"),
        {"code": "wireless-city", "name": "无线城市", "active": "on", "rate_limit_per_minute": 60},
    )
    bad = client.post(
        reverse("admin:partners_partner_add"),
        {"code": "Bad Code", "name": "x", "rate_limit_per_minute": 0},
    )

    assert response.status_code == 302
    partner = Partner.objects.get()
    assert (partner.code, partner.rate_limit_per_minute) == ("wireless-city", 60)
    assert AuditRecord.objects.get(action="partner.create").actor_id == personas.security_admin.pk
    assert bad.status_code == 200
    assert set(bad.context["adminform"].form.errors) >= {"code", "rate_limit_per_minute"}
