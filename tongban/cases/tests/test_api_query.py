"""``GET /api/v1/cases``: the combined query through the API — scoped like the pages
(out of scope is simply absent), filtered, paginated with a refused oversize page,
masked applicant names, and a fixed number of queries whatever the page holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases import services
from tongban.cases.testing import accepted, at, person, receive
from tongban.cases.tests.apiclient import get, session_client, token_client

pytestmark = pytest.mark.django_db


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


@pytest.fixture
def two_cases(personas, items):
    first = receive(personas, items.promised, at("2026-03-02"))
    second = accepted(personas, items.promised, at("2026-03-03"))
    return first, second


def test_it_lists_the_cases_of_the_callers_department_newest_first(personas, two_cases):
    first, second = two_cases

    response = get(session_client(personas.handler))

    assert numbers(response) == [second.number, first.number]
    body = response.json()
    assert (body["count"], body["page"], body["page_size"]) == (2, 1, 20)
    row = body["results"][0]
    assert row["item"] == {"code": "620500-SCJG-XK-101", "name": "食品经营许可"}
    assert row["department"] == {"code": "SCJG", "name": "天水市市场监督管理局"}
    assert (row["status"], row["channel"], row["handling_type"]) == (
        "in_progress",
        "counter",
        "promised",
    )
    assert row["accepted_on"] == "2026-03-03"
    assert row["deadline"] == second.deadline.isoformat()
    assert row["colour"] == "overdue"  # 2026-03 deadlines are past by now
    assert row["applicant_name"] == "张*三"


def test_it_gives_an_outsider_none_of_another_departments_cases(personas, two_cases):
    for client in (session_client(personas.outsider), token_client(personas.outsider)):
        response = get(client)
        assert numbers(response) == []
        assert response.json()["count"] == 0


def test_it_gives_the_supervisor_every_case(personas, items, two_cases):
    first, second = two_cases

    assert set(numbers(get(session_client(personas.supervisor)))) == {
        first.number,
        second.number,
    }


@pytest.mark.parametrize("admin", ["system_admin", "security_admin", "audit_admin"])
def test_it_gives_the_three_administrators_nothing(personas, two_cases, admin):
    response = get(session_client(getattr(personas, admin)))

    assert numbers(response) == []


def test_it_filters_by_status_applicant_and_acceptance_date(personas, items, two_cases):
    first, second = two_cases
    other = receive(personas, items.promised, at("2026-03-04"), applicant=person("李四"))
    client = session_client(personas.handler)

    assert numbers(get(client, status="received")) == [other.number, first.number]
    assert numbers(get(client, status="open", applicant="李")) == [other.number]
    assert numbers(get(client, accepted_from="2026-03-03", accepted_to="2026-03-03")) == [
        second.number
    ]
    assert numbers(get(client, number=second.number[-6:])) == [second.number]
    assert numbers(get(client, mobile="13912341234", order="number")) == [
        first.number,
        second.number,
        other.number,
    ]


def test_it_pages_and_refuses_a_page_size_above_100(personas, two_cases):
    first, _second = two_cases
    client = session_client(personas.handler)

    page_two = get(client, page=2, page_size=1)
    too_big = get(client, page_size=101)

    assert numbers(page_two) == [first.number]
    assert page_two.json()["count"] == 2
    assert too_big.status_code == 422
    body = too_big.json()
    assert body["code"] == "validation_failed"
    assert list(body["fields"]) == ["page_size"]


def test_it_refuses_an_unknown_status_or_order_naming_the_field(personas, two_cases):
    client = session_client(personas.handler)

    assert list(get(client, status="lost").json()["fields"]) == ["status"]
    assert list(get(client, order="password").json()["fields"]) == ["order"]


def test_it_costs_the_same_queries_for_two_cases_as_for_twelve(
    personas, items, settings, django_assert_num_queries
):
    settings.TONGBAN_CALENDAR_CHECK_SECONDS = 3600  # no calendar version check mid-test
    for day in ("2026-03-02", "2026-03-03"):
        accepted(personas, items.promised, at(day))
    client = token_client(personas.supervisor)
    get(client)  # warm the calendar and the token's last-used mark
    with CaptureQueriesContext(connection) as few:
        assert len(numbers(get(client))) == 2

    for day in range(4, 14):
        when = at(f"2026-03-{day:02d}")
        case = receive(personas, items.promised, when)
        if day % 2:
            services.accept_case(actor=personas.window_clerk, case=case, at=when)

    with django_assert_num_queries(len(few.captured_queries)):
        assert len(numbers(get(client))) == 12
