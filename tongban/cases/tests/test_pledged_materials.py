"""容缺受理, the second half: the applicant hands in the materials they pledged at
acceptance. When nothing required is missing any more the pledge ends
(``pledge_due_on`` None) and supervision stops watching it (``next_check_on``
recomputed); a partial supply keeps the pledge. Refused — changing nothing — when
there is no pledge, for someone who is neither the intake desk nor a step holder,
and on a closed case. Through the service, the case page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.cases import services
from tongban.cases.models import CaseStatus, MaterialSource
from tongban.cases.services import MaterialIn
from tongban.cases.testing import at, receive
from tongban.cases.tests.apiclient import post, session_client, token_client
from tongban.catalog import services as catalog
from tongban.catalog.models import HandlingType
from tongban.catalog.rules import StepSpec
from tongban.core.errors import ActionNotAllowed, PermissionDenied, ValidationFailed
from tongban.dictionaries.models import ItemType

from .support import nothing_changes

pytestmark = pytest.mark.django_db

ESSENTIAL = "食品经营许可申请书"
LICENCE = "营业执照复印件"  # required, non-essential: may be pledged
OPTIONAL = "其他说明材料"
PLEDGED_BY = dt.date(2026, 3, 6)


@pytest.fixture(autouse=True)
def _pledge_limit(settings):
    settings.TONGBAN_PLEDGE_MAX_DAYS = 20


def materials(item, *names: str) -> list[MaterialIn]:
    return [MaterialIn(material_id=m.pk, pages=1) for m in item.materials.all() if m.name in names]


def accepted_pending(personas, item, *handed_in: str):
    """Received on Monday 2 March 2026 with only ``handed_in``, accepted on a pledge
    for the rest by Friday 6 March."""
    case = receive(personas, item, at("2026-03-02"), materials=materials(item, *handed_in))
    return services.accept_case(
        actor=personas.window_clerk, case=case, at=at("2026-03-02"), pledge_due_on=PLEDGED_BY
    )


@pytest.fixture
def case(personas, items):
    return accepted_pending(personas, items.promised, ESSENTIAL, OPTIONAL)


@pytest.fixture
def two_pending(personas, items):
    """An item with two pledgeable materials; the case misses both."""
    item = catalog.save_item_definition(
        actor=None,
        fields={
            "code": "620500-SCJG-XK-104",
            "name": "小餐饮登记",
            "item_type": ItemType.objects.get(name="行政许可"),
            "department": personas.org.market,
            "handling_type": HandlingType.PROMISED,
            "promised_limit": 10,
            "statutory_limit": 20,
        },
        steps=[StepSpec("受理", "window_clerk"), StepSpec("承办", "handler", 5)],
        materials=[
            catalog.MaterialSpec("登记申请表", required=True, essential=True),
            catalog.MaterialSpec("健康证明", required=True, essential=False),
            catalog.MaterialSpec("场所平面图", required=True, essential=False),
        ],
        at=timezone.now(),
    )
    catalog.publish_item(actor=None, item=item, at=timezone.now())
    return accepted_pending(personas, item, "登记申请表")


def _events(case) -> list[str]:
    return list(case.timeline.order_by("at", "id").values_list("action", flat=True))


class TestService:
    def test_supplying_the_missing_material_ends_the_pledge(self, personas, items, case):
        assert case.next_check_on == dt.date(2026, 3, 7)  # the day after the pledge
        deadline = case.deadline

        services.supply_pledged_materials(
            actor=personas.window_clerk,
            case=case,
            materials=materials(items.promised, LICENCE),
            note="申请人补交营业执照",
            at=at("2026-03-04"),
        )

        case.refresh_from_db()
        assert case.pledge_due_on is None
        assert case.status == CaseStatus.IN_PROGRESS and case.deadline == deadline
        # Only the step's due date (Thu 12 March) is watched now: the next working day.
        assert case.next_check_on == dt.date(2026, 3, 13)
        row = case.materials.get(name=LICENCE)
        assert row.source == MaterialSource.SUPPLEMENT and row.pages == 1
        assert services.missing_materials(case) == []
        event = case.timeline.get(action="supply_pledged")
        assert event.actor == personas.window_clerk and event.opinion == "申请人补交营业执照"
        assert event.detail == {"materials": [LICENCE], "still_missing": []}
        record = AuditRecord.objects.get(object_id=str(case.pk), action="case.supply_pledged")
        assert record.actor_id == personas.window_clerk.pk
        assert record.before["status"] == record.after["status"] == CaseStatus.IN_PROGRESS

    def test_the_step_holder_may_take_them_in(self, personas, items, case):
        services.supply_pledged_materials(
            actor=personas.handler,
            case=case,
            materials=materials(items.promised, LICENCE),
            at=at("2026-03-04"),
        )
        case.refresh_from_db()
        assert case.pledge_due_on is None

    def test_a_partial_supply_keeps_the_pledge(self, personas, two_pending):
        case = two_pending
        item = case.item
        next_check = case.next_check_on

        services.supply_pledged_materials(
            actor=personas.window_clerk,
            case=case,
            materials=materials(item, "健康证明"),
            at=at("2026-03-04"),
        )

        case.refresh_from_db()
        assert case.pledge_due_on == PLEDGED_BY and case.next_check_on == next_check
        assert [m.name for m in services.missing_materials(case)] == ["场所平面图"]
        event = case.timeline.get(action="supply_pledged")
        assert event.detail["still_missing"] == ["场所平面图"]

    def test_it_refuses_when_nothing_was_pledged(self, personas, items):
        receive_all = receive(personas, items.promised, at("2026-03-02"))
        case = services.accept_case(
            actor=personas.window_clerk, case=receive_all, at=at("2026-03-02")
        )
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.supply_pledged_materials(
                actor=personas.window_clerk,
                case=case,
                materials=materials(items.promised, OPTIONAL),
                at=at("2026-03-04"),
            )

    @pytest.mark.parametrize("who", ["supervisor", "section_head", "outsider"])
    def test_it_refuses_who_is_neither_desk_nor_step_holder(self, personas, items, case, who):
        with nothing_changes(case), pytest.raises(PermissionDenied):
            services.supply_pledged_materials(
                actor=getattr(personas, who),
                case=case,
                materials=materials(items.promised, LICENCE),
                at=at("2026-03-04"),
            )

    def test_it_refuses_a_closed_case(self, personas, items, case):
        services.withdraw_case(
            actor=personas.window_clerk, case=case, reason="申请人撤回", at=at("2026-03-03")
        )
        case.refresh_from_db()
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.supply_pledged_materials(
                actor=personas.window_clerk,
                case=case,
                materials=materials(items.promised, LICENCE),
                at=at("2026-03-04"),
            )

    def test_it_refuses_an_empty_supply(self, personas, case):
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            services.supply_pledged_materials(
                actor=personas.window_clerk, case=case, materials=[], at=at("2026-03-04")
            )
        assert set(refused.value.fields) == {"materials"}


class TestPage:
    def _url(self, case, name="detail"):
        return reverse(f"cases:{name}", args=[case.number])

    def test_the_form_lists_the_missing_material_and_records_it(
        self, client, personas, items, case
    ):
        licence = items.promised.materials.get(name=LICENCE)
        log_in(client, personas.window_clerk)
        page = client.get(self._url(case))
        body = page.content.decode()
        assert 'id="action-supply_pledged"' in body
        assert f'name="pledged-{licence.pk}-received"' in body
        # Only what is still missing is offered.
        essential = items.promised.materials.get(name=ESSENTIAL)
        assert f'name="pledged-{essential.pk}-received"' not in body

        response = client.post(
            self._url(case, "supply_pledged"),
            {
                f"pledged-{licence.pk}-received": "1",
                f"pledged-{licence.pk}-pages": "2",
                "supply_pledged-note": "已补交",
            },
        )

        assert response.status_code == 302
        case.refresh_from_db()
        assert case.pledge_due_on is None
        assert case.materials.get(name=LICENCE).pages == 2
        assert _events(case)[-1] == "supply_pledged"
        body = client.get(self._url(case)).content.decode()
        assert 'data-event="supply_pledged"' in body
        assert 'id="action-supply_pledged"' not in body

    def test_nothing_ticked_is_a_form_error_and_changes_nothing(
        self, client, personas, items, case
    ):
        log_in(client, personas.window_clerk)
        with nothing_changes(case):
            response = client.post(self._url(case, "supply_pledged"), {"supply_pledged-note": ""})
        assert response.status_code == 200
        box = next(b for b in response.context["actions"] if b.name == "supply_pledged")
        assert box.form.errors

    def test_the_supervisor_is_not_offered_the_form_and_is_refused(
        self, client, personas, items, case
    ):
        licence = items.promised.materials.get(name=LICENCE)
        log_in(client, personas.supervisor)
        assert 'id="action-supply_pledged"' not in client.get(self._url(case)).content.decode()
        with nothing_changes(case):
            response = client.post(
                self._url(case, "supply_pledged"),
                {f"pledged-{licence.pk}-received": "1", f"pledged-{licence.pk}-pages": "2"},
            )
        assert response.status_code == 403


class TestApi:
    def test_the_desk_supplies_and_gets_the_detail(self, personas, items, case):
        licence = items.promised.materials.get(name=LICENCE)

        response = post(
            session_client(personas.window_clerk),
            f"/{case.number}/pledged-materials",
            {"materials": [{"material_id": licence.pk, "pages": 3}], "note": "补交"},
        )

        assert response.status_code == 200
        body = response.json()
        assert body["pledge_due_on"] is None and body["missing_materials"] == []
        assert "supply_pledged" not in body["actions"]
        case.refresh_from_db()
        assert case.pledge_due_on is None
        assert _events(case)[-1] == "supply_pledged"

    def test_a_wrong_material_names_the_field_and_changes_nothing(self, personas, case):
        client = token_client(personas.window_clerk)
        with nothing_changes(case):
            response = post(
                client,
                f"/{case.number}/pledged-materials",
                {"materials": [{"material_id": 999999, "pages": 1}]},
            )
        assert response.status_code == 422
        assert set(response.json()["fields"]) == {"materials.0"}

    def test_the_supervisor_is_refused(self, personas, items, case):
        licence = items.promised.materials.get(name=LICENCE)
        client = token_client(personas.supervisor)
        with nothing_changes(case):
            response = post(
                client,
                f"/{case.number}/pledged-materials",
                {"materials": [{"material_id": licence.pk, "pages": 1}]},
            )
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
