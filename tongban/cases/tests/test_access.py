"""Who sees which case (access.py): lists start from ``Case.objects.visible_to``,
fetching by number answers "not found" out of scope, and only the case's handlers
may reveal the applicant's personal data (privacy.py, audited)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.accounts.models import DepartmentKind
from tongban.accounts.roles import RoleCode
from tongban.accounts.testing import make_user
from tongban.cases import selectors, services
from tongban.cases.access import get_case_for, is_handler_of
from tongban.cases.models import Case, Decision
from tongban.cases.testing import accepted, active_step, all_materials, at, person
from tongban.core.errors import NotFound

from .support import land_clerk, land_item, market_user


@pytest.fixture
def cases(personas, items):
    """A promised and a joint case of market supervision, a case of natural resources."""
    land = land_item(personas)
    return {
        "promised": accepted(personas, items.promised, at("2026-03-02")),
        "joint": accepted(personas, items.joint, at("2026-03-02", 11)),
        "land": services.submit_application(
            actor=land_clerk(personas),
            item=land,
            applicant=person(),
            form_data={},
            materials=all_materials(land),
            at=at("2026-03-02", 12),
        ),
    }


def visible(user) -> set[str]:
    return set(Case.objects.visible_to(user).values_list("number", flat=True))


def numbers(cases, *names: str) -> set[str]:
    return {cases[n].number for n in names}


class TestVisibility:
    def test_it_shows_a_handler_their_department(self, personas, cases):
        assert visible(personas.handler) == numbers(cases, "promised", "joint")
        assert visible(personas.department_head) == numbers(cases, "promised", "joint")

    def test_it_shows_an_outsider_nothing_of_another_department(self, personas, items):
        accepted(personas, items.promised, at("2026-03-02"))
        assert visible(personas.outsider) == set()

    def test_it_shows_the_assisting_department_the_joint_case(self, personas, cases):
        assert visible(personas.outsider) == numbers(cases, "joint", "land")

    def test_it_shows_a_supervisor_everything(self, personas, cases):
        assert visible(personas.supervisor) == numbers(cases, "promised", "joint", "land")

    @pytest.mark.parametrize("admin", ["system_admin", "security_admin", "audit_admin"])
    def test_it_shows_the_administrators_nothing(self, personas, cases, admin):
        assert visible(getattr(personas, admin)) == set()

    def test_it_shows_nothing_to_a_disabled_account(self, personas, cases):
        # The account is switched off directly: the rule under test is the query's.
        type(personas.handler).objects.filter(pk=personas.handler.pk).update(is_active=False)
        personas.handler.refresh_from_db()
        assert visible(personas.handler) == set()

    def test_it_shows_a_city_hall_clerk_what_it_received(self, personas, items):
        hall = accounts.create_department(
            actor=None,
            code="TS-ZWFW",
            name="天水市政务服务中心",
            kind=DepartmentKind.HALL,
            parent=personas.org.city,
            at=timezone.now(),
        )
        clerk = make_user("hallclerk", RoleCode.WINDOW_CLERK, department=hall)
        case = services.submit_application(
            actor=clerk,
            item=items.promised,
            applicant=person(),
            form_data={"shop_name": "小三面馆"},
            materials=all_materials(items.promised),
            at=at("2026-03-02"),
        )
        assert case.hall == hall and case.department == personas.org.market
        assert case.number in visible(clerk)
        # The lead department sees it too; its personal data stays with its handlers.
        assert case.number in visible(personas.handler)
        assert is_handler_of(clerk, case)

    def test_it_shows_a_section_head_the_case_waiting_in_their_queue(self, personas, items):
        # Two section heads: 审核 waits in the section's queue, unassigned.
        other = market_user(
            personas, "sectionhead2", RoleCode.SECTION_HEAD, "13800000013", section=True
        )
        case = accepted(personas, items.promised, at("2026-03-02"))
        services.advance_step(
            actor=personas.handler,
            case=case,
            step_id=active_step(case).pk,
            decision=Decision.AGREE,
            at=at("2026-03-03"),
        )
        review = active_step(case)
        assert review.name == "审核" and review.assignee is None
        for head in (personas.section_head, other):
            assert review in selectors.department_queue(head)
            # Whoever finds the step in the queue must be able to open the case to claim it.
            assert get_case_for(head, case.number) == case


class TestGetCaseFor:
    def test_it_answers_not_found_out_of_scope_as_for_a_missing_case(self, personas, cases):
        number = cases["promised"].number
        assert get_case_for(personas.handler, number) == cases["promised"]
        assert get_case_for(personas.supervisor, number) == cases["promised"]
        for user in (personas.outsider, personas.system_admin, personas.audit_admin):
            with pytest.raises(NotFound):
                get_case_for(user, number)
        with pytest.raises(NotFound):
            get_case_for(personas.handler, "TS-2026-SCJG-999999")
        with pytest.raises(NotFound):
            get_case_for(personas.handler, cases["land"].number)


class TestIsHandlerOf:
    def test_it_names_the_handlers_who_may_reveal(self, personas, cases):
        promised, joint = cases["promised"], cases["joint"]
        assert is_handler_of(personas.handler, promised)
        assert is_handler_of(personas.window_clerk, promised)  # received it
        assert is_handler_of(personas.department_head, promised)
        assert not is_handler_of(personas.supervisor, promised)
        assert not is_handler_of(personas.outsider, promised)
        assert not is_handler_of(personas.system_admin, promised)
        # The assisting department handles the joint case.
        assert is_handler_of(personas.outsider, joint)
