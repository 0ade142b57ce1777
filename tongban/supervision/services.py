"""The supervision sweep (time-limits.md, to the letter) and the other writes of
electronic supervision: cards, automatic urgings, alerts, cures, rectification notes.

The sweep reads only the cases whose ``next_check_on`` has come (indexed), checks each
in its own transaction under the case's row lock, and stores the next day on which
something can happen to it. It is idempotent: every card, urging and alert is issued
at most once for what it is about, so a second sweep for the same instant changes
nothing, and a sweep for a later instant issues only what became due since.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import Department, DepartmentKind, User
from tongban.accounts.roles import RoleCode
from tongban.audit.services import record_event
from tongban.cases import services as cases
from tongban.cases.access import works_in
from tongban.cases.models import (
    Case,
    CaseStatus,
    CaseStep,
    StepKind,
    StepStatus,
    Suspension,
    SuspensionKind,
    Urging,
)
from tongban.core.clock import local_date
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.notify.services import notify_staff
from tongban.workcalendar.calendar import WorkCalendar, get_calendar

from .models import Alert, AlertKind, Card, CardColour, CardRule

log = logging.getLogger(__name__)

DAY = dt.timedelta(days=1)


@dataclass
class SweepResult:
    """What one sweep did; ``as_dict`` is the ``--json`` output."""

    checked: int = 0
    deemed_accepted: int = 0
    yellow_cards: int = 0
    red_cards: int = 0
    urgings: int = 0
    special_overruns: int = 0
    pledges_overdue: int = 0
    failed: int = 0
    missing_years: list[int] = field(default_factory=list)

    def add(self, counts: Counter) -> None:
        for key, value in counts.items():
            setattr(self, key, getattr(self, key) + value)

    def as_dict(self) -> dict:
        return {
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


def urge_mode() -> str:
    return getattr(settings, "TONGBAN_URGE_MODE", "daily")


def sweep(*, at: dt.datetime, batch: int = 200) -> SweepResult:
    """One supervision sweep as of ``at``: every case whose next check has come."""
    today = local_date(at)
    calendar = get_calendar()
    result = SweepResult(missing_years=calendar.missing_years(today.year, today.year + 1))
    if result.missing_years:
        log.warning(
            "No holiday arrangement on file for %s: those years count only weekends.",
            ", ".join(map(str, result.missing_years)),
        )
    seen: set[int] = set()
    while True:
        due = list(
            Case.objects.filter(next_check_on__lte=today)
            .exclude(pk__in=seen)
            .order_by("next_check_on", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not due:
            return result
        for pk in due:
            seen.add(pk)
            try:
                counts = check_case(pk, at=at)
            except Exception:
                # One broken case must not stop the supervision of all the others
                # (nor stop the sweep at the same case every five minutes).
                log.exception("supervision check of case %s failed", pk)
                result.failed += 1
                continue
            if counts is not None:
                result.checked += 1
                result.add(counts)


def simulated_night(at: dt.datetime) -> dict[str, int]:
    """The sweep as a simulated night's job (``cases.simulation.on_simulated_night``)."""
    return {k: v for k, v in sweep(at=at).as_dict().items() if isinstance(v, int)}


@transaction.atomic
def check_case(pk: int, *, at: dt.datetime) -> Counter | None:
    """Apply every rule of time-limits.md to one case as of ``at`` and store its next
    check. None when another sweep holds the case right now (it checks it)."""
    query = Case.objects.select_related("department", "hall", "received_by")
    if connection.features.has_select_for_update_skip_locked:
        query = query.select_for_update(skip_locked=True, of=("self",))
    else:
        query = query.select_for_update()
    case = query.filter(pk=pk).first()
    if case is None:
        return None
    today = local_date(at)
    calendar = get_calendar()
    counts: Counter = Counter()
    if case.status == CaseStatus.RECEIVED and today > case.review_due_on:
        case = _deem_accepted(case, at, calendar, counts)
    steps = cards = None
    if case.status == CaseStatus.IN_PROGRESS:
        steps = _active_steps(case)
        cards = list(case.cards.all())
        _yellow_card(case, steps, cards, at, today, calendar, counts)
        _red_cards(case, cards, at, today, calendar, counts)
        _urge_overdue_steps(case, steps, at, today, calendar, counts)
    if case.status in (CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED):
        _pledge_overdue(case, at, today, counts)
    if case.status == CaseStatus.SUSPENDED:
        _special_overrun(case, at, today, counts)
    # The rules leave the case in progress or not; only then are steps and cards
    # (with the cards just issued) still what next_check would read again.
    known = {"steps": steps, "cards": cards} if case.status == CaseStatus.IN_PROGRESS else {}
    next_on = next_check(case, today, calendar, **known)
    if next_on != case.next_check_on:
        case.next_check_on = next_on
        case.save(update_fields=["next_check_on"])
    return counts


# --- the rules ------------------------------------------------------------------------


def _deem_accepted(case: Case, at, calendar: WorkCalendar, counts: Counter) -> Case:
    """Art. 32: no notice within five working days of receipt — the application counts
    as accepted from the day it was received; the intake desk is carded yellow."""
    case = cases.deem_accepted(case=case, at=at)
    counts["deemed_accepted"] += 1
    today = local_date(at)
    desk = case.hall or case.department
    card = _issue(
        case=case,
        colour=CardColour.YELLOW,
        rule=CardRule.INTAKE_LIMIT,
        step=None,
        step_name=_("Intake"),
        handler=case.received_by,
        department=_accountable(desk),
        deadline=case.review_due_on,
        days_overdue=calendar.wd(case.review_due_on, today),
        at=at,
    )
    if card is not None:
        counts["yellow_cards"] += 1
    return case


def _active_steps(case: Case) -> list[CaseStep]:
    return list(
        CaseStep.objects.filter(case=case, status=StepStatus.ACTIVE)
        .select_related("department", "assignee")
        .order_by("order", "id")
    )


def _at_fault(steps: list[CaseStep]) -> CaseStep | None:
    """The step a deadline card names: the lead department's active step, else the
    first assisting step still open."""
    lead = [s for s in steps if s.kind == StepKind.LEAD]
    return (lead or steps or [None])[0]


def _yellow_card(case, steps, cards, at, today, calendar, counts) -> None:
    """One full working day past the deadline: ``wd(deadline, t) ≥ 1``; once per case
    and deadline."""
    if case.deadline is None or calendar.wd(case.deadline, today) < 1:
        return
    if any(
        c.colour == CardColour.YELLOW
        and c.rule == CardRule.DEADLINE
        and c.deadline == case.deadline
        for c in cards
    ):
        return
    step = _at_fault(steps)
    card = _issue(
        case=case,
        colour=CardColour.YELLOW,
        rule=CardRule.DEADLINE,
        step=step,
        step_name=step.name if step else "",
        handler=step.assignee if step else None,
        department=_accountable(step.department if step else case.department),
        deadline=case.deadline,
        days_overdue=calendar.wd(case.deadline, today),
        at=at,
    )
    if card is not None:
        cards.append(card)
        counts["yellow_cards"] += 1


def _red_cards(case, cards, at, today, calendar, counts) -> None:
    """A yellow-carded case still open ``red_after_days`` working days later."""
    red_after = settings.TONGBAN_RED_AFTER_DAYS
    reds = {c.yellow_id for c in cards if c.colour == CardColour.RED}
    for yellow in [c for c in cards if c.colour == CardColour.YELLOW]:
        if yellow.pk in reds or yellow.cured_at is not None:
            continue
        if calendar.wd(yellow.issued_on, today) < red_after:
            continue
        card = _issue(
            case=case,
            colour=CardColour.RED,
            rule=CardRule.NOT_CURED,
            step=yellow.step,
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


def _urge_overdue_steps(case, steps, at, today, calendar, counts) -> None:
    """An open step past its own due date is urged on the first working day after it,
    and again on each further working day it stays overdue (``TONGBAN_URGE_MODE``
    "daily"; "once" urges only the first time)."""
    if not calendar.is_workday(today):
        return
    overdue = [s for s in steps if s.due_on is not None and today > s.due_on]
    if not overdue:
        return
    urged = _last_automatic_urgings(case, overdue)
    for step in overdue:
        last = urged.get(step.pk)
        if last is not None and (urge_mode() == "once" or last >= today):
            continue
        message = _("Step “%(step)s” was due on %(due)s and is overdue.") % {
            "step": step.name,
            "due": step.due_on.isoformat(),
        }
        cases.urge_case(actor=None, case=case, message=message, at=at, step_id=step.pk)
        counts["urgings"] += 1


def _last_automatic_urgings(case: Case, steps) -> dict[int, dt.date]:
    last: dict[int, dt.date] = {}
    for step_id, on in Urging.objects.filter(case=case, automatic=True, step__in=steps).values_list(
        "step_id", "on"
    ):
        if step_id not in last or on > last[step_id]:
            last[step_id] = on
    return last


def _pledge_overdue(case, at, today, counts) -> None:
    """容缺受理: the pledged materials are not in by the pledged day."""
    if case.pledge_due_on is None or today <= case.pledge_due_on:
        return
    if _raise_alert(
        case,
        AlertKind.PLEDGE_OVERDUE,
        f"pledge:{case.pledge_due_on.isoformat()}",
        case.pledge_due_on,
        at,
        _("Case %(number)s: the pledged materials were due on %(due)s and are not in."),
    ):
        counts["pledges_overdue"] += 1


def _special_overrun(case, at, today, counts) -> None:
    """A special procedure has its own limit; overrunning it is itself supervised."""
    suspension = (
        Suspension.objects.filter(
            case=case, ended_at__isnull=True, kind=SuspensionKind.SPECIAL_PROCEDURE
        )
        .order_by("-started_at")
        .first()
    )
    if suspension is None or suspension.due_on is None or today <= suspension.due_on:
        return
    if _raise_alert(
        case,
        AlertKind.SPECIAL_OVERRUN,
        f"suspension:{suspension.pk}",
        suspension.due_on,
        at,
        _("Case %(number)s: the special procedure was due to end on %(due)s."),
    ):
        counts["special_overruns"] += 1


def next_check(
    case: Case,
    today: dt.date,
    calendar: WorkCalendar,
    *,
    steps: list[CaseStep] | None = None,
    cards: list[Card] | None = None,
) -> dt.date | None:
    """The first day after ``today`` on which a rule can fire for ``case``, knowing
    what has been issued already. ``steps`` (the active ones) and ``cards`` are read
    unless the caller has them."""
    candidates: list[dt.date] = []
    if case.status == CaseStatus.RECEIVED:
        candidates.append(case.review_due_on + DAY)
    elif case.status == CaseStatus.IN_PROGRESS:
        cards = list(case.cards.all()) if cards is None else cards
        if case.deadline is not None and not any(
            c.colour == CardColour.YELLOW
            and c.rule == CardRule.DEADLINE
            and c.deadline == case.deadline
            for c in cards
        ):
            candidates.append(calendar.add(case.deadline, 1))
        reds = {c.yellow_id for c in cards if c.colour == CardColour.RED}
        for yellow in cards:
            if yellow.colour == CardColour.YELLOW and yellow.pk not in reds and not yellow.cured_at:
                candidates.append(calendar.add(yellow.issued_on, settings.TONGBAN_RED_AFTER_DAYS))
        steps = [
            s for s in (_active_steps(case) if steps is None else steps) if s.due_on is not None
        ]
        urged = _last_automatic_urgings(case, steps) if steps else {}
        for step in steps:
            last = urged.get(step.pk)
            if last is None:
                candidates.append(calendar.add(step.due_on, 1))
            elif urge_mode() != "once":
                candidates.append(calendar.add(max(last, today), 1))
    pledge = case.pledge_due_on
    if (
        case.status in (CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED)
        and pledge is not None
        and not case.alerts.filter(
            kind=AlertKind.PLEDGE_OVERDUE, reference=f"pledge:{pledge.isoformat()}"
        ).exists()
    ):
        candidates.append(pledge + DAY)
    if case.status == CaseStatus.SUSPENDED:
        suspension = (
            Suspension.objects.filter(
                case=case, ended_at__isnull=True, kind=SuspensionKind.SPECIAL_PROCEDURE
            )
            .order_by("-started_at")
            .first()
        )
        if (
            suspension is not None
            and suspension.due_on is not None
            and not case.alerts.filter(reference=f"suspension:{suspension.pk}").exists()
        ):
            candidates.append(suspension.due_on + DAY)
    if not candidates:
        return None
    # Whatever was due up to today has just been dealt with.
    return max(min(candidates), today + DAY)


# --- issuing ----------------------------------------------------------------------------


def _accountable(department: Department) -> Department:
    """Cards count for a department, not for one of its sections."""
    if department.kind == DepartmentKind.SECTION and department.parent_id:
        return department.parent
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
    *,
    case: Case,
    colour: str,
    rule: str,
    step,
    step_name: str,
    handler,
    department: Department,
    deadline: dt.date,
    days_overdue: int,
    at: dt.datetime,
    yellow: Card | None = None,
) -> Card | None:
    """Write a card with its audit record and its messages; None if it exists."""
    card = Card(
        case=case,
        colour=colour,
        rule=rule,
        step=step,
        step_name=step_name,
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
        object_repr=f"{case.number} {card.get_colour_display()}",
        after={
            "case": case.number,
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
        "%(colour)s for case %(number)s (%(item)s): %(rule)s, %(days)d working days past "
        "%(deadline)s; step %(step)s, handler %(handler)s."
    ) % {
        "colour": card.get_colour_display(),
        "number": case.number,
        "item": case.item_name,
        "rule": card.get_rule_display(),
        "days": days_overdue,
        "deadline": deadline.isoformat(),
        "step": step_name or "—",
        "handler": handler.display_name if handler else "—",
    }
    notify_staff(
        [u for u, _role in people], template=f"supervision.{colour}", body=body, at=at, case=case
    )
    return card


def _raise_alert(case, kind, reference, due_on, at, text) -> bool:
    try:
        with transaction.atomic():
            Alert.objects.create(
                case=case,
                kind=kind,
                reference=reference,
                department=case.department,
                due_on=due_on,
                issued_at=at,
                issued_on=local_date(at),
            )
    except IntegrityError:
        return False
    heads = User.objects.filter(
        is_active=True, roles__code=RoleCode.DEPARTMENT_HEAD, department=case.department
    ).distinct()[:3]
    notify_staff(
        heads,
        template=f"supervision.{kind}",
        body=text % {"number": case.number, "due": due_on.isoformat()},
        at=at,
        case=case,
    )
    record_event(
        actor=None,
        action=f"alert.{kind}",
        obj=case,
        after={"reference": reference, "due_on": due_on},
        at=at,
    )
    return True


# --- called by the case engine in its own transactions ---------------------------------


def cure_cards(case: Case, at: dt.datetime) -> int:
    """A card is cured when its case completes or is terminated (or withdrawn)."""
    cured = Card.objects.filter(case=case, cured_at__isnull=True).update(
        cured_at=at, cured_on=local_date(at)
    )
    Alert.objects.filter(case=case, resolved_at__isnull=True).update(resolved_at=at)
    return cured


def resolve_alerts(case: Case, kind: str, at: dt.datetime) -> None:
    Alert.objects.filter(case=case, kind=kind, resolved_at__isnull=True).update(resolved_at=at)


# --- rectification ------------------------------------------------------------------------


@transaction.atomic
def record_rectification(*, actor: User, card: Card, note: str, at: dt.datetime) -> Card:
    """整改说明: the head of the carded department says what was done about it."""
    card = Card.objects.select_for_update().select_related("department").filter(pk=card.pk).first()
    if card is None:
        raise NotFound()
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


def visible_cards(user):
    """Cards in ``user``'s departmental scope (supervisors: all)."""
    return Card.objects.visible_to(user)


__all__ = [
    "SweepResult",
    "check_case",
    "cure_cards",
    "next_check",
    "record_rectification",
    "resolve_alerts",
    "sweep",
    "visible_cards",
]
