"""The public service guide (办事指南): only published, currently valid items exist for
the public; search, browse filters, the item page and its printable view."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tongban.catalog import services
from tongban.catalog.models import HandlingType
from tongban.catalog.services import MaterialSpec
from tongban.reports.facts import ensure_workday_index

pytestmark = pytest.mark.django_db


def guide(client, **params):
    return client.get(reverse("portal:guide"), params)


def codes(response) -> list[str]:
    return [item.code for item in response.context["page"]]


def item_page(client, code: str, *, print_view: bool = False):
    name = "portal:guide_print" if print_view else "portal:guide_item"
    return client.get(reverse(name, args=[code]))


def test_it_lists_only_published_items_valid_today(client, catalogue):
    response = guide(client)

    assert response.status_code == 200
    assert codes(response) == [
        catalogue.food.code,
        catalogue.planning.code,
        catalogue.residence.code,
    ]
    page = response.content.decode()
    assert "共找到 3 个事项。" in page
    assert "食品经营许可证核发" in page
    assert "食品生产许可（草稿）" not in page
    assert "食品摊贩登记（已废止）" not in page


def test_it_shows_each_result_with_department_handling_type_limit_and_online_badge(
    client, catalogue
):
    page = guide(client, q="食品经营").content.decode()

    assert "天水市市场监督管理局" in page
    assert "承诺件" in page
    assert "承诺办结时限 15 个工作日" in page
    assert "网上申报" in page


def test_it_shows_an_immediate_item_as_completed_on_the_spot(client, catalogue):
    page = guide(client, q="居住证").content.decode()

    assert "即办（当场办结）" in page
    assert "网上申报" not in page.split("共找到")[1]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("食品经营", ["food"]),  # part of the name
        ("居住证", ["residence"]),
        ("规划许可 核发", ["planning"]),  # every term must match
        ("食品 规划", []),
        ("zrzy-xk", ["planning"]),  # part of the code, any case
        ("居住半年", ["residence"]),  # the conditions
        ("食品经营许可", ["food"]),  # the short name; never the draft 食品生产许可
        ("摊贩", []),  # expired
        ("草稿", []),  # draft
    ],
)
def test_it_searches_by_name_code_and_conditions_in_chinese(client, catalogue, query, expected):
    response = guide(client, q=query)

    assert codes(response) == [getattr(catalogue, name).code for name in expected]


def test_it_filters_by_department_including_sub_departments(client, catalogue):
    county = guide(client, department="QZQ")  # the county; the item sits at QZQ-GA
    city = guide(client, department="TS")
    market = guide(client, department="SCJG")

    assert codes(county) == [catalogue.residence.code]
    assert codes(city) == [catalogue.food.code, catalogue.planning.code, catalogue.residence.code]
    assert codes(market) == [catalogue.food.code]


def test_it_says_so_for_an_unknown_department(client, catalogue):
    response = guide(client, department="NOPE")

    assert codes(response) == []
    assert "没有编码为“NOPE”的部门。" in response.content.decode()


def test_it_filters_by_theme_life_event_audience_handling_type_type_and_online(client, catalogue):
    assert codes(guide(client, theme=catalogue.startup.pk)) == [catalogue.food.code]
    assert codes(guide(client, theme=catalogue.newborn.pk)) == [catalogue.residence.code]
    assert codes(guide(client, theme=catalogue.elderly.pk)) == [catalogue.residence.code]
    assert codes(guide(client, audience="personal")) == [catalogue.residence.code]
    assert codes(guide(client, audience="legal_person")) == [catalogue.food.code]
    assert codes(guide(client, handling_type="joint")) == [catalogue.planning.code]
    assert codes(guide(client, item_type=catalogue.service_type.pk)) == [catalogue.residence.code]
    assert codes(guide(client, online="1")) == [catalogue.food.code]
    combined = guide(client, department="TS", item_type=catalogue.licence_type.pk, q="许可")
    assert codes(combined) == [catalogue.food.code, catalogue.planning.code]


def test_it_offers_only_departments_and_themes_with_public_items(client, catalogue):
    response = guide(client)
    tree = response.context["departments"]

    assert [node.code for node in tree.city] == ["SCJG", "ZRZY"]
    assert [node.code for node in tree.counties] == ["QZQ"]
    assert [(c.code, c.count) for c in tree.counties[0].children] == [("QZQ-GA", 1)]
    themes = response.context["themes"]
    assert [t.name for t in themes["theme"]] == ["市场准入"]
    assert [t.name for t in themes["life_event"]] == ["新生儿出生"]
    assert [t.name for t in themes["audience"]] == ["老年人"]


def add_published_items(catalogue, personas, count: int) -> None:
    for number in range(count):
        item = services.create_item(
            actor=None,
            code=f"620500-SCJG-FW-{number:03d}",
            name=f"批量服务事项{number:02d}",
            item_type=catalogue.service_type,
            department=personas.org.market,
            handling_type=HandlingType.IMMEDIATE,
            promised_limit=0,
            at=timezone.now(),
        )
        services.set_materials(
            actor=None, item=item, materials=[MaterialSpec("申请表")], at=timezone.now()
        )
        services.publish_item(actor=None, item=item, at=timezone.now())


def test_it_paginates_twenty_results_a_page(client, catalogue, personas):
    add_published_items(catalogue, personas, 20)

    first = guide(client, department="SCJG")
    second = guide(client, department="SCJG", page=2)

    assert first.context["page"].paginator.count == 21
    assert len(codes(first)) == 20
    assert codes(second) == [catalogue.food.code]
    assert "page=2" in first.content.decode()
    assert "department=SCJG" in first.content.decode().split("page=2")[0].rsplit('href="', 1)[1]


def test_it_renders_the_list_and_the_home_page_in_a_constant_number_of_queries(
    client, catalogue, personas
):
    def queries(url, **params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    # The home page's figures read the reports' working-day index, built once per
    # calendar version (not per page): build it first.
    ensure_workday_index()
    before = [queries(reverse("portal:guide")), queries(reverse("portal:home"))]
    add_published_items(catalogue, personas, 20)
    after = [queries(reverse("portal:guide")), queries(reverse("portal:home"))]

    assert after == before


def test_it_shows_the_full_guide_of_a_published_item(client, catalogue):
    response = item_page(client, catalogue.food.code)

    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        "食品经营许可证核发",
        "620500-SCJG-XK-001",
        "行政许可",
        "法定办结时限",
        "20 个工作日",
        "承诺办结时限",
        "15 个工作日",
        "不收费",
        "申请人应当具有与经营的食品品种",
        "天水市政务服务中心二楼 12 号窗口",
        "工作日 9:00–12:00，13:30–17:30",
        "0938-8211234",
        "0938-12345",
        "营业执照",
        "复印件",
        "健康证明",
        "非必需",
        "受理",
        "承办",
        "9 个工作日内",
        "现场核查",
        "专家评审",
        "特别程序所需时间不计算在上述办理时限内",
        "中华人民共和国食品安全法",
        "主席令第二十一号",
        "第三十五条 国家对食品生产经营实行许可制度。",
        "施行日期：2015-10-01",
        "在线申办",
    ]:
        assert text in page, text
    assert reverse("my:apply", args=[catalogue.food.code]) in page
    material = response.context["item"].materials.all()[0]
    assert reverse("portal:material_blank", args=[catalogue.food.code, material.pk]) in page
    assert reverse("portal:material_example", args=[catalogue.food.code, material.pk]) in page
    assert reverse("portal:basis_document", args=[catalogue.basis.pk]) in page


def test_it_shows_a_joint_items_assisting_departments_in_parallel(client, catalogue):
    page = item_page(client, catalogue.planning.code).content.decode()

    assert "协办部门（并联办理）" in page
    assert "核查经营范围" in page
    assert "5 个工作日" in page
    assert 'id="apply-online"' not in page  # not an online item


@pytest.mark.parametrize("name", ["draft", "expired"])
@pytest.mark.parametrize("print_view", [False, True])
def test_it_answers_404_for_drafts_and_expired_items(client, catalogue, name, print_view):
    response = item_page(client, getattr(catalogue, name).code, print_view=print_view)

    assert response.status_code == 404


def test_it_answers_404_for_an_unknown_code(client, catalogue):
    assert item_page(client, "620500-NOPE-001").status_code == 404


def test_it_answers_404_once_an_item_is_withdrawn(client, catalogue, personas):
    services.publish_item(
        actor=personas.department_head, item=catalogue.food, published=False, at=timezone.now()
    )

    assert item_page(client, catalogue.food.code).status_code == 404
    assert codes(guide(client, q="食品经营")) == []


def test_it_prints_the_guide_without_the_portal_navigation(client, catalogue):
    response = item_page(client, catalogue.food.code, print_view=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "portal/print.css" in page
    assert "食品经营许可证核发" in page
    assert "营业执照" in page
    assert "中华人民共和国食品安全法" in page
    assert "<nav" not in page
    assert "主导航" not in page
    assert "打印日期" in page


def test_it_shows_a_home_page_to_search_and_browse(client, catalogue):
    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "天水市政务服务网" in page
    assert 'role="search"' in page
    assert "在 3 个办事事项中查找" in page
    for text in [
        "按服务对象",
        "个人",
        "法人",
        "老年人",
        "按主题",
        "市场准入",
        "按人生事件",
        "新生儿出生",
    ]:
        assert text in page, text
    assert f"{reverse('portal:guide')}?department=SCJG" in page
    assert f"{reverse('portal:guide')}?department=QZQ-GA" in page
    assert "建设工程规划许可证核发" in page  # featured
    assert "草稿" not in page
