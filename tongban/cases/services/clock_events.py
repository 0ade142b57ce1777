"""What stops or moves the clock of an accepted case: the special procedures
(特别程序, a suspension), ending a suspension, and extensions (延期) asked for by the
handler and decided by the department head.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.accounts.roles import RoleCode
from tongban.catalog.models import ItemSpecialProcedure
from tongban.core.clock import local_date
from tongban.core.errors import NotFound, ValidationFailed
from tongban.notify.services import notify_staff
from tongban.workcalendar.calendar import get_calendar

from .. import clock, policy
from ..models import (
    Case,
    CaseStatus,
    Extension,
    ExtensionStatus,
    StepStatus,
    Suspension,
    SuspensionKind,
)
from ..policy import Action
from ._supervision import _resolve_alerts
from ._write import (
    Conflict,
    _lock,
    _record,
    _refuse,
    _relation,
    _required_text,
    _save,
    _snapshot,
    _steps,
    _touch,
)
from .notifications import _day, _notify_applicant


def _end_suspension(case: Case, suspension: Suspension, at: dt.datetime) -> int:
    """Close the suspension; its working days move the deadline and the active
    steps' due dates."""
    calendar = get_calendar()
    today = local_date(at)
    days = calendar.wd(suspension.started_on, today)
    suspension.ended_at = at
    suspension.ended_on = today
    suspension.days = days
    _resolve_alerts(case, "special_overrun", at)
    suspension.save(update_fields=["ended_at", "ended_on", "days"])
    case.suspended_days += days
    case.status = CaseStatus.IN_PROGRESS
    for step in _steps(case):
        if step.status == StepStatus.ACTIVE and step.started_on is not None:
            step.suspended_days += days
            step.due_on = clock.step_due(
                step.started_on, step.limit_days, step.suspended_days, calendar
            )
            _touch(case, step)
    return days


@transaction.atomic
def suspend_case(
    *, actor: User | None, case: Case, procedure: str, reason: str, at: dt.datetime
) -> Case:
    """特别程序: the clock stops for a hearing, expert review, testing … (Art. 45);
    the procedure has its own limit, supervised."""
    case = _lock(case)
    policy.require(Action.SUSPEND, _relation(actor, case))
    reason = _required_text(reason, "reason", _("Give the reason for the special procedure."))
    configured = {
        p.kind: p.limit_days for p in ItemSpecialProcedure.objects.filter(item_id=case.item_id)
    }
    if procedure not in configured:
        message = _("This item does not provide for this special procedure.")
        raise ValidationFailed(message, fields={"procedure": [message]})
    before = _snapshot(case)
    today = local_date(at)
    limit = configured[procedure]
    suspension = Suspension.objects.create(
        case=case,
        kind=SuspensionKind.SPECIAL_PROCEDURE,
        procedure=procedure,
        reason=reason,
        limit_days=limit,
        started_at=at,
        started_on=today,
        due_on=get_calendar().add(today, limit),
        started_by=actor,
    )
    case.status = CaseStatus.SUSPENDED
    _save(case, ["status"], suspension=suspension)
    _record(
        case,
        actor=actor,
        action="suspend",
        at=at,
        before=before,
        opinion=reason,
        procedure=procedure,
        limit_days=limit,
        due_on=suspension.due_on,
    )
    _notify_applicant(
        case,
        "case.suspended",
        _(
            "Application %(number)s: a special procedure (%(procedure)s) is needed; its time "
            "is not counted in the limit."
        )
        % {"number": case.number, "procedure": suspension.get_procedure_display()},
        at,
    )
    return case


@transaction.atomic
def resume_case(*, actor: User | None, case: Case, at: dt.datetime, note: str = "") -> Case:
    """The special procedure is over: the days it took move the deadline."""
    case = _lock(case)
    rel = _relation(actor, case)
    policy.require(Action.RESUME, rel)
    suspension = rel.suspension
    assert suspension is not None  # the table resumes only a special procedure
    before = _snapshot(case)
    days = _end_suspension(case, suspension, at)
    _save(case, ["status", "suspended_days"])
    _record(
        case,
        actor=actor,
        action="resume",
        at=at,
        before=before,
        opinion=note,
        suspended_days=days,
        deadline=case.deadline,
    )
    return case


@transaction.atomic
def request_extension(
    *, actor: User | None, case: Case, days: int, reason: str, at: dt.datetime
) -> Extension:
    """延期申请 by the handler; the department head decides (Art. 42)."""
    case = _lock(case)
    # Also refuses a second request while one waits (409) and a case with no days left.
    policy.require(Action.REQUEST_EXTENSION, _relation(actor, case))
    reason = _required_text(reason, "reason", _("Give the reason for the extension."))
    room = case.extension_cap - case.extension_days
    if not isinstance(days, int) or days < 1 or days > room:
        message = (
            _("The deadline can be extended by at most %(n)d more working days.") % {"n": room}
            if room > 0
            else _("The deadline of this case cannot be extended any further.")
        )
        raise ValidationFailed(message, fields={"days": [message]})
    before = _snapshot(case)
    extension = Extension.objects.create(
        case=case,
        days=days,
        reason=reason,
        status=ExtensionStatus.PENDING,
        requested_by=actor,
        requested_at=at,
    )
    case.version += 1
    case.save(update_fields=["version"])
    _record(
        case,
        actor=actor,
        action="request_extension",
        at=at,
        before=before,
        opinion=reason,
        days=days,
    )
    heads = User.objects.filter(
        is_active=True,
        roles__code=RoleCode.DEPARTMENT_HEAD,
        department__path__startswith=case.department.path,
    ).distinct()[:5]
    notify_staff(
        heads,
        template="case.extension_requested",
        body=_("Case %(number)s: extension of %(days)d working days requested: %(reason)s")
        % {"number": case.number, "days": days, "reason": reason[:100]},
        at=at,
        case=case,
    )
    return extension


@transaction.atomic
def decide_extension(
    *,
    actor: User | None,
    case: Case,
    extension_id: int,
    approve: bool,
    at: dt.datetime,
    note: str = "",
) -> Extension:
    case = _lock(case)
    rel = _relation(actor, case)
    policy.require_who(Action.DECIDE_EXTENSION, rel)
    extension = case.extensions.filter(pk=extension_id).first()
    if extension is None:
        raise NotFound()
    if extension.status != ExtensionStatus.PENDING:
        raise Conflict(_("This request has already been decided."))
    policy.require_state(Action.DECIDE_EXTENSION, rel)
    if approve and case.extension_days + extension.days > case.extension_cap:
        _refuse(_("The extension would exceed the statutory maximum."))
    before = _snapshot(case)
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by = actor
    extension.decided_at = at
    extension.decision_note = (note or "").strip()
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        case.extension_days += extension.days
        _save(case, ["extension_days"])
    else:
        case.version += 1
        case.save(update_fields=["version"])
    _record(
        case,
        actor=actor,
        action="approve_extension" if approve else "refuse_extension",
        at=at,
        before=before,
        opinion=note,
        days=extension.days,
        deadline=case.deadline,
    )
    if extension.requested_by_id:
        notify_staff(
            [extension.requested_by],
            template="case.extension_decided",
            body=(
                _("Case %(number)s: extension approved, new deadline %(due)s.")
                if approve
                else _("Case %(number)s: extension refused.")
            )
            % {"number": case.number, "due": case.deadline},
            at=at,
            case=case,
        )
    if approve:
        _notify_applicant(
            case,
            "case.extended",
            _("Application %(number)s: the time limit was extended to %(due)s.")
            % {"number": case.number, "due": _day(case.deadline)},
            at,
        )
    return extension
