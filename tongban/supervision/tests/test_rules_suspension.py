"""time-limits.md, "Case deadline": while a case is suspended it is neither due soon,
overdue nor carded; its special procedure has its own limit, and overrunning it is
supervised (one alert, resolved on resumption). Pledged materials (容缺受理) not in by
the pledged day are supervised too."""

from __future__ import annotations

import datetime as dt

from tongban.cases import clock
from tongban.cases import services as cases
from tongban.cases.models import CaseStatus, Urging
from tongban.cases.testing import accepted as accepted_case
from tongban.cases.testing import at, receive
from tongban.notify.models import OutboxMessage
from tongban.supervision import selectors
from tongban.supervision.models import Alert, AlertKind, Card
from tongban.supervision.services import sweep
from tongban.workcalendar.calendar import get_calendar

D = dt.date.fromisoformat


def _suspend(personas, case, day: str, procedure: str = "onsite_check"):
    return cases.suspend_case(
        actor=personas.handler, case=case, procedure=procedure, reason="现场核查", at=at(day)
    )


def test_it_cards_nothing_while_a_special_procedure_spans_the_deadline(personas, items):
    # Deadline Thursday 30 April; on-site check (5 working days) from Tuesday 28 April,
    # due Friday 8 May (29, 30, 6, 7, 8).
    case = accepted_case(personas, items.promised, at("2026-04-09"))
    case = _suspend(personas, case, "2026-04-28")
    assert case.suspensions.get().due_on == D("2026-05-08")
    for day in ["2026-05-06", "2026-05-07", "2026-05-08"]:
        result = sweep(at=at(day, 23))
        assert (result.yellow_cards, result.urgings) == (0, 0), day
        assert clock.colour(case, D(day), get_calendar()) == clock.Colour.SUSPENDED
        counts = selectors.open_counts(personas.supervisor, D(day))
        assert (counts["suspended"], counts["overdue"], counts["due_soon"]) == (1, 0, 0)
    assert not Card.objects.of("case", case.pk).exists()
    assert not Urging.objects.filter(case=case).exists()

    # Resumed Thursday 7 May: four working days suspended (29, 30 April, 6, 7 May)
    # move the deadline from 30 April to Saturday 9 May (worked).
    case = cases.resume_case(actor=personas.handler, case=case, at=at("2026-05-07", 16))
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.suspended_days == 4 and case.deadline == D("2026-05-09")
    for day in ["2026-05-09", "2026-05-10"]:
        assert sweep(at=at(day, 23)).yellow_cards == 0, day
    assert sweep(at=at("2026-05-11", 0, 5)).yellow_cards == 1
    card = Card.objects.of("case", case.pk).get()
    assert card.deadline == D("2026-05-09") and card.days_overdue == 1


def test_it_raises_one_alert_when_the_procedure_overruns_and_resolves_it(personas, items):
    case = accepted_case(personas, items.promised, at("2026-04-09"))
    case = _suspend(personas, case, "2026-04-28")  # due Friday 8 May
    assert sweep(at=at("2026-05-08", 23)).special_overruns == 0
    # Saturday 9 May is the first day past the procedure's own limit.
    first = sweep(at=at("2026-05-09", 0, 5))
    assert first.special_overruns == 1
    alert = Alert.objects.of("case", case.pk).get()
    assert alert.kind == AlertKind.SPECIAL_OVERRUN and alert.due_on == D("2026-05-08")
    assert alert.department == personas.org.market and alert.resolved_at is None
    assert OutboxMessage.objects.filter(
        case=case, template="supervision.special_overrun", recipient=personas.department_head
    ).exists()
    # Still over its limit on the next days: no second alert.
    for day in ["2026-05-09", "2026-05-11", "2026-05-12"]:
        assert sweep(at=at(day, 12)).special_overruns == 0, day
    assert Alert.objects.of("case", case.pk).count() == 1
    assert selectors.alerts(personas.supervisor).filter(pk=alert.pk).exists()

    resumed_at = at("2026-05-13", 9)
    cases.resume_case(actor=personas.handler, case=case, at=resumed_at)
    alert.refresh_from_db()
    assert alert.resolved_at == resumed_at
    assert not selectors.alerts(personas.supervisor).exists()


def test_it_alerts_once_for_pledged_materials_not_handed_in(personas, items):
    item = items.promised
    essential = item.materials.get(name="食品经营许可申请书")
    case = receive(
        personas,
        item,
        at("2026-03-02"),
        materials=[cases.MaterialIn(material_id=essential.pk, pages=2)],
    )
    case = cases.accept_case(
        actor=personas.window_clerk,
        case=case,
        at=at("2026-03-02"),
        pledge_due_on=D("2026-03-06"),
    )
    assert case.pledge_due_on == D("2026-03-06")
    assert sweep(at=at("2026-03-06", 23)).pledges_overdue == 0
    # The pledge is checked by calendar day: Saturday 7 March is already late.
    assert sweep(at=at("2026-03-07", 0, 5)).pledges_overdue == 1
    assert sweep(at=at("2026-03-09", 0, 5)).pledges_overdue == 0
    alert = Alert.objects.of("case", case.pk).get()
    assert alert.kind == AlertKind.PLEDGE_OVERDUE and alert.due_on == D("2026-03-06")

    licence = item.materials.get(name="营业执照复印件")
    cases.supply_pledged_materials(
        actor=personas.window_clerk,
        case=case,
        materials=[cases.MaterialIn(material_id=licence.pk, pages=1)],
        at=at("2026-03-10"),
    )
    alert.refresh_from_db()
    assert alert.resolved_at == at("2026-03-10")
