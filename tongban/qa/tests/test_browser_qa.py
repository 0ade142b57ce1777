"""A real browser: a visitor asks a question on the portal, a handler answers it in
the office, and the visitor then finds it on the public Q&A list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tongban.accounts.testing import PASSWORD
from tongban.qa.models import Question, QuestionStatus


@pytest.mark.browser
def test_it_answers_a_visitors_question_in_public(page, personas):
    page.goto("/portal/qa/")
    # Our own new strings are located by id: their Chinese catalogue is merged by the
    # lead from locale/pending, after this test is written.
    page.locator("#ask-link").click()
    page.locator("#id_department").select_option(label=personas.org.market.name)
    page.locator("#id_title").fill("个体户年报在哪里填报")
    page.locator("#id_content").fill("请问个体工商户年度报告在哪个网站填报？")
    page.locator("#id_contact_name").fill("孙游客")
    page.locator("#id_contact_mobile").fill("13912347777")
    page.locator("#ask-form button[type=submit]").click()
    expect(page.locator("#asked")).to_contain_text("个体户年报在哪里填报")
    question = Question.objects.get()

    page.context.clear_cookies()
    page.goto("/office/")
    page.get_by_label("用户名", exact=True).fill("handler")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("#workbench")).to_be_visible()
    page.goto("/office/qa/")
    page.get_by_role("link", name="个体户年报在哪里填报").click()
    page.locator("#id_answer").fill("请登录国家企业信用信息公示系统填报。")
    page.locator("#action-answer button[type=submit]").click()
    expect(page.locator("#question-header")).to_have_attribute("data-status", "answered")
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED

    page.context.clear_cookies()
    page.goto("/portal/qa/")
    page.locator("#qa-q").fill("年报")
    page.locator("#qa-q").press("Enter")
    page.get_by_role("link", name="个体户年报在哪里填报").click()
    expect(page.locator("#public-answer")).to_contain_text("国家企业信用信息公示系统")
    expect(page.locator("#asker")).to_contain_text("孙*客")
    expect(page.locator("#asker")).not_to_contain_text("13912347777")
