"""Staff API tokens: issued by the security administrator or the operator, shown
once, stored as a hash; a request with the token acts as its owner; a missing,
unknown, expired or revoked token, or that of a disabled account, is a 401 in the
API's error shape; issuing and revoking are audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.accounts import tokens
from tongban.accounts.models import ApiToken
from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.cases.testing import make_items, receive
from tongban.core.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"
SECRET = re.compile(r"tb_[A-Za-z0-9_-]{43}")


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_it_issues_a_token_shown_once_and_stored_as_a_hash(personas):
    token, secret = tokens.create_api_token(
        actor=personas.security_admin, user=personas.handler, name="报表脚本", at=timezone.now()
    )

    assert SECRET.fullmatch(secret)
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:10]
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(secret in str(value) for value in stored.values())
    assert token.expires_at - token.created_at == dt.timedelta(days=90)
    record = AuditRecord.objects.get(action="api_token.create")
    assert record.actor_name == "secadmin"
    assert record.after["user"] == "handler" and "key_hash" not in record.after


def test_it_lets_the_token_act_as_its_owner_with_the_owners_scope(personas):
    items = make_items(personas)
    case = receive(personas, items.promised, timezone.now())
    _token, mine = tokens.create_api_token(
        actor=None, user=personas.handler, name="a", at=timezone.now()
    )
    _other, theirs = tokens.create_api_token(
        actor=None, user=personas.outsider, name="b", at=timezone.now()
    )

    as_handler = Client().get(CASES, headers=bearer(mine))
    as_outsider = Client().get(CASES, headers=bearer(theirs))
    detail = Client().get(f"{CASES}/{case.number}", headers=bearer(theirs))

    assert [r["number"] for r in as_handler.json()["results"]] == [case.number]
    assert as_outsider.json()["results"] == []
    assert detail.status_code == 404
    assert ApiToken.objects.get(user=personas.handler).last_used_at is not None


def _refused(response) -> dict:
    assert response.status_code == 401, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    return body


def test_it_refuses_a_request_without_credentials(client, personas):
    assert _refused(client.get(CASES))["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "secret", ["tb_" + "x" * 43, "not-a-token", "tb_", "tb_" + "y" * 500], ids=str.__len__
)
def test_it_refuses_an_unknown_token(client, personas, secret):
    assert _refused(client.get(CASES, headers=bearer(secret)))["code"] == "invalid_token"


def test_it_refuses_an_expired_token(client, personas):
    _token, secret = tokens.create_api_token(
        actor=None,
        user=personas.handler,
        name="old",
        days=1,
        at=timezone.now() - dt.timedelta(days=1, seconds=1),
    )

    assert _refused(client.get(CASES, headers=bearer(secret)))["code"] == "invalid_token"


def test_it_refuses_a_revoked_token_and_audits_the_revocation(client, personas):
    token, secret = tokens.create_api_token(
        actor=None, user=personas.handler, name="x", at=timezone.now()
    )
    assert client.get(CASES, headers=bearer(secret)).status_code == 200

    tokens.revoke_api_token(actor=personas.security_admin, token=token, at=timezone.now())

    assert _refused(client.get(CASES, headers=bearer(secret)))["code"] == "invalid_token"
    assert AuditRecord.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()


def test_it_refuses_the_token_of_a_disabled_account(client, personas):
    _token, secret = tokens.create_api_token(
        actor=None, user=personas.handler, name="x", at=timezone.now()
    )
    accounts.set_user_active(
        actor=personas.system_admin, user=personas.handler, active=False, at=timezone.now()
    )

    assert _refused(client.get(CASES, headers=bearer(secret)))["code"] == "invalid_token"


def test_it_takes_a_token_instead_of_csrf_but_not_a_session_without_csrf(personas):
    _token, secret = tokens.create_api_token(
        actor=None, user=personas.handler, name="x", at=timezone.now()
    )
    body = {"text": "同意"}
    url = f"{CASES}/opinion-templates"

    with_token = Client(enforce_csrf_checks=True).post(
        url, body, content_type="application/json", headers=bearer(secret)
    )
    session = log_in(Client(enforce_csrf_checks=True), personas.handler)
    without_csrf = session.post(url, body, content_type="application/json")

    assert with_token.status_code == 201
    assert without_csrf.status_code == 403


def test_it_keeps_the_public_endpoints_open(client, personas):
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    assert client.get("/api/v1/items").status_code == 200


def test_it_issues_tokens_only_through_the_security_administrator(personas):
    with pytest.raises(PermissionDenied):
        tokens.create_api_token(
            actor=personas.system_admin, user=personas.handler, name="x", at=timezone.now()
        )
    with pytest.raises(PermissionDenied):
        tokens.create_api_token(
            actor=personas.handler, user=personas.handler, name="x", at=timezone.now()
        )
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("admin", ["system_admin", "security_admin", "audit_admin"])
def test_it_issues_no_token_to_the_three_administrators(personas, admin):
    with pytest.raises(ValidationFailed) as refused:
        tokens.create_api_token(
            actor=None, user=getattr(personas, admin), name="x", at=timezone.now()
        )

    assert set(refused.value.fields) == {"user"}
    assert not ApiToken.objects.exists()


def test_it_refuses_a_nameless_or_too_long_token_naming_the_fields(personas):
    with pytest.raises(ValidationFailed) as refused:
        tokens.create_api_token(
            actor=None, user=personas.handler, name=" ", days=400, at=timezone.now()
        )

    assert set(refused.value.fields) == {"name", "days"}


def test_the_command_creates_lists_and_revokes(personas):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "api_token",
        "create",
        "HANDLER",
        "--name",
        "nightly",
        "--days",
        "30",
        stdout=out,
        stderr=err,
    )
    secret = out.getvalue().strip()
    token = ApiToken.objects.get()

    assert SECRET.fullmatch(secret) and token.user == personas.handler
    assert token.expires_at - token.created_at == dt.timedelta(days=30)
    assert Client().get(CASES, headers=bearer(secret)).status_code == 200
    listing = io.StringIO()
    call_command("api_token", "list", stdout=listing)
    assert f"{token.pk}\t{token.prefix}…\thandler\tnightly\tvalid" in listing.getvalue()
    assert secret not in listing.getvalue()

    call_command("api_token", "revoke", str(token.pk), stdout=io.StringIO())

    assert Client().get(CASES, headers=bearer(secret)).status_code == 401
    after = io.StringIO()
    call_command("api_token", "list", stdout=after)
    assert after.getvalue() == ""
    call_command("api_token", "list", "--all", stdout=after)
    assert "revoked" in after.getvalue()


def test_the_security_administrator_issues_and_revokes_in_the_admin(personas):
    admin = log_in(Client(), personas.security_admin)

    response = admin.post(
        reverse("admin:accounts_apitoken_add"),
        {"user": personas.handler.pk, "name": "对接系统", "days": 30},
    )

    assert response.status_code == 302
    shown = admin.get(response["Location"]).content.decode()
    shown_again = admin.get(response["Location"]).content.decode()
    secret = SECRET.search(shown).group()
    token = ApiToken.objects.get()
    assert token.key_hash == tokens.hash_secret(secret)
    assert secret not in shown_again

    admin.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_admin_refuses_a_token_for_an_administrator(personas):
    admin = log_in(Client(), personas.security_admin)

    response = admin.post(
        reverse("admin:accounts_apitoken_add"),
        {"user": personas.audit_admin.pk, "name": "x", "days": 30},
    )

    assert response.status_code == 200  # the form again, with the error
    assert not ApiToken.objects.exists()


def test_the_system_administrator_cannot_see_tokens(personas):
    admin = log_in(Client(), personas.system_admin)

    assert admin.get(reverse("admin:accounts_apitoken_changelist")).status_code == 403
