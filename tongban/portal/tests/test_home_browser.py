"""A real browser on a phone-sized screen: the home page fits (no sideways
scrolling), the main menu folds behind a "菜单" toggle and opens with a tap, the skip
link leads to the content, and the site search works from the home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .public_content import build_public_content

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN",
        base_url=live_server.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def horizontal_overflow(page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.browser
def test_it_fits_a_phone_screen_with_the_menu_folded(phone, catalogue, personas):
    content = build_public_content(catalogue, personas)
    phone.goto("/portal/")

    expect(phone.get_by_role("heading", name="您要办什么事？", level=1)).to_be_visible()
    expect(phone.get_by_role("link", name=content.fee_notice.title)).to_be_visible()
    assert horizontal_overflow(phone) <= 0

    nav = phone.get_by_role("navigation", name="主导航")
    guide_link = nav.get_by_role("link", name="办事指南")
    expect(guide_link).to_be_hidden()
    nav.get_by_text("菜单").click()
    expect(guide_link).to_be_visible()
    assert horizontal_overflow(phone) <= 0
    guide_link.click()
    expect(phone.get_by_role("heading", name="办事指南", level=1)).to_be_visible()
    assert horizontal_overflow(phone) <= 0


@pytest.mark.browser
def test_it_searches_the_site_from_the_home_page(page, catalogue, personas):
    content = build_public_content(catalogue, personas)
    page.goto("/portal/")

    page.get_by_label("搜索办事事项、公告和问答").fill("食品经营")
    page.get_by_role("button", name="搜索").click()

    expect(page.get_by_role("heading", name="全站搜索", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=catalogue.food.display_name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=content.fee_notice.title)).to_be_visible()
    expect(page.get_by_role("link", name=content.answered.title)).to_be_visible()


@pytest.mark.browser
def test_the_skip_link_takes_the_keyboard_to_the_content(page, catalogue):
    page.goto("/portal/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
