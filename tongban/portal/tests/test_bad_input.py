"""Crafted input on the citizen's pages gets a page naming the field (or a 404 for an
address that cannot exist), never a server error, and nothing stored is lost."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.cases import services as cases
from tongban.cases.models import CaseStatus
from tongban.cases.testing import make_items, person
from tongban.core.clock import now
from tongban.portal import applications
from tongban.portal.models import ApplicationDraft
from tongban.portal.testing import login_citizen, make_citizen

from .applying import form_post, materials, pdf


@pytest.fixture
def item(personas):
    return make_items(personas).promised


@pytest.fixture
def citizen(db):
    return make_citizen()


@pytest.fixture
def web(client, citizen):
    return login_citizen(client, citizen)


def _draft(web, item) -> ApplicationDraft:
    response = web.post(reverse("my:apply", args=[item.code]), form_post(item))
    assert response.status_code == 302
    return ApplicationDraft.objects.get()


def test_a_nul_character_in_the_item_form_is_named_and_the_draft_kept(web, item):
    draft = _draft(web, item)
    response = web.post(
        reverse("my:draft", args=[draft.pk]),
        form_post(item, key=draft.idempotency_key, schema__shop_name="小三\x00面馆"),
    )
    assert response.status_code == 422
    assert 'id="id_schema-shop_name_error"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.form_data["shop_name"] == "小三面馆"


def test_an_over_long_applicant_value_is_named_not_silently_blanked(web, item):
    draft = _draft(web, item)
    response = web.post(
        reverse("my:draft", args=[draft.pk]),
        form_post(item, key=draft.idempotency_key, applicant__address="路" * 301),
    )
    assert response.status_code == 422
    assert 'id="id_applicant-address"' in response.content.decode()
    assert "aria-invalid" in response.content.decode()
    draft.refresh_from_db()
    assert draft.applicant_address == "天水市秦州区民主西路1号"


def test_a_non_ascii_idempotency_key_is_an_out_of_date_page(web, item):
    draft = _draft(web, item)
    response = web.post(
        reverse("my:draft", args=[draft.pk]), form_post(item, action="submit", key="é")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("my:draft", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.case_id is None


def test_a_remove_button_with_a_non_decimal_digit_changes_nothing(web, item):
    draft = _draft(web, item)
    response = web.post(
        reverse("my:draft", args=[draft.pk]),
        form_post(item, action="remove-²", key=draft.idempotency_key),
    )
    assert response.status_code == 302
    assert ApplicationDraft.objects.filter(pk=draft.pk).exists()


def test_a_nul_character_in_the_supplement_note_is_named(personas, client, item, citizen):
    given = [
        applications.MaterialIn(material_id=m.pk, upload=pdf(f"{m.pk}.pdf", text=str(m.pk)))
        for m in materials(item)
        if m.required
    ]
    case = applications.submit_online(
        item=item,
        applicant=person(),
        form_data={"shop_name": "小三面馆"},
        materials=given,
        at=now(),
        idempotency_key="draft-bad-note",
        citizen=citizen,
    )
    cases.request_supplement(actor=personas.window_clerk, case=case, items=["照片"], at=now())
    web = login_citizen(client, citizen)
    response = web.post(reverse("my:supplement", args=[case.number]), {"note": "见\x00附件"})
    assert response.status_code == 422
    assert 'data-error-for="note"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT_REQUESTED


@pytest.mark.parametrize(
    "url",
    [
        "/portal/guide/%00/",
        "/portal/guide/%00/print/",
        "/portal/my/apply/%00/",
        "/portal/my/cases/%00/",
        "/portal/my/cases/%00/receipt/",
        "/portal/ratings/%00/",
    ],
)
def test_a_nul_character_in_the_address_is_a_404(web, url):
    assert web.get(url).status_code == 404


def test_a_nul_character_in_an_api_address_is_a_json_404(client, db):
    response = client.get("/api/v1/cases/%00/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
