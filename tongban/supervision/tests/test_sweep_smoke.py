"""A first walk through the sweep on a real calendar (the rules in detail are in the
other test files)."""

from __future__ import annotations

import datetime as dt

from tongban.cases.models import CaseStatus
from tongban.cases.testing import accepted, at, receive
from tongban.supervision.models import Card, CardColour, CardRule
from tongban.supervision.services import sweep


def test_it_cards_yellow_then_red_and_deems_acceptance(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    assert case.deadline == dt.date(2026, 3, 23)
    waiting = receive(personas, items.promised, at("2026-03-02"))

    # Tuesday 24 March: one working day past the deadline.
    first = sweep(at=at("2026-03-24", 0, 5))
    again = sweep(at=at("2026-03-24", 0, 5))

    # The overdue case; the intake desk of the application nobody reviewed; and that
    # application itself, deemed accepted on 2 March, is past the same deadline.
    assert first.yellow_cards == 3
    assert first.deemed_accepted == 1
    assert first.urgings == 1  # 承办 of the first case was due on 12 March
    assert again.as_dict() | {"checked": 0} == {
        "checked": 0,
        "deemed_accepted": 0,
        "yellow_cards": 0,
        "red_cards": 0,
        "urgings": 0,
        "special_overruns": 0,
        "pledges_overdue": 0,
        "failed": 0,
        "missing_years": again.missing_years,
    }
    waiting.refresh_from_db()
    assert waiting.status == CaseStatus.IN_PROGRESS and waiting.accepted_on == waiting.received_on
    assert {c.rule for c in Card.objects.of("case", waiting.pk)} == {
        CardRule.INTAKE_LIMIT,
        CardRule.DEADLINE,
    }

    # Three working days later (Friday 27 March) the yellow card turns red.
    later = sweep(at=at("2026-03-27", 0, 5))
    assert later.red_cards >= 1
    assert Card.objects.of("case", case.pk).filter(colour=CardColour.RED).count() == 1


def test_one_failing_case_does_not_stop_the_sweep(personas, items):
    from tongban.cases.models import Case

    broken = accepted(personas, items.promised, at("2026-03-02"))
    healthy = accepted(personas, items.promised, at("2026-03-02"))
    # Damaged data: a deadline before the calendar's first day makes its check fail.
    Case.objects.filter(pk=broken.pk).update(deadline=dt.date(1989, 12, 29))

    result = sweep(at=at("2026-03-24", 0, 5))

    assert result.failed == 1
    assert Card.objects.of("case", healthy.pk).filter(colour=CardColour.YELLOW).count() == 1
    assert not Card.objects.of("case", broken.pk).exists()
