"""time-limits.md, "Sweep cost": each case stores the next day its supervision state
can change (``next_check_on``) and the sweep reads only the cases whose day has come."""

from __future__ import annotations

import datetime as dt

from tongban.cases import services as cases
from tongban.cases.models import Case
from tongban.cases.testing import accepted, at, receive
from tongban.supervision.services import sweep

D = dt.date.fromisoformat


def _next(case: Case) -> dt.date | None:
    return Case.objects.values_list("next_check_on", flat=True).get(pk=case.pk)


def test_it_moves_the_next_check_to_each_day_something_can_happen(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    # 承办 due Thursday 12 March (urged from Friday 13), deadline Monday 23 March.
    assert _next(case) == D("2026-03-13")
    steps = [
        ("2026-03-13", D("2026-03-16")),  # urged Friday; again Monday (not the weekend)
        ("2026-03-16", D("2026-03-17")),
        ("2026-03-23", D("2026-03-24")),  # urged; tomorrow both an urging and the card
        ("2026-03-24", D("2026-03-25")),  # yellow; the red one is due Friday 27
    ]
    for day, expected in steps:
        sweep(at=at(day, 0, 5))
        assert _next(case) == expected, day


def test_it_skips_to_the_card_days_when_urging_once(personas, items, settings):
    settings.TONGBAN_URGE_MODE = "once"
    case = accepted(personas, items.promised, at("2026-03-02"))
    sweep(at=at("2026-03-13", 0, 5))
    assert _next(case) == D("2026-03-24")  # the yellow card, nothing before
    sweep(at=at("2026-03-24", 0, 5))
    assert _next(case) == D("2026-03-27")  # the red card, three working days later
    sweep(at=at("2026-03-27", 0, 5))
    assert _next(case) is None  # everything that can happen has happened


def test_it_checks_a_suspended_case_the_day_after_its_procedure_is_due(personas, items):
    case = accepted(personas, items.promised, at("2026-04-09"))
    case = cases.suspend_case(
        actor=personas.handler,
        case=case,
        procedure="onsite_check",
        reason="现场核查",
        at=at("2026-04-28"),
    )
    assert _next(case) == D("2026-05-09")  # due Friday 8 May
    sweep(at=at("2026-05-09", 0, 5))
    assert _next(case) is None  # alerted; nothing more until it resumes
    cases.resume_case(actor=personas.handler, case=case, at=at("2026-05-12", 9))
    # Deadline 30 April + 8 suspended days = 14 May; 承办, due 21 April + 8 = 6 May, is
    # overdue already: the case is due for its urging from 7 May, i.e. at once.
    assert _next(case) == D("2026-05-07")
    assert sweep(at=at("2026-05-12", 10)).urgings == 1
    assert _next(case) == D("2026-05-13")


def test_it_reads_only_the_cases_whose_next_check_has_come(personas, items):
    early = accepted(personas, items.promised, at("2026-03-02"))  # next 13 March
    later = accepted(personas, items.promised, at("2026-03-10"))  # 承办 due 20 March
    waiting = receive(personas, items.promised, at("2026-03-02"))
    cases.request_supplement(
        actor=personas.window_clerk, case=waiting, items=["营业执照复印件"], at=at("2026-03-03")
    )
    assert _next(later) == D("2026-03-23") and _next(waiting) is None

    assert sweep(at=at("2026-03-12", 23)).checked == 0
    assert sweep(at=at("2026-03-13", 0, 5)).checked == 1
    assert sweep(at=at("2026-03-13", 12)).checked == 0
    assert sweep(at=at("2026-03-14")).checked == 0  # Saturday: nothing can happen
    assert sweep(at=at("2026-03-16", 0, 5)).checked == 1
    assert _next(later) == D("2026-03-23") and _next(early) == D("2026-03-17")
    assert sweep(at=at("2026-03-23", 0, 5)).checked == 2
