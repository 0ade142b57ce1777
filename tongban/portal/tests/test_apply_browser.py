"""A real browser, the whole online path (Issue 7 "Done when"): a citizen registers
with the SMS code, opens an item's guide, applies online with uploads (a disallowed
file is refused next to its material and the rest stays), gets a receipt, queries the
progress on the public page with the personal data masked, answers a supplement
request online, and once the case is completed rates the service.

Staff act through the case engine's services (their pages are tested elsewhere)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tongban.accounts.testing import ensure_builtin_roles
from tongban.cases import services as cases
from tongban.cases.models import Case, CaseStatus, Channel, Decision, Outcome
from tongban.cases.testing import PERSON_ID, make_items
from tongban.citizens.models import Citizen
from tongban.citizens.tests.support import PASSWORD, sms_code
from tongban.core.clock import now
from tongban.ratings.models import Rating

from .applying import png_bytes
from .catalogue import pdf_bytes


def _register(page, mobile: str) -> None:
    """Through the registration page, with the code from the SMS in the outbox."""
    page.goto("/portal/account/register/")
    page.locator("#id_mobile").fill(mobile)
    page.get_by_role("button", name="获取验证码").click()
    page.locator("#id_code").fill(sms_code(mobile))
    page.locator("#id_name").fill("张小三")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="注册", exact=True).click()
    expect(page.get_by_role("heading", name="我的账号")).to_be_visible()


def _advance_to_completion(personas, case: Case) -> Case:
    at = now()
    case = cases.accept_case(actor=personas.window_clerk, case=case, at=at)
    for actor in (personas.handler, personas.section_head, personas.department_head):
        step = case.steps.filter(status="active").order_by("order", "id").first()
        case = cases.advance_step(
            actor=actor, case=case, step_id=step.pk, decision=Decision.AGREE, at=at
        )
    step = case.steps.filter(status="active").order_by("order", "id").first()
    return cases.complete_case(
        actor=personas.handler,
        case=case,
        step_id=step.pk,
        outcome=Outcome.APPROVED,
        certificate_number="JY16205020001234",
        at=at,
    )


@pytest.mark.browser
def test_it_takes_an_online_application_from_guide_to_rating(page, live_server, personas, tmp_path):
    ensure_builtin_roles()
    item = make_items(personas).promised
    first, second, optional = item.materials.order_by("order", "id")
    mobile = "13912341234"
    (tmp_path / "application.pdf").write_bytes(pdf_bytes("application"))
    (tmp_path / "licence.pdf").write_bytes(png_bytes())  # a PNG named .pdf
    (tmp_path / "licence.png").write_bytes(png_bytes())
    (tmp_path / "photos.pdf").write_bytes(pdf_bytes("photos"))

    _register(page, mobile)
    citizen = Citizen.objects.get()
    page.goto(f"/portal/guide/{item.code}/")
    page.locator("#apply-online").click()

    # The form, prefilled from the account.
    expect(page.locator("#id_applicant-name")).to_have_value("张小三")
    expect(page.locator("#id_applicant-mobile")).to_have_value("13912341234")
    page.locator("#id_applicant-id_number").fill(PERSON_ID)
    page.locator("#id_applicant-address").fill("天水市秦州区民主西路1号")
    page.locator("#id_schema-shop_name").fill("小三面馆")
    page.locator(f"#material-{first.pk}").set_input_files(str(tmp_path / "application.pdf"))
    page.locator(f"#material-{second.pk}").set_input_files(str(tmp_path / "licence.pdf"))
    page.locator("#declaration").check()
    page.locator("#submit-application").click()

    # The disguised PNG is refused next to its material; the rest is kept.
    expect(page.locator(f'[data-error-for="material-{second.pk}"]')).to_contain_text("但内容是 PNG")
    expect(page.locator(f'[data-attached="{first.pk}"]')).to_contain_text("application.pdf")
    expect(page.locator("#id_schema-shop_name")).to_have_value("小三面馆")
    assert Case.objects.count() == 0

    page.locator(f"#material-{second.pk}").set_input_files(str(tmp_path / "licence.png"))
    page.locator("#submit-application").click()

    # The receipt.
    expect(page.locator("#receipt")).to_be_visible()
    case = Case.objects.get()
    assert (case.citizen_id, case.channel) == (citizen.pk, Channel.ONLINE)
    expect(page.locator("#case-number")).to_have_text(case.number)
    expect(page.locator("#query-code")).to_have_text(case.query_code)

    # Progress, masked.
    page.goto("/portal/my/")
    page.get_by_role("link", name=case.number).click()
    expect(page.locator("#case-header")).to_have_attribute("data-status", "received")
    expect(page.locator("#applicant-data")).to_contain_text("139****1234")
    expect(page.locator("#applicant-data")).not_to_contain_text(PERSON_ID)
    # The public progress query, by number and the query code of the receipt.
    page.goto("/portal/progress/")
    page.locator("#id_number").fill(case.number)
    page.locator("#id_verifier").fill(case.query_code)
    page.locator("#main").get_by_role("button", name="查询").click()
    expect(page.locator("#main")).to_contain_text("张*三")
    expect(page.locator("#main")).to_contain_text("139****1234")
    expect(page.locator("#main")).to_contain_text("6205**********")
    expect(page.locator("#main")).not_to_contain_text(PERSON_ID)

    # The intake desk asks for a supplement; the citizen answers it online.
    cases.request_supplement(
        actor=personas.window_clerk, case=case, items=["经营场所照片"], at=now()
    )
    page.goto(f"/portal/my/cases/{case.number}/")
    expect(page.locator("#supplement-items")).to_contain_text("经营场所照片")
    page.locator(f"#supplement-{optional.pk}").set_input_files(str(tmp_path / "photos.pdf"))
    page.locator("#supplement-note").fill("照片见附件")
    page.locator("#send-supplement").click()
    expect(page.locator("#case-header")).to_have_attribute("data-status", "received")
    expect(page.locator("#supplement")).to_have_count(0)
    expect(page.locator('#timeline [data-event="supplement"]')).to_have_count(1)

    # Staff accept and complete it; the citizen sees it completed and can rate it.
    case = _advance_to_completion(personas, Case.objects.get(pk=case.pk))
    assert case.status == CaseStatus.COMPLETED
    page.reload()
    expect(page.locator("#case-header")).to_have_attribute("data-status", "completed")
    page.goto("/portal/my/")
    expect(page.locator(f'[data-rate="{case.number}"]')).to_be_visible()  # offered in the list
    page.goto(f"/portal/my/cases/{case.number}/")
    page.locator("#rate-link").click()
    page.get_by_label("非常满意").check()
    page.locator("#id_comment").fill("网上申报很方便，一次没跑。")
    page.locator("#rate-form").get_by_role("button").click()
    expect(page.locator("#existing-rating")).to_have_attribute("data-level", "5")
    page.goto("/portal/my/")
    expect(page.locator(f'[data-rate="{case.number}"]')).to_have_count(0)
    rating = Rating.objects.get(case=case)
    assert (rating.level, rating.citizen_id) == (5, citizen.pk)
