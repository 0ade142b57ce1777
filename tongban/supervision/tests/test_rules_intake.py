"""time-limits.md, "Intake limit" (行政许可法 Art. 32): an application neither accepted,
rejected nor sent a supplement notice by ``add(r, 5)`` is deemed accepted from the day
it was received at the first sweep after that day, and the intake desk is carded."""

from __future__ import annotations

import datetime as dt

from tongban.audit.models import AuditRecord
from tongban.cases import services as cases
from tongban.cases.models import CaseStatus
from tongban.cases.testing import at, receive
from tongban.notify.models import OutboxMessage
from tongban.supervision.models import Card, CardColour, CardRule
from tongban.supervision.services import sweep

D = dt.date.fromisoformat


def test_it_deems_an_application_accepted_after_five_working_days(personas, items):
    case = receive(personas, items.promised, at("2026-03-02"))  # Monday
    assert case.review_due_on == D("2026-03-09")  # 3–6 (4), Monday 9 (5)
    assert case.next_check_on == D("2026-03-10")

    assert sweep(at=at("2026-03-09", 23, 59)).deemed_accepted == 0
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED

    result = sweep(at=at("2026-03-10", 0, 5))
    assert (result.deemed_accepted, result.yellow_cards) == (1, 1)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.deemed_accepted
    assert case.accepted_on == D("2026-03-02")
    assert case.deadline == D("2026-03-23")  # add(2 March, 15), not add(10 March, 15)
    event = case.timeline.get(action="deemed_accept")
    assert event.actor is None and event.detail["deadline"] == "2026-03-23"
    assert AuditRecord.objects.filter(action="case.deemed_accept", object_id=str(case.pk)).exists()

    card = Card.objects.of("case", case.pk).get()
    assert (card.colour, card.rule) == (CardColour.YELLOW, CardRule.INTAKE_LIMIT)
    assert card.deadline == D("2026-03-09") and card.days_overdue == 1
    # The intake desk: the clerk who took it in, in the department accountable for it.
    assert card.handler == personas.window_clerk
    assert card.department == personas.org.market
    assert card.recipients[0] == {"name": "王窗口", "role": "handler"}
    assert (
        OutboxMessage.objects.filter(
            case=case, template="supervision.yellow", recipient=personas.window_clerk
        ).count()
        == 2
    )
    # The applicant is told it was accepted, with its deadline.
    assert OutboxMessage.objects.filter(case=case, template="case.accepted").exists()

    again = sweep(at=at("2026-03-10", 0, 5))
    assert (again.deemed_accepted, again.yellow_cards) == (0, 0)


def test_it_counts_the_intake_limit_across_labour_day(personas, items):
    # Wednesday 29 April + 5: 30 April (1), 6, 7, 8 May (4), Saturday 9 May (5).
    case = receive(personas, items.promised, at("2026-04-29"))
    assert case.review_due_on == D("2026-05-09")
    for day in ["2026-05-01", "2026-05-06", "2026-05-09"]:
        assert sweep(at=at(day, 23)).deemed_accepted == 0, day
    assert sweep(at=at("2026-05-10", 0, 5)).deemed_accepted == 1
    case.refresh_from_db()
    assert case.accepted_on == D("2026-04-29")
    # add(29 April, 15): 30 Apr, 6–9 May (5), 11–15 (10), 18–22 (15).
    assert case.deadline == D("2026-05-22")


def test_it_does_not_deem_accepted_when_a_supplement_was_asked_in_time(personas, items):
    case = receive(personas, items.promised, at("2026-03-02"))
    cases.request_supplement(
        actor=personas.window_clerk,
        case=case,
        items=["营业执照复印件（加盖公章）"],
        at=at("2026-03-06"),
    )
    for day in ["2026-03-10", "2026-03-16", "2026-04-30"]:
        result = sweep(at=at(day))
        assert (result.deemed_accepted, result.yellow_cards) == (0, 0), day
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT_REQUESTED and case.accepted_on is None
    assert case.next_check_on is None
    assert not Card.objects.of("case", case.pk).exists()


def test_it_does_not_deem_accepted_an_application_reviewed_on_the_last_day(personas, items):
    case = receive(personas, items.promised, at("2026-03-02"))
    cases.accept_case(actor=personas.window_clerk, case=case, at=at("2026-03-09", 17))
    result = sweep(at=at("2026-03-10", 0, 5))
    assert (result.deemed_accepted, result.yellow_cards) == (0, 0)
    case.refresh_from_db()
    assert case.accepted_on == D("2026-03-09") and not case.deemed_accepted


def test_it_runs_a_new_intake_limit_from_the_supplement(personas, items):
    # Asked on Friday 6 March, supplied Monday 16 March: the review restarts from the
    # day the supplement arrived (add(16 March, 5) = 23 March). Deemed accepted, it
    # counts as accepted from that day — the day the complete materials were received.
    case = receive(personas, items.promised, at("2026-03-02"))
    cases.request_supplement(
        actor=personas.window_clerk, case=case, items=["营业执照复印件"], at=at("2026-03-06")
    )
    cases.supplement_case(
        actor=personas.window_clerk, case=case, note="已补交营业执照复印件", at=at("2026-03-16")
    )
    case.refresh_from_db()
    assert case.review_due_on == D("2026-03-23")
    assert sweep(at=at("2026-03-23", 23)).deemed_accepted == 0
    result = sweep(at=at("2026-03-24", 0, 5))
    assert result.deemed_accepted == 1
    case.refresh_from_db()
    assert case.accepted_on == D("2026-03-16")
    assert case.deadline == D("2026-04-07")  # 17–20, 23–27, 30 Mar–3 Apr, 7 Apr (15)
    # Only the intake desk is carded: the case itself is well within its limit.
    assert list(Card.objects.of("case", case.pk).values_list("rule", flat=True)) == [
        CardRule.INTAKE_LIMIT
    ]
