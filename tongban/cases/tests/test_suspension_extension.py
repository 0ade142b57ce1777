"""Stopping the clock (特别程序, 受理后补正; 行政许可法 Art. 45) and extending the
deadline with the head's approval (延期; Art. 42, Art. 26)."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.audit.models import AuditRecord
from tongban.cases import selectors, services
from tongban.cases.clock import Colour
from tongban.cases.models import CaseStatus, Decision, ExtensionStatus, SuspensionKind
from tongban.cases.services import Conflict, MaterialIn
from tongban.cases.testing import accepted, active_step, at
from tongban.core.errors import ActionNotAllowed, PermissionDenied, ValidationFailed
from tongban.notify.models import Channel as NotifyChannel
from tongban.notify.models import OutboxMessage
from tongban.workcalendar.calendar import get_calendar

from .support import nothing_changes


def suspend(actor, case, when: str, procedure: str = "onsite_check", reason="需现场核查经营场所"):
    return services.suspend_case(
        actor=actor, case=case, procedure=procedure, reason=reason, at=at(when)
    )


class TestSpecialProcedure:
    def test_it_stops_the_clock_with_the_procedures_own_limit(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))

        suspend(personas.handler, case, "2026-03-04")

        case.refresh_from_db()
        assert case.status == CaseStatus.SUSPENDED
        assert case.deadline == dt.date(2026, 3, 23)  # unchanged until resumed
        suspension = case.suspensions.get()
        assert suspension.kind == SuspensionKind.SPECIAL_PROCEDURE
        assert suspension.procedure == "onsite_check"
        assert suspension.limit_days == 5
        assert suspension.started_on == dt.date(2026, 3, 4)
        # 5 working days from Wed 4 March: Wed 11 March; overrun is checked the day after.
        assert suspension.due_on == dt.date(2026, 3, 11)
        assert case.next_check_on == dt.date(2026, 3, 12)
        # Suspended is neither due soon nor overdue, even long past the deadline.
        assert selectors.colour_of(case, dt.date(2026, 3, 4)) == Colour.SUSPENDED
        assert selectors.colour_of(case, dt.date(2026, 6, 1)) == Colour.SUSPENDED
        event = case.timeline.get(action="suspend")
        assert event.detail["procedure"] == "onsite_check" and event.detail["limit_days"] == 5
        assert AuditRecord.objects.filter(object_id=str(case.pk), action="case.suspend").exists()
        to_applicant = OutboxMessage.objects.get(case=case, template="case.suspended")
        assert to_applicant.address == "13912341234"

    def test_it_adds_the_working_days_suspended_to_the_deadline_and_step(self, personas, items):
        # Accepted Mon 30 March: deadline 15 working days later, over Qingming (4–6 April).
        case = accepted(personas, items.promised, at("2026-03-30"))
        assert case.deadline == dt.date(2026, 4, 21)
        step = active_step(case)
        assert step.due_on == dt.date(2026, 4, 10)

        suspend(personas.handler, case, "2026-04-02")
        services.resume_case(
            actor=personas.handler, case=case, note="核查完毕", at=at("2026-04-08", 16)
        )

        # wd(2 April, 8 April) = 3 April, 7 April, 8 April = 3.
        assert get_calendar().wd(dt.date(2026, 4, 2), dt.date(2026, 4, 8)) == 3
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PROGRESS
        assert case.suspended_days == 3
        # add(30 March, 15 + 3): 22, 23, 24 April → Fri 24 April.
        assert case.deadline == dt.date(2026, 4, 24)
        step.refresh_from_db()
        assert step.suspended_days == 3
        # add(30 March, 8 + 3): 13, 14, 15 April → Wed 15 April.
        assert step.due_on == dt.date(2026, 4, 15)
        assert case.next_check_on == dt.date(2026, 4, 16)
        suspension = case.suspensions.get()
        assert suspension.ended_on == dt.date(2026, 4, 8) and suspension.days == 3
        event = case.timeline.get(action="resume")
        assert event.detail["suspended_days"] == 3
        assert event.detail["deadline"] == "2026-04-24"
        audit = AuditRecord.objects.get(object_id=str(case.pk), action="case.resume")
        assert audit.before["deadline"] == "2026-04-21"
        assert audit.after["deadline"] == "2026-04-24"
        assert selectors.colour_of(case, dt.date(2026, 4, 8)) == Colour.NORMAL

    def test_it_counts_nothing_for_a_procedure_ended_the_same_day(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        suspend(personas.handler, case, "2026-03-04")
        services.resume_case(actor=personas.handler, case=case, at=at("2026-03-04", 17))
        case.refresh_from_db()
        assert case.suspended_days == 0 and case.deadline == dt.date(2026, 3, 23)

    def test_it_refuses_a_procedure_the_item_does_not_list(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            suspend(personas.handler, case, "2026-03-04", procedure="hearing")
        assert set(refused.value.fields) == {"procedure"}
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            suspend(personas.handler, case, "2026-03-04", reason=" ")
        assert set(refused.value.fields) == {"reason"}

    def test_it_refuses_the_clerk_an_outsider_and_a_second_suspension(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        for actor in (personas.window_clerk, personas.outsider):
            with nothing_changes(case), pytest.raises(PermissionDenied):
                suspend(actor, case, "2026-03-04")
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.resume_case(actor=personas.handler, case=case, at=at("2026-03-04"))
        suspend(personas.department_head, case, "2026-03-04")
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            suspend(personas.handler, case, "2026-03-05", procedure="expert_review")
        with nothing_changes(case), pytest.raises(PermissionDenied):
            services.resume_case(actor=personas.outsider, case=case, at=at("2026-03-05"))


class TestSupplementAfterAcceptance:
    def test_it_suspends_until_the_supplement_arrives(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))

        services.request_supplement(
            actor=personas.handler,
            case=case,
            items=["经营场所平面图"],
            note="请补充平面图",
            at=at("2026-03-04"),
        )

        case.refresh_from_db()
        assert case.status == CaseStatus.SUSPENDED
        suspension = case.suspensions.get()
        assert suspension.kind == SuspensionKind.SUPPLEMENT and suspension.due_on is None
        assert case.next_check_on is None  # the applicant's turn
        assert case.supplement_requests.get().after_acceptance
        # Only the supplement ends this suspension.
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.resume_case(actor=personas.handler, case=case, at=at("2026-03-05"))

        services.supplement_case(
            actor=personas.window_clerk,
            case=case,
            materials=[MaterialIn(name="经营场所平面图", pages=1)],
            at=at("2026-03-10"),
        )

        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PROGRESS
        # wd(4 March, 10 March) = 5, 6, 9, 10 March = 4.
        assert case.suspended_days == 4
        assert case.deadline == dt.date(2026, 3, 27)  # add(2 March, 19)
        assert active_step(case).due_on == dt.date(2026, 3, 18)  # add(2 March, 12)
        assert case.supplement_requests.get().fulfilled_on == dt.date(2026, 3, 10)
        assert case.materials.filter(name="经营场所平面图", source="supplement").exists()
        assert case.timeline.get(action="supplement").detail["suspended_days"] == 4
        assert list(case.timeline.values_list("action", flat=True)) == [
            "receive",
            "accept",
            "request_supplement",
            "supplement",
        ]

    def test_it_refuses_a_supplement_request_from_who_holds_no_step(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        for actor in (personas.window_clerk, personas.outsider, personas.section_head):
            with nothing_changes(case), pytest.raises(PermissionDenied):
                services.request_supplement(
                    actor=actor, case=case, items=["平面图"], at=at("2026-03-04")
                )

    def test_it_refuses_a_supplement_during_a_special_procedure(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        suspend(personas.handler, case, "2026-03-04")
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.supplement_case(
                actor=personas.window_clerk, case=case, note="已补交", at=at("2026-03-05")
            )


class TestExtension:
    def request(self, actor, case, days: int, when: str = "2026-03-05", reason="需补充调查"):
        return services.request_extension(
            actor=actor, case=case, days=days, reason=reason, at=at(when)
        )

    def decide(self, actor, case, extension, approve: bool, when: str = "2026-03-06"):
        return services.decide_extension(
            actor=actor,
            case=case,
            extension_id=extension.pk,
            approve=approve,
            note="同意" if approve else "理由不足",
            at=at(when),
        )

    def test_it_extends_the_deadline_once_the_head_approves(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))

        extension = self.request(personas.handler, case, 5)

        case.refresh_from_db()
        assert extension.status == ExtensionStatus.PENDING
        assert case.deadline == dt.date(2026, 3, 23) and case.extension_days == 0
        assert case.timeline.filter(action="request_extension").exists()
        to_head = OutboxMessage.objects.filter(
            case=case, template="case.extension_requested", recipient=personas.department_head
        )
        assert set(to_head.values_list("channel", flat=True)) == {
            NotifyChannel.SMS,
            NotifyChannel.INTERNAL,
        }
        with nothing_changes(case), pytest.raises(PermissionDenied):
            self.decide(personas.handler, case, extension, approve=True)
        with nothing_changes(case), pytest.raises(PermissionDenied):
            self.decide(personas.section_head, case, extension, approve=True)

        self.decide(personas.department_head, case, extension, approve=True)

        case.refresh_from_db()
        extension.refresh_from_db()
        assert extension.status == ExtensionStatus.APPROVED
        assert extension.decided_by == personas.department_head
        assert case.extension_days == 5
        # add(2 March, 15 + 5) = Monday 30 March.
        assert case.deadline == dt.date(2026, 3, 30)
        event = case.timeline.get(action="approve_extension")
        assert event.detail["deadline"] == "2026-03-30"
        audit = AuditRecord.objects.get(object_id=str(case.pk), action="case.approve_extension")
        assert audit.after["extension_days"] == 5
        assert OutboxMessage.objects.filter(
            case=case, template="case.extension_decided", recipient=personas.handler
        ).exists()
        to_applicant = OutboxMessage.objects.get(case=case, template="case.extended")
        assert "2026-03-30" in to_applicant.body
        with nothing_changes(case), pytest.raises(Conflict):
            self.decide(personas.department_head, case, extension, approve=False)

    def test_it_caps_a_promised_item_at_ten_days(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        assert case.extension_cap == 10
        for days in (0, -1, 11):
            with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
                self.request(personas.handler, case, days)
            assert set(refused.value.fields) == {"days"}
        self.decide(personas.department_head, case, self.request(personas.handler, case, 6), True)
        with nothing_changes(case), pytest.raises(ValidationFailed):
            self.request(personas.handler, case, 5, "2026-03-09")
        self.decide(
            personas.department_head,
            case,
            self.request(personas.handler, case, 4, "2026-03-09"),
            True,
            "2026-03-09",
        )
        case.refresh_from_db()
        assert case.extension_days == 10
        assert case.deadline == dt.date(2026, 4, 7)  # add(2 March, 25), over Qingming
        with nothing_changes(case), pytest.raises(ValidationFailed):
            self.request(personas.handler, case, 1, "2026-03-10")

    def test_it_caps_a_joint_item_at_fifteen_days(self, personas, items):
        case = accepted(personas, items.joint, at("2026-03-02"))
        assist = active_step(case)
        # The assisting department does not ask for the lead department's extension.
        with nothing_changes(case), pytest.raises(PermissionDenied):
            self.request(personas.outsider, case, 5)
        services.advance_step(
            actor=personas.outsider,
            case=case,
            step_id=assist.pk,
            decision=Decision.AGREE,
            at=at("2026-03-04"),
        )
        with nothing_changes(case), pytest.raises(ValidationFailed):
            self.request(personas.handler, case, 16)

        self.decide(personas.department_head, case, self.request(personas.handler, case, 15), True)

        case.refresh_from_db()
        assert case.extension_days == 15
        # add(2 March, 20 + 15): 30 March is the 20th; 31 March … 21 April the 35th.
        assert case.deadline == dt.date(2026, 4, 21)
        with nothing_changes(case), pytest.raises(ValidationFailed):
            self.request(personas.handler, case, 1, "2026-03-09")

    def test_it_refuses_a_second_pending_request(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        self.request(personas.handler, case, 3)
        with nothing_changes(case), pytest.raises(Conflict):
            self.request(personas.handler, case, 2, "2026-03-06")

    def test_it_leaves_the_deadline_when_the_head_refuses(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        extension = self.request(personas.handler, case, 5)

        self.decide(personas.department_head, case, extension, approve=False)

        case.refresh_from_db()
        extension.refresh_from_db()
        assert extension.status == ExtensionStatus.REFUSED
        assert case.extension_days == 0 and case.deadline == dt.date(2026, 3, 23)
        assert case.timeline.filter(action="refuse_extension").exists()
        assert AuditRecord.objects.filter(
            object_id=str(case.pk), action="case.refuse_extension"
        ).exists()
        assert not OutboxMessage.objects.filter(case=case, template="case.extended").exists()
        # A new request may follow the refusal.
        self.request(personas.handler, case, 5, "2026-03-09")

    def test_it_refuses_who_holds_no_step_and_a_case_not_accepted(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        for actor in (personas.window_clerk, personas.outsider, personas.supervisor):
            with nothing_changes(case), pytest.raises(PermissionDenied):
                self.request(actor, case, 3)
        services.withdraw_case(
            actor=personas.window_clerk, case=case, reason="申请人撤回", at=at("2026-03-04")
        )
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            self.request(personas.handler, case, 3)
