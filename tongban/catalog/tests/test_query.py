"""The staff's multi-dimensional query of the catalogue (seed §1.11 查询): filters,
drafts only for their maintainers, sorting, pages, Excel export, constant queries."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.catalog import services
from tongban.catalog.models import HandlingType
from tongban.catalog.rules import AssistingSpec
from tongban.catalog.selectors import ItemFilters, item_query
from tongban.catalog.services import MaterialSpec
from tongban.dictionaries import services as dictionaries
from tongban.dictionaries.models import ItemCategory, ItemType

URL = "/office/catalog/items/"
EXPORT = "/office/catalog/items/export/"


def _make(code, name, *, department, item_type, publish=True, **fields):
    fields.setdefault("promised_limit", 10)
    fields.setdefault("statutory_limit", 20)
    item = services.create_item(
        actor=None,
        code=code,
        name=name,
        item_type=item_type,
        department=department,
        **fields,
        at=timezone.now(),
    )
    if publish:
        services.set_materials(
            actor=None, item=item, materials=[MaterialSpec("申请书")], at=timezone.now()
        )
        services.publish_item(actor=None, item=item, at=timezone.now())
    return item


@pytest.fixture
def catalogue(personas, licence_type, market_category):
    org = personas.org
    service_type = ItemType.objects.filter(name="公共服务").first() or (
        dictionaries.create_item_type(actor=None, name="公共服务", at=timezone.now())
    )
    build = ItemCategory.objects.filter(name="投资建设").first() or (
        dictionaries.create_item_category(actor=None, name="投资建设", at=timezone.now())
    )
    return {
        "food": _make(
            "620500-SCJG-XK-001",
            "食品经营许可证核发",
            short_name="食品经营许可",
            department=org.market,
            item_type=licence_type,
            category=market_category,
            promised_limit=15,
            online_allowed=False,
        ),
        "market_draft": _make(
            "620500-SCJG-XK-002",
            "药品零售许可",
            department=org.market,
            item_type=licence_type,
            category=market_category,
            publish=False,
        ),
        "planning": _make(
            "620500-ZRZY-XK-001",
            "建设工程规划许可证核发",
            department=org.land,
            item_type=licence_type,
            category=build,
            handling_type=HandlingType.JOINT,
            promised_limit=30,
            statutory_limit=45,
            assisting=[AssistingSpec(org.market.pk, 5)],
        ),
        "land_draft": _make(
            "620500-ZRZY-FW-002",
            "不动产登记资料查询",
            department=org.land,
            item_type=service_type,
            handling_type=HandlingType.IMMEDIATE,
            promised_limit=0,
            publish=False,
        ),
        "residence": _make(
            "620500-ZRZY-FW-001",
            "地籍信息查询",
            short_name="宗地查询",
            department=org.land,
            item_type=service_type,
            handling_type=HandlingType.IMMEDIATE,
            promised_limit=0,
        ),
        "service_type": service_type,
        "build": build,
    }


def _codes(user, **filters) -> list[str]:
    return list(item_query(user, ItemFilters(**filters)).values_list("code", flat=True))


def test_it_shows_published_items_of_every_department_and_own_drafts(personas, catalogue):
    assert _codes(personas.handler) == [
        "620500-SCJG-XK-001",
        "620500-ZRZY-FW-001",
        "620500-ZRZY-XK-001",
    ]
    # The market head also sees the market draft, never the land one.
    assert _codes(personas.department_head) == [
        "620500-SCJG-XK-001",
        "620500-SCJG-XK-002",
        "620500-ZRZY-FW-001",
        "620500-ZRZY-XK-001",
    ]


def test_it_filters_by_code_and_by_name_or_short_name(personas, catalogue):
    assert _codes(personas.handler, code="zrzy-xk") == ["620500-ZRZY-XK-001"]
    assert _codes(personas.handler, name="宗地") == ["620500-ZRZY-FW-001"]
    assert _codes(personas.handler, name="许可") == ["620500-SCJG-XK-001", "620500-ZRZY-XK-001"]


def test_it_filters_by_type_and_category(personas, catalogue, licence_type, market_category):
    assert _codes(personas.handler, item_type=catalogue["service_type"]) == ["620500-ZRZY-FW-001"]
    assert _codes(personas.handler, category=catalogue["build"]) == ["620500-ZRZY-XK-001"]
    assert _codes(personas.department_head, category=market_category, item_type=licence_type) == [
        "620500-SCJG-XK-001",
        "620500-SCJG-XK-002",
    ]


def test_it_filters_by_department_with_its_sub_departments(personas, catalogue):
    assert _codes(personas.handler, department=personas.org.land) == [
        "620500-ZRZY-FW-001",
        "620500-ZRZY-XK-001",
    ]
    assert len(_codes(personas.handler, department=personas.org.city)) == 3
    assert _codes(personas.handler, department=personas.org.county) == []


def test_it_filters_by_handling_type_and_limit_range(personas, catalogue):
    assert _codes(personas.handler, handling_type=HandlingType.JOINT) == ["620500-ZRZY-XK-001"]
    assert _codes(personas.handler, limit_min=10, limit_max=20) == ["620500-SCJG-XK-001"]
    assert _codes(personas.handler, limit_min=16) == ["620500-ZRZY-XK-001"]
    assert _codes(personas.handler, limit_max=0) == ["620500-ZRZY-FW-001"]


def test_it_filters_by_online_and_published(personas, catalogue):
    services.set_form_fields(
        actor=None,
        item=catalogue["planning"],
        fields=[services.FieldSpec("project", "项目名称", "text", required=True)],
        at=timezone.now(),
    )
    services.update_item(
        actor=None, item=catalogue["planning"], online_allowed=True, at=timezone.now()
    )
    assert _codes(personas.handler, online=True) == ["620500-ZRZY-XK-001"]
    assert _codes(personas.department_head, published=False) == ["620500-SCJG-XK-002"]
    assert _codes(personas.handler, published=False) == []


def test_it_sorts_by_limit_and_name(personas, catalogue):
    assert _codes(personas.handler, sort="-limit") == [
        "620500-ZRZY-XK-001",
        "620500-SCJG-XK-001",
        "620500-ZRZY-FW-001",
    ]
    by_name = _codes(personas.handler, sort="name")
    assert by_name == list(reversed(_codes(personas.handler, sort="-name")))
    assert sorted(by_name) == _codes(personas.handler, sort="code")


def test_it_shows_the_page_with_the_criteria(client, personas, catalogue):
    log_in(client, personas.handler)
    page = client.get(URL, {"name": "许可", "sort": "-limit"}).content.decode()
    assert "建设工程规划许可证核发" in page
    assert "食品经营许可证核发" in page
    assert "地籍信息查询" not in page
    assert page.index("建设工程规划许可证核发") < page.index("食品经营许可证核发")
    assert "事项查询" in page
    assert 'href="/office/catalog/items/export/?name=' in page


def test_it_explains_a_bad_limit_range(client, personas, catalogue):
    log_in(client, personas.handler)
    page = client.get(URL, {"limit_min": "20", "limit_max": "5"}).content.decode()
    assert "时限范围的上限小于下限" in page


def test_it_asks_anonymous_users_to_log_in_and_refuses_administrators(client, personas):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    log_in(client, personas.system_admin)
    assert client.get(URL).status_code == 403


def test_it_pages_25_items_at_a_time_in_constant_queries(
    client, personas, licence_type, django_assert_num_queries
):
    for n in range(3):
        _make(f"X-{n:03}", f"事项{n:03}", department=personas.org.market, item_type=licence_type)
    log_in(client, personas.handler)
    client.get(URL)  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for n in range(3, 30):
        _make(f"X-{n:03}", f"事项{n:03}", department=personas.org.market, item_type=licence_type)
    with django_assert_num_queries(len(few.captured_queries)):
        first = client.get(URL).content.decode()
    assert "X-024" in first
    assert "X-025" not in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert "X-025" in second
    assert "X-029" in second
    assert "第 2 页，共 2 页" in second


def test_it_exports_the_result_to_excel_safely_and_audits_it(client, personas, licence_type):
    _make(
        "620500-SCJG-XK-009",
        '=HYPERLINK("http://evil.example","点击")',
        department=personas.org.market,
        item_type=licence_type,
    )
    _make(
        "620500-SCJG-XK-010", "餐饮服务许可", department=personas.org.market, item_type=licence_type
    )
    log_in(client, personas.handler)
    response = client.get(EXPORT, {"code": "SCJG"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("事项编码", "法定名称", "简称")
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","点击")'
    assert rows[2][1] == "餐饮服务许可"
    assert rows[2][6] == "承诺件"
    assert rows[2][7] == 10
    record = AuditRecord.objects.get(action="item.export")
    assert record.actor_id == personas.handler.pk
    assert record.after == {"filters": {"code": "SCJG"}, "rows": 2}
