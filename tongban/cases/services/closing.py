"""How a case ends: completed by its final step (办结) or at the counter at once
(即办件), withdrawn by the applicant (撤回) or terminated by the head (终止).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.core.clock import local_date
from tongban.core.errors import ValidationFailed

from .. import policy
from ..models import (
    Case,
    CaseStatus,
    Decision,
    Outcome,
    StepStatus,
)
from ..policy import Action
from ._supervision import _cure
from ._write import (
    _lock,
    _open_suspension,
    _record,
    _refuse,
    _relation,
    _required_text,
    _save,
    _snapshot,
    _steps,
    _touch,
)
from .clock_events import _end_suspension
from .intake import missing_materials
from .notifications import _notify_applicant
from .steps import _days_used, _finish, _instantiate_process
from .workflow import _step_for_action


@transaction.atomic
def complete_case(
    *,
    actor: User | None,
    case: Case,
    step_id: int,
    outcome: str,
    at: dt.datetime,
    opinion: str = "",
    certificate_number: str = "",
) -> Case:
    """办结: the final step gives the decision — approved (准予, with the certificate
    number where the item issues one) or denied (不予, with reasons)."""
    case = _lock(case)
    rel = _relation(actor, case)
    policy.require_state(Action.COMPLETE, rel)
    steps = _steps(case)
    step = _step_for_action(case, steps, step_id, actor)
    if not policy.is_final(step, steps):
        _refuse(_("Only the final step completes the case."))
    policy.require_who(Action.COMPLETE, rel)
    _check_outcome(outcome, opinion, certificate_number)
    before = _snapshot(case)
    _finish(case, step, actor, at, Decision.AGREE, opinion.strip())
    _close_completed(case, at, outcome, opinion, certificate_number)
    _record(
        case,
        actor=actor,
        action="complete",
        at=at,
        before=before,
        step=step,
        opinion=opinion,
        outcome=outcome,
        certificate_number=certificate_number.strip(),
        **_days_used(step),
    )
    _notify_completed(case, at)
    return case


def _check_outcome(outcome: str, opinion: str, certificate_number: str) -> None:
    if outcome not in Outcome.values:
        message = _("Choose the outcome: approved or denied.")
        raise ValidationFailed(message, fields={"outcome": [message]})
    if outcome == Outcome.DENIED and not (opinion or "").strip():
        message = _("A denial needs its reasons in the opinion.")
        raise ValidationFailed(message, fields={"opinion": [message]})
    if len((certificate_number or "").strip()) > 80:
        message = _("At most %(n)d characters.") % {"n": 80}
        raise ValidationFailed(message, fields={"certificate_number": [message]})


def _close_completed(
    case: Case, at: dt.datetime, outcome: str, opinion: str, certificate_number: str
) -> None:
    case.status = CaseStatus.COMPLETED
    case.completed_on = local_date(at)
    case.closed_at = at
    case.outcome = outcome
    case.certificate_number = certificate_number.strip() if outcome == Outcome.APPROVED else ""
    case.result_note = (opinion or "").strip()
    _cancel_open_steps(case)
    _cure(case, at)
    _save(
        case,
        [
            "status",
            "accepted_on",
            "completed_on",
            "closed_at",
            "outcome",
            "certificate_number",
            "result_note",
        ],
        steps=[],
    )


def _cancel_open_steps(case: Case) -> None:
    for step in _steps(case):
        if step.status in (StepStatus.WAITING, StepStatus.ACTIVE):
            step.status = StepStatus.CANCELLED
            _touch(case, step)


def _notify_completed(case: Case, at: dt.datetime) -> None:
    if case.outcome == Outcome.APPROVED:
        text = _("Application %(number)s (%(item)s) is complete: approved.")
    else:
        text = _("Application %(number)s (%(item)s) is complete: not approved.")
    body = text % {"number": case.number, "item": case.item_name}
    if case.certificate_number:
        body += " " + _("Certificate number %(no)s.") % {"no": case.certificate_number}
    _notify_applicant(case, "case.completed", body, at)


@transaction.atomic
def handle_immediately(
    *,
    actor: User | None,
    case: Case,
    outcome: str,
    at: dt.datetime,
    opinion: str = "",
    certificate_number: str = "",
) -> Case:
    """即办件: accepted and decided in one sitting at the counter."""
    case = _lock(case)
    policy.require(Action.HANDLE_IMMEDIATELY, _relation(actor, case))
    missing = missing_materials(case)
    if missing:
        message = _("Materials are missing (%(names)s).") % {
            "names": "、".join(m.name for m in missing)
        }
        raise ValidationFailed(message, fields={"materials": [message]})
    _check_outcome(outcome, opinion, certificate_number)
    before = _snapshot(case)
    steps = _instantiate_process(case, case.item, actor, at)
    case.status = CaseStatus.IN_PROGRESS
    case.accepted_on = local_date(at)
    for step in steps:
        if step.status != StepStatus.DONE:
            step.started_at, step.started_on = at, local_date(at)
            _finish(case, step, actor, at, Decision.AGREE, opinion.strip())
    _close_completed(case, at, outcome, opinion, certificate_number)
    _record(
        case,
        actor=actor,
        action="handle_immediately",
        at=at,
        before=before,
        opinion=opinion,
        outcome=outcome,
        certificate_number=certificate_number.strip(),
    )
    _notify_completed(case, at)
    return case


@transaction.atomic
def withdraw_case(*, actor: User | None, case: Case, reason: str, at: dt.datetime) -> Case:
    """撤回 at the applicant's request (through the counter, or online: ``actor``
    None). After acceptance it counts as terminated on that day (statistics.md)."""
    case = _lock(case)
    policy.require(Action.WITHDRAW, _relation(actor, case))
    reason = _required_text(reason, "reason", _("Record why the application is withdrawn."))
    return _close_early(case, actor, at, CaseStatus.WITHDRAWN, "withdraw", reason)


@transaction.atomic
def terminate_case(*, actor: User | None, case: Case, reason: str, at: dt.datetime) -> Case:
    """终止: the department head ends an accepted case (the applicant died, the
    company was dissolved, the matter disappeared …)."""
    case = _lock(case)
    policy.require(Action.TERMINATE, _relation(actor, case))
    reason = _required_text(reason, "reason", _("Give the reason for terminating the case."))
    return _close_early(case, actor, at, CaseStatus.TERMINATED, "terminate", reason)


def _close_early(
    case: Case, actor: User | None, at: dt.datetime, status: str, action: str, reason: str
) -> Case:
    before = _snapshot(case)
    suspension = _open_suspension(case) if case.status == CaseStatus.SUSPENDED else None
    if suspension is not None:
        _end_suspension(case, suspension, at)
    case.status = status
    case.closed_at = at
    case.result_note = reason
    if case.accepted_on is not None:
        case.terminated_on = local_date(at)
    _cancel_open_steps(case)
    _cure(case, at)
    _save(
        case,
        ["status", "closed_at", "result_note", "terminated_on", "suspended_days"],
        steps=[],
    )
    _record(case, actor=actor, action=action, at=at, before=before, opinion=reason)
    _notify_applicant(
        case,
        f"case.{action}",
        _("Application %(number)s (%(item)s) has ended: %(status)s.")
        % {"number": case.number, "item": case.item_name, "status": case.get_status_display()},
        at,
    )
    return case
