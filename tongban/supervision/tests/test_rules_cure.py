"""time-limits.md, "Cards": a card is cured when its case completes or is terminated
(a withdrawal after acceptance counts as termination); a closed case is never carded
again."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import services as cases
from tongban.cases.models import Case, Decision, Outcome
from tongban.cases.testing import accepted, active_step, at
from tongban.supervision.models import Card
from tongban.supervision.services import sweep

D = dt.date.fromisoformat


def _complete(personas, case: Case, when: dt.datetime) -> None:
    for actor in (personas.handler, personas.section_head, personas.department_head):
        step = active_step(case)
        cases.advance_step(
            actor=actor, case=case, step_id=step.pk, decision=Decision.AGREE, at=when
        )
    cases.complete_case(
        actor=personas.handler,
        case=case,
        step_id=active_step(case).pk,
        outcome=Outcome.APPROVED,
        certificate_number="JY16205020009999",
        at=when,
    )


def _terminate(personas, case: Case, when: dt.datetime) -> None:
    cases.terminate_case(
        actor=personas.department_head, case=case, reason="申请人营业执照已注销", at=when
    )


def _withdraw(personas, case: Case, when: dt.datetime) -> None:
    cases.withdraw_case(actor=personas.window_clerk, case=case, reason="申请人撤回申请", at=when)


@pytest.mark.parametrize("end", [_complete, _terminate, _withdraw], ids=lambda f: f.__name__)
def test_it_cures_the_cards_when_the_case_ends(personas, items, end):
    # Deadline 27 March; yellow Monday 30 March, red Thursday 2 April.
    case = accepted(personas, items.promised, at("2026-03-06"))
    sweep(at=at("2026-03-30", 0, 5))
    sweep(at=at("2026-04-02", 0, 5))
    assert Card.objects.of("case", case.pk).filter(cured_at__isnull=True).count() == 2

    ended_at = at("2026-04-03", 15, 30)
    end(personas, case, ended_at)

    cards = Card.objects.of("case", case.pk)
    assert {(c.cured_at, c.cured_on) for c in cards} == {(ended_at, D("2026-04-03"))}
    case.refresh_from_db()
    assert case.next_check_on is None
    # Nothing more for the closed case, whenever the sweep runs.
    for day in ["2026-04-07", "2026-05-06", "2026-06-30"]:
        assert sweep(at=at(day)).as_dict() | {"missing_years": []} == {
            "checked": 0,
            "deemed_accepted": 0,
            "yellow_cards": 0,
            "red_cards": 0,
            "urgings": 0,
            "special_overruns": 0,
            "pledges_overdue": 0,
            "failed": 0,
            "missing_years": [],
        }
    assert cards.count() == 2


def test_it_keeps_a_cured_card_cured_and_unchanged_by_later_sweeps(personas, items):
    case = accepted(personas, items.promised, at("2026-03-06"))
    sweep(at=at("2026-03-30", 0, 5))
    _complete(personas, case, at("2026-03-31", 11))
    card = Card.objects.of("case", case.pk).get()
    before = (card.days_overdue, card.issued_at, card.cured_at, card.recipients)
    sweep(at=at("2026-04-30"))
    card.refresh_from_db()
    assert (card.days_overdue, card.issued_at, card.cured_at, card.recipients) == before
    assert card.cured_on == D("2026-03-31")
