"""``tongban simulate``: a realistic history made through the real services with a
simulated clock."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from tongban.accounts.models import Department
from tongban.cases.export import case_facts
from tongban.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    ExtensionStatus,
    SupplementRequest,
    Suspension,
    SuspensionKind,
    TimelineEvent,
    Urging,
)
from tongban.cases.simulation import simulate
from tongban.catalog.models import HandlingType
from tongban.core.clock import LOCAL_TZ
from tongban.notify.models import OutboxMessage, OutboxStatus
from tongban.supervision.models import Alert, Card, CardColour, CardRule
from tongban.supervision.services import sweep
from tongban.workcalendar.calendar import get_calendar, invalidate_calendar

START, END = dt.date(2026, 1, 5), dt.date(2026, 3, 6)  # two months, over the Spring Festival
END_AT = dt.datetime.combine(END, dt.time.max, LOCAL_TZ)

pytestmark = pytest.mark.django_db


def test_it_produces_every_status_type_and_event_with_consistent_facts():
    summary = simulate(60, START, END, seed=7)

    cases = list(Case.objects.prefetch_related("suspensions", "extensions"))
    assert summary.cases == len(cases) == 60
    assert {c.status for c in cases} == set(CaseStatus.values)
    assert {c.handling_type for c in cases} == set(HandlingType.values)
    assert Suspension.objects.filter(kind=SuspensionKind.SPECIAL_PROCEDURE).exists()
    assert Suspension.objects.filter(kind=SuspensionKind.SUPPLEMENT).exists()
    assert SupplementRequest.objects.filter(after_acceptance=False).exists()
    assert Case.objects.filter(extensions__status=ExtensionStatus.APPROVED).exists()
    assert Case.objects.filter(extensions__status=ExtensionStatus.REFUSED).exists()
    assert Case.objects.filter(status=CaseStatus.COMPLETED, outcome="denied").exists()
    assert Case.objects.filter(status=CaseStatus.WITHDRAWN, terminated_on__isnull=False).exists()
    assert Case.objects.exclude(pledge_due_on=None).exists()  # 容缺受理
    assert TimelineEvent.objects.filter(action="return").exists()
    overdue_open = [c for c in cases if c.status == CaseStatus.IN_PROGRESS and c.deadline < END]
    completed_late = [c for c in cases if c.completed_on and c.completed_on > c.deadline]
    assert overdue_open and completed_late
    assert summary.overdue_open == len(overdue_open)
    # Nothing happened after the end, and every case was received on a working day.
    calendar = get_calendar()
    assert not TimelineEvent.objects.filter(at__gt=END_AT).exists()
    assert all(START <= c.received_on <= END and calendar.is_workday(c.received_on) for c in cases)
    # The simulation leaves the messages for the worker instead of sending each.
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.PENDING).exists()

    for case in cases:
        if case.accepted_on is None:
            continue
        assert case.accepted_on >= case.received_on, case.number
        if case.completed_on is not None:
            assert case.completed_on >= case.accepted_on, case.number
        approved = sum(e.days for e in case.extensions.all() if e.status == "approved")
        suspended = sum(s.days for s in case.suspensions.all() if s.ended_on)
        assert (case.extension_days, case.suspended_days) == (approved, suspended), case.number
        # time-limits.md, recomputed from the stored limit, extensions and suspensions.
        expected = (
            case.accepted_on
            if case.handling_type == HandlingType.IMMEDIATE
            else calendar.add(case.accepted_on, case.limit_days + approved + suspended)
        )
        assert case.deadline == expected, case.number
    for suspension in Suspension.objects.exclude(ended_on=None):
        assert suspension.days == calendar.wd(suspension.started_on, suspension.ended_on)


def test_it_sweeps_every_night_so_the_history_has_cards_urgings_and_a_deemed_acceptance():
    summary = simulate(60, START, END, seed=7)

    cards = list(Card.objects.select_related("yellow"))
    cases_of = Case.objects.in_bulk({c.subject_id for c in cards})
    for card in cards:
        card.case = cases_of[card.subject_id]
    yellow = [c for c in cards if c.colour == CardColour.YELLOW]
    red = [c for c in cards if c.colour == CardColour.RED]
    assert yellow and red
    assert (summary.actions["yellow_cards"], summary.actions["red_cards"]) == (
        len(yellow),
        len(red),
    )
    # Every red card follows a yellow one of the same case, red_after_days later (or
    # more, when the case was suspended meanwhile).
    calendar = get_calendar()
    for card in red:
        assert card.yellow.subject_id == card.subject_id
        red_after = calendar.wd(card.yellow.issued_on, card.issued_on)
        assert red_after >= settings.TONGBAN_RED_AFTER_DAYS, card.case.number
    # Issued just after midnight on the day after a full working day past the deadline.
    for card in yellow:
        assert card.issued_at.astimezone(LOCAL_TZ).time() == dt.time(0, 1)
        if card.rule == CardRule.DEADLINE:
            assert calendar.wd(card.deadline, card.issued_on) >= 1, card.case.number
    # Cured exactly when the case ended; still open cases keep theirs.
    for card in cards:
        ended = card.case.status not in OPEN_STATUSES
        assert (card.cured_at is not None) == ended, card.case.number
        if ended:
            assert card.cured_at == card.case.closed_at
    assert any(c.cured_at for c in cards) and any(not c.cured_at for c in cards)
    # Steps left lying are urged automatically; handlers and heads are told.
    urgings = Urging.objects.filter(automatic=True)
    assert urgings.count() == summary.actions["urgings"] > 0
    assert OutboxMessage.objects.filter(template="case.urged").exists()
    assert OutboxMessage.objects.filter(template="supervision.red").exists()
    assert Alert.objects.exists()  # pledged materials late, or a special procedure over
    # The application nobody reviewed counts as accepted from the day it came in,
    # and the intake desk is carded; the department then handled it as any other.
    deemed = Case.objects.get(deemed_accepted=True)
    assert deemed.accepted_on == deemed.received_on
    assert (
        Card.objects.of("case", deemed.pk)
        .filter(rule=CardRule.INTAKE_LIMIT, colour=CardColour.YELLOW)
        .exists()
    )
    assert deemed.timeline.filter(action="deemed_accept").exists()
    assert deemed.timeline.filter(action="claim").exists()
    assert summary.actions["deemed_accepted"] == 1

    # The history is what the sweep makes of it: one more sweep as of the end of the
    # last day finds nothing left to issue.
    again = sweep(at=END_AT).as_dict()
    issued = {k: v for k, v in again.items() if k not in ("checked", "missing_years")}
    assert issued == dict.fromkeys(issued, 0)
    assert not summary.actions.get("failed")  # no check of a case broke on the way


def _facts_of_a_fresh_run(seed: int) -> list[dict]:
    """Simulate on an empty database and read the facts; then roll everything back."""
    with transaction.atomic():
        assert not Department.objects.exists()
        simulate(40, START, END, seed=seed)
        facts = list(case_facts(END_AT))
        transaction.set_rollback(True)
    invalidate_calendar()
    return facts


def test_it_gives_the_same_facts_for_the_same_seed():
    first = _facts_of_a_fresh_run(7)
    second = _facts_of_a_fresh_run(7)
    other = _facts_of_a_fresh_run(8)

    assert len(first) > 20
    assert first == second
    assert first != other


def test_it_runs_from_the_command_line_loading_the_demo_organisation_on_an_empty_database():
    assert not Department.objects.exists()
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "simulate",
        "--cases",
        "12",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-13",
        "--seed",
        "3",
        stdout=out,
        stderr=err,
    )

    assert Department.objects.filter(code="SCJG").exists()
    assert Case.objects.count() == 12
    assert "100%" in err.getvalue()  # the progress bar reached its end
    completed = Case.objects.filter(status=CaseStatus.COMPLETED).count()
    assert completed > 0
    assert f"(completed): {completed}" in out.getvalue()
    assert Case.objects.aggregate(n=Sum("limit_days"))["n"] > 0
