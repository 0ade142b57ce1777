"""``POST /api/v1/cases``: counter intake through the API — 201 with the detail, an
``Idempotency-Key`` that makes a retry return the first case (200) instead of a second
one, and invalid input refused naming every field, with nothing stored."""

from __future__ import annotations

import pytest

from tongban.audit.models import AuditRecord
from tongban.cases.models import Case, CaseStatus
from tongban.cases.testing import PERSON_ID
from tongban.cases.tests.apiclient import post, session_client, token_client
from tongban.cases.tests.support import nothing_changes

pytestmark = pytest.mark.django_db


def application(items, **changes) -> dict:
    materials = [{"material_id": m.pk, "pages": 3} for m in items.promised.materials.all()]
    body = {
        "item": items.promised.code,
        "applicant": {
            "kind": "person",
            "name": "张小三",
            "id_type": "resident_id",
            "id_number": PERSON_ID,
            "mobile": "13912341234",
            "address": "天水市秦州区民主西路1号",
        },
        "form_data": {"shop_name": "小三面馆", "area": 42},
        "materials": materials,
    }
    body.update(changes)
    return body


def test_it_takes_in_an_application_at_the_counter(personas, items):
    response = post(token_client(personas.window_clerk), "", application(items))

    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(number=body["number"])
    assert case.status == CaseStatus.RECEIVED
    assert case.received_by == personas.window_clerk
    assert case.applicant_id_number == PERSON_ID
    assert case.form_data == {"shop_name": "小三面馆", "area": "42"}  # decimals as text
    assert [(m.name, m.pages) for m in case.materials.order_by("id")] == [
        ("食品经营许可申请书", 3),
        ("营业执照复印件", 3),
        ("其他说明材料", 3),
    ]
    assert body["status"] == "received"
    assert "accept" in body["actions"]
    assert list(case.timeline.values_list("action", flat=True)) == ["receive"]
    assert AuditRecord.objects.filter(action="case.receive", object_id=str(case.pk)).exists()


def test_it_returns_the_first_case_when_the_same_key_is_sent_twice(personas, items):
    clerk = session_client(personas.window_clerk)

    first = post(clerk, "", application(items), **{"Idempotency-Key": "counter-7-0001"})
    again = post(clerk, "", application(items), **{"Idempotency-Key": "counter-7-0001"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert Case.objects.count() == 1
    assert Case.objects.get().timeline.count() == 1


def test_it_refuses_the_same_key_for_another_item(personas, items):
    clerk = session_client(personas.window_clerk)
    post(clerk, "", application(items), **{"Idempotency-Key": "k-1"})
    other = application(
        items,
        item=items.immediate.code,
        form_data={"wanted_name": "小三"},
        materials=[{"material_id": items.immediate.materials.get().pk, "pages": 1}],
    )

    with nothing_changes():
        response = post(clerk, "", other, **{"Idempotency-Key": "k-1"})

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_it_names_every_invalid_field_and_stores_nothing(personas, items):
    body = application(items)
    body["applicant"]["mobile"] = "12345"
    body["form_data"] = {}
    body["materials"] = [{"material_id": 999999, "pages": 1}]

    with nothing_changes():
        response = post(session_client(personas.window_clerk), "", body)

    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "validation_failed"
    assert {"applicant.mobile", "form.shop_name", "materials.0"} <= set(error["fields"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"item": "NO-SUCH-ITEM"}, "item"),
        ({"applicant": {"name": "张三"}}, "applicant.kind"),
        ({"materials": [{"material_id": 1, "pages": 0}]}, "materials.0.pages"),
    ],
)
def test_it_refuses_a_malformed_body_naming_the_field(personas, items, change, field):
    with nothing_changes():
        response = post(session_client(personas.window_clerk), "", application(items, **change))

    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_it_refuses_intake_by_someone_who_does_not_take_in_that_department(personas, items):
    outsider = token_client(personas.outsider)  # issuing the token is audited

    with nothing_changes():
        response = post(outsider, "", application(items))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
