"""A real browser: a publisher writes an announcement to her department in the
rich-text editor; a member of that department sees it on the list, opens it, and the
publisher's read receipts show him as having read it."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tongban.accounts.testing import PASSWORD
from tongban.bulletin import services
from tongban.bulletin.models import Announcement


def _log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/office/bulletin/")
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("#announcement-list")).to_be_visible()


@pytest.mark.browser
def test_it_publishes_and_the_audience_reads_it(page, personas):
    services.save_category(actor=None, code="meeting", name="会议通知", at=timezone.now())

    _log_in(page, "head")
    page.locator("#new-announcement").click()
    page.locator("#id_title").fill("周五例会通知")
    page.locator("#id_category").select_option(label="会议通知")
    page.locator('input[name="audience"][value="departments"]').check()
    page.locator("#id_departments").select_option(label=personas.org.market.name)
    editor = page.locator("#body-editor .ql-editor")  # the rich-text editor
    editor.fill("周五下午三点，三楼会议室。")
    editor.press("Control+a")
    editor.press("Control+b")
    page.locator("#publish").click()
    expect(page.locator("#announcement-body")).to_have_text("周五下午三点，三楼会议室。")
    expect(page.locator("#announcement-body strong")).to_have_text("周五下午三点，三楼会议室。")
    announcement = Announcement.objects.get(title="周五例会通知")

    _log_in(page, "handler")
    row = page.locator(f'#announcement-list [data-announcement="{announcement.pk}"]')
    expect(row).to_have_attribute("data-read", "0")
    row.click()
    expect(page.locator("h1")).to_contain_text("周五例会通知")
    page.goto("/office/bulletin/")
    expect(row).to_have_attribute("data-read", "1")

    _log_in(page, "head")
    page.goto(f"/office/bulletin/{announcement.pk}/receipts/")
    expect(page.locator('#read-list [data-user="handler"]')).to_be_visible()
    expect(page.locator('#unread-list [data-user="clerk"]')).to_be_visible()
    expect(page.locator('#unread-list [data-user="outsider"]')).to_have_count(0)
