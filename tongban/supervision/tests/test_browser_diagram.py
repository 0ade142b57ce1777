"""A real browser opens a joint case's page and its process diagram: the boxes are
drawn (server-side SVG, no script), the assisting departments in parallel lanes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tongban.accounts.testing import PASSWORD
from tongban.cases.testing import accepted, at


def _log_in(page, username: str) -> None:
    page.goto("/office/")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("#workbench")).to_be_visible()


@pytest.mark.browser
def test_it_shows_the_process_diagram_of_a_joint_case(page, personas, items):
    case = accepted(personas, items.joint, at("2026-03-02"))
    steps = case.steps.count()

    _log_in(page, "handler")
    page.goto(f"/office/cases/{case.number}/")
    boxes = page.locator("#case-diagram svg [data-step]")
    expect(boxes).to_have_count(steps)
    # The assisting department's step is the current one (its colour depends on
    # today's date: the live server runs on the real clock).
    expect(page.locator('#case-diagram svg [data-kind="assist"]')).to_have_class(
        re.compile(r"\bcurrent\b")
    )
    assert boxes.first.bounding_box()["width"] > 0  # rendered, not just in the markup

    page.locator("#case-diagram a").click()
    expect(page.locator("#diagram svg [data-step]")).to_have_count(steps)
    expect(page.locator("#diagram svg title").first).to_contain_text(case.number)
