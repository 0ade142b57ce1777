"""The process after acceptance: claiming from the department queue, advancing,
proposing denial, returning, completing; immediate items; joint items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tongban.accounts.roles import RoleCode
from tongban.audit.models import AuditRecord
from tongban.cases import services
from tongban.cases.models import (
    CaseStatus,
    Decision,
    Outcome,
    StepKind,
    StepStatus,
)
from tongban.cases.services import Conflict
from tongban.cases.testing import accepted, active_step, at, receive
from tongban.catalog import services as catalog
from tongban.core.errors import ActionNotAllowed, NotFound, PermissionDenied, ValidationFailed
from tongban.notify.models import OutboxMessage

from .support import market_user, nothing_changes


def second_handler(personas, username: str = "handler2", mobile: str = "13800000012"):
    return market_user(personas, username, RoleCode.HANDLER, mobile)


def step_named(case, name: str):
    return case.steps.filter(name=name).order_by("-id").first()


def advance(actor, case, name: str, when: str, decision=Decision.AGREE, opinion="同意", **kw):
    return services.advance_step(
        actor=actor,
        case=case,
        step_id=step_named(case, name).pk,
        decision=decision,
        opinion=opinion,
        at=at(when),
        **kw,
    )


def to_final_step(personas, case) -> None:
    advance(personas.handler, case, "承办", "2026-03-03")
    advance(personas.section_head, case, "审核", "2026-03-04")
    advance(personas.department_head, case, "批准", "2026-03-05")


class TestClaim:
    def test_it_leaves_the_step_in_the_queue_for_two_eligible_handlers(self, personas, items):
        other = second_handler(personas)
        case = accepted(personas, items.promised, at("2026-03-02"))

        step = active_step(case)
        assert step.name == "承办" and step.assignee is None and step.claimed_at is None
        notified = OutboxMessage.objects.filter(case=case, template="case.step_assigned")
        assert set(notified.values_list("recipient", flat=True)) == {personas.handler.pk, other.pk}

        services.claim_step(
            actor=personas.handler, case=case, step_id=step.pk, at=at("2026-03-02", 11)
        )

        step.refresh_from_db()
        assert step.assignee == personas.handler
        assert step.claimed_at == at("2026-03-02", 11)
        event = case.timeline.get(action="claim")
        assert event.actor == personas.handler and event.step == step
        assert AuditRecord.objects.filter(object_id=str(case.pk), action="case.claim").exists()

        with nothing_changes(case), pytest.raises(Conflict) as refused:
            services.claim_step(actor=other, case=case, step_id=step.pk, at=at("2026-03-02", 12))
        assert refused.value.code == "conflict"
        with nothing_changes(case), pytest.raises(Conflict):
            services.claim_step(
                actor=personas.handler, case=case, step_id=step.pk, at=at("2026-03-02", 12)
            )
        # The loser cannot handle the step either.
        with nothing_changes(case), pytest.raises(Conflict):
            advance(other, case, "承办", "2026-03-03")

    def test_it_refuses_who_may_not_take_the_step(self, personas, items):
        second_handler(personas)
        case = accepted(personas, items.promised, at("2026-03-02"))
        step = active_step(case)
        for actor in (personas.outsider, personas.window_clerk, personas.section_head):
            with nothing_changes(case), pytest.raises(PermissionDenied):
                services.claim_step(actor=actor, case=case, step_id=step.pk, at=at("2026-03-03"))
        with nothing_changes(case), pytest.raises(NotFound):
            services.claim_step(
                actor=personas.handler, case=case, step_id=step.pk + 1000, at=at("2026-03-03")
            )

    def test_it_lets_only_the_named_staff_claim(self, personas, items):
        named = second_handler(personas)
        unnamed = second_handler(personas, "handler3", "13800000013")
        process_step = items.promised.steps.get(name="承办")
        catalog.assign_staff(
            actor=None, step=process_step, users=[personas.handler, named], at=timezone.now()
        )
        case = accepted(personas, items.promised, at("2026-03-02"))

        step = active_step(case)
        assert step.assignee is None
        notified = OutboxMessage.objects.filter(case=case, template="case.step_assigned")
        assert set(notified.values_list("recipient", flat=True)) == {personas.handler.pk, named.pk}
        with nothing_changes(case), pytest.raises(PermissionDenied):
            services.claim_step(actor=unnamed, case=case, step_id=step.pk, at=at("2026-03-03"))
        services.claim_step(actor=named, case=case, step_id=step.pk, at=at("2026-03-03"))
        step.refresh_from_db()
        assert step.assignee == named

    def test_it_gives_the_step_to_the_only_named_person(self, personas, items):
        named = second_handler(personas)
        process_step = items.promised.steps.get(name="承办")
        catalog.assign_staff(actor=None, step=process_step, users=[named], at=timezone.now())
        case = accepted(personas, items.promised, at("2026-03-02"))
        assert active_step(case).assignee == named


class TestAdvance:
    def test_it_passes_an_agreed_step_to_the_next(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        first = active_step(case)

        advance(personas.handler, case, "承办", "2026-03-04", opinion="材料齐全，符合条件")

        first.refresh_from_db()
        assert first.status == StepStatus.DONE
        assert first.finished_by == personas.handler
        assert first.finished_on == dt.date(2026, 3, 4)
        assert first.decision == Decision.AGREE
        assert first.opinion == "材料齐全，符合条件"
        review = active_step(case)
        assert review.name == "审核" and review.assignee == personas.section_head
        assert review.started_on == dt.date(2026, 3, 4)
        # 审核 has 2 working days from Wed 4 March: Fri 6 March.
        assert review.due_on == dt.date(2026, 3, 6)
        case.refresh_from_db()
        assert case.proposed_outcome == Outcome.APPROVED
        assert case.next_check_on == dt.date(2026, 3, 9)  # first working day after 6 March
        event = case.timeline.get(action="advance")
        assert event.step == first and event.opinion == "材料齐全，符合条件"
        assert event.detail["next"] == ["审核"]
        assert event.detail["days_used"] == 2 and event.detail["days_allowed"] == 8
        assert AuditRecord.objects.filter(object_id=str(case.pk), action="case.advance").exists()
        sms = OutboxMessage.objects.get(
            case=case, template="case.step_assigned", recipient=personas.section_head
        )
        assert "2026-03-06" in sms.body

    def test_it_records_a_proposed_denial(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        advance(personas.handler, case, "承办", "2026-03-03")
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            advance(
                personas.section_head,
                case,
                "审核",
                "2026-03-04",
                decision=Decision.PROPOSE_DENIAL,
                opinion="",
            )
        assert set(refused.value.fields) == {"opinion"}

        advance(
            personas.section_head,
            case,
            "审核",
            "2026-03-04",
            decision=Decision.PROPOSE_DENIAL,
            opinion="经营场所不符合要求",
        )

        case.refresh_from_db()
        assert case.proposed_outcome == Outcome.DENIED
        assert step_named(case, "审核").decision == Decision.PROPOSE_DENIAL
        assert active_step(case).name == "批准"
        # A later agreement does not overturn the proposal.
        advance(personas.department_head, case, "批准", "2026-03-05")
        case.refresh_from_db()
        assert case.proposed_outcome == Outcome.DENIED

    def test_it_refuses_an_unknown_decision(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            advance(personas.handler, case, "承办", "2026-03-03", decision="maybe")
        assert set(refused.value.fields) == {"decision"}

    def test_it_returns_to_an_earlier_step_for_its_previous_handler(self, personas, items):
        other = second_handler(personas)
        case = accepted(personas, items.promised, at("2026-03-02"))
        handling = active_step(case)
        services.claim_step(actor=other, case=case, step_id=handling.pk, at=at("2026-03-02"))
        advance(other, case, "承办", "2026-03-03")
        advance(
            personas.section_head,
            case,
            "审核",
            "2026-03-04",
            decision=Decision.PROPOSE_DENIAL,
            opinion="场所面积不足",
        )
        approval = step_named(case, "批准")
        rows_before = case.steps.count()

        advance(
            personas.department_head,
            case,
            "批准",
            "2026-03-05",
            decision=Decision.RETURN,
            opinion="请重新核实经营面积",
            return_to=handling.pk,
        )

        approval.refresh_from_db()
        assert approval.status == StepStatus.RETURNED
        assert approval.decision == Decision.RETURN
        assert approval.finished_by == personas.department_head
        # The first pass is kept: 承办 and 审核 stay done with their opinions.
        handling.refresh_from_db()
        assert handling.status == StepStatus.DONE and handling.finished_by == other
        assert step_named(case, "审核").status == StepStatus.WAITING  # the new row
        assert case.steps.filter(name="审核", status=StepStatus.DONE).count() == 1
        # New rows for 承办, 审核, 批准; 承办 re-activated for the handler who did it.
        assert case.steps.count() == rows_before + 3
        again = active_step(case)
        assert again.name == "承办" and again.pk != handling.pk
        assert again.assignee == other
        assert again.started_on == dt.date(2026, 3, 5)
        # 8 working days from Thu 5 March: Tue 17 March.
        assert again.due_on == dt.date(2026, 3, 17)
        statuses = list(case.steps.order_by("order", "id").values_list("name", "status"))
        assert statuses == [
            ("受理", StepStatus.DONE),
            ("承办", StepStatus.DONE),
            ("承办", StepStatus.ACTIVE),
            ("审核", StepStatus.DONE),
            ("审核", StepStatus.WAITING),
            ("批准", StepStatus.RETURNED),
            ("批准", StepStatus.WAITING),
            ("办结", StepStatus.WAITING),
        ]
        case.refresh_from_db()
        assert case.proposed_outcome == ""  # the denial proposal goes back with it
        event = case.timeline.get(action="return")
        assert event.detail["to"] == "承办" and event.opinion == "请重新核实经营面积"
        assert AuditRecord.objects.filter(object_id=str(case.pk), action="case.return").exists()
        assert (
            OutboxMessage.objects.filter(
                case=case, template="case.step_assigned", recipient=other
            ).count()
            == 2
        )

        # The second pass runs to the end.
        advance(other, case, "承办", "2026-03-06")
        advance(personas.section_head, case, "审核", "2026-03-09")
        advance(personas.department_head, case, "批准", "2026-03-10")
        assert active_step(case).name == "办结"

    def test_it_refuses_a_return_to_a_wrong_step(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        advance(personas.handler, case, "承办", "2026-03-03")
        intake = step_named(case, "受理")
        later = step_named(case, "批准")
        current = step_named(case, "审核")
        for target in (intake.pk, later.pk, current.pk, None):
            with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
                advance(
                    personas.section_head,
                    case,
                    "审核",
                    "2026-03-04",
                    decision=Decision.RETURN,
                    opinion="退回",
                    return_to=target,
                )
            assert set(refused.value.fields) == {"return_to"}
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            advance(
                personas.section_head,
                case,
                "审核",
                "2026-03-04",
                decision=Decision.RETURN,
                opinion="",
                return_to=step_named(case, "承办").pk,
            )
        assert set(refused.value.fields) == {"opinion"}

    def test_it_refuses_to_advance_the_final_step(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        to_final_step(personas, case)
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            advance(personas.handler, case, "办结", "2026-03-06")

    def test_it_refuses_a_step_already_done(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        done = active_step(case)
        advance(personas.handler, case, "承办", "2026-03-03")
        with nothing_changes(case), pytest.raises(Conflict):
            services.advance_step(
                actor=personas.handler,
                case=case,
                step_id=done.pk,
                decision=Decision.AGREE,
                at=at("2026-03-03", 11),
            )


class TestComplete:
    def test_it_completes_approved_with_the_certificate_number(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        to_final_step(personas, case)
        final = active_step(case)

        services.complete_case(
            actor=personas.handler,
            case=case,
            step_id=final.pk,
            outcome=Outcome.APPROVED,
            certificate_number=" JY16205020001234 ",
            at=at("2026-03-06", 15),
        )

        case.refresh_from_db()
        assert case.status == CaseStatus.COMPLETED
        assert case.outcome == Outcome.APPROVED
        assert case.certificate_number == "JY16205020001234"
        assert case.completed_on == dt.date(2026, 3, 6)
        assert case.closed_at == at("2026-03-06", 15)
        assert case.terminated_on is None
        assert case.deadline == dt.date(2026, 3, 23)
        assert case.next_check_on is None
        final.refresh_from_db()
        assert final.status == StepStatus.DONE and final.finished_by == personas.handler
        assert not case.steps.filter(status__in=[StepStatus.ACTIVE, StepStatus.WAITING]).exists()
        audit = AuditRecord.objects.get(object_id=str(case.pk), action="case.complete")
        assert audit.after["status"] == CaseStatus.COMPLETED
        sms = OutboxMessage.objects.get(case=case, template="case.completed")
        assert "JY16205020001234" in sms.body and sms.address == "13912341234"

    def test_it_completes_denied_only_with_reasons(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        to_final_step(personas, case)
        final = active_step(case)
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            services.complete_case(
                actor=personas.handler,
                case=case,
                step_id=final.pk,
                outcome=Outcome.DENIED,
                at=at("2026-03-06"),
            )
        assert set(refused.value.fields) == {"opinion"}
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            services.complete_case(
                actor=personas.handler,
                case=case,
                step_id=final.pk,
                outcome="maybe",
                at=at("2026-03-06"),
            )
        assert set(refused.value.fields) == {"outcome"}

        services.complete_case(
            actor=personas.handler,
            case=case,
            step_id=final.pk,
            outcome=Outcome.DENIED,
            opinion="经营场所不符合食品安全要求",
            certificate_number="JY1",
            at=at("2026-03-06"),
        )

        case.refresh_from_db()
        assert case.status == CaseStatus.COMPLETED and case.outcome == Outcome.DENIED
        assert case.certificate_number == ""  # a denial issues no certificate
        assert case.result_note == "经营场所不符合食品安全要求"

    def test_it_refuses_to_complete_from_a_step_that_is_not_the_last(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.complete_case(
                actor=personas.handler,
                case=case,
                step_id=active_step(case).pk,
                outcome=Outcome.APPROVED,
                at=at("2026-03-03"),
            )

    def test_it_refuses_the_clerk_and_an_outsider(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        with nothing_changes(case), pytest.raises(PermissionDenied):
            advance(personas.outsider, case, "承办", "2026-03-03")
        to_final_step(personas, case)
        final = active_step(case)
        for actor in (personas.window_clerk, personas.outsider, personas.supervisor):
            with nothing_changes(case), pytest.raises(PermissionDenied):
                services.complete_case(
                    actor=actor,
                    case=case,
                    step_id=final.pk,
                    outcome=Outcome.APPROVED,
                    at=at("2026-03-06"),
                )

    def test_it_refuses_every_step_action_once_completed(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        to_final_step(personas, case)
        final = active_step(case)
        services.complete_case(
            actor=personas.handler,
            case=case,
            step_id=final.pk,
            outcome=Outcome.APPROVED,
            at=at("2026-03-06"),
        )
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.complete_case(
                actor=personas.handler,
                case=case,
                step_id=final.pk,
                outcome=Outcome.APPROVED,
                at=at("2026-03-07"),
            )
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.claim_step(
                actor=personas.handler, case=case, step_id=final.pk, at=at("2026-03-07")
            )


class TestImmediate:
    def test_it_decides_an_immediate_item_on_the_spot(self, personas, items):
        case = receive(personas, items.immediate, at("2026-04-03", 9))

        services.handle_immediately(
            actor=personas.window_clerk,
            case=case,
            outcome=Outcome.APPROVED,
            opinion="名称可用",
            at=at("2026-04-03", 9, 20),
        )

        case.refresh_from_db()
        assert case.status == CaseStatus.COMPLETED
        assert case.accepted_on == case.deadline == case.completed_on == dt.date(2026, 4, 3)
        assert case.outcome == Outcome.APPROVED
        assert case.next_check_on is None
        steps = list(
            case.steps.order_by("order", "id").values_list("name", "status", "finished_by")
        )
        assert steps == [
            ("受理", StepStatus.DONE, personas.window_clerk.pk),
            ("办结", StepStatus.DONE, personas.window_clerk.pk),
        ]
        assert list(case.timeline.values_list("action", flat=True)) == [
            "receive",
            "handle_immediately",
        ]
        assert AuditRecord.objects.filter(
            object_id=str(case.pk), action="case.handle_immediately"
        ).exists()
        assert OutboxMessage.objects.filter(case=case, template="case.completed").count() == 1

    def test_it_refuses_an_item_that_is_not_immediate(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02"))
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.handle_immediately(
                actor=personas.window_clerk,
                case=case,
                outcome=Outcome.APPROVED,
                at=at("2026-03-02"),
            )

    def test_it_refuses_a_handler_and_missing_materials(self, personas, items):
        case = receive(personas, items.immediate, at("2026-03-02"), materials=[])
        with nothing_changes(case), pytest.raises(PermissionDenied):
            services.handle_immediately(
                actor=personas.handler, case=case, outcome=Outcome.APPROVED, at=at("2026-03-02")
            )
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            services.handle_immediately(
                actor=personas.window_clerk,
                case=case,
                outcome=Outcome.APPROVED,
                at=at("2026-03-02"),
            )
        assert set(refused.value.fields) == {"materials"}


class TestJoint:
    def test_it_runs_the_assisting_department_first_with_its_own_limit(self, personas, items):
        case = accepted(personas, items.joint, at("2026-03-02"))

        case.refresh_from_db()
        # 20 working days from Monday 2 March: Monday 30 March.
        assert case.deadline == dt.date(2026, 3, 30)
        assert case.extension_cap == 15
        assist = active_step(case)
        assert assist.kind == StepKind.ASSIST
        assert assist.department == personas.org.land
        assert assist.limit_days == 6
        # 6 working days from Monday 2 March: Tuesday 10 March.
        assert assist.due_on == dt.date(2026, 3, 10)
        assert assist.assignee == personas.outsider  # the only handler of ZRZY
        lead = step_named(case, "承办")
        assert lead.status == StepStatus.WAITING and lead.order > assist.order
        assert case.next_check_on == dt.date(2026, 3, 11)
        assert OutboxMessage.objects.filter(
            case=case, template="case.step_assigned", recipient=personas.outsider
        ).exists()

        # The lead department can neither take the assisting step nor skip it.
        with nothing_changes(case), pytest.raises(PermissionDenied):
            services.advance_step(
                actor=personas.handler,
                case=case,
                step_id=assist.pk,
                decision=Decision.AGREE,
                at=at("2026-03-03"),
            )
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            advance(personas.handler, case, "承办", "2026-03-03")
        # An assisting department gives its opinion; it does not return the case.
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.advance_step(
                actor=personas.outsider,
                case=case,
                step_id=assist.pk,
                decision=Decision.RETURN,
                opinion="退回",
                return_to=step_named(case, "受理").pk,
                at=at("2026-03-03"),
            )

        services.advance_step(
            actor=personas.outsider,
            case=case,
            step_id=assist.pk,
            decision=Decision.AGREE,
            opinion="符合规划要求",
            at=at("2026-03-05"),
        )

        assist.refresh_from_db()
        assert assist.status == StepStatus.DONE and assist.opinion == "符合规划要求"
        lead.refresh_from_db()
        assert lead.status == StepStatus.ACTIVE
        assert lead.assignee == personas.handler
        assert lead.started_on == dt.date(2026, 3, 5)
        # 8 working days from Thursday 5 March: Tuesday 17 March.
        assert lead.due_on == dt.date(2026, 3, 17)
        case.refresh_from_db()
        assert case.next_check_on == dt.date(2026, 3, 18)
