"""The error pages in a real browser, in both languages: the office 404 and the
portal's refused form (CSRF), each with its way back."""

from __future__ import annotations

import pytest

from .pages import foreign_cjk

pytestmark = pytest.mark.browser


@pytest.fixture
def english_page(browser, live_server):
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_the_office_404_in_chinese_leads_to_the_login(page):
    response = page.goto("/office/no-such-page/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "找不到页面"
    assert page.locator("nav.tb-navbar").is_visible()
    page.get_by_role("link", name="登录", exact=True).click()
    assert "/accounts/login/" in page.url


def test_the_office_404_in_english(english_page):
    page = english_page
    response = page.goto("/office/no-such-page/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert foreign_cjk(page.locator("body").inner_text()) == []
    page.get_by_role("link", name="Go to the home page").click()
    assert page.url.endswith("/")


def _refuse_the_question_form(page):
    page.goto("/portal/qa/ask/")
    page.context.clear_cookies()  # as if the form had been open for too long
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("#ask-form button[type=submit]").click()
    return answer.value


def test_a_refused_portal_form_in_chinese_offers_it_again(page):
    answer = _refuse_the_question_form(page)
    assert answer.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "表单未能提交"
    assert page.locator("body.tb-portal").count() == 1
    assert "DEBUG" not in page.content()
    page.get_by_role("link", name="重新打开表单").click()
    page.wait_for_url("**/portal/qa/ask/")
    assert page.locator("#ask-form").is_visible()


def test_a_refused_portal_form_in_english(english_page):
    page = english_page
    answer = _refuse_the_question_form(page)
    assert answer.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "The form could not be accepted"
    assert foreign_cjk(page.locator("body").inner_text()) == []
    page.get_by_role("link", name="Go to the portal home page").click()
    page.wait_for_url("**/portal/")
