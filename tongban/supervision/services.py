"""The supervision sweep (time-limits.md, to the letter) and the other writes of
electronic supervision: cards, automatic urgings, alerts, rectification notes.

The rules are written once, against ``clocked.ClockFacts``; the sweep runs them over
every registered kind of clocked item (``clocked.kinds()``: cases today). It reads
only the items whose ``next_check_on`` has come (each kind's own index), checks each
in its own transaction under the item's row lock, and stores the next day on which
something can happen to it. It is idempotent: every card, urging and alert is issued
at most once for what it is about, so a second sweep for the same instant changes
nothing, and a sweep for a later instant issues only what became due since.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tongban.accounts.models import Department, DepartmentKind, User
from tongban.accounts.roles import RoleCode
from tongban.accounts.scoping import works_in
from tongban.audit.services import record_event
from tongban.core.clock import local_date
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.workcalendar.calendar import WorkCalendar, get_calendar

from . import clocked
from .clocked import ClockedKind, ClockFacts, ItemState, StepFacts
from .models import Alert, AlertKind, Card, CardColour, CardRule

log = logging.getLogger(__name__)

DAY = dt.timedelta(days=1)

# The counters of ``SweepResult`` that count the alerts of each kind.
ALERT_COUNTERS: dict[str, str] = {
    AlertKind.SPECIAL_OVERRUN: "special_overruns",
    AlertKind.PLEDGE_OVERDUE: "pledges_overdue",
}


@dataclass
class SweepResult:
    """What one sweep did; ``as_dict`` is the ``--json`` output. ``deemed_accepted``
    counts the intake limits passed (for a case: deemed accepted)."""

    checked: int = 0
    deemed_accepted: int = 0
    yellow_cards: int = 0
    red_cards: int = 0
    urgings: int = 0
    special_overruns: int = 0
    pledges_overdue: int = 0
    failed: int = 0
    missing_years: list[int] = field(default_factory=list)
    other_alerts: Counter[str] = field(default_factory=Counter)

    def add(self, counts: Counter[str]) -> None:
        for key, value in counts.items():
            if hasattr(self, key) and key != "other_alerts":
                setattr(self, key, getattr(self, key) + value)
            else:
                self.other_alerts[key] += value

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "checked": self.checked,
            "deemed_accepted": self.deemed_accepted,
            "yellow_cards": self.yellow_cards,
            "red_cards": self.red_cards,
            "urgings": self.urgings,
            "special_overruns": self.special_overruns,
            "pledges_overdue": self.pledges_overdue,
            "failed": self.failed,
            "missing_years": self.missing_years,
        }
        if self.other_alerts:
            result["other_alerts"] = dict(self.other_alerts)
        return result


def urge_mode() -> str:
    return getattr(settings, "TONGBAN_URGE_MODE", "daily")


def sweep(*, at: dt.datetime, batch: int = 200) -> SweepResult:
    """One supervision sweep as of ``at``: every item of every registered kind whose
    next check has come."""
    today = local_date(at)
    calendar = get_calendar()
    result = SweepResult(missing_years=calendar.missing_years(today.year, today.year + 1))
    if result.missing_years:
        log.warning(
            "No holiday arrangement on file for %s: those years count only weekends.",
            ", ".join(map(str, result.missing_years)),
        )
    for kind in clocked.kinds():
        _sweep_kind(kind, at, today, batch, result)
    return result


def _sweep_kind(
    kind: ClockedKind, at: dt.datetime, today: dt.date, batch: int, result: SweepResult
) -> None:
    seen: set[int] = set()
    while True:
        due = kind.due(today, exclude=seen, batch=batch)
        if not due:
            return
        for pk in due:
            seen.add(pk)
            try:
                counts = check_item(kind, pk, at=at)
            except Exception:
                # One broken item must not stop the supervision of all the others
                # (nor stop the sweep at the same item every five minutes).
                log.exception("supervision check of %s %s failed", kind.key, pk)
                result.failed += 1
                continue
            if counts is not None:
                result.checked += 1
                result.add(counts)


def simulated_night(at: dt.datetime) -> dict[str, int]:
    """The sweep as a simulated night's job (``cases.simulation.on_simulated_night``)."""
    return {k: v for k, v in sweep(at=at).as_dict().items() if isinstance(v, int)}


def check_case(pk: int, *, at: dt.datetime) -> Counter[str] | None:
    """``check_item`` for a case (kept for the callers that name cases)."""
    return check_item(clocked.kind("case"), pk, at=at)


@transaction.atomic
def check_item(kind: ClockedKind, pk: int, *, at: dt.datetime) -> Counter[str] | None:
    """Apply every rule of time-limits.md to one item as of ``at`` and store its next
    check. None when another sweep holds the item right now (it checks it)."""
    facts = kind.check(pk, at)
    if facts is None:
        return None
    today = local_date(at)
    calendar = get_calendar()
    counts: Counter[str] = Counter()
    if (
        facts.state == ItemState.NOT_STARTED
        and facts.intake is not None
        and today > facts.intake.due_on
    ):
        facts = _limit_passed(kind, facts, at, calendar, counts)
    # Cards matter only while the clock runs (with the intake card just issued).
    cards = list(Card.objects.of(kind.key, pk)) if facts.state == ItemState.RUNNING else []
    urged: dict[int, dt.date] = {}
    if facts.state == ItemState.RUNNING:
        _yellow_card(kind, facts, cards, at, today, calendar, counts)
        _red_cards(kind, facts, cards, at, today, calendar, counts)
        urged = _urge_overdue_steps(kind, facts, at, today, calendar, counts)
    raised = _raise_alerts(kind, facts, at, today, counts)
    next_on = next_check(facts, today, calendar, cards=cards, urged=urged, raised=raised)
    if next_on != facts.next_check_on:
        kind.store_next_check(pk, next_on)
    return counts


# --- the rules ------------------------------------------------------------------------


def _limit_passed(
    kind: ClockedKind,
    facts: ClockFacts,
    at: dt.datetime,
    calendar: WorkCalendar,
    counts: Counter[str],
) -> ClockFacts:
    """The intake limit has passed: the kind's effect (Art. 32: the application counts
    as accepted from the day it was received), and the intake desk is carded yellow."""
    intake = facts.intake
    assert intake is not None
    after = kind.on_limit_passed(facts.pk, at)
    counts["deemed_accepted"] += 1
    card = _issue(
        kind,
        after,
        colour=CardColour.YELLOW,
        rule=CardRule.INTAKE_LIMIT,
        step=None,
        step_name=intake.step_name,
        handler=intake.handler,
        department=_accountable(intake.department),
        deadline=intake.due_on,
        days_overdue=calendar.wd(intake.due_on, local_date(at)),
        at=at,
    )
    if card is not None:
        counts["yellow_cards"] += 1
    return after


def _at_fault(steps: tuple[StepFacts, ...]) -> StepFacts | None:
    """The step a deadline card names: the lead department's open step, else the
    first assisting step still open."""
    lead = [s for s in steps if s.lead]
    candidates = lead or list(steps)
    return candidates[0] if candidates else None


def _has_deadline_card(cards: list[Card], deadline: dt.date) -> bool:
    return any(
        c.colour == CardColour.YELLOW and c.rule == CardRule.DEADLINE and c.deadline == deadline
        for c in cards
    )


def _yellow_card(
    kind: ClockedKind,
    facts: ClockFacts,
    cards: list[Card],
    at: dt.datetime,
    today: dt.date,
    calendar: WorkCalendar,
    counts: Counter[str],
) -> None:
    """One full working day past the deadline: ``wd(deadline, t) ≥ 1``; once per item
    and deadline."""
    deadline = facts.deadline
    if deadline is None or calendar.wd(deadline, today) < 1:
        return
    if _has_deadline_card(cards, deadline):
        return
    step = _at_fault(facts.steps)
    card = _issue(
        kind,
        facts,
        colour=CardColour.YELLOW,
        rule=CardRule.DEADLINE,
        step=step,
        step_name=step.name if step else "",
        handler=step.assignee if step else facts.lead_handler,
        department=_accountable(step.department if step else facts.department),
        deadline=deadline,
        days_overdue=calendar.wd(deadline, today),
        at=at,
    )
    if card is not None:
        cards.append(card)
        counts["yellow_cards"] += 1


def _red_cards(
    kind: ClockedKind,
    facts: ClockFacts,
    cards: list[Card],
    at: dt.datetime,
    today: dt.date,
    calendar: WorkCalendar,
    counts: Counter[str],
) -> None:
    """A yellow-carded item still open ``red_after_days`` working days later."""
    red_after = settings.TONGBAN_RED_AFTER_DAYS
    reds = {c.yellow_id for c in cards if c.colour == CardColour.RED}
    for yellow in [c for c in cards if c.colour == CardColour.YELLOW]:
        if yellow.pk in reds or yellow.cured_at is not None:
            continue
        if calendar.wd(yellow.issued_on, today) < red_after:
            continue
        card = _issue(
            kind,
            facts,
            colour=CardColour.RED,
            rule=CardRule.NOT_CURED,
            step=None,
            step_name=yellow.step_name,
            handler=yellow.handler,
            department=yellow.department,
            deadline=yellow.deadline,
            days_overdue=calendar.wd(yellow.deadline, today),
            at=at,
            yellow=yellow,
        )
        if card is not None:
            cards.append(card)
            counts["red_cards"] += 1


def _urge_overdue_steps(
    kind: ClockedKind,
    facts: ClockFacts,
    at: dt.datetime,
    today: dt.date,
    calendar: WorkCalendar,
    counts: Counter[str],
) -> dict[int, dt.date]:
    """An open step past its own due date is urged on the first working day after it,
    and again on each further working day it stays overdue (``TONGBAN_URGE_MODE``
    "daily"; "once" urges only the first time). The last automatic urging of each
    step with a due date, today's included (``next_check`` reads it)."""
    limited = [s for s in facts.steps if s.due_on is not None]
    if not limited:
        return {}
    urged = kind.last_automatic_urgings(facts.pk, [s.id for s in limited])
    if not calendar.is_workday(today):
        return urged
    for step in limited:
        assert step.due_on is not None
        if today <= step.due_on:
            continue
        last = urged.get(step.id)
        if last is not None and (urge_mode() == "once" or last >= today):
            continue
        message = _("Step “%(step)s” was due on %(due)s and is overdue.") % {
            "step": step.name,
            "due": step.due_on.isoformat(),
        }
        kind.urge(facts.pk, step.id, message, at)
        urged[step.id] = today
        counts["urgings"] += 1
    return urged


def _raise_alerts(
    kind: ClockedKind, facts: ClockFacts, at: dt.datetime, today: dt.date, counts: Counter[str]
) -> set[tuple[str, str]]:
    """The conditions past their day that are alerts, not cards (a special procedure
    over its own limit, a pledge not kept): one alert each. ``(kind, reference)`` of
    every alert the item has, for ``next_check``."""
    if not facts.alerts:
        return set()
    raised = set(Alert.objects.of(kind.key, facts.pk).values_list("kind", "reference"))
    for condition in facts.alerts:
        key = (condition.kind, condition.reference)
        if key in raised or today <= condition.due_on:
            continue
        if _raise_alert(kind, facts, condition, at):
            counts[ALERT_COUNTERS.get(condition.kind, condition.kind)] += 1
        raised.add(key)
    return raised


def next_check(
    facts: ClockFacts,
    today: dt.date,
    calendar: WorkCalendar,
    *,
    cards: list[Card],
    urged: dict[int, dt.date],
    raised: set[tuple[str, str]],
) -> dt.date | None:
    """The first day after ``today`` on which a rule can fire for the item, knowing
    what has been issued already: its ``cards``, the last automatic urging of each
    step (``urged``) and its alerts (``raised``)."""
    candidates: list[dt.date] = []
    if facts.state == ItemState.NOT_STARTED and facts.intake is not None:
        candidates.append(facts.intake.due_on + DAY)
    elif facts.state == ItemState.RUNNING:
        if facts.deadline is not None and not _has_deadline_card(cards, facts.deadline):
            candidates.append(calendar.add(facts.deadline, 1))
        reds = {c.yellow_id for c in cards if c.colour == CardColour.RED}
        for yellow in cards:
            if yellow.colour == CardColour.YELLOW and yellow.pk not in reds and not yellow.cured_at:
                candidates.append(calendar.add(yellow.issued_on, settings.TONGBAN_RED_AFTER_DAYS))
        for step in facts.steps:
            if step.due_on is None:
                continue
            last = urged.get(step.id)
            if last is None:
                candidates.append(calendar.add(step.due_on, 1))
            elif urge_mode() != "once":
                candidates.append(calendar.add(max(last, today), 1))
    for condition in facts.alerts:
        if (condition.kind, condition.reference) not in raised:
            candidates.append(condition.due_on + DAY)
    if not candidates:
        return None
    # Whatever was due up to today has just been dealt with.
    return max(min(candidates), today + DAY)


def next_check_of(kind: ClockedKind, pk: int, at: dt.datetime) -> dt.date | None:
    """The supervision-aware next check of one item as it is now (under its lock, in
    the caller's transaction), without applying any rule."""
    facts = kind.check(pk, at)
    if facts is None:
        return None
    today = local_date(at)
    cards = list(Card.objects.of(kind.key, pk))
    limited = [s.id for s in facts.steps if s.due_on is not None]
    urged = kind.last_automatic_urgings(pk, limited) if limited else {}
    raised = set(Alert.objects.of(kind.key, pk).values_list("kind", "reference"))
    return next_check(facts, today, get_calendar(), cards=cards, urged=urged, raised=raised)


# --- issuing ----------------------------------------------------------------------------


def _accountable(department: Department) -> Department:
    """Cards count for a department, not for one of its sections."""
    if department.kind == DepartmentKind.SECTION and department.parent_id:
        return department.parent  # type: ignore[return-value]
    return department


def _recipients(card: Card) -> list[tuple[User, str]]:
    """The handler, the section head, the department leader and the system
    administrator (time-limits.md, Cards)."""
    people: list[tuple[User, str]] = []
    if card.handler is not None:
        people.append((card.handler, "handler"))
    section = card.handler.section if card.handler is not None else None
    active = User.objects.filter(is_active=True)
    heads = active.filter(roles__code=RoleCode.SECTION_HEAD)
    if section is not None:
        heads = heads.filter(section=section)
    else:
        heads = heads.filter(section__parent=card.department)
    people += [(u, "section_head") for u in heads.distinct()[:3]]
    leaders = active.filter(roles__code=RoleCode.DEPARTMENT_HEAD, department=card.department)
    people += [(u, "department_head") for u in leaders.distinct()[:3]]
    admins = active.filter(roles__code=RoleCode.SYSTEM_ADMIN)
    people += [(u, "system_admin") for u in admins.distinct()[:3]]
    return people


def _issue(
    kind: ClockedKind,
    facts: ClockFacts,
    *,
    colour: str,
    rule: str,
    step: StepFacts | None,
    step_name: str,
    handler: User | None,
    department: Department,
    deadline: dt.date,
    days_overdue: int,
    at: dt.datetime,
    yellow: Card | None = None,
) -> Card | None:
    """Write a card with its audit record and its messages; None if it exists. A red
    card names the yellow card's step."""
    card = Card(
        subject_kind=kind.key,
        subject_id=facts.pk,
        subject_number=facts.number,
        subject_title=facts.title,
        colour=colour,
        rule=rule,
        step_id=step.id if step else (yellow.step_id if yellow else None),
        step_name=step_name,
        step_department=step.department if step else (yellow.step_department if yellow else None),
        handler=handler,
        department=department,
        deadline=deadline,
        days_overdue=days_overdue,
        yellow=yellow,
        issued_at=at,
        issued_on=local_date(at),
    )
    try:
        with transaction.atomic():
            card.save()
    except IntegrityError:
        return None  # issued by a concurrent sweep
    people = _recipients(card)
    card.recipients = [{"name": u.display_name, "role": role} for u, role in people]
    card.save(update_fields=["recipients"])
    record_event(
        actor=None,
        action=f"card.{colour}",
        obj=card,
        object_repr=f"{facts.number} {card.get_colour_display()}",
        after={
            kind.key: facts.number,
            "rule": rule,
            "step": step_name,
            "handler": handler.username if handler else None,
            "department": department.code,
            "deadline": deadline,
            "days_overdue": days_overdue,
        },
        at=at,
    )
    body = _(
        "%(colour)s for %(kind)s %(number)s (%(item)s): %(rule)s, %(days)d working days past "
        "%(deadline)s; step %(step)s, handler %(handler)s."
    ) % {
        "colour": card.get_colour_display(),
        "kind": kind.label,
        "number": facts.number,
        "item": facts.title,
        "rule": card.get_rule_display(),
        "days": days_overdue,
        "deadline": deadline.isoformat(),
        "step": step_name or "—",
        "handler": handler.display_name if handler else "—",
    }
    kind.notify(
        facts.pk, [u for u, _role in people], template=f"supervision.{colour}", body=body, at=at
    )
    return card


def _raise_alert(
    kind: ClockedKind, facts: ClockFacts, condition: clocked.AlertCondition, at: dt.datetime
) -> bool:
    try:
        with transaction.atomic():
            Alert.objects.create(
                subject_kind=kind.key,
                subject_id=facts.pk,
                subject_number=facts.number,
                subject_title=facts.title,
                kind=condition.kind,
                reference=condition.reference,
                department=condition.department,
                due_on=condition.due_on,
                issued_at=at,
                issued_on=local_date(at),
            )
    except IntegrityError:
        return False
    heads = User.objects.filter(
        is_active=True, roles__code=RoleCode.DEPARTMENT_HEAD, department=condition.department
    ).distinct()[:3]
    kind.notify(
        facts.pk,
        heads,
        template=f"supervision.{condition.kind}",
        body=condition.text % {"number": facts.number, "due": condition.due_on.isoformat()},
        at=at,
    )
    object_type, object_id = kind.audit_object(facts.pk)
    record_event(
        actor=None,
        action=f"alert.{condition.kind}",
        object_type=object_type,
        object_id=object_id,
        object_repr=facts.number,
        after={"reference": condition.reference, "due_on": condition.due_on},
        at=at,
    )
    return True


# --- rectification ------------------------------------------------------------------------


@transaction.atomic
def record_rectification(*, actor: User, card: Card, note: str, at: dt.datetime) -> Card:
    """整改说明: the head of the carded department says what was done about it."""
    locked = (
        Card.objects.select_for_update().select_related("department").filter(pk=card.pk).first()
    )
    if locked is None:
        raise NotFound()
    card = locked
    if actor is not None and not (
        actor.has_role(RoleCode.DEPARTMENT_HEAD) and works_in(actor, card.department)
    ):
        raise PermissionDenied(_("Only the head of the carded department writes its note."))
    note = (note or "").strip()
    if not note:
        message = _("Write what the department has done about it.")
        raise ValidationFailed(message, fields={"note": [message]})
    if len(note) > 2000:
        message = _("At most %(n)d characters.") % {"n": 2000}
        raise ValidationFailed(message, fields={"note": [message]})
    before = {"rectification": card.rectification}
    card.rectification = note
    card.rectified_by = actor
    card.rectified_at = at
    card.save(update_fields=["rectification", "rectified_by", "rectified_at"])
    record_event(
        actor=actor,
        action="card.rectify",
        obj=card,
        before=before,
        after={"rectification": note},
        at=at,
    )
    return card


def visible_cards(user: User | None) -> QuerySet[Card]:
    """Cards in ``user``'s departmental scope (supervisors: all)."""
    cards: QuerySet[Card] = Card.objects.visible_to(user)
    return cards


__all__ = [
    "SweepResult",
    "check_case",
    "check_item",
    "next_check",
    "next_check_of",
    "record_rectification",
    "sweep",
    "visible_cards",
]
