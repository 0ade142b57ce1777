"""A real browser: a supervisor logs in, sets up the authenticator and reaches the
office."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from tongban.accounts.models import TOTPDevice
from tongban.accounts.testing import PASSWORD


@pytest.mark.browser
def test_it_lets_a_supervisor_log_in_enrol_an_authenticator_and_reach_the_office(page, personas):
    page.goto("/office/")
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.get_by_label("用户名", exact=True).fill("Supervisor")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()

    expect(page.get_by_role("heading", name="设置身份验证器")).to_be_visible()
    expect(page.get_by_role("img", name="身份验证器应用的二维码")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("验证码", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="确认并继续").click()

    expect(page.get_by_role("heading", name="办公大厅")).to_be_visible()
    assert page.url.endswith("/office/")
    expect(page.get_by_text("身份验证器已设置。")).to_be_visible()
    assert TOTPDevice.objects.get(user=personas.supervisor).is_confirmed
