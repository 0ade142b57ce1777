"""``/api/v1/supervision/realtime/…`` (实时监察): cases waiting for a supplement,
running cases overdue or due soon, applications not yet reviewed, special procedures
under way — each ``{"count", "per_department", "items"}``, scoped like the pages,
paginated (a page size above 100 refused) and a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases import services
from tongban.cases.testing import accepted, at, person, receive
from tongban.cases.tests.apiclient import session_client, token_client

pytestmark = pytest.mark.django_db

BASE = "/api/v1/supervision/realtime"
LISTS = ("/supplements", "/processing", "/intake", "/special-procedures")
MARKET = {"code": "SCJG", "name": "天水市市场监督管理局"}


def get(client, path: str, **params):
    return client.get(BASE + path, params)


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    return [row["case"]["number"] if "case" in row else row["number"] for row in items]


@pytest.fixture
def board(personas, items):
    """One case of each kind, all in market supervision (SCJG)."""
    waiting = receive(personas, items.promised, at("2026-03-02"), applicant=person("李四"))
    services.request_supplement(
        actor=personas.window_clerk, case=waiting, items=["营业执照复印件"], at=at("2026-03-03")
    )
    suspended = accepted(personas, items.promised, at("2026-03-02"))
    services.request_supplement(
        actor=personas.handler, case=suspended, items=["场地证明"], at=at("2026-03-05")
    )
    running = accepted(personas, items.promised, at("2026-03-04"))
    unreviewed = receive(personas, items.promised, at("2026-03-06"))
    special = accepted(personas, items.promised, at("2026-03-02"))
    services.suspend_case(
        actor=personas.handler,
        case=special,
        procedure="onsite_check",
        reason="现场核查",
        at=at("2026-03-03"),
    )
    return {
        "waiting": waiting,
        "suspended": suspended,
        "running": running,
        "unreviewed": unreviewed,
        "special": special,
    }


def test_it_lists_the_cases_waiting_for_a_supplement_before_and_after_acceptance(personas, board):
    client = session_client(personas.handler)

    response = get(client, "/supplements")

    assert numbers(response) == [board["waiting"].number, board["suspended"].number]
    body = response.json()
    assert body["count"] == 2
    assert body["per_department"] == [{**MARKET, "count": 2}]
    first = body["items"][0]
    assert (first["status"], first["applicant_name"]) == ("supplement", "李*")
    assert first["supplement_requested_on"] == "2026-03-03"
    assert body["items"][1]["status"] == "suspended"
    assert body["items"][1]["supplement_requested_on"] == "2026-03-05"


def test_it_filters_the_supplement_list_by_applicant_number_and_date(personas, board):
    waiting, suspended = board["waiting"], board["suspended"]
    client = session_client(personas.supervisor)

    assert numbers(get(client, "/supplements", applicant="李")) == [waiting.number]
    assert numbers(get(client, "/supplements", number=suspended.number[-6:])) == [suspended.number]
    dated = get(client, "/supplements", requested_from="2026-03-04", requested_to="2026-03-31")
    assert numbers(dated) == [suspended.number]
    assert dated.json()["per_department"] == [{**MARKET, "count": 1}]
    assert numbers(get(client, "/supplements", requested_to="2026-03-02")) == []


def test_it_lists_running_cases_past_or_near_their_deadline_most_urgent_first(personas, board):
    response = get(session_client(personas.department_head), "/processing")

    # The March deadlines are long past; suspended and unreviewed cases are not here.
    assert numbers(response) == [board["running"].number]
    body = response.json()
    assert body["items"][0]["colour"] == "overdue"
    assert body["items"][0]["deadline"] == board["running"].deadline.isoformat()
    assert body["per_department"] == [{**MARKET, "count": 1}]


def test_it_lists_the_applications_not_yet_reviewed(personas, board):
    body = get(session_client(personas.window_clerk), "/intake").json()

    assert [row["number"] for row in body["items"]] == [board["unreviewed"].number]
    assert body["items"][0]["review_due_on"] == board["unreviewed"].review_due_on.isoformat()
    assert body["items"][0]["status"] == "received"
    assert body["per_department"] == [{**MARKET, "count": 1}]


def test_it_lists_the_special_procedures_under_way_by_their_own_limit(personas, board):
    body = get(session_client(personas.supervisor), "/special-procedures").json()

    assert body["count"] == 1
    (row,) = body["items"]
    assert row["case"]["number"] == board["special"].number
    assert (row["procedure"], row["limit_days"], row["started_on"]) == (
        "onsite_check",
        5,
        "2026-03-03",
    )
    assert row["due_on"] == "2026-03-10" and row["overrun"] is True
    assert row["department"] == MARKET
    assert body["per_department"] == [{**MARKET, "count": 1}]


@pytest.mark.parametrize("path", LISTS)
def test_it_scopes_every_list_like_the_pages(personas, board, path):
    assert get(session_client(personas.supervisor), path).json()["count"] >= 1
    for user in (personas.outsider, personas.system_admin, personas.audit_admin):
        response = get(session_client(user), path)
        assert numbers(response) == []
        assert response.json()["count"] == 0 and response.json()["per_department"] == []


@pytest.mark.parametrize("path", LISTS)
def test_it_pages_and_refuses_a_page_size_above_100(personas, board, path):
    client = token_client(personas.supervisor)

    assert list(get(client, path, page_size=101).json()["fields"]) == ["page_size"]
    assert get(client, path, page_size=101).status_code == 422
    page = get(client, path, page=2, page_size=1).json()
    assert len(page["items"]) == min(1, page["count"] - 1)


def test_it_costs_the_same_queries_for_one_case_per_list_as_for_five(
    personas, items, board, settings, django_assert_num_queries
):
    settings.TONGBAN_CALENDAR_CHECK_SECONDS = 3600  # no calendar version check mid-test
    client = token_client(personas.supervisor)
    get(client, "/processing")  # warm the calendar and the token's last-used mark
    measured = {}
    for path in LISTS:
        with CaptureQueriesContext(connection) as few:
            get(client, path)
        measured[path] = len(few.captured_queries)

    for day in range(9, 13):
        when = at(f"2026-03-{day:02d}")
        waiting = receive(personas, items.promised, when)
        services.request_supplement(
            actor=personas.window_clerk, case=waiting, items=["营业执照复印件"], at=when
        )
        accepted(personas, items.promised, when)
        receive(personas, items.promised, when)
        special = accepted(personas, items.promised, when)
        services.suspend_case(
            actor=personas.handler,
            case=special,
            procedure="expert_review",
            reason="专家评审",
            at=when,
        )

    for path in LISTS:
        with django_assert_num_queries(measured[path]):
            assert len(numbers(get(client, path, page_size=100))) >= 5
