"""time-limits.md, "Cards": a red card to a yellow-carded case still open
``red_after_days`` working days after the yellow one — once, never to a cured case,
never while the clock is stopped."""

from __future__ import annotations

import datetime as dt

from tongban.cases import services as cases
from tongban.cases.models import Decision, Outcome
from tongban.cases.testing import accepted, active_step, at
from tongban.notify.models import OutboxMessage
from tongban.supervision.models import Card, CardColour, CardRule
from tongban.supervision.services import sweep

D = dt.date.fromisoformat


def _late_case(personas, items):
    """Accepted Thursday 9 April, deadline Thursday 30 April; carded yellow on
    Wednesday 6 May, the first working day after 劳动节."""
    case = accepted(personas, items.promised, at("2026-04-09"))
    assert case.deadline == D("2026-04-30")
    assert sweep(at=at("2026-05-06", 0, 5)).yellow_cards == 1
    return case


def _reds(case):
    return Card.objects.of("case", case.pk).filter(colour=CardColour.RED)


def test_it_turns_red_three_working_days_later_on_the_adjusted_saturday(personas, items):
    case = _late_case(personas, items)
    yellow = Card.objects.of("case", case.pk).get(colour=CardColour.YELLOW)
    # wd(6 May, t) ≥ 3: Thursday 7 (1), Friday 8 (2), Saturday 9 — worked (3).
    for day in ["2026-05-06", "2026-05-07", "2026-05-08"]:
        assert sweep(at=at(day, 23, 55)).red_cards == 0, day
    assert sweep(at=at("2026-05-09", 0, 5)).red_cards == 1
    red = _reds(case).get()
    assert red.yellow == yellow and red.rule == CardRule.NOT_CURED
    assert red.deadline == D("2026-04-30") and red.issued_on == D("2026-05-09")
    # 6, 7, 8, 9 May: four working days past the deadline.
    assert red.days_overdue == 4
    assert (red.step_id, red.handler, red.department) == (
        yellow.step_id,
        yellow.handler,
        yellow.department,
    )
    assert [r["role"] for r in red.recipients] == [r["role"] for r in yellow.recipients]
    assert OutboxMessage.objects.filter(case=case, template="supervision.red").exists()


def test_it_turns_red_after_a_configured_number_of_days(personas, items, settings):
    settings.TONGBAN_RED_AFTER_DAYS = 2
    case = _late_case(personas, items)
    assert sweep(at=at("2026-05-07", 23, 55)).red_cards == 0
    assert sweep(at=at("2026-05-08", 0, 5)).red_cards == 1
    assert _reds(case).get().issued_on == D("2026-05-08")


def test_it_issues_the_red_card_only_once(personas, items):
    case = _late_case(personas, items)
    days = ["2026-05-09", "2026-05-10", "2026-05-11", "2026-05-12", "2026-05-29"]
    assert [sweep(at=at(day)).red_cards for day in days] == [1, 0, 0, 0, 0]
    assert _reds(case).count() == 1
    assert Card.objects.of("case", case.pk).count() == 2


def test_it_gives_no_red_card_to_a_case_completed_in_time(personas, items):
    case = _late_case(personas, items)
    for actor in (personas.handler, personas.section_head, personas.department_head):
        step = active_step(case)
        cases.advance_step(
            actor=actor, case=case, step_id=step.pk, decision=Decision.AGREE, at=at("2026-05-08")
        )
    cases.complete_case(
        actor=personas.handler,
        case=case,
        step_id=active_step(case).pk,
        outcome=Outcome.APPROVED,
        at=at("2026-05-08", 16),
    )
    assert sweep(at=at("2026-05-09")).red_cards == 0
    assert sweep(at=at("2026-05-20")).as_dict()["red_cards"] == 0
    assert not _reds(case).exists()


def test_it_gives_no_red_card_while_the_case_is_suspended(personas, items):
    case = _late_case(personas, items)
    cases.suspend_case(
        actor=personas.handler,
        case=case,
        procedure="onsite_check",
        reason="现场核查",
        at=at("2026-05-07"),
    )
    for day in ["2026-05-09", "2026-05-11"]:
        assert sweep(at=at(day)).red_cards == 0, day
    assert not _reds(case).exists()

    # Resumed on Tuesday 12 May after four working days (8, 9, 11, 12): the deadline
    # moves to Saturday 9 May, itself past, and the old yellow card, still not cured,
    # turns red at the next sweep.
    cases.resume_case(actor=personas.handler, case=case, at=at("2026-05-12", 9))
    case.refresh_from_db()
    assert case.suspended_days == 4 and case.deadline == D("2026-05-09")
    result = sweep(at=at("2026-05-12", 10))
    assert result.red_cards == 1
    # A new deadline that has itself passed is carded again (once per deadline).
    assert result.yellow_cards == 1
    assert sorted(Card.objects.of("case", case.pk).values_list("colour", "deadline")) == [
        (CardColour.RED, D("2026-04-30")),
        (CardColour.YELLOW, D("2026-04-30")),
        (CardColour.YELLOW, D("2026-05-09")),
    ]
