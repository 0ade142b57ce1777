"""The portal's home page: every section with its data, nothing that is not public,
a bounded number of queries, and a one-minute shared cache."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.catalog.models import Item
from tongban.core.clock import now
from tongban.reports.facts import ensure_workday_index

from .public_content import announce, ask, build_public_content
from .test_service_guide import add_published_items


@pytest.fixture
def content(catalogue, personas):
    return build_public_content(catalogue, personas)


def home(client) -> str:
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, heading_id: str) -> str:
    """The HTML of the home page section labelled by ``heading_id``."""
    start = page.index(f'aria-labelledby="{heading_id}"')
    return page[start : page.index("</section>", start)]


def test_it_shows_featured_services_and_the_catalogue_entry_points(client, catalogue, content):
    page = home(client)

    featured = section(page, "featured-title")
    assert "推荐事项" in featured
    for item in (catalogue.food, catalogue.residence, catalogue.planning):
        assert reverse("portal:guide_item", args=[item.code]) in featured
    assert catalogue.draft.name not in page
    assert "按主题" in page and "市场准入" in page
    assert "按人生事件" in page and "新生儿出生" in page
    assert f"{reverse('portal:guide')}?theme={catalogue.startup.pk}" in page


def test_it_shows_the_latest_public_announcements_under_their_categories(client, content):
    news = section(home(client), "news-title")

    assert "政务公开" in news
    # Categories in their configured order, each with its own announcements.
    assert news.index("政府信息公开") < news.index(content.budget.title)
    assert news.index(content.budget.title) < news.index("通知公告")
    assert news.index("通知公告") < news.index(content.fee_notice.title)
    assert reverse("bulletin_public:detail", args=[content.fee_notice.pk]) in news
    assert f"{reverse('bulletin_public:list')}?category=tzgg" in news


def test_it_shows_no_internal_withdrawn_or_expired_announcement(client, content):
    page = home(client)

    assert content.staff_meeting.title not in page
    assert "内部通知" not in page
    assert content.expired.title not in page


def test_it_shows_at_most_four_announcements_per_category(client, content):
    for n in range(6):
        announce(f"第{n}号价格公示", content.notices, publish_from=now() - dt.timedelta(minutes=n))

    news = section(home(client), "news-title")

    assert news.count("价格公示") == 4
    assert "第0号价格公示" in news and "第3号价格公示" in news
    assert "第4号价格公示" not in news
    assert content.budget.title in news  # the other category keeps its place


def test_it_shows_recently_answered_public_questions_only(client, content):
    questions = section(home(client), "qa-title")

    assert content.answered.title in questions
    assert reverse("qa_public:detail", args=[content.answered.pk]) in questions
    assert content.private.title not in questions
    assert content.waiting.title not in questions


def test_it_offers_a_quick_progress_query_posting_to_the_progress_page(client, content):
    form = section(home(client), "progress-title")

    assert f'action="{reverse("portal:progress:query")}"' in form
    assert 'method="post"' in form
    assert "csrfmiddlewaretoken" in form
    assert 'name="number"' in form and 'name="verifier"' in form
    assert "办件编号" in form


def test_it_links_the_supervision_figures(client, content):
    figures = section(home(client), "figures-title")

    assert reverse("ratings_public:figures") in figures


def test_it_links_every_public_part_from_the_main_navigation(client, content):
    page = home(client)
    nav = page[page.index("<nav") : page.index("</nav>")]

    for label, url in [
        ("首页", reverse("portal:home")),
        ("办事指南", reverse("portal:guide")),
        ("办件查询", reverse("portal:progress:query")),
        ("便民问答", reverse("qa_public:list")),
        ("政务公开", reverse("bulletin_public:list")),
        ("监督公示", reverse("ratings_public:figures")),
    ]:
        assert f'href="{url}"' in nav, label
        assert label in nav
    assert 'href="/portal/" aria-current="page"' in nav


def test_it_renders_in_the_same_number_of_queries_whatever_the_amount_of_content(
    client, catalogue, personas, content
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            home(client)
        return len(captured)

    ensure_workday_index()  # built once per calendar version, not per page
    before = queries()
    add_published_items(catalogue, personas, 10)
    for n in range(8):
        announce(f"第{n}号公告", content.disclosure)
    for n in range(4):
        ask(catalogue, f"第{n}个问题", mobile=f"1391234560{n}")
    after = queries()

    assert after == before
    # 6 for the catalogue, 1 each for announcements and questions, 6 for the figures.
    assert before <= 16


def test_it_shares_the_home_sections_between_visitors_for_a_minute(
    client, catalogue, content, settings
):
    settings.TONGBAN_PORTAL_HOME_CACHE_SECONDS = 60
    cache.clear()

    with CaptureQueriesContext(connection) as first:
        home(client)
    with CaptureQueriesContext(connection) as second:
        page = home(client)
    cache.clear()

    assert content.fee_notice.title in page
    assert content.answered.title in page
    tables = " ".join(query["sql"] for query in second.captured_queries)
    assert "bulletin_announcement" not in tables
    assert "qa_question" not in tables
    assert "catalog_item" not in tables
    assert len(second) < len(first)


def test_it_features_the_items_applied_for_most_first(client, catalogue, personas, content):
    from tongban.cases.testing import receive

    def featured() -> list[str]:
        return [item.code for item in client.get(reverse("portal:home")).context["home"].featured]

    add_published_items(catalogue, personas, 1)  # a market item, offline: not first by default
    target = Item.objects.get(code="620500-SCJG-FW-000")
    assert target.code in featured()[1:]
    for _ in range(2):
        receive(personas, target, now() - dt.timedelta(days=3))

    assert featured()[0] == target.code
