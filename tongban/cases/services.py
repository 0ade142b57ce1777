"""Every change to a case (the write path of DESIGN.md). Each use case is one
transaction that locks the case row, checks the actor's right and the state, changes
it, recomputes the deadline and ``next_check_on``, appends a timeline event and an
audit record, and writes the notifications to the outbox. A refusal raises a
``DomainError`` before anything is written, so a refused action changes nothing.

The clock is passed in (``at=``): histories can be simulated and tests need no
sleeping. Dates are local (Asia/Shanghai) dates of ``at``.

Two people acting on the same step at once: the case row lock serialises them; the
second finds the step already handled (or claimed) and gets a ``conflict`` error.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from tongban.accounts.models import Department, User
from tongban.accounts.roles import RoleCode
from tongban.audit.services import record_event
from tongban.catalog import validators
from tongban.catalog.formschema import validate_submission
from tongban.catalog.models import (
    HandlingType,
    Item,
    ItemSpecialProcedure,
    Material,
    StaffAssignment,
)
from tongban.catalog.rules import extension_cap as statutory_extension_cap
from tongban.core import files
from tongban.core.clock import local_date
from tongban.core.crypto import provider
from tongban.core.errors import ActionNotAllowed, NotFound, PermissionDenied, ValidationFailed
from tongban.notify.models import Channel as NotifyChannel
from tongban.notify.services import enqueue, notify_staff
from tongban.workcalendar.calendar import get_calendar

from . import clock
from .access import may_act_on_step, may_take_in, works_in
from .models import (
    ACCEPTED_OPEN_STATUSES,
    OPEN_STATUSES,
    ApplicantKind,
    Case,
    CaseCounter,
    CaseMaterial,
    CaseStatus,
    CaseStep,
    Channel,
    Decision,
    Extension,
    ExtensionStatus,
    IdType,
    MaterialSource,
    OpinionTemplate,
    Outcome,
    StepKind,
    StepStatus,
    SupplementRequest,
    Suspension,
    SuspensionKind,
    TimelineEvent,
    Urging,
)

QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class Conflict(ActionNotAllowed):
    """Somebody else acted first (the case changed under the caller)."""

    code = "conflict"


# --- input shapes ----------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantData:
    kind: str
    name: str
    id_type: str
    id_number: str
    mobile: str
    address: str = ""
    contact_name: str = ""


@dataclass
class MaterialIn:
    """A material handed in: ``material_id`` from the item's list (or ``name`` for an
    extra document), an ``upload`` (its pages are counted) or a paper copy with the
    ``pages`` the clerk counted."""

    material_id: int | None = None
    name: str = ""
    upload: Any = None
    pages: int | None = None
    copies: int = 1


@dataclass
class _Checked:
    material: Material | None
    name: str
    stored: Any
    pages: int | None
    copies: int
    extra: dict = field(default_factory=dict)


# --- shared steps of the write path ----------------------------------------------------


def _lock(case: Case) -> Case:
    """Lock the case row and return its fresh state. The item is read when an action
    needs it; the steps are read (once) by ``_steps`` after the lock is held — not in
    the locking query itself: in READ COMMITTED, rows joined to a row that a
    concurrent transaction changed while we waited would come from the old snapshot."""
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("department")
        .filter(pk=case.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    return locked


def _steps(case: Case) -> list[CaseStep]:
    """The case's steps, read once per action under the case lock; changes to them
    are written together by ``_flush_steps``."""
    cached = case.__dict__.get("_locked_steps")
    if cached is None:
        cached = list(
            CaseStep.objects.filter(case=case)
            .select_related("department", "process_step", "assignee")
            .order_by("order", "id")
        )
        case.__dict__["_locked_steps"] = cached
    return cached


STEP_FIELDS = [
    "status",
    "assignee",
    "started_at",
    "started_on",
    "suspended_days",
    "due_on",
    "claimed_at",
    "finished_at",
    "finished_on",
    "finished_by",
    "decision",
    "opinion",
]


def _touch(case: Case, step: CaseStep) -> None:
    """Mark a step changed; ``_flush_steps`` writes every changed step at once."""
    case.__dict__.setdefault("_dirty_steps", {})[id(step)] = step


def _flush_steps(case: Case) -> None:
    dirty = list(case.__dict__.pop("_dirty_steps", {}).values())
    if len(dirty) > 1 and connection.vendor == "postgresql":
        _update_steps_at_once(dirty)
    else:
        for step in dirty:
            step.save(update_fields=STEP_FIELDS)


def _update_steps_at_once(steps: list[CaseStep]) -> None:
    """One UPDATE … FROM (VALUES …) for several steps (finishing one step and starting
    the next). Django's ``bulk_update`` says the same with a CASE per column, which
    costs more to build in Python than the round trip it saves."""
    quote = connection.ops.quote_name
    fields = [CaseStep._meta.get_field(name) for name in STEP_FIELDS]
    pk = quote("id")
    row = "(" + ", ".join(["%s::bigint"] + [f"%s::{f.db_type(connection)}" for f in fields]) + ")"
    names = ", ".join([pk, *(quote(f.column) for f in fields)])
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    table = quote(CaseStep._meta.db_table)
    sql = (
        f"UPDATE {table} AS s SET {assignments} "  # noqa: S608 - identifiers from the model
        f"FROM (VALUES {', '.join([row] * len(steps))}) AS v({names}) WHERE s.{pk} = v.{pk}"
    )
    params: list[Any] = []
    for step in steps:
        params.append(step.pk)
        params.extend(f.get_db_prep_save(getattr(step, f.attname), connection) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _open_suspension(case: Case) -> Suspension | None:
    return case.suspensions.filter(ended_at__isnull=True).first()


def _snapshot(case: Case) -> dict[str, Any]:
    return {
        "status": case.status,
        "accepted_on": case.accepted_on,
        "deadline": case.deadline,
        "extension_days": case.extension_days,
        "suspended_days": case.suspended_days,
        "completed_on": case.completed_on,
        "terminated_on": case.terminated_on,
        "outcome": case.outcome,
    }


def _actor_name(actor) -> str:
    if actor is None:
        return _("System")
    return actor.display_name


def _save(
    case: Case,
    fields: Iterable[str],
    *,
    steps: Sequence[CaseStep] | None = None,
    suspension: Suspension | None = None,
) -> None:
    """Write the changed steps, recompute the clock and save ``fields`` plus the
    clock fields."""
    _flush_steps(case)
    calendar = get_calendar()
    case.deadline = clock.deadline(case, calendar)
    if steps is None:
        steps = [s for s in _steps(case) if s.status == StepStatus.ACTIVE]
    if suspension is None and case.status == CaseStatus.SUSPENDED:
        suspension = _open_suspension(case)
    case.next_check_on = clock.next_check(case, steps, suspension, calendar)
    case.version += 1
    case.save(update_fields=sorted({*fields, "deadline", "next_check_on", "version"}))


def _record(
    case: Case,
    *,
    actor,
    action: str,
    at: dt.datetime,
    before: dict | None,
    step: CaseStep | None = None,
    opinion: str = "",
    **detail: Any,
) -> TimelineEvent:
    """The timeline event and the audit record of one action."""
    event = TimelineEvent.objects.create(
        case=case,
        at=at,
        actor=actor,
        actor_name=_actor_name(actor),
        action=action,
        step=step,
        opinion=opinion,
        detail={k: _plain(v) for k, v in detail.items()},
    )
    record_event(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        before=before,
        after=_snapshot(case) if before is not None else None,
        at=at,
        message=(opinion or "")[:500],
    )
    return event


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _refuse(message: str, *, conflict: bool = False) -> None:
    raise (Conflict if conflict else ActionNotAllowed)(message)


def _require_status(case: Case, *statuses: str) -> None:
    if case.status not in statuses:
        _refuse(
            _("Case %(number)s is %(status)s: this action is not possible now.")
            % {"number": case.number, "status": case.get_status_display()}
        )


def _require_staff(actor) -> None:
    if actor is not None and not (actor.is_authenticated and actor.is_active):
        raise PermissionDenied()


def _is_head_of(actor, department: Department) -> bool:
    return actor.has_role(RoleCode.DEPARTMENT_HEAD) and works_in(actor, department)


# --- notifications -------------------------------------------------------------------


def _risk_hint(due: dt.date | None, today: dt.date) -> str:
    if due is None:
        return ""
    calendar = get_calendar()
    if today > due:
        return _("overdue")
    left = calendar.wd(today, due)
    if left <= settings.TONGBAN_WARN_DAYS:
        return _("due in %(n)d working days") % {"n": left}
    return ""


def _candidates(step: CaseStep, limit: int = 10) -> list[User]:
    """Who may take ``step`` from the department queue."""
    query = User.objects.filter(is_active=True, roles__code=step.role).filter(
        Q(department__path__startswith=step.department.path)
        | Q(section__path__startswith=step.department.path)
    )
    if step.process_step_id is not None:
        # Where the item names staff for the step, only they (one query either way).
        named = StaffAssignment.objects.filter(step_id=step.process_step_id)
        query = query.filter(~Exists(named) | Exists(named.filter(user_id=OuterRef("pk"))))
    return list(query.distinct().order_by("pk")[:limit])


def _notify_step(case: Case, step: CaseStep, at: dt.datetime, *, to: Iterable[User]) -> None:
    """SMS to the handler of a newly active step: item, applicant, due date, risk."""
    today = local_date(at)
    due = step.due_on or case.deadline
    hint = _risk_hint(due, today)
    body = _(
        "New case %(number)s at “%(step)s”: %(item)s, applicant %(applicant)s, due %(due)s."
    ) % {
        "number": case.number,
        "step": step.name,
        "item": case.item_name,
        "applicant": case.applicant_name,
        "due": due.isoformat() if due else "—",
    }
    if hint:
        body += " " + _("Attention: %(hint)s.") % {"hint": hint}
    for user in to:
        enqueue(
            channel=NotifyChannel.SMS,
            template="case.step_assigned",
            body=body,
            at=at,
            recipient=user,
            case=case,
        )


def _notify_applicant(case: Case, template: str, body: str, at: dt.datetime) -> None:
    enqueue(
        channel=NotifyChannel.SMS,
        template=template,
        body=body,
        at=at,
        address=case.applicant_mobile,
        recipient_name=case.applicant_name,
        case=case,
    )


# --- steps ---------------------------------------------------------------------------


def _activate(case: Case, step: CaseStep, at: dt.datetime, *, assignee: User | None = None):
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
    case: Case, step: CaseStep, actor, at: dt.datetime, decision: str, opinion: str
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


def _instantiate_process(case: Case, item: Item, actor, at: dt.datetime) -> list[CaseStep]:
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
    holders = (
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
    holders = list(holders)
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


# --- intake ----------------------------------------------------------------------------


def _check_applicant(applicant: ApplicantData, today: dt.date) -> ApplicantData:
    errors: dict[str, list[str]] = {}

    def check(key: str, fn):
        try:
            return fn()
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)
            return ""

    name = (applicant.name or "").strip()
    if not name:
        errors["applicant.name"] = [_("Enter the applicant's name.")]
    elif len(name) > 100:
        errors["applicant.name"] = [_("The applicant's name is longer than 100 characters.")]
    if applicant.kind not in ApplicantKind.values:
        errors["applicant.kind"] = [
            _("Choose whether the applicant is a person or an organisation.")
        ]
    if applicant.id_type not in IdType.values:
        errors["applicant.id_type"] = [_("Choose the type of identity document.")]
    number = (applicant.id_number or "").strip().upper()
    if applicant.id_type == IdType.RESIDENT_ID:
        number = check(
            "applicant.id_number",
            lambda: validators.validate_resident_id(number, label=_("ID number"), today=today),
        )
    elif applicant.id_type == IdType.CREDIT_CODE:
        number = check(
            "applicant.id_number",
            lambda: validators.validate_credit_code(number, label=_("ID number")),
        )
    elif not number:
        errors["applicant.id_number"] = [_("Enter the ID number.")]
    elif len(number) > 40:
        errors["applicant.id_number"] = [_("The ID number is longer than 40 characters.")]
    if (
        applicant.kind == ApplicantKind.ORGANISATION
        and applicant.id_type == IdType.RESIDENT_ID
        and "applicant.id_type" not in errors
    ):
        errors["applicant.id_type"] = [
            _("An organisation is identified by its unified social credit code.")
        ]
    mobile = check(
        "applicant.mobile",
        lambda: validators.validate_mobile(applicant.mobile, label=_("mobile number")),
    )
    address = (applicant.address or "").strip()
    if len(address) > 300:
        errors["applicant.address"] = [_("The address is longer than 300 characters.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return ApplicantData(
        kind=applicant.kind,
        name=name,
        id_type=applicant.id_type,
        id_number=number,
        mobile=mobile,
        address=address,
        contact_name=(applicant.contact_name or "").strip()[:100],
    )


def _check_materials(item: Item, materials: Sequence[MaterialIn], *, prefix="materials"):
    """Check the handed-in materials against the item's list before anything is
    stored; return them with their stored files."""
    listed = {m.pk: m for m in item.materials.all()}
    errors: dict[str, list[str]] = {}
    checked: list[_Checked] = []
    seen: set[int] = set()
    for index, given in enumerate(materials):
        key = f"{prefix}.{index}"
        material = None
        if given.material_id is not None:
            material = listed.get(given.material_id)
            if material is None:
                errors[key] = [_("This material is not on the item's list.")]
                continue
            if material.pk in seen:
                errors[key] = [_("“%(name)s” is listed twice.") % {"name": material.name}]
                continue
            seen.add(material.pk)
        name = material.name if material else (given.name or "").strip()[:200]
        if not name:
            errors[key] = [_("Name the material.")]
            continue
        kind = data = None
        if given.upload is not None:
            try:
                kind, data = files.check_upload(given.upload, allowed=files.MATERIALS, field=key)
            except ValidationFailed as exc:
                errors.update(exc.fields)
                continue
        pages = given.pages
        if pages is not None and (pages < 1 or pages > 10000):
            errors[key] = [_("The number of pages must be between 1 and 10000.")]
            continue
        if data is not None:
            pages = files.count_pages(kind, data) or pages
        elif pages is None:
            errors[key] = [
                _("“%(name)s”: upload the file or enter the number of pages handed in.")
                % {"name": name}
            ]
            continue
        copies = given.copies if given.copies and given.copies > 0 else 1
        checked.append(
            _Checked(material, name, (kind, data, getattr(given.upload, "name", "")), pages, copies)
        )
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return checked


def _store_materials(case: Case, checked: Sequence[_Checked], source: str, at: dt.datetime):
    rows = []
    for entry in checked:
        kind, data, original = entry.stored
        stored = (
            files.store_bytes(data, kind=kind, original_name=original or entry.name)
            if data is not None
            else None
        )
        rows.append(
            CaseMaterial(
                case=case,
                material=entry.material,
                name=entry.name,
                file=stored,
                pages=entry.pages,
                copies=entry.copies,
                source=source,
                received_at=at,
            )
        )
    CaseMaterial.objects.bulk_create(rows)


def missing_materials(case: Case) -> list[Material]:
    """Required materials of the item that the case does not have."""
    have = set(case.materials.exclude(material=None).values_list("material_id", flat=True))
    return [m for m in case.item.materials.all() if m.required and m.pk not in have]


def _store_form_files(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in cleaned.items():
        if value is not None and hasattr(value, "read"):
            stored = files.store_upload(value, allowed=files.MATERIALS, field=key)
            data[key] = {"file": stored.pk, "name": stored.original_name, "pages": stored.pages}
        else:
            data[key] = value
    return data


def _next_number(department: Department, year: int) -> str:
    """``TS-2026-SCJG-000123``: the serial comes from a locked per-year, per-department
    counter, so concurrent intakes never share a number."""
    code = department.code
    CaseCounter.objects.bulk_create(
        [CaseCounter(year=year, department_code=code, last=0)], ignore_conflicts=True
    )
    counter = CaseCounter.objects.select_for_update().get(year=year, department_code=code)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{settings.TONGBAN_CASE_PREFIX}-{year}-{code}-{counter.last:06d}"


def _query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _i in range(8))


def submit_application(
    *,
    actor: User | None,
    item: Item,
    applicant: ApplicantData,
    form_data: Mapping[str, Any] | None,
    at: dt.datetime,
    channel: str = Channel.COUNTER,
    form_files: Mapping[str, Any] | None = None,
    materials: Sequence[MaterialIn] = (),
    idempotency_key: str | None = None,
    citizen=None,
) -> Case:
    """事件受理, the first half: record an application for preliminary review.

    At the counter ``actor`` is the window clerk, who may take in the item's
    department (``intake_scope``); online, from the partner app or the hotline,
    ``actor`` is None and the item must allow online application. A repeated
    submission with the same ``idempotency_key`` returns the first case unchanged.
    ``citizen`` (an online application from a portal account) is stored on the case,
    so that the citizen sees it among their own."""
    _require_staff(actor)
    if idempotency_key:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_submission(existing, item)
    try:
        with transaction.atomic():
            return _submit(
                actor=actor,
                item=item,
                applicant=applicant,
                form_data=form_data,
                form_files=form_files,
                materials=materials,
                at=at,
                channel=channel,
                idempotency_key=idempotency_key or None,
                citizen=citizen,
            )
    except IntegrityError:
        # The same key won a race with us: answer with the case it created.
        existing = idempotency_key and Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return _same_submission(existing, item)
        raise


def _same_submission(existing: Case, item: Item) -> Case:
    if existing.item_id != item.pk:
        raise Conflict(
            _("This idempotency key was already used for another application (%(number)s).")
            % {"number": existing.number}
        )
    return existing


def _submit(
    *,
    actor,
    item,
    applicant,
    form_data,
    form_files,
    materials,
    at,
    channel,
    idempotency_key,
    citizen=None,
) -> Case:
    today = local_date(at)
    if channel not in Channel.values:
        raise ValidationFailed(_("Unknown channel."), fields={"channel": [_("Unknown channel.")]})
    item = Item.objects.select_related("department").filter(pk=item.pk).first()
    if item is None or not Item.objects.published(today).filter(pk=item.pk).exists():
        raise ActionNotAllowed(_("This item is not open for applications."))
    if channel == Channel.COUNTER:
        if actor is None or not may_take_in(actor, item.department):
            raise PermissionDenied(
                _("You may not take in applications for %(dept)s.") % {"dept": item.department}
            )
    elif actor is not None:
        raise PermissionDenied(_("Staff take in applications at the counter."))
    elif not item.online_allowed:
        raise ActionNotAllowed(_("This item cannot be applied for online."))

    errors: dict[str, list[str]] = {}
    try:
        applicant = _check_applicant(applicant, today)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    cleaned: dict[str, Any] = {}
    try:
        cleaned = validate_submission(item.form_fields.all(), form_data, form_files, at=at)
    except ValidationFailed as exc:
        errors.update({f"form.{k}": v for k, v in exc.fields.items()})
    checked: list[_Checked] = []
    try:
        checked = _check_materials(item, materials)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)

    index = provider().blind_index
    hall = actor.department if actor is not None else None
    case = Case(
        number=_next_number(item.department, today.year),
        item=item,
        item_name=item.name,
        handling_type=item.handling_type,
        department=item.department,
        channel=channel,
        hall=hall,
        received_by=actor,
        status=CaseStatus.RECEIVED,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name,
        applicant_id_type=applicant.id_type,
        applicant_id_number=applicant.id_number,
        applicant_id_index=index(applicant.id_number),
        applicant_mobile=applicant.mobile,
        applicant_mobile_index=index(applicant.mobile),
        applicant_address=applicant.address,
        contact_name=applicant.contact_name,
        citizen=citizen,
        query_code=_query_code(),
        form_data=_store_form_files(cleaned),
        idempotency_key=idempotency_key,
        received_at=at,
        received_on=today,
        review_due_on=clock.review_due(today, get_calendar()),
        limit_days=item.promised_limit,
        extension_cap=min(item.max_extension, statutory_extension_cap(item.handling_type)),
    )
    case.next_check_on = clock.next_check(case, [], None, get_calendar())
    case.save()
    _store_materials(case, checked, MaterialSource.COUNTER if actor else MaterialSource.ONLINE, at)
    _record(
        case,
        actor=actor,
        action="receive",
        at=at,
        before={},
        channel=channel,
        materials=[c.name for c in checked],
    )
    _notify_applicant(
        case,
        "case.received",
        _(
            "Your application for %(item)s was received: number %(number)s, query code "
            "%(code)s. It will be reviewed by %(due)s."
        )
        % {
            "item": case.item_name,
            "number": case.number,
            "code": case.query_code,
            "due": case.review_due_on.isoformat(),
        },
        at,
    )
    return case


def _require_intake_desk(actor, case: Case) -> None:
    """Preliminary review is the counter's: a window clerk who may take in the item's
    department (the system — None — for deemed acceptance and online processing)."""
    _require_staff(actor)
    if actor is not None and not may_take_in(actor, case.department):
        raise PermissionDenied(_("Only the intake desk reviews applications."))


@transaction.atomic
def accept_case(
    *,
    actor: User | None,
    case: Case,
    at: dt.datetime,
    opinion: str = "",
    pledge_due_on: dt.date | None = None,
) -> Case:
    """受理: the clock starts. With required materials missing, only 容缺受理 is
    possible: every missing material is non-essential and the applicant pledges in
    writing to supply them by ``pledge_due_on`` (tracked and supervised)."""
    case = _lock(case)
    _require_intake_desk(actor, case)
    _require_status(case, CaseStatus.RECEIVED)
    today = local_date(at)
    missing = missing_materials(case)
    pledge = _check_pledge(missing, pledge_due_on, today)
    before = _snapshot(case)
    steps = _accept(case, actor, at, pledge)
    _save(
        case,
        ["status", "accepted_on", "pledge_due_on"],
        steps=[s for s in steps if s.status == StepStatus.ACTIVE],
    )
    _record(
        case,
        actor=actor,
        action="accept_pending" if pledge else "accept",
        at=at,
        before=before,
        opinion=opinion,
        deadline=case.deadline,
        pledge_due_on=pledge,
        pending=[m.name for m in missing] if pledge else [],
    )
    _notify_accepted(case, at)
    return case


@transaction.atomic
def deem_accepted(*, case: Case, at: dt.datetime) -> Case:
    """视为受理 (Art. 32): no acceptance, refusal or supplement notice within five
    working days of receipt — the application counts as accepted from the day it was
    received, and its deadline runs from then. Done by the supervision sweep."""
    case = _lock(case)
    _require_status(case, CaseStatus.RECEIVED)
    before = _snapshot(case)
    # After a supplement before acceptance, the review limit ran from the day the
    # supplement arrived (``supplement_case``): that is when the materials were received.
    supplied_on = (
        case.supplement_requests.filter(after_acceptance=False, fulfilled_on__isnull=False)
        .order_by("-fulfilled_on")
        .values_list("fulfilled_on", flat=True)
        .first()
    )
    steps = _accept(case, None, at, None, accepted_on=supplied_on or case.received_on)
    case.deemed_accepted = True
    _save(
        case,
        ["status", "accepted_on", "pledge_due_on", "deemed_accepted"],
        steps=[s for s in steps if s.status == StepStatus.ACTIVE],
    )
    _record(
        case,
        actor=None,
        action="deemed_accept",
        at=at,
        before=before,
        deadline=case.deadline,
        review_due_on=case.review_due_on,
    )
    _notify_accepted(case, at)
    return case


def _check_pledge(missing: list[Material], pledge_due_on, today) -> dt.date | None:
    if not missing:
        if pledge_due_on is not None:
            raise ValidationFailed(
                _("Nothing is missing: no pledge is needed."),
                fields={"pledge_due_on": [_("Nothing is missing: no pledge is needed.")]},
            )
        return None
    names = "、".join(m.name for m in missing)
    essential = [m for m in missing if m.essential]
    if essential:
        message = _(
            "Essential materials are missing (%(names)s): ask for a supplement or refuse."
        ) % {"names": "、".join(m.name for m in essential)}
        raise ValidationFailed(message, fields={"materials": [message]})
    if pledge_due_on is None:
        message = _(
            "Materials are missing (%(names)s): accept with materials pending only on the "
            "applicant's written pledge and a date."
        ) % {"names": names}
        raise ValidationFailed(message, fields={"pledge_due_on": [message]})
    latest = get_calendar().add(today, settings.TONGBAN_PLEDGE_MAX_DAYS)
    if not today < pledge_due_on <= latest:
        message = _("The pledged date must be after today and no later than %(latest)s.") % {
            "latest": latest.isoformat()
        }
        raise ValidationFailed(message, fields={"pledge_due_on": [message]})
    return pledge_due_on


def _accept(case: Case, actor, at: dt.datetime, pledge, *, accepted_on=None) -> list[CaseStep]:
    case.status = CaseStatus.IN_PROGRESS
    case.accepted_on = accepted_on or local_date(at)
    case.pledge_due_on = pledge
    case.deadline = clock.deadline(case, get_calendar())
    steps = _instantiate_process(case, case.item, actor, at)
    _start_next(case, steps, at)
    return steps


def _notify_accepted(case: Case, at: dt.datetime) -> None:
    _notify_applicant(
        case,
        "case.accepted",
        _("Your application %(number)s (%(item)s) was accepted; it will be decided by %(due)s.")
        % {"number": case.number, "item": case.item_name, "due": case.deadline.isoformat()},
        at,
    )


@transaction.atomic
def reject_application(*, actor: User | None, case: Case, reasons: str, at: dt.datetime) -> Case:
    """不予受理: refuse at intake, with the reasons (printed on the notice)."""
    case = _lock(case)
    _require_intake_desk(actor, case)
    _require_status(case, CaseStatus.RECEIVED, CaseStatus.SUPPLEMENT_REQUESTED)
    reasons = _required_text(reasons, "reasons", _("Give the reasons for not accepting."))
    before = _snapshot(case)
    case.status = CaseStatus.REJECTED
    case.closed_at = at
    case.result_note = reasons
    _save(case, ["status", "closed_at", "result_note"], steps=[])
    _record(case, actor=actor, action="reject", at=at, before=before, opinion=reasons)
    _notify_applicant(
        case,
        "case.rejected",
        _("Your application %(number)s (%(item)s) was not accepted: %(reasons)s")
        % {"number": case.number, "item": case.item_name, "reasons": reasons[:200]},
        at,
    )
    return case


def _required_text(value: str, field: str, message: str, limit: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, fields={field: [message]})
    if len(value) > limit:
        too_long = _("At most %(n)d characters.") % {"n": limit}
        raise ValidationFailed(too_long, fields={field: [too_long]})
    return value


@transaction.atomic
def request_supplement(
    *,
    actor: User | None,
    case: Case,
    items: Sequence[str],
    at: dt.datetime,
    note: str = "",
) -> Case:
    """补正告知, listing what is missing. Before acceptance (the intake desk) the case
    waits for the applicant; after acceptance (the handler of an active step) the
    clock is suspended until the supplement arrives (time-limits.md)."""
    case = _lock(case)
    _require_staff(actor)
    items = [i.strip()[:200] for i in items if i and i.strip()]
    if not items:
        message = _("List what the applicant must supply.")
        raise ValidationFailed(message, fields={"items": [message]})
    before = _snapshot(case)
    today = local_date(at)
    after_acceptance = case.status == CaseStatus.IN_PROGRESS
    if case.status == CaseStatus.RECEIVED:
        _require_intake_desk(actor, case)
        case.status = CaseStatus.SUPPLEMENT_REQUESTED
        _save(case, ["status"], steps=[])
    elif after_acceptance:
        steps = _steps(case)
        _require_active_handler(actor, steps)
        case.status = CaseStatus.SUSPENDED
        suspension = Suspension.objects.create(
            case=case,
            kind=SuspensionKind.SUPPLEMENT,
            reason=note or "；".join(items),
            started_at=at,
            started_on=today,
            started_by=actor,
        )
        _save(case, ["status"], suspension=suspension)
    else:
        _require_status(case, CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS)
    SupplementRequest.objects.create(
        case=case,
        requested_at=at,
        requested_on=today,
        requested_by=actor,
        items=items,
        note=note.strip(),
        after_acceptance=after_acceptance,
    )
    _record(
        case,
        actor=actor,
        action="request_supplement",
        at=at,
        before=before,
        opinion=note,
        items=items,
    )
    _notify_applicant(
        case,
        "case.supplement_requested",
        _("Application %(number)s: please supply %(items)s.")
        % {"number": case.number, "items": "、".join(items)[:200]},
        at,
    )
    return case


def _require_active_handler(actor, steps: list[CaseStep]) -> CaseStep | None:
    """The actor must hold (or be able to take) an active step of the case."""
    if actor is None:
        return None
    for step in steps:
        if step.status == StepStatus.ACTIVE and (
            step.assignee_id == actor.pk
            or (step.assignee_id is None and may_act_on_step(actor, step))
        ):
            return step
    raise PermissionDenied(_("Only the handler of the current step may do this."))


@transaction.atomic
def supplement_case(
    *,
    actor: User | None,
    case: Case,
    at: dt.datetime,
    materials: Sequence[MaterialIn] = (),
    note: str = "",
) -> Case:
    """The applicant supplies what was asked (at the counter through the clerk, or
    online: ``actor`` None). Before acceptance the case returns to review with a new
    five-day review limit from the day the supplement arrived; after acceptance the
    suspension ends and its working days are added to the deadline."""
    case = _lock(case)
    _require_staff(actor)
    if case.status == CaseStatus.SUPPLEMENT_REQUESTED:
        if actor is not None and not may_take_in(actor, case.department):
            raise PermissionDenied(_("Only the intake desk takes in supplements."))
    elif case.status == CaseStatus.SUSPENDED:
        suspension = _open_suspension(case)
        if suspension is None or suspension.kind != SuspensionKind.SUPPLEMENT:
            _refuse(_("The case is in a special procedure, not waiting for a supplement."))
        if actor is not None and not (
            may_take_in(actor, case.department) or _has_step_right(actor, _steps(case))
        ):
            raise PermissionDenied(_("Only the intake desk or the handler takes in supplements."))
    else:
        _require_status(case, CaseStatus.SUPPLEMENT_REQUESTED, CaseStatus.SUSPENDED)
    checked = _check_materials(case.item, materials)
    if not checked and not note.strip():
        message = _("Add the supplied materials or describe what was supplied.")
        raise ValidationFailed(message, fields={"materials": [message]})
    before = _snapshot(case)
    today = local_date(at)
    _store_materials(case, checked, MaterialSource.SUPPLEMENT, at)
    case.supplement_requests.filter(fulfilled_at__isnull=True).update(
        fulfilled_at=at, fulfilled_on=today
    )
    if case.status == CaseStatus.SUPPLEMENT_REQUESTED:
        case.status = CaseStatus.RECEIVED
        case.review_due_on = clock.review_due(today, get_calendar())
        _save(case, ["status", "review_due_on"], steps=[])
        days = 0
    else:
        days = _end_suspension(case, suspension, at)
        _save(case, ["status", "suspended_days"])
    _record(
        case,
        actor=actor,
        action="supplement",
        at=at,
        before=before,
        opinion=note,
        materials=[c.name for c in checked],
        suspended_days=days,
    )
    return case


@transaction.atomic
def supply_pledged_materials(
    *,
    actor: User | None,
    case: Case,
    materials: Sequence[MaterialIn],
    at: dt.datetime,
    note: str = "",
) -> Case:
    """容缺受理, the second half: the applicant hands in the materials they pledged
    (at the counter, or online: ``actor`` None). When nothing required is missing any
    more the pledge is fulfilled and no longer watched; the clock is not affected."""
    case = _lock(case)
    _require_staff(actor)
    _require_status(case, *ACCEPTED_OPEN_STATUSES)
    if case.pledge_due_on is None:
        _refuse(_("No materials are pending for this case."))
    if actor is not None and not (
        may_take_in(actor, case.department) or _has_step_right(actor, _steps(case))
    ):
        raise PermissionDenied(_("Only the intake desk or the handler takes in materials."))
    checked = _check_materials(case.item, materials)
    if not checked:
        message = _("Add the materials handed in.")
        raise ValidationFailed(message, fields={"materials": [message]})
    before = _snapshot(case)
    _store_materials(case, checked, MaterialSource.SUPPLEMENT, at)
    still_missing = missing_materials(case)
    if not still_missing:
        case.pledge_due_on = None
        _resolve_alerts(case, "pledge_overdue", at)
    _save(case, ["pledge_due_on"])
    _record(
        case,
        actor=actor,
        action="supply_pledged",
        at=at,
        before=before,
        opinion=note,
        materials=[c.name for c in checked],
        still_missing=[m.name for m in still_missing],
    )
    return case


def _has_step_right(actor, steps) -> bool:
    try:
        return _require_active_handler(actor, steps) is not None
    except PermissionDenied:
        return False


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
        if step.status == StepStatus.ACTIVE:
            step.suspended_days += days
            step.due_on = clock.step_due(
                step.started_on, step.limit_days, step.suspended_days, calendar
            )
            _touch(case, step)
    return days


# --- the workflow --------------------------------------------------------------------


def _step_for_action(case: Case, steps: list[CaseStep], step_id: int, actor) -> CaseStep:
    """The active step ``step_id``, which ``actor`` holds or may take from the queue.
    A step already handled by somebody else is a conflict."""
    step = next((s for s in steps if s.pk == step_id), None)
    if step is None:
        raise NotFound()
    if step.status == StepStatus.WAITING:
        _refuse(_("“%(step)s” has not started yet.") % {"step": step.name})
    if step.status != StepStatus.ACTIVE:
        who = step.finished_by.display_name if step.finished_by_id else _("somebody else")
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
                % {"step": step.name, "who": step.assignee.display_name}
            )
        raise PermissionDenied(_("This step is not yours to handle."))
    if step.assignee_id is None and not may_act_on_step(actor, step):
        raise PermissionDenied(_("This step is not yours to handle."))
    return step


def _require_open_workflow(case: Case) -> None:
    _require_status(case, CaseStatus.IN_PROGRESS)


@transaction.atomic
def claim_step(*, actor: User, case: Case, step_id: int, at: dt.datetime) -> CaseStep:
    """Take a step from the department queue (签收)."""
    case = _lock(case)
    _require_staff(actor)
    _require_status(case, CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED)
    steps = _steps(case)
    step = _step_for_action(case, steps, step_id, actor)
    if step.assignee_id == actor.pk:
        raise Conflict(_("You have already claimed this step."))
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
    _require_staff(actor)
    _require_status(case, CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED)
    steps = _steps(case)
    step = next((s for s in steps if s.pk == step_id), None)
    if step is None:
        raise NotFound()
    if step.status != StepStatus.ACTIVE:
        raise Conflict(_("“%(step)s” is no longer active; reload the case.") % {"step": step.name})
    if actor is not None and not (
        actor.has_role(RoleCode.DEPARTMENT_HEAD, RoleCode.SECTION_HEAD)
        and works_in(actor, step.department)
    ):
        raise PermissionDenied(_("Only the head of the step's department assigns it."))
    if not may_act_on_step(assignee, step):
        message = _("%(name)s may not handle “%(step)s”.") % {
            "name": assignee.display_name,
            "step": step.name,
        }
        raise ValidationFailed(message, fields={"assignee": [message]})
    before = _snapshot(case)
    previous = step.assignee.display_name if step.assignee_id else ""
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
    _require_staff(actor)
    _require_open_workflow(case)
    steps = _steps(case)
    step = _step_for_action(case, steps, step_id, actor)
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
    is_last = step.kind == StepKind.LEAD and not any(
        s.status == StepStatus.WAITING and s.order > step.order for s in steps
    )
    if is_last:
        _refuse(
            _("“%(step)s” is the final step: complete the case with its outcome.")
            % {"step": step.name}
        )
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


def _days_used(step: CaseStep) -> dict[str, Any]:
    if step.started_on is None or step.finished_on is None:
        return {}
    used = get_calendar().wd(step.started_on, step.finished_on) - step.suspended_days
    return {"days_used": max(0, used), "days_allowed": step.limit_days}


def _return(case, steps, step, actor, at, opinion, return_to, before) -> Case:
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
    _require_staff(actor)
    _require_open_workflow(case)
    steps = _steps(case)
    step = _step_for_action(case, steps, step_id, actor)
    if step.kind != StepKind.LEAD or any(
        s.status == StepStatus.WAITING and s.order > step.order for s in steps
    ):
        _refuse(_("Only the final step completes the case."))
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


def _close_completed(case: Case, at, outcome: str, opinion: str, certificate_number: str) -> None:
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


def _cure(case: Case, at) -> None:
    # Supervision builds on the case engine; its cards are cured when the case ends.
    from tongban.supervision.services import cure_cards

    cure_cards(case, at)


def _resolve_alerts(case: Case, kind: str, at) -> None:
    from tongban.supervision.services import resolve_alerts

    resolve_alerts(case, kind, at)


def _cancel_open_steps(case: Case) -> None:
    for step in _steps(case):
        if step.status in (StepStatus.WAITING, StepStatus.ACTIVE):
            step.status = StepStatus.CANCELLED
            _touch(case, step)


def _notify_completed(case: Case, at) -> None:
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
    _require_intake_desk(actor, case)
    _require_status(case, CaseStatus.RECEIVED)
    if case.handling_type != HandlingType.IMMEDIATE:
        _refuse(_("Only immediate items are decided on the spot."))
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


# --- suspension and extension ----------------------------------------------------------


def _require_lead_handler_or_head(actor, case: Case, steps: list[CaseStep]) -> None:
    if actor is None or _is_head_of(actor, case.department):
        return
    step = _require_active_handler(actor, steps)
    if step is not None and step.kind != StepKind.LEAD:
        raise PermissionDenied(_("Only the lead department does this."))


@transaction.atomic
def suspend_case(
    *, actor: User | None, case: Case, procedure: str, reason: str, at: dt.datetime
) -> Case:
    """特别程序: the clock stops for a hearing, expert review, testing … (Art. 45);
    the procedure has its own limit, supervised."""
    case = _lock(case)
    _require_staff(actor)
    _require_open_workflow(case)
    _require_lead_handler_or_head(actor, case, _steps(case))
    reason = _required_text(reason, "reason", _("Give the reason for the special procedure."))
    configured = {
        p.kind: p.limit_days for p in ItemSpecialProcedure.objects.filter(item_id=case.item_id)
    }
    if not case.item.special_procedures_allowed or procedure not in configured:
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
    _require_staff(actor)
    _require_status(case, CaseStatus.SUSPENDED)
    suspension = _open_suspension(case)
    if suspension is None or suspension.kind != SuspensionKind.SPECIAL_PROCEDURE:
        _refuse(_("The case waits for the applicant's supplement; it resumes when it arrives."))
    _require_lead_handler_or_head(actor, case, _steps(case))
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
    _require_staff(actor)
    _require_status(case, *ACCEPTED_OPEN_STATUSES)
    _require_lead_handler_or_head(actor, case, _steps(case))
    reason = _required_text(reason, "reason", _("Give the reason for the extension."))
    if case.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise Conflict(_("An extension request is already waiting for the head's decision."))
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
    _require_staff(actor)
    if actor is not None and not _is_head_of(actor, case.department):
        raise PermissionDenied(_("Only the head of the lead department approves extensions."))
    extension = case.extensions.filter(pk=extension_id).first()
    if extension is None:
        raise NotFound()
    if extension.status != ExtensionStatus.PENDING:
        raise Conflict(_("This request has already been decided."))
    _require_status(case, *ACCEPTED_OPEN_STATUSES)
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
            % {"number": case.number, "due": case.deadline.isoformat()},
            at,
        )
    return extension


# --- ending early ------------------------------------------------------------------------


@transaction.atomic
def withdraw_case(*, actor: User | None, case: Case, reason: str, at: dt.datetime) -> Case:
    """撤回 at the applicant's request (through the counter, or online: ``actor``
    None). After acceptance it counts as terminated on that day (statistics.md)."""
    case = _lock(case)
    _require_staff(actor)
    _require_status(case, *OPEN_STATUSES)
    if actor is not None and not (
        may_take_in(actor, case.department) or _is_head_of(actor, case.department)
    ):
        raise PermissionDenied(_("The intake desk or the department head records a withdrawal."))
    reason = _required_text(reason, "reason", _("Record why the application is withdrawn."))
    return _close_early(case, actor, at, CaseStatus.WITHDRAWN, "withdraw", reason)


@transaction.atomic
def terminate_case(*, actor: User | None, case: Case, reason: str, at: dt.datetime) -> Case:
    """终止: the department head ends an accepted case (the applicant died, the
    company was dissolved, the matter disappeared …)."""
    case = _lock(case)
    _require_staff(actor)
    _require_status(case, *ACCEPTED_OPEN_STATUSES)
    if actor is not None and not _is_head_of(actor, case.department):
        raise PermissionDenied(_("Only the head of the lead department terminates a case."))
    reason = _required_text(reason, "reason", _("Give the reason for terminating the case."))
    return _close_early(case, actor, at, CaseStatus.TERMINATED, "terminate", reason)


def _close_early(case: Case, actor, at, status: str, action: str, reason: str) -> Case:
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


# --- urging and opinion templates ------------------------------------------------------------


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
    _require_staff(actor)
    _require_status(case, *ACCEPTED_OPEN_STATUSES)
    message = _required_text(message, "message", _("Write the urging message."), limit=300)
    steps = [s for s in _steps(case) if s.status == StepStatus.ACTIVE]
    if step_id is not None:
        steps = [s for s in steps if s.pk == step_id]
        if not steps:
            raise Conflict(_("That step is no longer active; reload the case."))
    if actor is not None and not actor.has_role(RoleCode.SUPERVISOR):
        steps = [s for s in steps if _is_head_of(actor, s.department)]
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
    *, actor: User, text: str, template: OpinionTemplate | None = None
) -> OpinionTemplate:
    """Add or edit one of the actor's own saved phrases (常用意见)."""
    _require_staff(actor)
    text = _required_text(text, "text", _("Write the phrase."), limit=300)
    if template is not None and template.user_id != actor.pk:
        raise NotFound()
    if (
        OpinionTemplate.objects.filter(user=actor, text=text)
        .exclude(pk=getattr(template, "pk", None))
        .exists()
    ):
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
def delete_opinion_template(*, actor: User, template: OpinionTemplate) -> None:
    if template.user_id != actor.pk:
        raise NotFound()
    template.delete()
