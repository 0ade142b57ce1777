"""A case's steps: the item's process instantiated on acceptance (the intake
step, the assisting departments of a joint item, the lead department's steps), the
handlers planned for them, and starting and finishing steps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.accounts.roles import RoleCode
from tongban.catalog.models import HandlingType, Item, StaffAssignment
from tongban.core.clock import local_date
from tongban.core.errors import ActionNotAllowed
from tongban.workcalendar.calendar import get_calendar

from .. import clock
from ..models import Case, CaseStep, Decision, StepKind, StepStatus
from ._write import _touch
from .notifications import _candidates, _notify_step


def _activate(case: Case, step: CaseStep, at: dt.datetime, *, assignee: User | None = None) -> None:
    """Start ``step``: its clock, its handler (the only named or eligible person, or
    the department queue) and the handler's SMS."""
    calendar = get_calendar()
    today = local_date(at)
    step.status = StepStatus.ACTIVE
    step.started_at = at
    step.started_on = today
    step.suspended_days = 0
    step.due_on = clock.step_due(today, step.limit_days, 0, calendar)
    planned = step.assignee if step.assignee_id else None
    if assignee is None and planned is not None and planned.is_active:
        # Chosen when the case was accepted (the only person who could take it).
        candidates = [planned]
    else:
        candidates = _candidates(step)
        if assignee is not None and assignee.pk in {u.pk for u in candidates}:
            candidates = [assignee]
    step.assignee = candidates[0] if len(candidates) == 1 else None
    step.claimed_at = at if step.assignee else None
    _touch(case, step)
    _notify_step(case, step, at, to=candidates)


def _finish(
    case: Case, step: CaseStep, actor: User | None, at: dt.datetime, decision: str, opinion: str
) -> None:
    step.status = StepStatus.DONE
    step.finished_at = at
    step.finished_on = local_date(at)
    step.finished_by = actor
    step.decision = decision
    step.opinion = opinion
    if step.assignee_id is None and actor is not None:
        step.assignee = actor
    _touch(case, step)


def _instantiate_process(
    case: Case, item: Item, actor: User | None, at: dt.datetime
) -> list[CaseStep]:
    """The item's process as this case's steps: the intake step (受理) done by the
    acceptance itself, the assisting departments (joint items) in parallel, then the
    lead department's steps in order."""
    process = list(item.steps.select_related("department").order_by("order", "id"))
    assisting = (
        list(item.assisting.select_related("department"))
        if item.handling_type == HandlingType.JOINT
        else []
    )
    rows: list[CaseStep] = []
    order = 0
    intake = process[0] if process and process[0].role == RoleCode.WINDOW_CLERK else None
    if intake is not None:
        process = process[1:]
        rows.append(
            CaseStep(
                case=case,
                order=order,
                kind=StepKind.LEAD,
                name=intake.name,
                role=intake.role,
                department=case.hall or intake.department or item.department,
                process_step=intake,
                status=StepStatus.DONE,
                assignee=actor,
                started_at=at,
                started_on=local_date(at),
                finished_at=at,
                finished_on=local_date(at),
                finished_by=actor,
                decision=Decision.AGREE,
            )
        )
    order = 1
    for assist in assisting:
        rows.append(
            CaseStep(
                case=case,
                order=order,
                kind=StepKind.ASSIST,
                name=_("Joint review: %(dept)s") % {"dept": assist.department.name},
                role=RoleCode.HANDLER,
                department=assist.department,
                limit_days=assist.limit_days,
                status=StepStatus.WAITING,
            )
        )
    if assisting:
        order += 1
    for spec in process:
        rows.append(
            CaseStep(
                case=case,
                order=order,
                kind=StepKind.LEAD,
                name=spec.name,
                role=spec.role,
                department=spec.department or item.department,
                process_step=spec,
                limit_days=spec.limit_days,
                status=StepStatus.WAITING,
            )
        )
        order += 1
    if not any(r.status == StepStatus.WAITING for r in rows):
        raise ActionNotAllowed(
            _("Item %(code)s has no process to handle cases with.") % {"code": item.code}
        )
    _plan_assignees(rows)
    rows = CaseStep.objects.bulk_create(rows)
    case.__dict__["_locked_steps"] = rows
    return rows


def _plan_assignees(steps: list[CaseStep]) -> None:
    """Give each waiting step its handler when only one person may take it (named on
    the item's step, or the only holder of the role in the department) — three
    queries for the whole process, instead of one per step as it starts. A planned
    handler whose account is disabled by then is replaced when the step starts."""
    waiting = [s for s in steps if s.status == StepStatus.WAITING]
    if not waiting:
        return
    where = Q()
    for path in {s.department.path for s in waiting}:
        where |= Q(user__department__path__startswith=path)
        where |= Q(user__section__path__startswith=path)
    query = (
        User.roles.through.objects.filter(
            user__is_active=True, role__code__in={s.role for s in waiting}
        )
        .filter(where)
        .values_list("user_id", "role__code", "user__department__path", "user__section__path")
    )
    named: dict[int, set[int]] = {}
    process_ids = [s.process_step_id for s in waiting if s.process_step_id]
    for step_id, user_id in StaffAssignment.objects.filter(step_id__in=process_ids).values_list(
        "step_id", "user_id"
    ):
        named.setdefault(step_id, set()).add(user_id)
    holders = list(query)
    chosen: dict[int, int] = {}
    for step in waiting:
        path = step.department.path
        eligible = {
            user_id
            for user_id, role, department, section in holders
            if role == step.role
            and ((department or "").startswith(path) or (section or "").startswith(path))
        }
        if step.process_step_id in named:
            eligible &= named[step.process_step_id]
        if len(eligible) == 1:
            chosen[id(step)] = next(iter(eligible))
    users = User.objects.in_bulk(set(chosen.values())) if chosen else {}
    for step in waiting:
        if id(step) in chosen:
            step.assignee = users[chosen[id(step)]]


def _start_next(case: Case, steps: list[CaseStep], at: dt.datetime) -> list[CaseStep]:
    """Activate what comes next: every waiting step of the lowest waiting order (all
    the assisting departments at once, or one lead step). Returns the active steps."""
    active = [s for s in steps if s.status == StepStatus.ACTIVE]
    if active:
        return active
    waiting = [s for s in steps if s.status == StepStatus.WAITING]
    if not waiting:
        return []
    first = min(s.order for s in waiting)
    started = []
    for step in waiting:
        if step.order == first:
            _activate(case, step, at)
            started.append(step)
    return started


def _days_used(step: CaseStep) -> dict[str, Any]:
    if step.started_on is None or step.finished_on is None:
        return {}
    used = get_calendar().wd(step.started_on, step.finished_on) - step.suspended_days
    return {"days_used": max(0, used), "days_allowed": step.limit_days}
