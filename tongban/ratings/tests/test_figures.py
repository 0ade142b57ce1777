"""Public supervision figures: per department, one calendar year — checked against a
count made independently from the case, card and rating rows of a small history."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.urls import reverse

from tongban.accounts.testing import log_in
from tongban.cases import services as cases
from tongban.cases.models import Case, Outcome
from tongban.cases.testing import accepted, active_step, all_materials, at, person
from tongban.cases.tests.support import land_clerk, land_item
from tongban.qa.tests.support import make_citizen
from tongban.ratings import selectors, services
from tongban.ratings.models import Rating
from tongban.supervision.models import Card, CardColour
from tongban.supervision.services import sweep

ROLE = {"handler": "handler", "section_head": "section_head", "department_head": "department_head"}


def _run_to_completion(personas, case: Case, day: str) -> Case:
    """承办 → 审核 → 批准 → 办结, all on ``day``."""
    for hour in (9, 10, 11):
        step = active_step(case)
        cases.advance_step(
            actor=getattr(personas, ROLE[step.role]),
            case=case,
            step_id=step.pk,
            decision="agree",
            at=at(day, hour),
        )
    cases.complete_case(
        actor=personas.handler,
        case=case,
        step_id=active_step(case).pk,
        outcome=Outcome.APPROVED,
        at=at(day, 15),
    )
    case.refresh_from_db()
    return case


def _immediate(personas, items, day: str) -> Case:
    case = accepted(personas, items.immediate, at(day, 9))
    cases.complete_case(
        actor=personas.window_clerk,
        case=case,
        step_id=active_step(case).pk,
        outcome=Outcome.APPROVED,
        at=at(day, 10),
    )
    case.refresh_from_db()
    return case


def _history(personas, items):
    citizen = make_citizen()
    # Accepted last year, completed this year: not one of this year's accepted cases.
    old = accepted(personas, items.promised, at("2025-12-22"))
    _run_to_completion(personas, old, "2026-01-06")
    # On time.
    on_time = _run_to_completion(
        personas, accepted(personas, items.promised, at("2026-03-02")), "2026-03-05"
    )
    # Late: deadline 27 March, yellow card on the 30th, red a few days later.
    late = accepted(personas, items.promised, at("2026-03-06"))
    for day in ("2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02", "2026-04-03"):
        sweep(at=at(day, 0, 5))
    late = _run_to_completion(personas, late, "2026-04-08")
    # Still open.
    accepted(personas, items.promised, at("2026-03-10"))
    # Same-day immediate cases, rated.
    rated = [_immediate(personas, items, "2026-03-11") for _ in range(3)]
    for case, level, reason in zip(rated, (5, 4, 1), ("", "", "等太久"), strict=True):
        Case.objects.filter(pk=case.pk).update(citizen=citizen)
        services.rate_case(
            case=case, level=level, comment="", reason=reason, at=at("2026-03-12"), citizen=citizen
        )
    services.rate_case(case=on_time, level=3, comment="", reason="", at=at("2026-03-06"))
    # Natural resources: one case received and accepted, still open.
    land = land_item(personas)
    clerk = land_clerk(personas)
    land_case = cases.submit_application(
        actor=clerk,
        item=land,
        applicant=person(),
        form_data={},
        materials=all_materials(land),
        at=at("2026-04-01"),
    )
    cases.accept_case(actor=clerk, case=land_case, at=at("2026-04-01"))
    return {"late": late, "on_time": on_time}


def _independent(year: int) -> dict[str, dict]:
    """The figures counted from the rows themselves, without the reports' SQL."""
    counts: dict[str, dict] = defaultdict(
        lambda: {"accepted": 0, "completed": 0, "in_time": 0, "yellow": 0, "red": 0, "levels": []}
    )
    for case in Case.objects.filter(accepted_on__year=year).select_related("department"):
        row = counts[case.department.code]
        row["accepted"] += 1
        if case.completed_on:
            row["completed"] += 1
            row["in_time"] += case.completed_on <= case.deadline
    for card in Card.objects.filter(issued_on__year=year).select_related("department"):
        counts[card.department.code]["yellow" if card.colour == CardColour.YELLOW else "red"] += 1
    for rating in Rating.objects.filter(rated_on__year=year).select_related("department"):
        counts[rating.department.code]["levels"].append(rating.level)
    return counts


def test_it_computes_the_figures_as_an_independent_count_does(personas, items):
    history = _history(personas, items)
    assert history["late"].completed_on > history["late"].deadline
    assert Card.objects.filter(colour=CardColour.RED).exists()

    figures = {row["department"]: row for row in selectors.figures_for_year(2026, at("2026-12-31"))}
    expected = _independent(2026)
    assert set(figures) == set(expected) == {"SCJG", "ZRZY"}
    for code, want in expected.items():
        got = figures[code]
        assert got["accepted"] == want["accepted"], code
        assert got["completed"] == want["completed"], code
        on_time = (
            None
            if not want["completed"]
            else (Decimal(want["in_time"] * 100) / want["completed"]).quantize(Decimal("0.01"))
        )
        assert got["on_time_rate"] == on_time, code
        assert (got["yellow_cards"], got["red_cards"]) == (want["yellow"], want["red"]), code
        assert got["ratings"] == len(want["levels"]), code
        average = (
            (Decimal(sum(want["levels"])) / len(want["levels"])).quantize(Decimal("0.01"))
            if want["levels"]
            else None
        )
        assert got["average_rating"] == average, code

    market = figures["SCJG"]
    # Promised: 1 on time, 1 late, 1 open; 3 immediate: 6 accepted, 5 completed, 4 in time.
    assert (market["accepted"], market["completed"]) == (6, 5)
    assert market["on_time_rate"] == Decimal("80.00")
    assert market["average_rating"] == Decimal("3.25")
    assert figures["ZRZY"]["on_time_rate"] is None

    # As of an earlier instant, later events do not count.
    early = {r["department"]: r for r in selectors.figures_for_year(2026, at("2026-03-20"))}
    assert early["SCJG"]["yellow_cards"] == 0 and early["SCJG"]["completed"] == 4
    assert "ZRZY" not in early


def test_it_shows_the_figures_on_the_public_page_and_the_summary_to_supervisors(
    client, personas, items
):
    _history(personas, items)
    page = client.get(reverse("ratings_public:figures"), {"year": 2026})
    assert page.status_code == 200
    assert 'data-department="SCJG"' in page.text
    assert '<td class="text-end" data-key="accepted">6</td>' in page.text
    assert "80.00%" in page.text

    log_in(client, personas.supervisor)
    summary = client.get(reverse("ratings:summary"), {"year": 2026})
    assert summary.status_code == 200
    assert '<td class="text-end" data-key="count">4</td>' in summary.text
    assert '<td class="text-end" data-key="bad_rate">25.00</td>' in summary.text
    export = client.get(reverse("ratings:summary_export"), {"year": 2026})
    assert export.status_code == 200 and export.content[:2] == b"PK"

    # The head of another department sees none of market supervision's ratings.
    from tongban.accounts.testing import make_user

    land_head = make_user("landhead", "department_head", department=personas.org.land)
    log_in(client, land_head)
    summary = client.get(reverse("ratings:summary"), {"year": 2026})
    assert 'data-department="SCJG"' not in summary.text
    log_in(client, personas.handler)
    assert client.get(reverse("ratings:summary")).status_code == 403
