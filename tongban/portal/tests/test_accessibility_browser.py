"""Accessibility (Issue 7 §10): axe-core, run in Chromium, finds no serious or
critical violation on the portal's main pages — home, site search, the service guide
list, an item's guide, the application form (citizen logged in), the progress query
(form and result), and the Q&A list and ask form — and each of those pages shows its
main content with JavaScript turned off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tongban.accounts.testing import ensure_builtin_roles
from tongban.cases.testing import make_items, receive
from tongban.core.clock import now
from tongban.portal.testing import CITIZEN_PASSWORD, make_citizen

from .axe import axe_violations, describe
from .public_content import build_public_content


@pytest.fixture
def site(live_server, personas, catalogue):
    """The portal with content on every page: the catalogue, announcements, questions,
    an online item, a case to look up and a citizen account."""
    ensure_builtin_roles()
    content = build_public_content(catalogue, personas)
    online = make_items(personas).promised
    case = receive(personas, online, now())
    return {
        "content": content,
        "online": online,
        "case": case,
        "citizen": make_citizen(),
        "food": catalogue.food,
    }


def public_pages(site) -> list[tuple[str, str]]:
    """(address, text its main content must show) for every page anyone may open."""
    return [
        ("/portal/", "您要办什么事？"),
        ("/portal/search/?q=食品经营", site["content"].fee_notice.title),
        ("/portal/guide/", site["food"].name),
        (f"/portal/guide/{site['food'].code}/", "申请材料"),
        ("/portal/progress/", "办件编号"),
        ("/portal/qa/", site["content"].answered.title),
        ("/portal/qa/ask/", "提问"),
    ]


def log_in(page, citizen) -> None:
    page.goto("/portal/account/login/")
    page.locator("input[name=mobile]").fill("13912341234")
    page.locator("input[name=password]").fill(CITIZEN_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("link", name="我的办件")).to_be_visible()


def look_up_progress(page, case) -> None:
    page.goto("/portal/progress/")
    page.locator("input[name=number]").fill(case.number)
    page.locator("input[name=verifier]").fill(case.query_code)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(case.item_name)


@pytest.mark.browser
def test_axe_finds_no_serious_or_critical_violation(page, site):
    failures: dict[str, str] = {}

    def check(label: str) -> None:
        found = axe_violations(page)
        if found:
            failures[label] = describe(found)

    for url, text in public_pages(site):
        page.goto(url)
        expect(page.locator("main")).to_contain_text(text)
        check(url)

    look_up_progress(page, site["case"])
    check("progress result")

    log_in(page, site["citizen"])
    page.goto(f"/portal/my/apply/{site['online'].code}/")
    expect(page.locator("main form")).to_be_visible()
    check("application form")

    assert not failures, "\n\n".join(f"{page}:\n{found}" for page, found in failures.items())


@pytest.mark.browser
def test_pages_show_their_content_without_javascript(browser, live_server, site):
    context = browser.new_context(
        locale="zh-CN", base_url=live_server.url, java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        for url, text in public_pages(site):
            page.goto(url)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            expect(page.locator("main")).to_contain_text(text)
            # The main menu is readable: open, every entry visible.
            nav = page.get_by_role("navigation", name="主导航")
            expect(nav.get_by_role("link", name="便民问答")).to_be_visible()

        look_up_progress(page, site["case"])
        log_in(page, site["citizen"])
        page.goto(f"/portal/my/apply/{site['online'].code}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(site["online"].name)
    finally:
        context.close()
