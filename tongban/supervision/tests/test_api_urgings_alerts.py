"""``/api/v1/supervision/urgings`` (催办记录, the sweep's and people's) and
``/alerts`` (the issue's "warnings": a special procedure over its own limit, pledged
materials not handed in): scoped like the pages, filtered, open alerts only by
default, and a fixed number of queries whatever the page holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases import services
from tongban.cases.testing import accepted, at, receive
from tongban.cases.tests.apiclient import session_client, token_client
from tongban.supervision.services import sweep

pytestmark = pytest.mark.django_db

BASE = "/api/v1/supervision"


def get(client, path: str, **params):
    return client.get(BASE + path, params)


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def pledged(personas, items, when: dt.datetime, due: dt.date):
    """容缺受理: accepted without the non-essential licence copy, pledged by ``due``."""
    essential = items.promised.materials.get(essential=True)
    case = receive(
        personas,
        items.promised,
        when,
        materials=[services.MaterialIn(material_id=essential.pk, pages=2)],
    )
    return services.accept_case(actor=personas.window_clerk, case=case, at=when, pledge_due_on=due)


@pytest.fixture
def urged(personas, items):
    """承办 (8 working days from Monday 2 March) is due on the 12th: the sweep of the
    13th urges it; the supervisor urges it by hand the same day."""
    case = accepted(personas, items.promised, at("2026-03-02"))
    sweep(at=at("2026-03-13", 0, 5))
    services.urge_case(
        actor=personas.supervisor, case=case, message="请尽快办理", at=at("2026-03-13", 9)
    )
    return case


@pytest.fixture
def alerted(personas, items):
    """One special procedure past its own 5 working days, one pledge not kept."""
    suspended = accepted(personas, items.promised, at("2026-03-02"))
    services.suspend_case(
        actor=personas.handler,
        case=suspended,
        procedure="onsite_check",
        reason="现场核查",
        at=at("2026-03-03"),
    )
    pledge = pledged(personas, items, at("2026-03-02"), dt.date(2026, 3, 6))
    sweep(at=at("2026-03-12", 0, 5))
    return suspended, pledge


def test_it_lists_automatic_and_manual_urgings_and_filters_them(personas, urged):
    client = session_client(personas.handler)

    everything = rows(get(client, "/urgings"))
    automatic = rows(get(client, "/urgings", automatic="true"))
    manual = rows(get(client, "/urgings", automatic="false"))

    assert [r["automatic"] for r in everything] == [False, True]  # newest first
    assert len(automatic) == 1
    assert automatic[0]["case"]["number"] == urged.number
    assert (automatic[0]["step"], automatic[0]["urged_by"]) == ("承办", None)
    assert automatic[0]["urged_user"] == personas.handler.display_name
    assert automatic[0]["on"] == "2026-03-13"
    assert len(manual) == 1
    assert manual[0]["urged_by"] == personas.supervisor.display_name
    assert manual[0]["message"] == "请尽快办理"
    assert manual[0]["department"]["code"] == "SCJG"


def test_it_scopes_urgings_like_the_pages(personas, urged):
    assert len(rows(get(session_client(personas.supervisor), "/urgings"))) == 2
    for user in (personas.outsider, personas.system_admin, personas.audit_admin):
        response = get(session_client(user), "/urgings")
        assert rows(response) == [] and response.json()["count"] == 0


def test_it_lists_open_alerts_of_both_kinds(personas, alerted):
    suspended, pledge = alerted
    client = session_client(personas.department_head)

    alerts = rows(get(client, "/alerts"))

    assert {(a["kind"], a["case"]["number"]) for a in alerts} == {
        ("special_overrun", suspended.number),
        ("pledge_overdue", pledge.number),
    }
    by_kind = {a["kind"]: a for a in alerts}
    assert by_kind["pledge_overdue"]["due_on"] == "2026-03-06"
    assert by_kind["special_overrun"]["due_on"] == "2026-03-10"
    assert by_kind["special_overrun"]["resolved_at"] is None
    only_pledges = rows(get(client, "/alerts", kind="pledge_overdue"))
    assert [a["case"]["number"] for a in only_pledges] == [pledge.number]


def test_it_leaves_out_resolved_alerts_unless_asked(personas, alerted):
    suspended, _pledge = alerted
    services.resume_case(actor=personas.handler, case=suspended, at=at("2026-03-13"))
    client = session_client(personas.supervisor)

    open_alerts = rows(get(client, "/alerts"))
    every_alert = rows(get(client, "/alerts", open_only="false"))

    assert [a["kind"] for a in open_alerts] == ["pledge_overdue"]
    assert {a["kind"] for a in every_alert} == {"pledge_overdue", "special_overrun"}
    (resolved,) = [a for a in every_alert if a["kind"] == "special_overrun"]
    assert resolved["resolved_at"] is not None


def test_it_scopes_alerts_and_refuses_bad_filters(personas, alerted):
    for user in (personas.outsider, personas.security_admin):
        assert rows(get(session_client(user), "/alerts")) == []
    client = session_client(personas.supervisor)

    assert len(rows(get(client, "/alerts"))) == 2
    for params, field in (
        ({"kind": "fire"}, "kind"),
        ({"page_size": 101}, "page_size"),
        ({"page": 0}, "page"),
    ):
        response = get(client, "/alerts", **params)
        assert response.status_code == 422
        assert list(response.json()["fields"]) == [field]
    assert list(get(client, "/urgings", page_size=101).json()["fields"]) == ["page_size"]


def test_it_costs_the_same_queries_for_few_urgings_and_alerts_as_for_many(
    personas, items, settings, django_assert_num_queries
):
    settings.TONGBAN_CALENDAR_CHECK_SECONDS = 3600  # no calendar version check mid-test
    client = token_client(personas.supervisor)
    accepted(personas, items.promised, at("2026-03-02"))
    pledged(personas, items, at("2026-03-02"), dt.date(2026, 3, 6))
    sweep(at=at("2026-03-13", 0, 5))
    get(client, "/urgings")  # warm the calendar and the token's last-used mark
    measured = {}
    for path in ("/urgings", "/alerts"):
        with CaptureQueriesContext(connection) as few:
            assert len(rows(get(client, path))) >= 1
        measured[path] = len(few.captured_queries)

    for day in range(3, 7):
        when = at(f"2026-03-{day:02d}")
        accepted(personas, items.promised, when)
        pledged(personas, items, when, dt.date(2026, 3, 9))
    sweep(at=at("2026-03-20", 0, 5))

    for path in ("/urgings", "/alerts"):
        with django_assert_num_queries(measured[path]):
            assert len(rows(get(client, path, page_size=100))) >= 5
