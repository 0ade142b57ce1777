"""The public catalogue API: ``GET /api/v1/items`` (filters, pagination, a constant
number of queries) and ``GET /api/v1/items/{code}`` (the full service guide), open to
anonymous callers and documented in the OpenAPI."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from tongban.catalog import services
from tongban.catalog.models import HandlingType
from tongban.catalog.services import MaterialSpec
from tongban.portal.tests.catalogue import Catalogue, build_catalogue

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/items"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def catalogue(personas) -> Catalogue:
    return build_catalogue(personas)


def codes(response) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


def make_published_items(personas, licence_type, count: int) -> None:
    for number in range(count):
        item = services.create_item(
            actor=None,
            code=f"620500-SCJG-FW-{number:03d}",
            name=f"批量服务事项{number:02d}",
            item_type=licence_type,
            department=personas.org.market_section if number % 2 else personas.org.market,
            handling_type=HandlingType.IMMEDIATE,
            promised_limit=0,
            at=timezone.now(),
        )
        services.set_materials(
            actor=None, item=item, materials=[MaterialSpec("申请表")], at=timezone.now()
        )
        services.publish_item(actor=None, item=item, at=timezone.now())


def test_it_lists_published_items_valid_today_to_anyone(client, catalogue):
    response = client.get(ITEMS)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["page_size"]) == (3, 1, 20)
    assert codes(response) == [
        catalogue.food.code,
        catalogue.planning.code,
        catalogue.residence.code,
    ]
    food = body["results"][0]
    assert food == {
        "code": "620500-SCJG-XK-001",
        "name": "食品经营许可证核发",
        "short_name": "食品经营许可",
        "item_type": "行政许可",
        "category": "市场准入",
        "department": {"code": "SCJG", "name": "天水市市场监督管理局"},
        "handling_type": "promised",
        "handling_type_label": "承诺件",
        "promised_limit": 15,
        "statutory_limit": 20,
        "online_allowed": True,
        "guide_url": "http://testserver/portal/guide/620500-SCJG-XK-001/",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "食品经营"}, ["food"]),
        ({"q": "规划许可 核发"}, ["planning"]),
        ({"q": "zrzy"}, ["planning"]),
        ({"q": "居住半年"}, ["residence"]),
        ({"q": "草稿"}, []),
        ({"department": "QZQ"}, ["residence"]),  # the item is at QZQ-GA, below the county
        ({"department": "SCJG"}, ["food"]),
        ({"department": "scjg"}, ["food"]),  # codes are upper-case; any case finds them
        ({"department": "TS"}, ["food", "planning", "residence"]),
        ({"handling_type": "joint"}, ["planning"]),
        ({"handling_type": "immediate"}, ["residence"]),
        ({"online": "true"}, ["food"]),
        ({"online": "false"}, ["planning", "residence"]),
        ({"audience": "personal"}, ["residence"]),
        ({"audience": "legal_person"}, ["food"]),
        ({"department": "TS", "handling_type": "promised", "q": "许可"}, ["food"]),
    ],
)
def test_it_filters_the_list(client, catalogue, params, expected):
    response = client.get(ITEMS, params)

    assert response.status_code == 200
    assert codes(response) == [getattr(catalogue, name).code for name in expected]
    assert response.json()["count"] == len(expected)


def test_it_filters_by_item_type_category_and_theme_ids(client, catalogue):
    by_type = client.get(ITEMS, {"item_type": catalogue.service_type.pk})
    by_category = client.get(ITEMS, {"category": catalogue.market_category.pk})
    by_theme = client.get(ITEMS, {"theme": catalogue.newborn.pk})

    assert codes(by_type) == [catalogue.residence.code]
    assert codes(by_category) == [catalogue.food.code]
    assert codes(by_theme) == [catalogue.residence.code]


def test_it_paginates(client, catalogue):
    second = client.get(ITEMS, {"page": 2, "page_size": 2})
    past_the_end = client.get(ITEMS, {"page": 3, "page_size": 2})

    assert second.json()["count"] == 3
    assert (second.json()["page"], second.json()["page_size"]) == (2, 2)
    assert codes(second) == [catalogue.residence.code]
    assert codes(past_the_end) == []


def test_it_refuses_a_page_size_above_100_naming_the_field(client, catalogue):
    response = client.get(ITEMS, {"page_size": 101})
    largest = client.get(ITEMS, {"page_size": 100})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["message"].startswith("page_size:")
    assert list(body["fields"]) == ["page_size"]
    assert largest.status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"handling_type": "fast"}, "handling_type"),
        ({"audience": "aliens"}, "audience"),
        ({"theme": "x"}, "theme"),
        ({"q": "字" * 101}, "q"),
    ],
)
def test_it_refuses_bad_filters_naming_the_field(client, catalogue, params, field):
    response = client.get(ITEMS, params)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert list(response.json()["fields"]) == [field]


def test_it_refuses_an_unknown_department_code(client, catalogue):
    response = client.get(ITEMS, {"department": "NOPE"})

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_failed",
        "message": "没有编码为“NOPE”的部门。",
        "fields": {"department": ["没有编码为“NOPE”的部门。"]},
    }


@pytest.mark.parametrize("count", [3, 30])
def test_it_lists_in_a_constant_number_of_queries(
    client, personas, django_assert_num_queries, count
):
    from tongban.dictionaries import services as dictionaries

    licence_type = dictionaries.create_item_type(actor=None, name="测试许可", at=timezone.now())
    make_published_items(personas, licence_type, count)

    with django_assert_num_queries(2):  # the count and the page
        response = client.get(ITEMS, {"page_size": 100})
    with django_assert_num_queries(3):  # and the department looked up by its code
        by_department = client.get(ITEMS, {"page_size": 100, "department": "SCJG"})

    assert response.json()["count"] == count
    assert len(response.json()["results"]) == count
    assert len(by_department.json()["results"]) == count  # the section's items too


def test_it_gives_the_full_guide_of_an_item(client, catalogue):
    response = client.get(f"{ITEMS}/{catalogue.food.code}")

    assert response.status_code == 200
    guide = response.json()
    assert guide["code"] == catalogue.food.code
    assert guide["conditions"].startswith("申请人应当具有")
    assert guide["application_place"] == "天水市政务服务中心二楼 12 号窗口"
    assert (guide["contact_phone"], guide["complaint_phone"]) == ("0938-8211234", "0938-12345")
    assert guide["max_extension"] == 10
    assert [m["name"] for m in guide["materials"]] == ["食品经营许可申请书", "营业执照", "健康证明"]
    form, licence, health = guide["materials"]
    assert form["blank_form_url"].endswith(
        f"/portal/guide/{catalogue.food.code}/materials/{form['id']}/blank/"
    )
    assert form["example_url"].endswith(f"/materials/{form['id']}/example/")
    assert (licence["form"], licence["form_label"], licence["copies"]) == ("copy", "复印件", 2)
    assert licence["blank_form_url"] is None
    assert health["required"] is False
    [basis] = guide["basis"]
    assert basis["name"] == "中华人民共和国食品安全法"
    assert basis["document_number"] == "主席令第二十一号"
    assert basis["effective_date"] == "2015-10-01"
    assert (
        basis["document_url"]
        == f"http://testserver/portal/guide/basis/{catalogue.basis.pk}/document/"
    )
    assert [s["name"] for s in guide["steps"]] == ["受理", "承办", "审核", "批准", "办结"]
    assert guide["steps"][1]["limit_days"] == 9
    assert guide["steps"][1]["department"] == {"code": "SCJG", "name": "天水市市场监督管理局"}
    assert guide["assisting"] == []
    assert sorted((p["kind"], p["limit_days"]) for p in guide["special_procedures"]) == [
        ("expert_review", 15),
        ("onsite_check", 10),
    ]
    assert guide["themes"] == [{"id": catalogue.startup.pk, "kind": "theme", "name": "市场准入"}]
    assert [c["type"] for c in guide["application_categories"]] == ["legal_person"]
    schema = guide["form_schema"]
    assert list(schema["properties"]) == ["company", "credit_code", "mobile"]
    assert schema["properties"]["company"]["title"] == "经营者名称"
    assert set(schema["required"]) >= {"company", "credit_code"}


def test_it_gives_the_guide_in_a_fixed_number_of_queries(
    client, catalogue, django_assert_num_queries
):
    # The item, then one query each for materials, steps, assisting departments,
    # basis, form fields, special procedures, themes and application categories.
    with django_assert_num_queries(9):
        rich = client.get(f"{ITEMS}/{catalogue.food.code}")
    with django_assert_num_queries(9):
        plain = client.get(f"{ITEMS}/{catalogue.planning.code}")

    assert (rich.status_code, plain.status_code) == (200, 200)


def test_its_download_links_serve_the_files(client, catalogue):
    guide = client.get(f"{ITEMS}/{catalogue.food.code}").json()

    blank = client.get(guide["materials"][0]["blank_form_url"])
    document = client.get(guide["basis"][0]["document_url"])

    assert hashlib.sha256(b"".join(blank.streaming_content)).hexdigest() == (
        catalogue.blank_form.sha256
    )
    assert document.status_code == 200


def test_it_lists_a_joint_items_assisting_departments(client, catalogue):
    guide = client.get(f"{ITEMS}/{catalogue.planning.code}").json()

    assert guide["handling_type"] == "joint"
    assert guide["assisting"] == [
        {
            "department": {"code": "SCJG", "name": "天水市市场监督管理局"},
            "limit_days": 5,
            "task": "核查经营范围",
        }
    ]
    assert guide["max_extension"] == 15
    assert guide["special_procedures"] == []
    assert guide["form_schema"]["properties"] == {}


@pytest.mark.parametrize("name", ["draft", "expired"])
def test_it_answers_404_in_the_error_shape_for_drafts_and_expired_items(client, catalogue, name):
    response = client.get(f"{ITEMS}/{getattr(catalogue, name).code}")

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "没有该编码的已发布事项。",
        "fields": {},
    }


def test_it_answers_404_for_a_missing_code(client, db):
    response = client.get(f"{ITEMS}/620500-NOPE-001")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_documents_both_endpoints_in_the_openapi(client, db):
    document = client.get("/api/v1/openapi.json").json()

    assert "get" in document["paths"]["/api/v1/items"]
    assert "get" in document["paths"]["/api/v1/items/{code}"]
    parameters = {p["name"] for p in document["paths"]["/api/v1/items"]["get"]["parameters"]}
    assert parameters >= {"q", "department", "handling_type", "page", "page_size"}
    schemas = document["components"]["schemas"]
    assert {"ItemListOut", "ItemDetailOut", "MaterialOut", "BasisOut"} <= set(schemas)
    assert "security" not in document["paths"]["/api/v1/items"]["get"]  # open to anyone
    assert "security" not in document["paths"]["/api/v1/items/{code}"]["get"]
