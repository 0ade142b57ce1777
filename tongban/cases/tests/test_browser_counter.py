"""A real browser at the counter: the clerk logs in, takes in a promised case with
all its materials and accepts it; the handler, the section head and the department
head advance it (the handler inserting a saved opinion); the handler completes it,
and the applicant's completion SMS waits in the outbox."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tongban.accounts.testing import PASSWORD
from tongban.cases import services
from tongban.cases.models import Case, CaseStatus, Outcome
from tongban.cases.testing import PERSON_ID
from tongban.notify.models import OutboxMessage


def _log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/office/")
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("#workbench")).to_be_visible()


def _submit(page, action: str) -> None:
    page.locator(f"#action-{action} button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_it_takes_in_accepts_advances_and_completes_a_case(page, personas, items):
    services.save_opinion_template(
        actor=personas.handler, at=timezone.now(), text="材料齐全，符合法定条件"
    )
    item = items.promised

    _log_in(page, "clerk")
    page.get_by_role("link", name=re.compile("受理|Counter intake")).first.click()
    page.locator(f'[data-take-in="{item.code}"]').click()
    page.locator("#id_applicant-name").fill("张小三")
    page.locator("#id_applicant-id_number").fill(PERSON_ID)
    page.locator("#id_applicant-mobile").fill("13912341234")
    page.locator("#id_applicant-address").fill("天水市秦州区民主西路1号")
    page.locator("#id_schema-shop_name").fill("小三面馆")
    for material in item.materials.all():
        page.locator(f'input[name="mat-{material.pk}-received"]').check()
        page.locator(f'input[name="mat-{material.pk}-pages"]').fill("2")
    page.locator("#submit-application").click()

    expect(page.locator("#case-header")).to_have_attribute("data-status", "received")
    number = page.locator("#case-number").inner_text().strip()
    case = Case.objects.get(number=number)
    assert case.materials.count() == 3
    _submit(page, "accept")
    expect(page.locator("#case-header")).to_have_attribute("data-status", "in_progress")
    case_url = page.url.split("#")[0]

    _log_in(page, "handler")
    expect(page.locator(f'#panel-todo [data-case="{number}"]')).to_be_visible()
    page.goto(case_url)
    page.locator("#action-advance [data-opinion-insert]").first.click()
    expect(page.locator("#id_advance-opinion")).to_have_value("材料齐全，符合法定条件")
    _submit(page, "advance")
    expect(page.locator('#timeline [data-event="advance"]')).to_have_count(1)

    for username in ("sectionhead", "head"):
        _log_in(page, username)
        page.goto(case_url)
        _submit(page, "advance")
    expect(page.locator('#timeline [data-event="advance"]')).to_have_count(3)

    _log_in(page, "handler")
    page.goto(case_url)
    page.locator("#id_complete-outcome").select_option(Outcome.APPROVED)
    page.locator("#id_complete-certificate_number").fill("JY16205020001234")
    _submit(page, "complete")
    expect(page.locator("#case-header")).to_have_attribute("data-status", "completed")

    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert case.certificate_number == "JY16205020001234"
    sms = OutboxMessage.objects.filter(case=case, template="case.completed")
    assert sms.count() == 1 and sms.get().address == "13912341234"
