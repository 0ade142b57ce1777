"""Downloads from the service guide: blank forms, filled examples and policy
documents, only for what is public, always as attachments that are never sniffed."""

from __future__ import annotations

import hashlib
import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tongban.catalog import services
from tongban.core import files

from .catalogue import pdf_bytes

pytestmark = pytest.mark.django_db


def material(item, name: str):
    return item.materials.get(name=name)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_downloads_the_blank_form_of_a_published_items_material(client, catalogue):
    food_form = material(catalogue.food, "食品经营许可申请书")

    response = client.get(
        reverse("portal:material_blank", args=[catalogue.food.code, food_form.pk])
    )

    assert response.status_code == 200
    data = body(response)
    assert hashlib.sha256(data).hexdigest() == catalogue.blank_form.sha256
    assert openpyxl.load_workbook(io.BytesIO(data)).active["A1"].value == "食品经营许可申请书"
    assert response["Content-Type"] == files.KINDS["xlsx"].content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = unquote(response["Content-Disposition"])
    assert disposition.startswith("attachment")
    assert "食品经营许可申请书.xlsx" in disposition


def test_it_downloads_the_filled_example(client, catalogue):
    food_form = material(catalogue.food, "食品经营许可申请书")

    response = client.get(
        reverse("portal:material_example", args=[catalogue.food.code, food_form.pk])
    )

    assert response.status_code == 200
    assert body(response) == pdf_bytes("filled example")
    assert "申请书示例.pdf" in unquote(response["Content-Disposition"])


def test_it_downloads_a_policy_document_a_published_item_rests_on(client, catalogue):
    response = client.get(reverse("portal:basis_document", args=[catalogue.basis.pk]))

    assert response.status_code == 200
    assert body(response) == pdf_bytes("law")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert unquote(response["Content-Disposition"]).startswith("attachment")


@pytest.mark.parametrize("name", ["draft", "expired"])
def test_it_refuses_forms_of_drafts_and_expired_items(client, catalogue, name):
    item = getattr(catalogue, name)
    row = item.materials.get()
    assert row.blank_form_id == catalogue.blank_form.pk  # the same file as a public one

    response = client.get(reverse("portal:material_blank", args=[item.code, row.pk]))

    assert response.status_code == 404


def test_it_refuses_a_material_asked_for_under_another_items_code(client, catalogue):
    draft_material = catalogue.draft.materials.get()

    response = client.get(
        reverse("portal:material_blank", args=[catalogue.food.code, draft_material.pk])
    )

    assert response.status_code == 404


def test_it_answers_404_for_a_material_without_such_a_file(client, catalogue):
    licence = material(catalogue.food, "营业执照")

    blank = client.get(reverse("portal:material_blank", args=[catalogue.food.code, licence.pk]))
    example = client.get(reverse("portal:material_example", args=[catalogue.food.code, licence.pk]))

    assert (blank.status_code, example.status_code) == (404, 404)


def test_it_refuses_a_policy_document_only_drafts_and_expired_items_rest_on(client, catalogue):
    response = client.get(reverse("portal:basis_document", args=[catalogue.draft_basis.pk]))

    assert response.status_code == 404


def test_it_refuses_the_policy_document_once_its_last_item_is_withdrawn(
    client, catalogue, personas
):
    url = reverse("portal:basis_document", args=[catalogue.basis.pk])
    assert client.get(url).status_code == 200

    services.publish_item(
        actor=personas.department_head, item=catalogue.food, published=False, at=timezone.now()
    )

    assert client.get(url).status_code == 404
