"""Counter intake (事件受理): pick an item, fill the applicant, the item's form and the
material checklist; success creates the case; bad input names the field and stores
nothing."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.accounts.testing import log_in
from tongban.cases.models import Case, CaseStatus, Channel
from tongban.cases.testing import PERSON_ID

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R 4 0 R]/Count 2>>endobj\n%%EOF\n"
)


def _post(item, **overrides):
    data = {
        "applicant-kind": "person",
        "applicant-name": "张小三",
        "applicant-id_type": "resident_id",
        "applicant-id_number": PERSON_ID,
        "applicant-mobile": "13912341234",
        "applicant-address": "天水市秦州区民主西路1号",
        "schema-shop_name": "小三面馆",
        "schema-area": "35",
    }
    for material in item.materials.all():
        data[f"mat-{material.pk}-received"] = "1"
        data[f"mat-{material.pk}-pages"] = "3"
        data[f"mat-{material.pk}-copies"] = "1"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_it_finds_the_items_the_clerk_takes_in(client, personas, items):
    log_in(client, personas.window_clerk)

    response = client.get(reverse("cases:intake"), {"q": "食品"})

    assert response.status_code == 200
    assert [i.code for i in response.context["page"].object_list] == [items.promised.code]


def test_a_handler_may_not_use_the_counter(client, personas, items):
    log_in(client, personas.handler)
    assert client.get(reverse("cases:intake")).status_code == 403
    url = reverse("cases:intake_form", args=[items.promised.pk])
    assert client.post(url, _post(items.promised)).status_code == 403
    assert not Case.objects.exists()


def test_it_takes_in_an_application_with_its_materials(client, personas, items):
    log_in(client, personas.window_clerk)
    url = reverse("cases:intake_form", args=[items.promised.pk])
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert 'name="schema-shop_name"' in form_page.content.decode()
    first = items.promised.materials.order_by("order", "id").first()
    upload = SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf")

    response = client.post(url, _post(items.promised, **{f"mat-{first.pk}-file": upload}))

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.number])
    assert case.status == CaseStatus.RECEIVED and case.channel == Channel.COUNTER
    assert case.received_by == personas.window_clerk
    assert case.applicant_id_number == PERSON_ID
    assert case.form_data["shop_name"] == "小三面馆"
    materials = {m.name: m for m in case.materials.all()}
    assert len(materials) == 3
    assert materials[first.name].file is not None and materials[first.name].pages == 2
    assert list(case.timeline.values_list("action", flat=True)) == ["receive"]


def test_a_bad_id_number_is_shown_on_its_field_and_nothing_is_stored(client, personas, items):
    log_in(client, personas.window_clerk)
    url = reverse("cases:intake_form", args=[items.promised.pk])

    response = client.post(
        url, _post(items.promised, **{"applicant-id_number": "62050219900101123X"})
    )

    assert response.status_code == 200
    assert response.context["applicant_form"].errors["id_number"]
    assert 'data-error-for="applicant-id_number"' in response.content.decode()
    assert not Case.objects.exists()


def test_a_missing_required_form_field_is_shown_and_nothing_is_stored(client, personas, items):
    log_in(client, personas.window_clerk)
    url = reverse("cases:intake_form", args=[items.promised.pk])

    response = client.post(url, _post(items.promised, **{"schema-shop_name": ""}))

    assert response.status_code == 200
    schema_form = response.context["schema_form"]
    assert schema_form.errors["shop_name"]
    assert len(schema_form.errors["shop_name"]) == 1  # the service's message not repeated
    # The rest of what was typed is kept.
    assert response.context["applicant_form"]["name"].value() == "张小三"
    assert not Case.objects.exists()


def test_a_material_without_pages_or_file_is_flagged_on_its_row(client, personas, items):
    log_in(client, personas.window_clerk)
    url = reverse("cases:intake_form", args=[items.promised.pk])
    first = items.promised.materials.order_by("order", "id").first()

    response = client.post(url, _post(items.promised, **{f"mat-{first.pk}-pages": ""}))

    assert response.status_code == 200
    rows = {row.material.pk: row for row in response.context["rows"]}
    assert rows[first.pk].errors and all(not r.errors for k, r in rows.items() if k != first.pk)
    assert not Case.objects.exists()
