"""Ending a case early (撤回, 终止), urging it (催办), and the rule that a closed case
refuses every action."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.accounts.roles import RoleCode
from tongban.audit.models import AuditRecord
from tongban.cases import services
from tongban.cases.models import CaseStatus, Decision, Outcome, StepStatus
from tongban.cases.services import MaterialIn
from tongban.cases.testing import accepted, active_step, at, receive
from tongban.core.errors import ActionNotAllowed, DomainError, PermissionDenied, ValidationFailed
from tongban.notify.models import Channel as NotifyChannel
from tongban.notify.models import OutboxMessage

from .support import market_user, nothing_changes


class TestWithdraw:
    def test_it_withdraws_before_acceptance_without_a_termination_date(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02"))

        services.withdraw_case(
            actor=personas.window_clerk, case=case, reason="申请人书面申请撤回", at=at("2026-03-03")
        )

        case.refresh_from_db()
        assert case.status == CaseStatus.WITHDRAWN
        assert case.terminated_on is None and case.accepted_on is None
        assert case.closed_at == at("2026-03-03")
        assert case.result_note == "申请人书面申请撤回"
        assert case.next_check_on is None
        assert case.timeline.get(action="withdraw").actor == personas.window_clerk
        assert AuditRecord.objects.filter(object_id=str(case.pk), action="case.withdraw").exists()
        sms = OutboxMessage.objects.get(case=case, template="case.withdraw")
        assert sms.address == "13912341234"

    def test_it_takes_an_online_withdrawal(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02"))
        services.withdraw_case(actor=None, case=case, reason="不再需要", at=at("2026-03-03"))
        case.refresh_from_db()
        assert case.status == CaseStatus.WITHDRAWN
        assert case.timeline.get(action="withdraw").actor is None

    def test_it_counts_a_withdrawal_after_acceptance_as_terminated(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))

        services.withdraw_case(
            actor=personas.department_head, case=case, reason="申请人撤回", at=at("2026-03-05")
        )

        case.refresh_from_db()
        assert case.status == CaseStatus.WITHDRAWN
        assert case.terminated_on == dt.date(2026, 3, 5)
        assert case.completed_on is None
        assert case.next_check_on is None
        statuses = set(case.steps.values_list("status", flat=True))
        assert statuses == {StepStatus.DONE, StepStatus.CANCELLED}

    def test_it_ends_an_open_suspension_when_withdrawn(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        services.suspend_case(
            actor=personas.handler,
            case=case,
            procedure="expert_review",
            reason="专家评审",
            at=at("2026-03-04"),
        )

        services.withdraw_case(
            actor=personas.window_clerk, case=case, reason="申请人撤回", at=at("2026-03-06")
        )

        case.refresh_from_db()
        suspension = case.suspensions.get()
        assert suspension.ended_on == dt.date(2026, 3, 6) and suspension.days == 2
        assert case.suspended_days == 2
        assert case.status == CaseStatus.WITHDRAWN

    def test_it_refuses_a_handler_and_a_missing_reason(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        for actor in (personas.handler, personas.outsider, personas.supervisor):
            with nothing_changes(case), pytest.raises(PermissionDenied):
                services.withdraw_case(actor=actor, case=case, reason="撤回", at=at("2026-03-03"))
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            services.withdraw_case(
                actor=personas.window_clerk, case=case, reason="", at=at("2026-03-03")
            )
        assert set(refused.value.fields) == {"reason"}


class TestTerminate:
    def test_it_lets_the_department_head_terminate(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        for actor in (
            personas.handler,
            personas.section_head,
            personas.window_clerk,
            personas.supervisor,
            personas.outsider,
        ):
            with nothing_changes(case), pytest.raises(PermissionDenied):
                services.terminate_case(
                    actor=actor, case=case, reason="申请人已注销", at=at("2026-03-04")
                )

        services.terminate_case(
            actor=personas.department_head,
            case=case,
            reason="申请人营业执照已注销",
            at=at("2026-03-04"),
        )

        case.refresh_from_db()
        assert case.status == CaseStatus.TERMINATED
        assert case.terminated_on == dt.date(2026, 3, 4)
        assert case.result_note == "申请人营业执照已注销"
        assert case.next_check_on is None
        assert not case.steps.filter(status__in=[StepStatus.ACTIVE, StepStatus.WAITING]).exists()
        assert case.timeline.get(action="terminate").actor == personas.department_head
        audit = AuditRecord.objects.get(object_id=str(case.pk), action="case.terminate")
        assert audit.after["terminated_on"] == "2026-03-04"
        assert OutboxMessage.objects.filter(case=case, template="case.terminate").exists()

    def test_it_refuses_to_terminate_a_case_not_accepted(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02"))
        with nothing_changes(case), pytest.raises(ActionNotAllowed):
            services.terminate_case(
                actor=personas.department_head, case=case, reason="终止", at=at("2026-03-03")
            )


class TestUrge:
    def urge(self, actor, case, when="2026-03-10", message="请加快办理", **kw):
        return services.urge_case(actor=actor, case=case, message=message, at=at(when), **kw)

    @pytest.mark.parametrize("who", ["supervisor", "department_head"])
    def test_it_urges_the_handler_of_the_active_step(self, personas, items, who):
        case = accepted(personas, items.promised, at("2026-03-02"))
        step = active_step(case)
        actor = getattr(personas, who)

        (urging,) = self.urge(actor, case)

        assert urging.step == step
        assert urging.urged_user == personas.handler
        assert urging.urged_by == actor
        assert urging.department == personas.org.market
        assert not urging.automatic
        assert urging.on == dt.date(2026, 3, 10)
        assert urging.message == "请加快办理"
        sent = OutboxMessage.objects.filter(case=case, template="case.urged")
        assert set(sent.values_list("recipient", "channel")) == {
            (personas.handler.pk, NotifyChannel.SMS),
            (personas.handler.pk, NotifyChannel.INTERNAL),
        }
        assert all("请加快办理" in m.body and "2026-03-12" in m.body for m in sent)
        event = case.timeline.get(action="urge")
        assert event.actor == actor and event.detail["steps"] == ["承办"]
        assert AuditRecord.objects.filter(object_id=str(case.pk), action="case.urge").exists()

    def test_it_urges_those_who_may_take_a_step_still_in_the_queue(self, personas, items):
        other = market_user(personas, "handler2", RoleCode.HANDLER, "13800000012")
        case = accepted(personas, items.promised, at("2026-03-02"))
        (urging,) = self.urge(personas.supervisor, case)
        assert urging.urged_user is None
        recipients = OutboxMessage.objects.filter(case=case, template="case.urged")
        assert set(recipients.values_list("recipient", flat=True)) == {
            personas.handler.pk,
            other.pk,
        }

    def test_it_refuses_who_may_not_urge(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        for actor in (
            personas.handler,
            personas.section_head,
            personas.window_clerk,
            personas.outsider,
            personas.system_admin,
        ):
            with nothing_changes(case), pytest.raises(PermissionDenied):
                self.urge(actor, case)
        with nothing_changes(case), pytest.raises(ValidationFailed) as refused:
            self.urge(personas.supervisor, case, message=" ")
        assert set(refused.value.fields) == {"message"}

    def test_it_lets_a_head_urge_only_the_steps_of_their_department(self, personas, items):
        case = accepted(personas, items.joint, at("2026-03-02"))
        # Only the natural resources bureau's assisting step is active.
        with nothing_changes(case), pytest.raises(PermissionDenied):
            self.urge(personas.department_head, case)
        (urging,) = self.urge(personas.supervisor, case)
        assert urging.urged_user == personas.outsider
        assert urging.department == personas.org.land


# --- a closed case refuses every action -------------------------------------------------


def _completed(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    for actor, when in (
        (personas.handler, "2026-03-03"),
        (personas.section_head, "2026-03-04"),
        (personas.department_head, "2026-03-05"),
    ):
        services.advance_step(
            actor=actor,
            case=case,
            step_id=active_step(case).pk,
            decision=Decision.AGREE,
            at=at(when),
        )
    services.complete_case(
        actor=personas.handler,
        case=case,
        step_id=active_step(case).pk,
        outcome=Outcome.APPROVED,
        at=at("2026-03-06"),
    )
    return case


def _rejected(personas, items):
    case = receive(personas, items.promised, at("2026-03-02"))
    return services.reject_application(
        actor=personas.window_clerk, case=case, reasons="不符合", at=at("2026-03-03")
    )


def _withdrawn(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    return services.withdraw_case(
        actor=personas.window_clerk, case=case, reason="撤回", at=at("2026-03-03")
    )


def _terminated(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    return services.terminate_case(
        actor=personas.department_head, case=case, reason="终止", at=at("2026-03-03")
    )


def _every_action(personas, case):
    """Each service, called by the person who could do it on an open case."""
    step = case.steps.filter(name="承办").first()
    step_id = step.pk if step else 0
    when = at("2026-03-09")
    clerk, handler, head = personas.window_clerk, personas.handler, personas.department_head
    return {
        "accept": lambda: services.accept_case(actor=clerk, case=case, at=when),
        "reject": lambda: services.reject_application(
            actor=clerk, case=case, reasons="不符合", at=when
        ),
        "request_supplement": lambda: services.request_supplement(
            actor=clerk, case=case, items=["材料"], at=when
        ),
        "supplement": lambda: services.supplement_case(
            actor=clerk, case=case, materials=[MaterialIn(name="材料", pages=1)], at=when
        ),
        "handle_immediately": lambda: services.handle_immediately(
            actor=clerk, case=case, outcome=Outcome.APPROVED, at=when
        ),
        "claim": lambda: services.claim_step(actor=handler, case=case, step_id=step_id, at=when),
        "advance": lambda: services.advance_step(
            actor=handler, case=case, step_id=step_id, decision=Decision.AGREE, at=when
        ),
        "complete": lambda: services.complete_case(
            actor=handler, case=case, step_id=step_id, outcome=Outcome.APPROVED, at=when
        ),
        "suspend": lambda: services.suspend_case(
            actor=head, case=case, procedure="onsite_check", reason="核查", at=when
        ),
        "resume": lambda: services.resume_case(actor=head, case=case, at=when),
        "request_extension": lambda: services.request_extension(
            actor=head, case=case, days=3, reason="延期", at=when
        ),
        "withdraw": lambda: services.withdraw_case(actor=clerk, case=case, reason="撤回", at=when),
        "terminate": lambda: services.terminate_case(actor=head, case=case, reason="终止", at=when),
        "urge": lambda: services.urge_case(
            actor=personas.supervisor, case=case, message="催办", at=when
        ),
    }


@pytest.mark.parametrize("close", [_completed, _rejected, _withdrawn, _terminated])
def test_it_refuses_every_action_on_a_closed_case(personas, items, close):
    case = close(personas, items)
    case.refresh_from_db()
    assert not case.is_open
    for name, action in _every_action(personas, case).items():
        with nothing_changes(case), pytest.raises(DomainError) as refused:
            action()
        # Refused for the state (not for the actor or the input).
        assert isinstance(refused.value, ActionNotAllowed), name
