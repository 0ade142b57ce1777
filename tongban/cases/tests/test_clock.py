"""The case clock (clock.py) against time-limits.md: status colours and the next
instant at which a case's supervision state can change (``next_check_on``)."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import clock, services
from tongban.cases.clock import Colour
from tongban.cases.models import CaseStatus, Decision, Outcome
from tongban.cases.testing import accepted, active_step, at, receive
from tongban.workcalendar.calendar import get_calendar

D = dt.date


def colour(case, day: dt.date, warn_days: int = 2) -> str:
    return clock.colour(case, day, get_calendar(), warn_days)


def to_final_step(personas, case, when: str) -> None:
    """Agree through 承办, 审核 and 批准 on ``when``: the final step has no limit."""
    for actor in (personas.handler, personas.section_head, personas.department_head):
        services.advance_step(
            actor=actor,
            case=case,
            step_id=active_step(case).pk,
            decision=Decision.AGREE,
            at=at(when),
        )
    case.refresh_from_db()


class TestColour:
    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            (D(2026, 3, 2), Colour.NORMAL),
            (D(2026, 3, 18), Colour.NORMAL),  # wd(18 March, 23 March) = 3
            (D(2026, 3, 19), Colour.DUE_SOON),  # wd = 2: 20 and 23 March
            (D(2026, 3, 21), Colour.DUE_SOON),  # Saturday: wd = 1
            (D(2026, 3, 23), Colour.DUE_SOON),  # the deadline itself: wd = 0
            (D(2026, 3, 24), Colour.OVERDUE),
            (D(2026, 5, 1), Colour.OVERDUE),
        ],
    )
    def test_it_colours_by_working_days_left(self, personas, items, day, expected):
        case = accepted(personas, items.promised, at("2026-03-02"))
        assert case.deadline == D(2026, 3, 23)
        assert colour(case, day) == expected

    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            (D(2026, 4, 1), Colour.NORMAL),  # wd(1 April, 7 April) = 2, 3, 7 April = 3
            (D(2026, 4, 2), Colour.DUE_SOON),  # 3 and 7 April: Qingming does not count
            (D(2026, 4, 5), Colour.DUE_SOON),
            (D(2026, 4, 7), Colour.DUE_SOON),
            (D(2026, 4, 8), Colour.OVERDUE),
        ],
    )
    def test_it_skips_holidays_when_counting_days_left(self, personas, items, day, expected):
        # Accepted Mon 16 March: 15 working days end on Tue 7 April, after Qingming.
        case = accepted(personas, items.promised, at("2026-03-16"))
        assert case.deadline == D(2026, 4, 7)
        assert colour(case, day) == expected

    def test_it_uses_the_configured_warning_days(self, personas, items, settings):
        case = accepted(personas, items.promised, at("2026-03-02"))
        assert colour(case, D(2026, 3, 19), warn_days=0) == Colour.NORMAL
        assert colour(case, D(2026, 3, 23), warn_days=0) == Colour.DUE_SOON
        assert colour(case, D(2026, 3, 16), warn_days=5) == Colour.DUE_SOON
        settings.TONGBAN_WARN_DAYS = 3
        assert clock.colour(case, D(2026, 3, 18), get_calendar()) == Colour.DUE_SOON

    def test_it_never_warns_a_suspended_case(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        services.suspend_case(
            actor=personas.handler,
            case=case,
            procedure="onsite_check",
            reason="现场核查",
            at=at("2026-03-20"),
        )
        case.refresh_from_db()
        for day in (D(2026, 3, 20), D(2026, 3, 23), D(2026, 4, 30)):
            assert colour(case, day) == Colour.SUSPENDED

    def test_it_gives_waiting_and_closed_cases_no_time_colour(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02"))
        assert colour(case, D(2026, 3, 30)) == Colour.WAITING
        services.reject_application(
            actor=personas.window_clerk, case=case, reasons="不符合", at=at("2026-03-03")
        )
        case.refresh_from_db()
        assert colour(case, D(2026, 3, 30)) == Colour.CLOSED


class TestNextCheck:
    def test_it_checks_a_received_case_the_day_after_the_review_limit(self, personas, items):
        # Received Fri 3 April: 7, 8, 9, 10, 13 April (Qingming skipped) → Mon 13 April.
        case = receive(personas, items.promised, at("2026-04-03"))
        assert case.review_due_on == D(2026, 4, 13)
        assert case.next_check_on == D(2026, 4, 14)

    def test_it_checks_the_first_working_day_past_the_deadline(self, personas, items):
        # Accepted Fri 6 March: deadline Fri 27 March; the yellow card is possible on
        # the first working day after it, Monday 30 March — not Saturday.
        case = accepted(personas, items.promised, at("2026-03-06"))
        assert case.deadline == D(2026, 3, 27)
        to_final_step(personas, case, "2026-03-09")
        assert active_step(case).due_on is None
        assert case.next_check_on == D(2026, 3, 30)

    def test_it_checks_past_a_deadline_before_a_holiday(self, personas, items):
        # Accepted Fri 13 March: deadline Fri 3 April; Qingming follows → Tue 7 April.
        case = accepted(personas, items.promised, at("2026-03-13"))
        assert case.deadline == D(2026, 4, 3)
        to_final_step(personas, case, "2026-03-16")
        assert case.next_check_on == D(2026, 4, 7)

    def test_it_takes_the_earliest_of_step_due_deadline_and_pledge(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        calendar = get_calendar()
        steps = [active_step(case)]
        assert steps[0].due_on == D(2026, 3, 12)
        assert clock.next_check_on(case, steps, None, calendar) == D(2026, 3, 13)
        assert clock.next_check_on(case, [], None, calendar) == D(2026, 3, 24)
        case.pledge_due_on = D(2026, 3, 6)
        assert clock.next_check_on(case, steps, None, calendar) == D(2026, 3, 7)
        case.pledge_due_on = D(2026, 3, 27)
        assert clock.next_check_on(case, steps, None, calendar) == D(2026, 3, 13)

    def test_it_checks_a_special_procedure_the_day_after_its_limit(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        services.suspend_case(
            actor=personas.handler,
            case=case,
            procedure="expert_review",
            reason="专家评审",
            at=at("2026-03-27"),
        )
        case.refresh_from_db()
        # 10 working days from Fri 27 March: 30, 31 March, 1, 2, 3, 7, 8, 9, 10, 13 April.
        assert case.suspensions.get().due_on == D(2026, 4, 13)
        assert case.next_check_on == D(2026, 4, 14)

    def test_it_does_not_check_a_case_waiting_for_the_applicant_or_closed(self, personas, items):
        case = accepted(personas, items.promised, at("2026-03-02"))
        services.request_supplement(
            actor=personas.handler, case=case, items=["平面图"], at=at("2026-03-03")
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.SUSPENDED and case.next_check_on is None
        services.supplement_case(
            actor=None, case=case, note="已在线补交平面图", at=at("2026-03-04")
        )
        case.refresh_from_db()
        assert case.next_check_on == D(2026, 3, 16)  # step due moved to Fri 13 March
        to_final_step(personas, case, "2026-03-05")
        services.complete_case(
            actor=personas.handler,
            case=case,
            step_id=active_step(case).pk,
            outcome=Outcome.APPROVED,
            at=at("2026-03-05"),
        )
        case.refresh_from_db()
        assert case.next_check_on is None


class TestExplainedDeadline:
    def test_it_names_the_holidays_and_adjusted_days_it_counted(self, personas, items):
        case = accepted(personas, items.promised, at("2026-04-28"))
        explained = clock.explain_deadline(case, get_calendar())
        assert explained.start == D(2026, 4, 28) and explained.days == 15
        assert explained.result == case.deadline == D(2026, 5, 21)
        assert [h.name for h in explained.holidays] == ["劳动节"]
        assert [a.date for a in explained.adjusted_workdays] == [D(2026, 5, 9)]
