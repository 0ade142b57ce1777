"""A real browser: the handler composes a mail with an inline image (through the
editor's image button) and an attachment; the recipient logs in, sees it unread,
reads it with the image shown, and downloads the attachment."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tongban.accounts.testing import PASSWORD
from tongban.mail.models import Mailbox

from .conftest import png_bytes

PDF = b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 1 >> endobj\n%%EOF\n"


def _log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/office/mail/")
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("#mail-folders")).to_be_visible()


@pytest.mark.browser
def test_it_sends_a_mail_with_an_inline_image_and_an_attachment_that_the_recipient_reads(
    page, personas, media, tmp_path
):
    p = personas
    _log_in(page, "handler")
    page.locator("#compose-link").click()
    editor = page.locator("#editor .ql-editor")
    expect(editor).to_be_visible()
    expect(page.locator("#id_body")).to_be_hidden()  # the editor replaced the textarea

    page.locator("#id_to").select_option(value=f"u:{p.outsider.pk}")
    page.locator("#id_subject").fill("三月份工作安排")
    editor.click()
    page.keyboard.type("请查看附图和附件。")
    with page.expect_file_chooser() as chooser:
        page.locator(".ql-toolbar button.ql-image").click()
    chooser.value.set_files(
        files=[{"name": "chart.png", "mimeType": "image/png", "buffer": png_bytes(40, 30)}]
    )
    expect(editor.locator("img[src^='/office/mail/images/']")).to_have_count(1)
    page.locator("#id_attachments").set_input_files(
        files=[{"name": "安排表.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("#send-mail").click()
    expect(page.locator("#mail-list")).to_contain_text("三月份工作安排")

    _log_in(page, "outsider")
    expect(page.locator("#unread-count")).to_have_text("1")
    row = page.locator("#mail-list tbody tr").filter(has_text="三月份工作安排")
    expect(row).to_have_class("fw-semibold")
    row.get_by_role("link", name="三月份工作安排").click()

    expect(page.get_by_role("heading", name="三月份工作安排")).to_be_visible()
    expect(page.locator("#mail-body")).to_contain_text("请查看附图和附件。")
    image = page.locator("#mail-body img")
    expect(image).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('#mail-body img');"
        " return i && i.complete && i.naturalWidth === 40; }"
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="安排表.pdf").click()
    path = tmp_path / "download.pdf"
    download.value.save_as(path)
    assert path.read_bytes() == PDF
    assert download.value.suggested_filename == "安排表.pdf"

    box = Mailbox.objects.get(user=p.outsider)
    assert box.read_at is not None
    expect(page.locator("#unread-count")).to_have_count(0)
