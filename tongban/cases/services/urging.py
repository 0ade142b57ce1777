"""Urging a case (催办) and the staff's saved opinion phrases (常用意见)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.accounts.roles import RoleCode
from tongban.core.clock import local_date
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.notify.services import notify_staff

from .. import policy
from ..models import Case, OpinionTemplate, StepStatus, Urging
from ..policy import Action
from ._write import (
    Conflict,
    _lock,
    _record,
    _relation,
    _require_staff,
    _required_text,
    _snapshot,
    _steps,
)
from .notifications import _candidates


@transaction.atomic
def urge_case(
    *,
    actor: User | None,
    case: Case,
    message: str,
    at: dt.datetime,
    step_id: int | None = None,
) -> list[Urging]:
    """催办 by a supervisor (any case) or the department head (their department's
    steps): one urging record per active step, each sent to its handler (or, for a
    step still in the queue, to those who may take it)."""
    case = _lock(case)
    policy.require(Action.URGE, _relation(actor, case))
    message = _required_text(message, "message", _("Write the urging message."), limit=300)
    steps = [s for s in _steps(case) if s.status == StepStatus.ACTIVE]
    if step_id is not None:
        steps = [s for s in steps if s.pk == step_id]
        if not steps:
            raise Conflict(_("That step is no longer active; reload the case."))
    if actor is not None and not actor.has_role(RoleCode.SUPERVISOR):
        # A department head urges their own department's steps (of the chosen one).
        steps = [s for s in steps if policy.is_head_of(actor, s.department)]
        if not steps:
            raise PermissionDenied(_("Supervisors and department heads urge cases."))
    before = _snapshot(case)
    today = local_date(at)
    urgings = []
    for step in steps:
        targets = [step.assignee] if step.assignee_id else _candidates(step)
        urgings.append(
            Urging.objects.create(
                case=case,
                step=step,
                urged_by=actor,
                urged_user=step.assignee,
                department=step.department,
                automatic=actor is None,
                message=message,
                at=at,
                on=today,
            )
        )
        notify_staff(
            targets,
            template="case.urged",
            body=_("Urging on case %(number)s (%(step)s, due %(due)s): %(message)s")
            % {
                "number": case.number,
                "step": step.name,
                "due": (step.due_on or case.deadline or "—"),
                "message": message,
            },
            at=at,
            case=case,
        )
    case.version += 1
    case.save(update_fields=["version"])
    _record(
        case,
        actor=actor,
        action="urge",
        at=at,
        before=before,
        opinion=message,
        steps=[s.name for s in steps],
    )
    return urgings


@transaction.atomic
def save_opinion_template(
    *, actor: User, text: str, at: dt.datetime, template: OpinionTemplate | None = None
) -> OpinionTemplate:
    """Add or edit one of the actor's own saved phrases (常用意见). ``at``: the one
    dialect of the services (a phrase keeps no time of its own)."""
    _require_staff(actor)
    text = _required_text(text, "text", _("Write the phrase."), limit=300)
    if template is not None and template.user_id != actor.pk:
        raise NotFound()
    others = OpinionTemplate.objects.filter(user=actor, text=text)
    if template is not None:
        others = others.exclude(pk=template.pk)
    if others.exists():
        message = _("You already have this phrase.")
        raise ValidationFailed(message, fields={"text": [message]})
    if template is None:
        order = OpinionTemplate.objects.filter(user=actor).count()
        template = OpinionTemplate.objects.create(user=actor, text=text, order=order)
    else:
        template.text = text
        template.save(update_fields=["text"])
    return template


@transaction.atomic
def delete_opinion_template(*, actor: User, template: OpinionTemplate, at: dt.datetime) -> None:
    if template.user_id != actor.pk:
        raise NotFound()
    template.delete()
