"""A real browser: a citizen registers with the SMS code, sees their masked name in
the navigation, logs out, logs in again, and queries a case's progress."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tongban.cases.testing import accepted, at, make_items

from .support import MOBILE, PASSWORD, sms_code, zh


@pytest.mark.browser
def test_it_lets_a_citizen_register_log_in_and_query_progress(page, personas):
    case = accepted(personas, make_items(personas).promised, at("2026-03-02"))

    page.goto("/portal/account/register/")
    expect(page.get_by_role("heading", name=zh("Register an account"))).to_be_visible()
    page.get_by_label(zh("Mobile number")).fill(MOBILE)
    page.get_by_role("button", name=zh("Get verification code")).click()
    expect(page.get_by_role("status")).to_be_visible()
    page.get_by_label(zh("SMS verification code")).fill(sms_code(MOBILE))
    page.get_by_label(zh("Name"), exact=True).fill("张小三")
    page.get_by_label(zh("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(zh("Password again")).fill(PASSWORD)
    page.get_by_role("button", name=zh("Register"), exact=True).click()

    expect(page.get_by_role("heading", name=zh("My account"))).to_be_visible()
    expect(page.get_by_text("139****5678")).to_be_visible()
    nav = page.get_by_role("list", name=zh("Citizen account"))
    expect(nav.get_by_role("link", name="张*三")).to_be_visible()
    nav.get_by_role("button", name=zh("Log out")).click()
    expect(
        page.get_by_role("list", name=zh("Citizen account")).get_by_role(
            "link", name=zh("Register")
        )
    ).to_be_visible()

    page.goto("/portal/account/login/")
    page.get_by_label(zh("Mobile number")).fill(MOBILE)
    page.get_by_label(zh("Password")).fill(PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    expect(page.get_by_role("heading", name=zh("My account"))).to_be_visible()

    page.goto("/portal/progress/")
    page.get_by_label(zh("Case number")).fill(case.number)
    page.get_by_label(zh("Last 4 digits of the applicant's mobile number, or the query code")).fill(
        "1234"
    )
    page.locator("#main").get_by_role("button", name=zh("Query")).click()
    expect(page.get_by_role("heading", name="食品经营许可")).to_be_visible()
    expect(page.get_by_text("139****1234")).to_be_visible()
    expect(page.get_by_role("cell", name="承办", exact=True)).to_be_visible()
