"""Revealing the applicant's personal data (security.md: "personal data masked unless
the role needs it, and revealing it is audited"): masked for everybody by default on
the case page and in the API; a handler of the case reveals ID number, mobile and
address, and each reveal is one audit record with who and from where; anybody else
is refused (403, nothing recorded) or, out of scope, gets the 404 of a missing case."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tongban.accounts.testing import log_in
from tongban.audit.actions import action_label
from tongban.audit.models import AuditRecord
from tongban.cases import privacy
from tongban.cases.testing import PERSON_ID, accepted, at
from tongban.cases.tests.apiclient import BASE, get, session_client, token_client
from tongban.core.errors import PermissionDenied

from .support import nothing_changes

pytestmark = pytest.mark.django_db

MOBILE = "13912341234"
ADDRESS = "天水市秦州区民主西路1号"


@pytest.fixture
def case(personas, items):
    return accepted(personas, items.promised, at("2026-03-02"))


def reveals(case):
    return AuditRecord.objects.filter(action="case.reveal", object_id=str(case.pk))


def _page(case) -> str:
    return reverse("cases:detail", args=[case.number])


def _reveal_url(case) -> str:
    return reverse("cases:reveal", args=[case.number])


class TestService:
    def test_it_returns_the_values_and_writes_one_audit_record(self, personas, case):
        revealed = privacy.reveal_applicant(
            actor=personas.handler, case=case, at=at("2026-03-03", 9)
        )

        assert (revealed.id_number, revealed.mobile, revealed.address) == (
            PERSON_ID,
            MOBILE,
            ADDRESS,
        )
        record = reveals(case).get()
        assert record.actor_id == personas.handler.pk
        assert record.actor_name == personas.handler.username
        assert record.object_type == "cases.case" and record.object_repr == case.number
        assert record.message == privacy.REVEALED_FIELDS
        assert record.at == at("2026-03-03", 9)
        assert record.success is True
        # A reveal is audited, not a step of the case: the timeline does not grow.
        assert not case.timeline.filter(action="reveal").exists()

    def test_every_reveal_is_recorded_again(self, personas, case):
        for hour in (9, 10):
            privacy.reveal_applicant(
                actor=personas.window_clerk, case=case, at=at("2026-03-03", hour)
            )
        assert reveals(case).count() == 2

    def test_it_refuses_the_supervisor_and_records_nothing(self, personas, case):
        with nothing_changes(case), pytest.raises(PermissionDenied):
            privacy.reveal_applicant(actor=personas.supervisor, case=case, at=at("2026-03-03"))

    def test_the_audit_log_names_the_action(self):
        # Its own label, not the composed fallback ("Reveal case").
        with translation.override("en"):
            assert action_label("case.reveal") == "Personal data revealed"


class TestPage:
    def test_it_masks_for_everybody_by_default(self, client, personas, case):
        for user in (personas.handler, personas.supervisor):
            log_in(client, user)
            body = client.get(_page(case)).content.decode()
            assert PERSON_ID not in body and MOBILE not in body and ADDRESS not in body
            assert case.masked_id_number in body and case.masked_mobile in body
            assert 'data-masked="1"' in body
        assert not reveals(case).exists()

    def test_only_a_handler_is_offered_the_button(self, client, personas, case):
        log_in(client, personas.handler)
        assert 'id="reveal-form"' in client.get(_page(case)).content.decode()
        log_in(client, personas.supervisor)
        assert 'id="reveal-form"' not in client.get(_page(case)).content.decode()

    def test_the_handler_reveals_with_htmx_and_it_is_audited_with_the_ip(
        self, client, personas, case
    ):
        log_in(client, personas.handler)

        response = client.post(
            _reveal_url(case), headers={"HX-Request": "true"}, REMOTE_ADDR="10.20.30.40"
        )

        assert response.status_code == 200
        body = response.content.decode()
        assert 'id="applicant-data"' in body and 'data-revealed="1"' in body
        assert PERSON_ID in body and MOBILE in body and ADDRESS in body
        assert "<html" not in body  # the fragment only
        assert "no-store" in response["Cache-Control"]
        record = reveals(case).get()
        assert record.actor_id == personas.handler.pk
        assert record.ip == "10.20.30.40"

    def test_without_htmx_the_whole_page_shows_the_values(self, client, personas, case):
        log_in(client, personas.window_clerk)  # received the case: a handler too

        response = client.post(_reveal_url(case))

        assert response.status_code == 200
        body = response.content.decode()
        assert 'id="case-number"' in body and PERSON_ID in body and ADDRESS in body
        assert reveals(case).get().actor_id == personas.window_clerk.pk

    def test_the_supervisor_is_refused_with_403_and_nothing_recorded(self, client, personas, case):
        log_in(client, personas.supervisor)
        with nothing_changes(case):
            response = client.post(_reveal_url(case), headers={"HX-Request": "true"})
        assert response.status_code == 403
        assert PERSON_ID not in response.content.decode()

    def test_an_outsider_gets_404(self, client, personas, case):
        log_in(client, personas.outsider)
        with nothing_changes(case):
            response = client.post(_reveal_url(case))
        assert response.status_code == 404

    def test_a_get_is_not_allowed(self, client, personas, case):
        log_in(client, personas.handler)
        assert client.get(_reveal_url(case)).status_code == 405
        assert not reveals(case).exists()


class TestApi:
    def test_the_detail_is_masked_even_for_the_handler(self, personas, case):
        applicant = get(session_client(personas.handler), f"/{case.number}").json()["applicant"]

        assert applicant == {
            "masked": True,
            "kind": "person",
            "name": "张小三",  # the handler sees the name
            "id_type": "resident_id",
            "id_number": case.masked_id_number,
            "mobile": case.masked_mobile,
            "address": "",
            "contact_name": "",
        }
        assert not reveals(case).exists()

    def test_the_handler_reveals_and_it_is_audited(self, personas, case):
        client = token_client(personas.handler)

        response = client.post(f"{BASE}/{case.number}/reveal", REMOTE_ADDR="10.9.8.7")

        assert response.status_code == 200
        assert response.json() == {
            "id_number": PERSON_ID,
            "mobile": MOBILE,
            "address": ADDRESS,
            "form": {},  # the item's form has no personal fields
        }
        assert "no-store" in response["Cache-Control"]
        record = reveals(case).get()
        assert (record.actor_id, record.ip) == (personas.handler.pk, "10.9.8.7")

    def test_the_supervisor_is_refused_with_403_and_nothing_recorded(self, personas, case):
        client = token_client(personas.supervisor)
        with nothing_changes(case):
            response = client.post(f"{BASE}/{case.number}/reveal")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_an_outsider_gets_the_404_of_a_missing_case(self, personas, case):
        client = token_client(personas.outsider)
        with nothing_changes(case):
            hidden = client.post(f"{BASE}/{case.number}/reveal")
        missing = client.post(f"{BASE}/TS-2026-SCJG-999999/reveal")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()


@pytest.mark.browser
def test_a_handler_reveals_in_the_browser_without_leaving_the_page(page, personas, items):
    from playwright.sync_api import expect

    from tongban.cases.tests.test_browser_counter import _log_in

    case = accepted(personas, items.promised, at("2026-03-02"))
    _log_in(page, personas.handler.username)
    page.goto(_page(case))
    expect(page.locator("#applicant-id-number")).to_have_text(case.masked_id_number)

    page.locator("#reveal-button").click()

    # htmx swapped the block in place: the values, the note, no button any more.
    expect(page.locator("#applicant-id-number")).to_have_text(PERSON_ID)
    expect(page.locator("#applicant-address")).to_have_text(ADDRESS)
    expect(page.locator("#reveal-note")).to_be_visible()
    expect(page.locator("#reveal-button")).to_have_count(0)
    assert page.url.endswith(_page(case))
    assert reveals(case).get().actor_id == personas.handler.pk


class TestPersonalFormFields:
    """An ID number or mobile number typed into the item's form is the same personal
    data as the applicant's own: masked on the page and in the API, revealed (and
    audited) with the rest."""

    @pytest.fixture
    def case_with_contact(self, personas, items):
        from tongban.cases import services
        from tongban.cases.testing import all_materials, person
        from tongban.catalog import services as catalog
        from tongban.catalog.models import FieldType

        catalog.set_form_fields(
            actor=None,
            item=items.promised,
            fields=[
                catalog.FieldSpec("shop_name", "店铺名称", FieldType.TEXT, required=True),
                catalog.FieldSpec("contact_mobile", "联系人手机", FieldType.MOBILE),
            ],
            at=timezone.now(),
        )
        case = services.submit_application(
            actor=personas.window_clerk,
            item=items.promised,
            applicant=person(),
            form_data={"shop_name": "小三面馆", "contact_mobile": "13712345678"},
            materials=all_materials(items.promised),
            at=at("2026-03-02"),
        )
        return services.accept_case(actor=personas.window_clerk, case=case, at=at("2026-03-02"))

    def test_it_masks_them_on_the_page_and_reveals_them_to_the_handler(
        self, client, personas, case_with_contact
    ):
        log_in(client, personas.handler)
        page = client.get(_page(case_with_contact)).content.decode()
        assert "13712345678" not in page and "137****5678" in page

        revealed = client.post(_reveal_url(case_with_contact), HTTP_HX_REQUEST="true")

        assert "13712345678" in revealed.content.decode()
        assert reveals(case_with_contact).count() == 1

    def test_it_masks_them_in_the_api_detail_and_returns_them_from_reveal(
        self, personas, case_with_contact
    ):
        client = token_client(personas.handler)
        detail = get(client, f"/{case_with_contact.number}").json()
        assert detail["form_data"]["contact_mobile"] == "137****5678"

        body = client.post(f"{BASE}/{case_with_contact.number}/reveal").json()

        assert body["form"] == {"contact_mobile": "13712345678"}
        assert reveals(case_with_contact).count() == 1
