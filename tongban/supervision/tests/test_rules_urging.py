"""time-limits.md, "Step limits and urging": an open step past its due date is urged
automatically on the first working day after it, then on each further working day
(``TONGBAN_URGE_MODE`` "daily") or only once ("once"); each urge is an urging record
sent to the step's handler."""

from __future__ import annotations

import datetime as dt

from tongban.cases import services as cases
from tongban.cases.models import Decision, Urging
from tongban.cases.testing import accepted, active_step, at
from tongban.notify.models import Channel, OutboxMessage
from tongban.supervision import selectors
from tongban.supervision.services import sweep

D = dt.date.fromisoformat


def _urged_on(case) -> list[dt.date]:
    return sorted(Urging.objects.filter(case=case).values_list("on", flat=True))


def test_it_urges_an_overdue_step_on_each_working_day(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    step = active_step(case)
    assert (step.name, step.due_on) == ("承办", D("2026-03-12"))  # add(2 March, 8)

    days = ["2026-03-12", "2026-03-13", "2026-03-14", "2026-03-15", "2026-03-16", "2026-03-17"]
    assert [sweep(at=at(day, 23)).urgings for day in days] == [0, 1, 0, 0, 1, 1]
    assert _urged_on(case) == [D("2026-03-13"), D("2026-03-16"), D("2026-03-17")]

    urging = Urging.objects.filter(case=case).order_by("at").first()
    assert urging.automatic and urging.urged_by is None
    assert urging.step == step and urging.urged_user == personas.handler
    assert urging.department == personas.org.market
    assert "2026-03-12" in urging.message
    sms = OutboxMessage.objects.filter(
        case=case, template="case.urged", recipient=personas.handler, channel=Channel.SMS
    )
    assert sms.count() == 3 and sms.first().address == "13800000002"
    # Nobody else is urged about the handler's step.
    assert not OutboxMessage.objects.filter(case=case, template="case.urged").exclude(
        recipient=personas.handler
    )
    assert list(case.timeline.filter(action="urge").values_list("actor", flat=True)) == [None] * 3
    assert selectors.urgings(personas.supervisor, automatic=True).count() == 3
    assert not selectors.urgings(personas.supervisor, automatic=False).exists()


def test_it_urges_only_once_when_configured(personas, items, settings):
    settings.TONGBAN_URGE_MODE = "once"
    case = accepted(personas, items.promised, at("2026-03-02"))
    days = ["2026-03-13", "2026-03-16", "2026-03-17", "2026-03-20"]
    assert [sweep(at=at(day, 23)).urgings for day in days] == [1, 0, 0, 0]
    assert _urged_on(case) == [D("2026-03-13")]


def test_it_urges_on_no_holiday(personas, items):
    # Tuesday 24 March + 8 = Friday 3 April; 4–6 April is 清明节.
    case = accepted(personas, items.promised, at("2026-03-24"))
    assert active_step(case).due_on == D("2026-04-03")
    days = ["2026-04-03", "2026-04-04", "2026-04-05", "2026-04-06", "2026-04-07"]
    assert [sweep(at=at(day, 12)).urgings for day in days] == [0, 0, 0, 0, 1]


def test_it_stops_urging_a_finished_step_and_urges_the_next_one_when_late(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    assert sweep(at=at("2026-03-13")).urgings == 1
    first = active_step(case)
    cases.advance_step(
        actor=personas.handler,
        case=case,
        step_id=first.pk,
        decision=Decision.AGREE,
        at=at("2026-03-16", 9),
    )
    review = active_step(case)
    assert (review.name, review.due_on) == ("审核", D("2026-03-18"))
    days = ["2026-03-16", "2026-03-17", "2026-03-18", "2026-03-19"]
    assert [sweep(at=at(day, 23)).urgings for day in days] == [0, 0, 0, 1]
    last = Urging.objects.filter(case=case).order_by("-at").first()
    assert last.step == review and last.urged_user == personas.section_head
    assert Urging.objects.filter(case=case, step=first).count() == 1
