"""The workflow of an accepted case: claiming a step from the queue (签收),
assigning it (派件), finishing it with an opinion, and returning to an earlier step
(退回).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.accounts.roles import RoleCode
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed

from .. import policy
from ..access import may_act_on_step, works_in
from ..models import Case, CaseStep, Decision, Outcome, StepKind, StepStatus
from ..policy import Action
from ._write import (
    Conflict,
    _lock,
    _record,
    _refuse,
    _relation,
    _save,
    _snapshot,
    _steps,
)
from .notifications import _notify_step
from .steps import _activate, _days_used, _finish, _start_next


def _step_for_action(
    case: Case, steps: list[CaseStep], step_id: int, actor: User | None
) -> CaseStep:
    """The active step ``step_id``, which ``actor`` holds or may take from the queue.
    A step already handled by somebody else is a conflict."""
    step = next((s for s in steps if s.pk == step_id), None)
    if step is None:
        raise NotFound()
    if step.status == StepStatus.WAITING:
        _refuse(_("“%(step)s” has not started yet.") % {"step": step.name})
    if step.status != StepStatus.ACTIVE:
        who = step.finished_by.display_name if step.finished_by else _("somebody else")
        raise Conflict(
            _("“%(step)s” has already been handled by %(who)s; reload the case.")
            % {"step": step.name, "who": who}
        )
    if actor is None:
        return step
    if step.assignee_id is not None and step.assignee_id != actor.pk:
        if may_act_on_step(actor, step):
            raise Conflict(
                _("“%(step)s” has been claimed by %(who)s.")
                % {"step": step.name, "who": step.assignee.display_name if step.assignee else ""}
            )
        raise PermissionDenied(_("This step is not yours to handle."))
    if step.assignee_id is None and not may_act_on_step(actor, step):
        raise PermissionDenied(_("This step is not yours to handle."))
    return step


@transaction.atomic
def claim_step(*, actor: User, case: Case, step_id: int, at: dt.datetime) -> CaseStep:
    """Take a step from the department queue (签收)."""
    case = _lock(case)
    rel = _relation(actor, case)
    policy.require_state(Action.CLAIM, rel)
    steps = _steps(case)
    step = _step_for_action(case, steps, step_id, actor)
    if step.assignee_id == actor.pk:
        raise Conflict(_("You have already claimed this step."))
    policy.require_who(Action.CLAIM, rel)
    before = _snapshot(case)
    step.assignee = actor
    step.claimed_at = at
    step.save(update_fields=["assignee", "claimed_at"])
    case.version += 1
    case.save(update_fields=["version"])
    _record(case, actor=actor, action="claim", at=at, before=before, step=step)
    return step


@transaction.atomic
def assign_step(
    *, actor: User, case: Case, step_id: int, assignee: User, at: dt.datetime
) -> CaseStep:
    """派件 / 改派: a department or section head gives an active step to one of the
    people who may handle it."""
    case = _lock(case)
    rel = _relation(actor, case)
    policy.require_state(Action.ASSIGN, rel)
    steps = _steps(case)
    step = next((s for s in steps if s.pk == step_id), None)
    if step is None:
        raise NotFound()
    if step.status != StepStatus.ACTIVE:
        raise Conflict(_("“%(step)s” is no longer active; reload the case.") % {"step": step.name})
    policy.require_who(Action.ASSIGN, rel)
    # The table asks for a head where some step is active; this step must be theirs.
    if actor is not None and not works_in(actor, step.department):
        raise PermissionDenied(_("Only the head of the step's department assigns it."))
    if not may_act_on_step(assignee, step):
        message = _("%(name)s may not handle “%(step)s”.") % {
            "name": assignee.display_name,
            "step": step.name,
        }
        raise ValidationFailed(message, fields={"assignee": [message]})
    before = _snapshot(case)
    previous = step.assignee.display_name if step.assignee else ""
    step.assignee = assignee
    step.claimed_at = at
    step.save(update_fields=["assignee", "claimed_at"])
    case.version += 1
    case.save(update_fields=["version"])
    _record(
        case,
        actor=actor,
        action="assign",
        at=at,
        before=before,
        step=step,
        assignee=assignee.display_name,
        previous=previous,
    )
    _notify_step(case, step, at, to=[assignee])
    return step


@transaction.atomic
def advance_step(
    *,
    actor: User | None,
    case: Case,
    step_id: int,
    decision: str,
    at: dt.datetime,
    opinion: str = "",
    return_to: int | None = None,
) -> Case:
    """Finish a step with an opinion: agree (the proposal so far stands), propose
    denial (拟不予), or return to an earlier step of the lead department (退回,
    ``return_to`` its step id). The final step is finished by ``complete_case``."""
    case = _lock(case)
    rel = _relation(actor, case)
    policy.require_state(Action.ADVANCE, rel)
    steps = _steps(case)
    step = _step_for_action(case, steps, step_id, actor)
    # The last step is completed with the outcome, not passed on (nor returned).
    if policy.is_final(step, steps):
        _refuse(
            _("“%(step)s” is the final step: complete the case with its outcome.")
            % {"step": step.name}
        )
    policy.require_who(Action.ADVANCE, rel)
    if decision not in Decision.values:
        message = _("Choose agree, return or propose denial.")
        raise ValidationFailed(message, fields={"decision": [message]})
    opinion = (opinion or "").strip()
    if decision != Decision.AGREE and not opinion:
        message = _("Write the opinion: why it is returned or denied.")
        raise ValidationFailed(message, fields={"opinion": [message]})
    before = _snapshot(case)
    if decision == Decision.RETURN:
        return _return(case, steps, step, actor, at, opinion, return_to, before)
    _finish(case, step, actor, at, decision, opinion)
    fields = []
    if decision == Decision.PROPOSE_DENIAL:
        case.proposed_outcome = Outcome.DENIED
        fields.append("proposed_outcome")
    elif not case.proposed_outcome:
        case.proposed_outcome = Outcome.APPROVED
        fields.append("proposed_outcome")
    started = _start_next(case, steps, at)
    _save(case, fields, steps=started)
    _record(
        case,
        actor=actor,
        action="advance",
        at=at,
        before=before,
        step=step,
        opinion=opinion,
        decision=decision,
        next=[s.name for s in started if s.pk != step.pk],
        **_days_used(step),
    )
    return case


def _return(
    case: Case,
    steps: list[CaseStep],
    step: CaseStep,
    actor: User | None,
    at: dt.datetime,
    opinion: str,
    return_to: int | None,
    before: dict[str, Any],
) -> Case:
    if step.kind != StepKind.LEAD:
        _refuse(_("An assisting department gives its opinion; it does not return the case."))
    target = next((s for s in steps if s.pk == return_to), None)
    if (
        target is None
        or target.kind != StepKind.LEAD
        or target.status != StepStatus.DONE
        or target.order >= step.order
        or target.role == RoleCode.WINDOW_CLERK
    ):
        message = _("Choose an earlier step of the lead department to return to.")
        raise ValidationFailed(message, fields={"return_to": [message]})
    _finish(case, step, actor, at, Decision.RETURN, opinion)
    step.status = StepStatus.RETURNED
    # Fresh rows for the steps to do again keep the record of the first pass intact.
    template = {s.order: s for s in steps if s.kind == StepKind.LEAD}
    again = [
        CaseStep(
            case=case,
            order=order,
            kind=StepKind.LEAD,
            name=template[order].name,
            role=template[order].role,
            department=template[order].department,
            process_step=template[order].process_step,
            limit_days=template[order].limit_days,
            status=StepStatus.WAITING,
            # The same people do the steps again.
            assignee_id=template[order].finished_by_id or template[order].assignee_id,
        )
        for order in sorted(template)
        if target.order <= order <= step.order
    ]
    again = CaseStep.objects.bulk_create(again)
    steps.extend(again)
    first = again[0]
    _activate(case, first, at, assignee=target.finished_by)
    if case.proposed_outcome == Outcome.DENIED:
        case.proposed_outcome = ""
    _save(case, ["proposed_outcome"], steps=[first])
    _record(
        case,
        actor=actor,
        action="return",
        at=at,
        before=before,
        step=step,
        opinion=opinion,
        to=target.name,
    )
    return case
