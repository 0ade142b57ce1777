"""time-limits.md, "Cards": a yellow card exactly one full working day past the
deadline — never on a rest day in between — naming the step, handler and department,
sent to the handler, section head, department leader and system administrator."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.audit.models import AuditRecord
from tongban.cases.models import Case, CaseStep
from tongban.cases.testing import accepted, at
from tongban.notify.models import Channel, OutboxMessage
from tongban.supervision.models import Card, CardColour, CardRule
from tongban.supervision.services import sweep

D = dt.date.fromisoformat


def _yellows(case: Case):
    return Card.objects.of("case", case.pk).filter(colour=CardColour.YELLOW, rule=CardRule.DEADLINE)


def test_it_cards_a_friday_deadline_on_monday_not_at_the_weekend(personas, items):
    # Friday 6 March + 15 working days = Friday 27 March.
    case = accepted(personas, items.promised, at("2026-03-06"))
    assert case.deadline == D("2026-03-27")

    for day in ["2026-03-27", "2026-03-28", "2026-03-29"]:
        assert sweep(at=at(day, 0, 5)).yellow_cards == 0, day
        assert sweep(at=at(day, 23, 55)).yellow_cards == 0, day
    assert not _yellows(case).exists()

    result = sweep(at=at("2026-03-30", 0, 5))
    assert result.yellow_cards == 1
    card = _yellows(case).get()
    assert card.issued_on == D("2026-03-30") and card.deadline == D("2026-03-27")
    assert card.days_overdue == 1


def test_it_waits_out_labour_day_before_carding(personas, items):
    # Thursday 9 April + 15 = Thursday 30 April, the last working day before 劳动节.
    case = accepted(personas, items.promised, at("2026-04-09"))
    assert case.deadline == D("2026-04-30")
    for day in ["2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05"]:
        assert sweep(at=at(day, 0, 5)).yellow_cards == 0, day
    assert sweep(at=at("2026-05-06", 0, 5)).yellow_cards == 1
    card = _yellows(case).get()
    assert card.issued_on == D("2026-05-06") and card.days_overdue == 1


def test_it_counts_days_overdue_in_working_days_when_first_swept_late(personas, items):
    case = accepted(personas, items.promised, at("2026-04-09"))  # deadline 30 April
    # Nobody swept until Monday 11 May: 6, 7, 8, Saturday 9 (worked), 11 → 5.
    sweep(at=at("2026-05-11"))
    assert _yellows(case).get().days_overdue == 5


def test_it_names_the_step_handler_and_department_and_tells_four_people(personas, items):
    accounts.update_user(
        actor=personas.system_admin,
        user=personas.system_admin,
        mobile="13800000006",
        at=timezone.now(),
    )
    case = accepted(personas, items.promised, at("2026-03-06"))  # deadline 27 March
    sweep(at=at("2026-03-30", 0, 5))

    card = _yellows(case).get()
    # Nobody has finished 承办 (due 18 March): that step and its handler are at fault.
    step = CaseStep.objects.get(pk=card.step_id)
    assert step.name == "承办" and card.step_name == "承办"
    assert card.handler == personas.handler
    assert card.department == personas.org.market
    assert card.cured_at is None
    assert [r["role"] for r in card.recipients] == [
        "handler",
        "section_head",
        "department_head",
        "system_admin",
    ]
    assert [r["name"] for r in card.recipients] == ["李承办", "赵科长", "张局长", "sysadmin"]

    sent = OutboxMessage.objects.filter(case=case, template="supervision.yellow")
    people = [personas.handler, personas.section_head, personas.department_head]
    people.append(personas.system_admin)
    for user in people:
        channels = sorted(sent.filter(recipient=user).values_list("channel", flat=True))
        assert channels == sorted([Channel.INTERNAL, Channel.SMS]), user.username
    assert sent.count() == 8
    assert not sent.filter(recipient=personas.supervisor).exists()
    assert sent.filter(recipient=personas.handler, channel=Channel.SMS).get().address == (
        "13800000002"
    )

    audit = AuditRecord.objects.get(action="card.yellow", object_id=str(card.pk))
    assert audit.after["case"] == case.number and audit.after["rule"] == CardRule.DEADLINE
    assert audit.after["days_overdue"] == 1


def test_it_cards_once_per_deadline(personas, items):
    case = accepted(personas, items.promised, at("2026-03-06"))
    assert sweep(at=at("2026-03-30", 0, 5)).yellow_cards == 1
    # Sweeps on the following days (the case stays open) do not card the same
    # deadline again.
    for day in ["2026-03-30", "2026-03-31"]:
        assert sweep(at=at(day, 12)).yellow_cards == 0
    assert _yellows(case).count() == 1


def test_it_cards_the_assisting_department_that_holds_a_joint_case(personas, items):
    # Joint item, accepted Tuesday 24 March: natural resources reviews first (6 days,
    # due 1 April) and still has it when the 20-day deadline (22 April) passes.
    case = accepted(personas, items.joint, at("2026-03-24"))
    assert case.deadline == D("2026-04-22")
    assert sweep(at=at("2026-04-22", 23)).yellow_cards == 0
    assert sweep(at=at("2026-04-23", 0, 5)).yellow_cards == 1
    card = _yellows(case).get()
    assert card.department == personas.org.land and card.handler == personas.outsider
    assert card.step_department == personas.org.land
    assert not Card.objects.filter(department=personas.org.market).exists()
    # The land handler is told; market supervision's people are not.
    told = set(
        OutboxMessage.objects.filter(case=case, template="supervision.yellow").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"outsider", "sysadmin"}
