"""``/api/v1/supervision/cards``: the cards (发牌记录) of a simulated history through
the API — scoped like the pages (out of scope is absent, or 404 by id), filtered,
paginated with a refused oversize page, a fixed number of queries whatever the page
holds, and the rectification note (整改说明) written by the carded department's head
only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.audit.models import AuditRecord
from tongban.cases import services
from tongban.cases.models import Decision, Outcome
from tongban.cases.testing import accepted, active_step, at
from tongban.cases.tests.apiclient import session_client, token_client
from tongban.supervision.models import Card, CardColour
from tongban.supervision.services import sweep

pytestmark = pytest.mark.django_db

BASE = "/api/v1/supervision"


def get(client, path: str, **params):
    return client.get(BASE + path, params)


def post(client, path: str, body: dict):
    return client.post(BASE + path, body, content_type="application/json")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def history(personas, items):
    """Accepted on Monday 2 March (deadline 23 March): yellow on the 24th, red on the
    27th, after three further working days."""
    case = accepted(personas, items.promised, at("2026-03-02"))
    sweep(at=at("2026-03-24", 0, 5))
    sweep(at=at("2026-03-27", 0, 5))
    yellow = Card.objects.of("case", case.pk).get(colour=CardColour.YELLOW)
    red = Card.objects.of("case", case.pk).get(colour=CardColour.RED)
    return case, yellow, red


def test_it_lists_the_cards_of_the_callers_department_newest_first(personas, history):
    case, yellow, red = history

    response = get(session_client(personas.handler), "/cards")

    assert ids(response) == [red.pk, yellow.pk]
    body = response.json()
    assert (body["count"], body["page"], body["page_size"]) == (2, 1, 20)
    row = body["results"][1]
    assert row["colour"] == "yellow" and row["rule"] == "deadline"
    assert row["case"] == {"number": case.number, "item_name": "食品经营许可"}
    assert row["department"] == {"code": "SCJG", "name": "天水市市场监督管理局"}
    assert (row["step"], row["handler"]) == ("承办", personas.handler.display_name)
    assert (row["deadline"], row["issued_on"], row["days_overdue"]) == (
        "2026-03-23",
        "2026-03-24",
        yellow.days_overdue,
    )
    assert {r["role"] for r in row["recipients"]} >= {"handler", "department_head"}
    assert (row["cured"], row["cured_at"], row["rectification"]) == (False, None, "")
    assert body["results"][0]["yellow_card_id"] == yellow.pk


def test_it_gives_the_supervisor_every_card_and_others_none(personas, history):
    _case, yellow, red = history

    assert set(ids(get(session_client(personas.supervisor), "/cards"))) == {yellow.pk, red.pk}
    for user in (
        personas.outsider,
        personas.system_admin,
        personas.security_admin,
        personas.audit_admin,
    ):
        response = get(session_client(user), "/cards")
        assert ids(response) == [] and response.json()["count"] == 0
        assert get(session_client(user), f"/cards/{yellow.pk}").status_code == 404


def test_it_shows_one_card_in_scope_and_404_for_a_missing_one(personas, history):
    _case, yellow, _red = history
    client = session_client(personas.department_head)

    response = get(client, f"/cards/{yellow.pk}")
    missing = get(client, "/cards/999999")

    assert response.status_code == 200
    assert response.json()["id"] == yellow.pk
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_it_filters_by_colour_cured_department_date_and_case_number(personas, items, history):
    _case, yellow, red = history
    later = accepted(personas, items.promised, at("2026-03-03"))
    sweep(at=at("2026-03-25", 0, 5))
    later_yellow = Card.objects.of("case", later.pk).get(colour=CardColour.YELLOW)
    client = session_client(personas.supervisor)

    assert ids(get(client, "/cards", colour="red")) == [red.pk]
    assert ids(get(client, "/cards", colour="yellow")) == [later_yellow.pk, yellow.pk]
    assert ids(get(client, "/cards", case_number=later.number[-6:])) == [later_yellow.pk]
    assert ids(get(client, "/cards", issued_from="2026-03-25", issued_to="2026-03-26")) == [
        later_yellow.pk
    ]
    assert len(ids(get(client, "/cards", department="SCJG"))) == 3
    assert ids(get(client, "/cards", department="ZRZY")) == []
    assert ids(get(client, "/cards", department="NOSUCH")) == []
    assert ids(get(client, "/cards", cured="true")) == []
    assert len(ids(get(client, "/cards", cured="false"))) == 3


def test_it_refuses_a_page_size_above_100_and_an_unknown_colour_naming_the_field(personas, history):
    client = session_client(personas.supervisor)

    too_big = get(client, "/cards", page_size=101)
    purple = get(client, "/cards", colour="purple")
    page_two = get(client, "/cards", page=2, page_size=1)

    assert too_big.status_code == 422
    assert too_big.json()["code"] == "validation_failed"
    assert list(too_big.json()["fields"]) == ["page_size"]
    assert purple.status_code == 422 and list(purple.json()["fields"]) == ["colour"]
    assert ids(page_two) == [history[1].pk] and page_two.json()["count"] == 2


def test_it_lets_the_department_head_write_the_rectification_note(personas, history):
    _case, yellow, _red = history
    audited = AuditRecord.objects.filter(action="card.rectify", object_id=str(yellow.pk))

    response = post(
        session_client(personas.department_head),
        f"/cards/{yellow.pk}/rectification",
        {"note": "已约谈承办人，调整分办流程"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rectification"] == "已约谈承办人，调整分办流程"
    assert body["rectified_by"] == personas.department_head.display_name
    yellow.refresh_from_db()
    assert yellow.rectification == "已约谈承办人，调整分办流程"
    assert yellow.rectified_by == personas.department_head
    record = audited.get()
    assert record.actor_id == personas.department_head.pk
    assert record.after == {"rectification": "已约谈承办人，调整分办流程"}


@pytest.mark.parametrize("who", ["handler", "window_clerk", "supervisor"])
def test_it_refuses_the_note_to_anybody_but_the_head_and_changes_nothing(personas, history, who):
    _case, yellow, _red = history
    before = Card.objects.filter(pk=yellow.pk).values().get()
    audit_count = AuditRecord.objects.count()

    response = post(
        session_client(getattr(personas, who)),
        f"/cards/{yellow.pk}/rectification",
        {"note": "我来写"},
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Card.objects.filter(pk=yellow.pk).values().get() == before
    assert AuditRecord.objects.count() == audit_count


def test_it_answers_404_to_an_outsider_and_422_to_an_empty_note(personas, history):
    _case, yellow, _red = history
    path = f"/cards/{yellow.pk}/rectification"

    outsider = post(session_client(personas.outsider), path, {"note": "我来写"})
    empty = post(session_client(personas.department_head), path, {"note": "   "})
    too_long = post(session_client(personas.department_head), path, {"note": "长" * 2001})

    assert outsider.status_code == 404
    assert empty.status_code == 422 and list(empty.json()["fields"]) == ["note"]
    assert too_long.status_code == 422 and list(too_long.json()["fields"]) == ["note"]
    yellow.refresh_from_db()
    assert yellow.rectification == "" and yellow.rectified_at is None


def test_it_works_with_a_bearer_token_and_refuses_anonymous_callers(personas, client, history):
    _case, yellow, red = history

    assert set(ids(get(token_client(personas.supervisor), "/cards"))) == {yellow.pk, red.pk}
    anonymous = get(client, "/cards")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"


def test_it_costs_the_same_queries_for_two_cards_as_for_twelve(
    personas, items, settings, django_assert_num_queries
):
    settings.TONGBAN_CALENDAR_CHECK_SECONDS = 3600  # no calendar version check mid-test
    accepted(personas, items.promised, at("2026-03-02"))
    sweep(at=at("2026-03-24", 0, 5))
    client = token_client(personas.supervisor)
    get(client, "/cards")  # warm the calendar and the token's last-used mark
    with CaptureQueriesContext(connection) as few:
        few_count = len(ids(get(client, "/cards")))

    for day in range(3, 8):
        accepted(personas, items.promised, at(f"2026-03-{day:02d}"))
    sweep(at=at("2026-04-10", 0, 5))
    many = Card.objects.count()
    assert many > few_count

    with django_assert_num_queries(len(few.captured_queries)):
        assert len(ids(get(client, "/cards", page_size=100))) == many


def test_it_shows_the_cure_when_the_case_completes(personas, history):
    case, yellow, red = history
    when = at("2026-03-30")
    for who in ("handler", "section_head", "department_head"):
        step = active_step(case)
        services.advance_step(
            actor=getattr(personas, who),
            case=case,
            step_id=step.pk,
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

    client = session_client(personas.supervisor)
    body = get(client, "/cards", cured="true").json()

    assert [r["id"] for r in body["results"]] == [red.pk, yellow.pk]
    assert body["results"][0]["cured"] is True
    assert body["results"][0]["cured_on"] == "2026-03-30"
    assert ids(get(client, "/cards", cured="false")) == []
