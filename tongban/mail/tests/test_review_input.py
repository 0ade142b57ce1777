"""Bad input on the mail pages gives a clear answer, never a server error."""

from __future__ import annotations

import pytest

from tongban.accounts.testing import log_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/office/mail/compose/?draft=abc",
        "/office/mail/compose/?reply=1x",
        "/office/mail/compose/?forward=%20",
    ],
)
def test_a_non_numeric_id_in_the_compose_link_is_a_404(client, personas, url):
    log_in(client, personas.handler)
    assert client.get(url).status_code == 404


def test_a_non_numeric_draft_id_posted_is_a_404(client, personas):
    log_in(client, personas.handler)
    response = client.post(
        "/office/mail/compose/", {"draft": "abc", "subject": "x", "action": "save"}
    )
    assert response.status_code == 404


def test_a_nul_in_the_subject_is_refused_naming_the_subject(client, personas, media):
    p = personas
    log_in(client, p.handler)
    response = client.post(
        "/office/mail/compose/",
        {"subject": "a\x00b", "body": "x", "to": [f"u:{p.outsider.pk}"], "action": "send"},
    )
    assert response.status_code == 422
    assert "subject" in response.context["field_errors"]


def test_a_superscript_digit_as_recipient_is_refused_naming_the_field(client, personas):
    p = personas
    log_in(client, p.handler)
    response = client.post(
        "/office/mail/compose/",
        {"subject": "s", "body": "x", "to": ["u:²"], "action": "send"},
    )
    assert response.status_code == 422
    assert "to" in response.context["field_errors"]


def test_a_nul_in_the_body_does_not_fail(client, personas, media):
    p = personas
    log_in(client, p.handler)
    response = client.post(
        "/office/mail/compose/",
        {"subject": "s", "body": "a\x00b", "to": [f"u:{p.outsider.pk}"], "action": "send"},
    )
    assert response.status_code == 302


def test_odd_ids_in_the_bulk_form_are_ignored(client, personas):
    log_in(client, personas.handler)
    response = client.post(
        "/office/mail/bulk/", {"box": ["²", "99999999999999999999999"], "op": "read"}
    )
    assert response.status_code == 302


def test_a_huge_recipient_id_is_refused_naming_the_field(client, personas):
    log_in(client, personas.handler)
    response = client.post(
        "/office/mail/compose/",
        {"subject": "s", "body": "x", "to": ["u:99999999999999999999999"], "action": "send"},
    )
    assert response.status_code == 422
    assert "to" in response.context["field_errors"]


def test_a_quota_in_superscript_digits_is_refused_with_a_message(client, personas):
    p = personas
    log_in(client, p.system_admin)
    response = client.post(f"/office/mail/quotas/{p.handler.pk}/", {"limit_mb": "²"}, follow=True)
    assert response.status_code == 200
    assert any("MB" in str(m) for m in response.context["messages"])
