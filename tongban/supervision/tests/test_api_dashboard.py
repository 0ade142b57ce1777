"""``GET /api/v1/supervision/dashboard``: the figures of a simulated March — open
cases by colour, cards issued and cured per department in a month, the on-time
trend, the most overdue items — scoped like the pages; and the OpenAPI document
lists the supervision operations (and no sweep)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases import services
from tongban.cases.models import Decision, Outcome
from tongban.cases.testing import accepted, active_step, at
from tongban.cases.tests.apiclient import session_client, token_client
from tongban.core.clock import local_date, now
from tongban.supervision.services import sweep

pytestmark = pytest.mark.django_db

PATH = "/api/v1/supervision/dashboard"


def complete(personas, case, day: str) -> None:
    """Walk the promised item's steps (承办, 审核, 批准) and complete it (办结)."""
    when = at(day)
    for who in ("handler", "section_head", "department_head"):
        services.advance_step(
            actor=getattr(personas, who),
            case=case,
            step_id=active_step(case).pk,
            decision=Decision.AGREE,
            at=when,
        )
    services.complete_case(
        actor=personas.handler,
        case=case,
        step_id=active_step(case).pk,
        outcome=Outcome.APPROVED,
        certificate_number="JY16205020001234",
        at=when,
    )


@pytest.fixture
def march(personas, items):
    """A: deadline 23 March, yellow on the 24th, red on the 27th, completed late on
    the 30th (both cards cured). B: deadline 24 March, yellow on the 25th, still
    running. C: completed on time on 6 March."""
    late = accepted(personas, items.promised, at("2026-03-02"))
    running = accepted(personas, items.promised, at("2026-03-03"))
    on_time = accepted(personas, items.promised, at("2026-03-02"))
    complete(personas, on_time, "2026-03-06")
    for day in ("2026-03-24", "2026-03-25", "2026-03-27"):
        sweep(at=at(day, 0, 5))
    complete(personas, late, "2026-03-30")
    return late, running, on_time


def test_it_gives_the_figures_of_a_month(personas, march):
    response = token_client(personas.supervisor).get(PATH, {"month": "2026-03"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["month"] == "2026-03"
    assert body["today"] == local_date(now()).isoformat()
    assert body["cards_by_department"] == [
        {"code": "SCJG", "name": "天水市市场监督管理局", "yellow": 2, "red": 1, "cured": 2}
    ]
    assert body["on_time_trend"] == [
        {"month": "2026-03", "completed": 2, "on_time": 1, "rate": 50.0}
    ]
    # As of today: only B is open, and long past its deadline.
    assert body["open_counts"] == {"open": 1, "due_soon": 0, "overdue": 1, "suspended": 0}
    assert body["top_overdue_items"] == [
        {"code": "620500-SCJG-XK-101", "name": "食品经营许可", "count": 1}
    ]


def test_it_defaults_to_this_month_and_keeps_twelve_months_of_trend(personas, march):
    client = session_client(personas.department_head)

    this_month = client.get(PATH).json()
    february_next_year = client.get(PATH, {"month": "2027-02"}).json()
    march_next_year = client.get(PATH, {"month": "2027-03"}).json()

    assert this_month["month"] == local_date(now()).strftime("%Y-%m")
    assert february_next_year["cards_by_department"] == []
    # Twelve months: March 2026 to February 2027, then April 2026 to March 2027.
    assert [m["month"] for m in february_next_year["on_time_trend"]] == ["2026-03"]
    assert march_next_year["on_time_trend"] == []


def test_it_gives_outsiders_and_administrators_nothing(personas, march):
    for user in (personas.outsider, personas.system_admin, personas.audit_admin):
        body = session_client(user).get(PATH, {"month": "2026-03"}).json()
        assert body["open_counts"] == {"open": 0, "due_soon": 0, "overdue": 0, "suspended": 0}
        assert body["cards_by_department"] == []
        assert body["on_time_trend"] == []
        assert body["top_overdue_items"] == []


def test_it_refuses_a_malformed_month_naming_the_field(personas, db):
    client = session_client(personas.supervisor)

    for month in ("2026-13", "2026-3", "March"):
        response = client.get(PATH, {"month": month})
        assert response.status_code == 422
        assert list(response.json()["fields"]) == ["month"]


def test_it_costs_the_same_queries_with_more_cases_and_cards(
    personas, items, settings, march, django_assert_num_queries
):
    settings.TONGBAN_CALENDAR_CHECK_SECONDS = 3600  # no calendar version check mid-test
    client = token_client(personas.supervisor)
    client.get(PATH)  # warm the calendar and the token's last-used mark
    with CaptureQueriesContext(connection) as few:
        client.get(PATH, {"month": "2026-03"})

    for day in range(9, 13):
        accepted(personas, items.promised, at(f"2026-03-{day:02d}"))
    sweep(at=at("2026-04-10", 0, 5))

    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(PATH, {"month": "2026-04"}).status_code == 200


def test_it_documents_the_supervision_operations_in_the_openapi(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    operations = {
        op["operationId"]
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/supervision")
        for op in methods.values()
    }
    assert operations == {
        "list_cards",
        "get_card",
        "record_rectification",
        "list_urgings",
        "list_alerts",
        "list_supplement_waiting",
        "list_processing_limits",
        "list_intake_limits",
        "list_special_procedure_limits",
        "get_supervision_dashboard",
    }
    assert not any("sweep" in path for path in schema["paths"])
    rectification = schema["paths"]["/api/v1/supervision/cards/{card_id}/rectification"]
    assert set(rectification) == {"post"}
