"""The shared write path of every use case: the input shapes, locking the case
and reading its steps once, saving the case with its recomputed clock, the timeline
event and audit record of an action, and the refusals and right checks that several
use cases share. Imports none of its sibling modules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from django.db import connection
from django.db.models import Field
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.audit.services import record_event
from tongban.catalog.models import Material
from tongban.core.errors import ActionNotAllowed, NotFound, PermissionDenied, ValidationFailed
from tongban.workcalendar.calendar import get_calendar

from .. import clock, policy
from ..models import Case, CaseStatus, CaseStep, StepStatus, Suspension, TimelineEvent
from ..policy import Conflict as Conflict  # re-exported: the services' refusal


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
    extra: dict[str, Any] = field(default_factory=dict)


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
    # Concrete columns of the step (``get_field`` may answer a relation's reverse side).
    fields = [
        f for f in (CaseStep._meta.get_field(name) for name in STEP_FIELDS) if isinstance(f, Field)
    ]
    pk = quote("id")
    row = "(" + ", ".join(["%s::bigint"] + [f"%s::{f.db_type(connection)}" for f in fields]) + ")"
    columns = [quote(f.column) for f in fields if f.column]
    names = ", ".join([pk, *columns])
    assignments = ", ".join(f"{c} = v.{c}" for c in columns)
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


def _actor_name(actor: User | None) -> str:
    if actor is None:
        return _("System")
    return str(actor.display_name)


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
    case.next_check_on = clock.next_check_on(case, steps, suspension, calendar)
    case.version += 1
    case.save(update_fields=sorted({*fields, "deadline", "next_check_on", "version"}))


def _record(
    case: Case,
    *,
    actor: User | None,
    action: str,
    at: dt.datetime,
    before: dict[str, Any] | None,
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


def _plain(value: Any) -> Any:  # JSON-able: any value of a detail
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _refuse(message: str, *, conflict: bool = False) -> NoReturn:
    raise (Conflict if conflict else ActionNotAllowed)(message)


def _relation(actor: User | None, case: Case) -> policy.Relation:
    """The actor's relation to the locked case, for the guard (``policy``); the steps
    are read (once, ``_steps``) only if a rule needs them."""
    return policy.Relation(actor, case, lambda: _steps(case))


def _require_staff(actor: User | None) -> None:
    if actor is not None and not (actor.is_authenticated and actor.is_active):
        raise PermissionDenied()


def _required_text(value: str, field: str, message: str, limit: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, fields={field: [message]})
    if len(value) > limit:
        too_long = _("At most %(n)d characters.") % {"n": limit}
        raise ValidationFailed(too_long, fields={field: [too_long]})
    return value
