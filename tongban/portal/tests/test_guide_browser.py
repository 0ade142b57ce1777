"""A real browser: a citizen searches the public catalogue, opens an item's service
guide and downloads its blank form."""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pytest
from playwright.sync_api import expect


@pytest.mark.browser
def test_it_lets_a_citizen_find_an_item_and_download_its_blank_form(page, catalogue):
    page.goto("/portal/guide/")
    expect(page.get_by_role("heading", name="办事指南", level=1)).to_be_visible()
    expect(page.get_by_text("共找到 3 个事项。")).to_be_visible()

    page.get_by_label("关键词").fill("食品经营")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("共找到 1 个事项。")).to_be_visible()

    page.get_by_role("link", name="食品经营许可证核发").click()
    expect(page.get_by_role("heading", name="食品经营许可证核发", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="申请材料")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="空白表格：食品经营许可申请书").click()
    download = download_info.value

    assert download.suggested_filename == "食品经营许可申请书.xlsx"
    data = download.path().read_bytes()
    assert hashlib.sha256(data).hexdigest() == catalogue.blank_form.sha256
    assert openpyxl.load_workbook(io.BytesIO(data)).active["A1"].value == "食品经营许可申请书"
