"""Issuing, rotating and revoking partner keys: from the services, the management
command and the admin; the secret shown once, stored encrypted, never audited."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.core import clock
from tongban.core.errors import ActionNotAllowed, PermissionDenied, ValidationFailed
from tongban.partners import services
from tongban.partners.models import Partner, PartnerKey, Scope

from .support import PartnerClient, error

pytestmark = pytest.mark.django_db


def test_it_stores_the_secret_encrypted_and_audits_without_it(partner):
    key, secret = services.issue_key(
        actor=None, partner=partner, scopes=[Scope.QA_READ, Scope.CATALOG_READ], at=clock.now()
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM partners_partnerkey WHERE id = %s", [key.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored
    assert PartnerKey.objects.get(pk=key.pk).secret == secret
    record = AuditRecord.objects.get(action="partner_key.issue")
    assert record.after["scopes"] == ["catalog:read", "qa:read"]
    assert secret not in str(record.after)


def test_it_lets_two_keys_work_during_a_rotation_and_refuses_a_third(client, partner, catalogue):
    old, old_secret = services.issue_key(
        actor=None, partner=partner, scopes=[Scope.CATALOG_READ], at=clock.now()
    )
    new, new_secret = services.issue_key(
        actor=None, partner=partner, scopes=[Scope.CATALOG_READ], at=clock.now()
    )

    with pytest.raises(ActionNotAllowed) as refused:
        services.issue_key(actor=None, partner=partner, scopes=[Scope.CATALOG_READ], at=clock.now())

    assert refused.value.code == "too_many_keys"
    assert "partner" in refused.value.fields
    assert PartnerClient(client, old.key_id, old_secret).get("/catalog/items").status_code == 200
    assert PartnerClient(client, new.key_id, new_secret).get("/catalog/items").status_code == 200

    services.revoke_key(actor=None, key=old, at=clock.now())
    third, _secret = services.issue_key(
        actor=None, partner=partner, scopes=[Scope.CATALOG_READ], at=clock.now()
    )
    assert third.is_active_at(clock.now())
    assert error(PartnerClient(client, old.key_id, old_secret).get("/catalog/items")) == (
        "key_inactive"
    )


def test_it_refuses_unknown_or_no_scopes(partner):
    with pytest.raises(ValidationFailed) as unknown:
        services.issue_key(actor=None, partner=partner, scopes=["cases:write"], at=clock.now())
    with pytest.raises(ValidationFailed) as empty:
        services.issue_key(actor=None, partner=partner, scopes=[], at=clock.now())

    assert list(unknown.value.fields) == ["scopes"]
    assert list(empty.value.fields) == ["scopes"]
    assert not PartnerKey.objects.exists()


def test_it_lets_only_the_security_administrator_manage_partners(personas, partner):
    for actor in (personas.system_admin, personas.department_head, personas.handler):
        with pytest.raises(PermissionDenied):
            services.issue_key(actor=actor, partner=partner, scopes=[Scope.QA_READ], at=clock.now())
        with pytest.raises(PermissionDenied):
            services.create_partner(actor=actor, code="other", name="其他", at=clock.now())

    key, _secret = services.issue_key(
        actor=personas.security_admin, partner=partner, scopes=[Scope.QA_READ], at=clock.now()
    )
    assert AuditRecord.objects.get(action="partner_key.issue").actor_id == (
        personas.security_admin.pk
    )
    assert key.created_by == personas.security_admin


def test_it_names_the_field_of_a_bad_partner(db):
    with pytest.raises(ValidationFailed) as refused:
        services.create_partner(actor=None, code="无线", name="无线城市", at=clock.now())

    assert list(refused.value.fields) == ["code"]
    assert not Partner.objects.exists()


def test_it_manages_keys_from_the_command_line(client, catalogue):
    out = io.StringIO()
    call_command("partner_key", "partner", "wireless-city", "无线城市", "--rate", "60", stdout=out)
    out = io.StringIO()
    call_command(
        "partner_key",
        "issue",
        "wireless-city",
        "--scope",
        "catalog:read",
        stdout=out,
        stderr=io.StringIO(),
    )
    key_id, secret = out.getvalue().split()

    accepted = PartnerClient(client, key_id, secret).get("/catalog/items")
    listing = io.StringIO()
    call_command("partner_key", "list", stdout=listing)
    call_command("partner_key", "revoke", key_id, stdout=io.StringIO())
    refused = PartnerClient(client, key_id, secret).get("/catalog/items")

    assert accepted.status_code == 200
    assert key_id in listing.getvalue() and secret not in listing.getvalue()
    assert error(refused) == "key_inactive"
    with pytest.raises(CommandError):
        call_command("partner_key", "issue", "no-such", "--scope", "qa:read")


def test_it_issues_a_key_in_the_admin_and_shows_the_secret_once(client, personas, partner):
    log_in(client, personas.security_admin)

    response = client.post(
        reverse("admin:partners_partnerkey_add"),
        {"partner": partner.pk, "name": "主密钥", "scopes": ["qa:read", "qa:write"], "days": 90},
        follow=True,
    )

    key = PartnerKey.objects.get()
    page = response.content.decode()
    assert key.scopes == ["qa:read", "qa:write"]
    assert key.key_id in page and key.secret in page
    listing = client.get(reverse("admin:partners_partnerkey_changelist")).content.decode()
    assert key.key_id in listing and key.secret not in listing
    detail = client.get(reverse("admin:partners_partnerkey_change", args=[key.pk]))
    assert detail.status_code == 200 and key.secret not in detail.content.decode()


def test_it_shows_the_third_key_refusal_as_a_form_error(client, personas, partner):
    for _n in range(2):
        services.issue_key(actor=None, partner=partner, scopes=[Scope.QA_READ], at=clock.now())
    log_in(client, personas.security_admin)

    response = client.post(
        reverse("admin:partners_partnerkey_add"),
        {"partner": partner.pk, "scopes": ["qa:read"], "days": 90},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["partner"]
    assert PartnerKey.objects.count() == 2


def test_it_keeps_other_staff_out_of_the_partner_admin(client, personas, partner):
    log_in(client, personas.system_admin)

    response = client.get(reverse("admin:partners_partnerkey_changelist"))

    assert response.status_code == 403
