"""Preliminary review at the counter: accept (the clock starts), accept with materials
pending (容缺受理), reject (不予受理), or ask for a supplement (补正告知)."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.audit.models import AuditRecord
from tongban.cases import services
from tongban.cases.models import (
    CaseStatus,
    Decision,
    MaterialSource,
    StepKind,
    StepStatus,
)
from tongban.cases.services import MaterialIn
from tongban.cases.testing import at, receive
from tongban.core.errors import ActionNotAllowed, PermissionDenied, ValidationFailed
from tongban.notify.models import Channel as NotifyChannel
from tongban.notify.models import OutboxMessage

from .support import nothing_changes


def materials(item, *names: str) -> list[MaterialIn]:
    """Paper copies of the item's listed materials called ``names``."""
    return [MaterialIn(material_id=m.pk, pages=1) for m in item.materials.all() if m.name in names]


ESSENTIAL = "食品经营许可申请书"
NON_ESSENTIAL = "营业执照复印件"  # required, but may be pledged (容缺)
OPTIONAL = "其他说明材料"


class TestAccept:
    def test_it_starts_the_clock_and_the_first_step(self, personas, items):
        case = receive(personas, items.promised, at("2026-04-27"))
        received_sms = OutboxMessage.objects.count()

        services.accept_case(
            actor=personas.window_clerk, case=case, at=at("2026-04-28"), opinion="材料齐全"
        )

        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PROGRESS
        assert case.accepted_on == dt.date(2026, 4, 28)
        # Tue 28 April + 15 working days: 29, 30 April (2); Labour Day 1–5 May; 6, 7, 8
        # May (5); Saturday 9 May is worked (6); 11–15 (11); 18–21 (15) → Thu 21 May.
        assert case.deadline == dt.date(2026, 5, 21)
        steps = list(case.steps.order_by("order", "id"))
        assert [(s.name, s.status) for s in steps] == [
            ("受理", StepStatus.DONE),
            ("承办", StepStatus.ACTIVE),
            ("审核", StepStatus.WAITING),
            ("批准", StepStatus.WAITING),
            ("办结", StepStatus.WAITING),
        ]
        intake, handling = steps[0], steps[1]
        assert intake.assignee == intake.finished_by == personas.window_clerk
        assert intake.decision == Decision.AGREE
        assert intake.finished_on == dt.date(2026, 4, 28)
        assert all(s.kind == StepKind.LEAD for s in steps)
        # The only handler of the department gets the step without claiming it.
        assert handling.assignee == personas.handler
        assert handling.started_on == dt.date(2026, 4, 28)
        # 承办 has 8 working days: 29, 30 April, 6, 7, 8, 9, 11, 12 May → Tue 12 May.
        assert handling.due_on == dt.date(2026, 5, 12)
        # Next supervision change: the working day after the step falls due.
        assert case.next_check_on == dt.date(2026, 5, 13)

        assert list(case.timeline.values_list("action", flat=True)) == ["receive", "accept"]
        audit = AuditRecord.objects.get(object_id=str(case.pk), action="case.accept")
        assert audit.actor_id == personas.window_clerk.pk
        assert audit.before["status"] == CaseStatus.RECEIVED
        assert audit.after["status"] == CaseStatus.IN_PROGRESS
        assert OutboxMessage.objects.count() == received_sms + 2
        to_handler = OutboxMessage.objects.get(case=case, template="case.step_assigned")
        assert to_handler.channel == NotifyChannel.SMS
        assert to_handler.recipient == personas.handler
        assert to_handler.address == "13800000002"
        for part in ("食品经营许可", "张小三", "2026-05-12", case.number, "承办"):
            assert part in to_handler.body
        to_applicant = OutboxMessage.objects.get(case=case, template="case.accepted")
        assert to_applicant.address == "13912341234"
        assert "2026-05-21" in to_applicant.body

    def test_it_refuses_when_an_essential_material_is_missing(self, personas, items):
        case = receive(
            personas,
            items.promised,
            at("2026-03-02"),
            materials=materials(items.promised, NON_ESSENTIAL, OPTIONAL),
        )
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            services.accept_case(actor=personas.window_clerk, case=case, at=at("2026-03-02"))
        assert set(refused.value.fields) == {"materials"}
        with nothing_changes(case), pytest.raises(ValidationFailed):
            services.accept_case(
                actor=personas.window_clerk,
                case=case,
                at=at("2026-03-02"),
                pledge_due_on=dt.date(2026, 3, 9),
            )

    def test_it_refuses_a_pledge_when_nothing_is_missing(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02"))
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            services.accept_case(
                actor=personas.window_clerk,
                case=case,
                at=at("2026-03-02"),
                pledge_due_on=dt.date(2026, 3, 9),
            )
        assert set(refused.value.fields) == {"pledge_due_on"}

    def test_it_refuses_a_handler(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02"))
        for actor in (personas.handler, personas.department_head, personas.supervisor):
            with nothing_changes(case), pytest.raises(PermissionDenied):
                services.accept_case(actor=actor, case=case, at=at("2026-03-02"))

    def test_it_refuses_to_accept_twice(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02"))
        services.accept_case(actor=personas.window_clerk, case=case, at=at("2026-03-02"))
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.accept_case(actor=personas.window_clerk, case=case, at=at("2026-03-03"))


class TestAcceptWithMaterialsPending:
    @pytest.fixture(autouse=True)
    def _pledge_limit(self, settings):
        settings.TONGBAN_PLEDGE_MAX_DAYS = 20

    def receive_without_licence(self, personas, items):
        return receive(
            personas,
            items.promised,
            at("2026-03-02"),
            materials=materials(items.promised, ESSENTIAL, OPTIONAL),
        )

    def test_it_accepts_on_a_pledge_for_a_non_essential_material(self, personas, items):
        case = self.receive_without_licence(personas, items)

        services.accept_case(
            actor=personas.window_clerk,
            case=case,
            at=at("2026-03-02"),
            pledge_due_on=dt.date(2026, 3, 6),
        )

        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PROGRESS
        assert case.pledge_due_on == dt.date(2026, 3, 6)
        assert case.deadline == dt.date(2026, 3, 23)
        # The pledge (day after Fri 6 March) comes before the step's due date (12 March).
        assert case.next_check_on == dt.date(2026, 3, 7)
        event = case.timeline.get(action="accept_pending")
        assert event.detail["pending"] == [NON_ESSENTIAL]
        assert event.detail["pledge_due_on"] == "2026-03-06"
        assert AuditRecord.objects.filter(
            object_id=str(case.pk), action="case.accept_pending"
        ).exists()

    def test_it_takes_the_latest_allowed_pledge_date(self, personas, items):
        case = self.receive_without_licence(personas, items)
        # Monday 2 March + 20 working days = Monday 30 March.
        services.accept_case(
            actor=personas.window_clerk,
            case=case,
            at=at("2026-03-02"),
            pledge_due_on=dt.date(2026, 3, 30),
        )
        case.refresh_from_db()
        assert case.pledge_due_on == dt.date(2026, 3, 30)
        # Now the step's due date (Thu 12 March) comes first.
        assert case.next_check_on == dt.date(2026, 3, 13)

    @pytest.mark.parametrize(
        "pledge",
        [None, dt.date(2026, 3, 2), dt.date(2026, 3, 1), dt.date(2026, 3, 31)],
        ids=["no-date", "today", "past", "beyond-limit"],
    )
    def test_it_refuses_without_a_date_or_beyond_the_limit(self, personas, items, pledge):
        case = self.receive_without_licence(personas, items)
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            services.accept_case(
                actor=personas.window_clerk, case=case, at=at("2026-03-02"), pledge_due_on=pledge
            )
        assert set(refused.value.fields) == {"pledge_due_on"}


class TestReject:
    def test_it_closes_the_application_with_the_reasons(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02"))

        services.reject_application(
            actor=personas.window_clerk,
            case=case,
            reasons="不属于本机关职权范围",
            at=at("2026-03-03", 15),
        )

        case.refresh_from_db()
        assert case.status == CaseStatus.REJECTED
        assert case.accepted_on is None and case.deadline is None
        assert case.closed_at == at("2026-03-03", 15)
        assert case.result_note == "不属于本机关职权范围"
        assert case.next_check_on is None
        assert not case.steps.exists()
        event = case.timeline.get(action="reject")
        assert event.opinion == "不属于本机关职权范围"
        assert AuditRecord.objects.filter(object_id=str(case.pk), action="case.reject").exists()
        sms = OutboxMessage.objects.get(case=case, template="case.rejected")
        assert "不属于本机关职权范围" in sms.body

    def test_it_refuses_without_reasons(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02"))
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            services.reject_application(
                actor=personas.window_clerk, case=case, reasons="  ", at=at("2026-03-03")
            )
        assert set(refused.value.fields) == {"reasons"}

    def test_it_refuses_a_handler_and_an_accepted_case(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02"))
        with nothing_changes(case), pytest.raises(PermissionDenied):
            services.reject_application(
                actor=personas.handler, case=case, reasons="不符合", at=at("2026-03-03")
            )
        services.accept_case(actor=personas.window_clerk, case=case, at=at("2026-03-03"))
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.reject_application(
                actor=personas.window_clerk, case=case, reasons="不符合", at=at("2026-03-04")
            )


class TestSupplementBeforeAcceptance:
    def test_it_waits_for_the_supplement_then_restarts_the_review_limit(self, personas, items):
        case = receive(
            personas,
            items.promised,
            at("2026-03-02"),
            materials=materials(items.promised, NON_ESSENTIAL),
        )

        services.request_supplement(
            actor=personas.window_clerk,
            case=case,
            items=[ESSENTIAL, " "],
            note="请补交申请书原件",
            at=at("2026-03-03"),
        )

        case.refresh_from_db()
        assert case.status == CaseStatus.SUPPLEMENT_REQUESTED
        assert case.next_check_on is None  # the applicant's turn: nothing to supervise
        request = case.supplement_requests.get()
        assert request.items == [ESSENTIAL]
        assert not request.after_acceptance and request.fulfilled_at is None
        assert not case.suspensions.exists()
        sms = OutboxMessage.objects.get(case=case, template="case.supplement_requested")
        assert ESSENTIAL in sms.body
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.accept_case(actor=personas.window_clerk, case=case, at=at("2026-03-04"))

        # The supplement arrives on Thu 2 April, just before Qingming.
        services.supplement_case(
            actor=personas.window_clerk,
            case=case,
            materials=materials(items.promised, ESSENTIAL),
            at=at("2026-04-02"),
        )

        case.refresh_from_db()
        assert case.status == CaseStatus.RECEIVED
        # Five working days from 2 April: 3, 7, 8, 9, 10 April (4–6 are Qingming).
        assert case.review_due_on == dt.date(2026, 4, 10)
        assert case.next_check_on == dt.date(2026, 4, 11)
        assert case.received_on == dt.date(2026, 3, 2)
        request.refresh_from_db()
        assert request.fulfilled_on == dt.date(2026, 4, 2)
        added = case.materials.get(material__name=ESSENTIAL)
        assert added.source == MaterialSource.SUPPLEMENT
        assert list(case.timeline.values_list("action", flat=True)) == [
            "receive",
            "request_supplement",
            "supplement",
        ]
        for action in ("case.request_supplement", "case.supplement"):
            assert AuditRecord.objects.filter(object_id=str(case.pk), action=action).exists()

        services.accept_case(actor=personas.window_clerk, case=case, at=at("2026-04-03"))
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PROGRESS
        assert case.accepted_on == dt.date(2026, 4, 3)

    def test_it_refuses_an_empty_request_and_an_empty_supplement(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02"))
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            services.request_supplement(
                actor=personas.window_clerk, case=case, items=["", " "], at=at("2026-03-03")
            )
        assert set(refused.value.fields) == {"items"}
        with nothing_changes(case), pytest.raises(PermissionDenied):
            services.request_supplement(
                actor=personas.handler, case=case, items=[ESSENTIAL], at=at("2026-03-03")
            )
        services.request_supplement(
            actor=personas.window_clerk, case=case, items=[ESSENTIAL], at=at("2026-03-03")
        )
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            services.supplement_case(actor=personas.window_clerk, case=case, at=at("2026-03-04"))
        assert set(refused.value.fields) == {"materials"}
        with nothing_changes(case), pytest.raises(PermissionDenied):
            services.supplement_case(
                actor=personas.handler, case=case, note="已补交", at=at("2026-03-04")
            )
