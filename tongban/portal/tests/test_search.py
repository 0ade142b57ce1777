"""Site search (全站搜索): published items, public announcements and answered
questions, grouped and limited; nothing private; the query escaped and capped."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from .public_content import build_public_content
from .test_service_guide import add_published_items


@pytest.fixture
def content(catalogue, personas):
    return build_public_content(catalogue, personas)


def search(client, q: str) -> str:
    response = client.get(reverse("portal:search"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def group(page: str, key: str) -> str:
    start = page.index(f'aria-labelledby="group-{key}"')
    return page[start : page.index("</section>", start)]


def test_it_finds_an_item_an_announcement_and_an_answered_question(client, catalogue, content):
    page = search(client, "食品经营")

    items = group(page, "items")
    assert "办事事项" in items
    assert reverse("portal:guide_item", args=[catalogue.food.code]) in items
    news = group(page, "announcements")
    assert reverse("bulletin_public:detail", args=[content.fee_notice.pk]) in news
    assert content.fee_notice.title in news
    questions = group(page, "questions")
    assert reverse("qa_public:detail", args=[content.answered.pk]) in questions
    assert content.answered.title in questions


def test_it_finds_nothing_private_or_unpublished(client, catalogue, content):
    page = search(client, "食品")

    assert content.staff_meeting.title not in page  # internal announcement
    assert content.expired.title not in page
    assert content.private.title not in page  # the asker did not allow publishing
    assert content.waiting.title not in page  # not answered yet
    assert catalogue.draft.name not in page


def test_it_matches_announcements_by_their_text(client, content):
    page = search(client, "部门预算")

    assert content.budget.title in group(page, "announcements")
    assert "没有匹配的办事事项" in group(page, "items")


def test_it_says_so_when_nothing_matches(client, content):
    page = search(client, "不存在的关键词")

    assert "没有与“不存在的关键词”匹配的内容" in page


def test_it_asks_for_keywords_when_empty(client, content):
    page = search(client, "   ")

    assert 'aria-labelledby="group-' not in page
    assert "请在上方输入" in page


def test_it_escapes_the_query(client, content):
    page = search(client, '<script>alert("x")</script>')

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_it_cuts_an_overlong_query_and_says_so(client, content):
    page = search(client, "食" * 300)

    assert 'value="' + "食" * 100 + '"' in page
    assert "食" * 101 not in page
    assert "只保留了前 100 个字" in page


def test_it_shows_ten_results_a_group_and_links_to_the_full_list(client, catalogue, personas):
    add_published_items(catalogue, personas, 12)  # "批量服务事项00" … "批量服务事项11"

    items = group(search(client, "批量服务"), "items")

    assert items.count('class="list-group-item"') == 10
    assert "批量服务事项09" in items and "批量服务事项10" not in items
    assert f"{reverse('portal:guide')}?q={quote('批量服务')}" in items


def test_it_links_the_search_from_every_portal_page(client, catalogue):
    page = client.get(reverse("portal:guide_item", args=[catalogue.food.code])).content.decode()

    assert f'action="{reverse("portal:search")}"' in page
