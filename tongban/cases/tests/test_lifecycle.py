"""A promised case from the counter to completion, through the services."""

from __future__ import annotations

import datetime as dt

from tongban.audit.models import AuditRecord
from tongban.cases import services
from tongban.cases.models import CaseStatus, Decision, Outcome, StepStatus
from tongban.cases.testing import accepted, active_step, at
from tongban.notify.models import OutboxMessage


def test_it_runs_a_promised_case_from_acceptance_to_completion(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.accepted_on == dt.date(2026, 3, 2)
    # 15 working days after Monday 2 March 2026: Monday 23 March.
    assert case.deadline == dt.date(2026, 3, 23)
    step = active_step(case)
    assert step.name == "承办" and step.assignee == personas.handler
    assert step.due_on == dt.date(2026, 3, 12)

    services.advance_step(
        actor=personas.handler,
        case=case,
        step_id=step.pk,
        decision=Decision.AGREE,
        opinion="材料齐全，符合条件",
        at=at("2026-03-04"),
    )
    review = active_step(case)
    assert review.name == "审核" and review.assignee == personas.section_head
    services.advance_step(
        actor=personas.section_head,
        case=case,
        step_id=review.pk,
        decision=Decision.AGREE,
        at=at("2026-03-05"),
    )
    approve = active_step(case)
    services.advance_step(
        actor=personas.department_head,
        case=case,
        step_id=approve.pk,
        decision=Decision.AGREE,
        at=at("2026-03-06"),
    )
    final = active_step(case)
    assert final.name == "办结"
    services.complete_case(
        actor=personas.handler,
        case=case,
        step_id=final.pk,
        outcome=Outcome.APPROVED,
        certificate_number="JY16205020001234",
        at=at("2026-03-06", 15),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert case.completed_on == dt.date(2026, 3, 6)
    assert case.next_check_on is None
    assert not case.steps.filter(status=StepStatus.ACTIVE).exists()
    actions = list(case.timeline.values_list("action", flat=True))
    assert actions == ["receive", "accept", "advance", "advance", "advance", "complete"]
    assert AuditRecord.objects.filter(object_id=str(case.pk), action="case.complete").exists()
    applicant_sms = OutboxMessage.objects.filter(case=case, template="case.completed")
    assert applicant_sms.count() == 1
    assert applicant_sms.get().address == "13912341234"
