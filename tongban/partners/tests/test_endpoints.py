"""What the Wireless City app does through the partner API: browse the catalogue,
submit an application with its materials, follow its progress, read answered
questions and ask one. Each answer is what the portal itself would show."""

from __future__ import annotations

import base64

import pytest

from tongban.cases.models import Case, CaseStatus, Channel
from tongban.cases.testing import PERSON_ID, make_items
from tongban.core import clock
from tongban.portal.tests.catalogue import pdf_bytes
from tongban.qa import services as qa
from tongban.qa.models import Question

from .support import error

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(personas):
    return make_items(personas).promised  # shop_name required; two required materials


def application(item, /, **changes) -> dict:
    required = [m for m in item.materials.order_by("order", "id") if m.required]
    body = {
        "item": item.code,
        "applicant": {
            "kind": "person",
            "name": "张小三",
            "id_type": "resident_id",
            "id_number": PERSON_ID,
            "mobile": "13912341234",
            "address": "天水市秦州区民主西路1号",
        },
        "form_data": {"shop_name": "小三面馆"},
        "materials": [
            {
                "material_id": material.pk,
                "filename": f"m{index}.pdf",
                "content_base64": base64.b64encode(pdf_bytes(f"m{index}")).decode(),
            }
            for index, material in enumerate(required)
        ],
    }
    body.update(changes)
    return body


# --- catalogue ---------------------------------------------------------------------------


def test_it_shows_a_published_items_guide(wireless, catalogue):
    response = wireless.get(f"/catalog/items/{catalogue.food.code}")

    assert response.status_code == 200
    guide = response.json()
    assert guide["name"] == "食品经营许可证核发"
    assert [m["name"] for m in guide["materials"]] == ["食品经营许可申请书", "营业执照", "健康证明"]


def test_it_answers_a_draft_item_like_a_missing_one(wireless, catalogue):
    draft = wireless.get(f"/catalog/items/{catalogue.draft.code}")
    missing = wireless.get("/catalog/items/NO-SUCH-ITEM")

    assert (draft.status_code, error(draft)) == (404, "not_found")
    assert draft.json() == missing.json()


# --- applications and progress -----------------------------------------------------------


def test_it_submits_an_application_the_applicant_can_then_follow(wireless, item):
    response = wireless.post("/applications", application(item), idempotency_key="app-00000001")

    assert response.status_code == 201, response.json()
    answer = response.json()
    case = Case.objects.get()
    assert answer["number"] == case.number
    assert (case.channel, case.status) == (Channel.PARTNER, CaseStatus.RECEIVED)
    assert case.materials.count() == 2

    by_code = wireless.get(
        "/progress", query=f"number={case.number}&verifier={answer['query_code']}"
    )
    by_mobile = wireless.get("/progress", query=f"number={case.number}&verifier=1234")

    assert by_code.status_code == 200
    progress = by_code.json()
    assert progress["number"] == case.number
    assert progress["applicant"] == {
        "name": "张*三",
        "mobile": "139****1234",
        "id_number": "6205**********1235",
    }
    assert by_mobile.json() == progress


def test_it_gives_the_same_404_for_a_wrong_verifier_and_a_missing_case(wireless, item):
    submitted = wireless.post("/applications", application(item), idempotency_key="app-00000002")
    number = submitted.json()["number"]

    wrong = wireless.get("/progress", query=f"number={number}&verifier=9999")
    missing = wireless.get("/progress", query="number=TS-NO-SUCH-CASE&verifier=1234")

    assert (wrong.status_code, error(wrong)) == (404, "not_found")
    assert wrong.json() == missing.json()


def test_it_names_the_missing_progress_parameter(wireless):
    response = wireless.get("/progress", query="number=TS-1")

    assert response.status_code == 422
    assert error(response) == "validation_failed"
    assert "verifier" in response.json()["fields"]


def test_it_names_the_field_of_a_bad_application_and_creates_nothing(wireless, item):
    body = application(item, form_data={})
    body["materials"][0]["content_base64"] = "not base64!"

    bad_file = wireless.post("/applications", body, idempotency_key="app-00000003")
    no_shop = wireless.post(
        "/applications", application(item, form_data={}), idempotency_key="app-00000004"
    )

    assert bad_file.status_code == 422
    assert list(bad_file.json()["fields"]) == ["materials.0.content_base64"]
    assert no_shop.status_code == 422
    assert "form.shop_name" in no_shop.json()["fields"]
    assert not Case.objects.exists()


def test_it_requires_the_required_materials(wireless, item):
    response = wireless.post(
        "/applications", application(item, materials=[]), idempotency_key="app-00000005"
    )

    assert response.status_code == 422
    assert any(name.startswith("material.") for name in response.json()["fields"])
    assert not Case.objects.exists()


def test_it_refuses_an_unknown_item_naming_it(wireless, item):
    response = wireless.post(
        "/applications", application(item, item="NO-SUCH"), idempotency_key="app-00000006"
    )

    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["item"]


# --- questions ---------------------------------------------------------------------------


def _asked(personas, title: str, *, allow_public: bool) -> Question:
    return qa.ask_question(
        title=title,
        content="请问需要哪些材料？",
        contact_name="李小四",
        contact_mobile="13900004321",
        allow_public=allow_public,
        department=personas.org.market,
        at=clock.now(),
    )


def test_it_lists_only_answered_public_questions_without_contact_data(wireless, personas):
    public = _asked(personas, "公开的问题", allow_public=True)
    private = _asked(personas, "不公开的问题", allow_public=False)
    _asked(personas, "未答复的问题", allow_public=True)
    for question in (public, private):
        qa.answer_question(
            actor=personas.handler, question=question, answer="请带身份证。", at=clock.now()
        )

    listing = wireless.get("/questions")
    hidden = wireless.get(f"/questions/{private.pk}")
    shown = wireless.get(f"/questions/{public.pk}")

    assert listing.status_code == 200
    assert [row["title"] for row in listing.json()["results"]] == ["公开的问题"]
    assert (hidden.status_code, error(hidden)) == (404, "not_found")
    assert shown.json()["asker"] == "李*四"
    assert "13900004321" not in shown.content.decode()


def test_it_asks_a_question_of_a_department(wireless, personas):
    response = wireless.post(
        "/questions",
        {
            "title": "营业执照办理时间",
            "content": "需要多长时间？",
            "contact_name": "张小三",
            "contact_mobile": "13800001234",
            "department": "scjg",
        },
        idempotency_key="ask-00000001",
    )

    assert response.status_code == 201, response.json()
    question = Question.objects.get()
    assert response.json()["id"] == question.pk
    assert (question.department, question.source) == (personas.org.market, "partner")


def test_it_names_the_field_of_a_bad_question(wireless, personas):
    response = wireless.post(
        "/questions",
        {"title": "", "content": "？", "contact_name": "张", "contact_mobile": "123"},
        idempotency_key="ask-00000002",
    )

    assert response.status_code == 422
    assert error(response) == "validation_failed"
    assert "title" in response.json()["fields"]
    assert not Question.objects.exists()


def test_it_refuses_control_characters_naming_the_field(wireless, item):
    search = wireless.get("/catalog/items", query="q=%00")
    body = application(item)
    body["applicant"]["name"] = "张\x00三"
    submitted = wireless.post("/applications", body, idempotency_key="app-00000007")

    assert (search.status_code, list(search.json()["fields"])) == (422, ["q"])
    assert (submitted.status_code, list(submitted.json()["fields"])) == (422, ["applicant.name"])
    assert not Case.objects.exists()
