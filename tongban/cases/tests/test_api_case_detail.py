"""``GET /api/v1/cases/{number}`` and its timeline: everything the case page shows,
personal data masked (the name too for those who do not handle the case), the same
404 for a case out of scope as for a missing one, and the operations listed in the
OpenAPI."""

from __future__ import annotations

import pytest

from tongban.cases import services
from tongban.cases.testing import accepted, active_step, at, receive
from tongban.cases.tests.apiclient import get, session_client, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas, items):
    return accepted(personas, items.promised, at("2026-03-02"))


def test_it_shows_steps_materials_derivation_and_actions_to_the_handler(personas, case):
    response = get(session_client(personas.handler), f"/{case.number}")

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == case.number
    assert body["status"] == "in_progress"
    assert [(s["name"], s["status"]) for s in body["steps"]] == [
        ("受理", "done"),
        ("承办", "active"),
        ("审核", "waiting"),
        ("批准", "waiting"),
        ("办结", "waiting"),
    ]
    undertake = body["steps"][1]
    assert undertake["assignee"] == "李承办"
    assert undertake["department"]["code"] == "SCJG"
    assert (undertake["started_on"], undertake["due_on"]) == ("2026-03-02", "2026-03-12")
    assert undertake["days_allowed"] == 8
    assert undertake["overdue"] is True
    assert [m["name"] for m in body["materials"]] == [
        "食品经营许可申请书",
        "营业执照复印件",
        "其他说明材料",
    ]
    assert body["materials"][0]["pages"] == 2 and body["materials"][0]["has_file"] is False
    assert body["form_data"] == {"shop_name": "小三面馆", "area": None}
    assert body["derivation"]["accepted_on"] == "2026-03-02"
    assert body["derivation"]["limit_days"] == 15
    assert body["derivation"]["total_days"] == 15
    assert body["derivation"]["deadline"] == "2026-03-23"
    # Masked for the handler too: ``POST …/reveal`` shows it, audited (test_reveal.py).
    assert body["applicant"]["masked"] is True
    assert body["applicant"]["name"] == "张小三"
    assert body["applicant"]["mobile"] == "139****1234"
    assert body["actions"] == sorted(body["actions"])
    assert {"advance", "request_supplement", "request_extension"} <= set(body["actions"])


def test_it_masks_the_applicant_for_the_supervisor(personas, case):
    body = get(session_client(personas.supervisor), f"/{case.number}").json()

    assert body["applicant"] == {
        "masked": True,
        "kind": "person",
        "name": "张*三",
        "id_type": "resident_id",
        "id_number": "6205**********1235",
        "mobile": "139****1234",
        "address": "",
        "contact_name": "",
    }
    assert "advance" not in body["actions"] and "urge" in body["actions"]


def test_it_answers_an_out_of_scope_case_exactly_like_a_missing_one(personas, case):
    outsider = token_client(personas.outsider)

    hidden = get(outsider, f"/{case.number}")
    missing = get(outsider, "/TS-2026-SCJG-999999")
    hidden_timeline = get(outsider, f"/{case.number}/timeline")

    assert hidden.status_code == missing.status_code == hidden_timeline.status_code == 404
    assert hidden.json() == missing.json() == hidden_timeline.json()
    assert hidden.json()["code"] == "not_found"


def test_it_lists_the_timeline_oldest_first(personas, case):
    step = active_step(case)
    services.advance_step(
        actor=personas.handler,
        case=case,
        step_id=step.pk,
        decision="agree",
        opinion="材料齐全",
        at=at("2026-03-04"),
    )

    response = get(session_client(personas.section_head), f"/{case.number}/timeline")

    assert response.status_code == 200
    events = response.json()
    assert [e["action"] for e in events] == ["receive", "accept", "advance"]
    last = events[-1]
    assert (last["actor_name"], last["step"], last["opinion"]) == ("李承办", "承办", "材料齐全")
    assert last["detail"]["days_used"] == 2
    assert last["at"].startswith("2026-03-04T02:00:00")


def test_it_shows_no_derivation_before_acceptance(personas, items):
    case = receive(personas, items.promised, at("2026-03-02"))

    body = get(session_client(personas.window_clerk), f"/{case.number}").json()

    assert body["derivation"] is None
    assert body["steps"] == []
    assert {"accept", "reject", "request_supplement"} <= set(body["actions"])


def test_it_documents_the_case_operations_in_the_openapi(client):
    schema = client.get("/api/v1/openapi.json").json()

    operations = {
        op["operationId"]
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/cases")
        for op in methods.values()
    }
    assert operations == {
        "list_cases",
        "submit_case",
        "get_case",
        "get_case_timeline",
        "accept_case",
        "reject_case",
        "request_supplement",
        "supplement_case",
        "handle_case_immediately",
        "claim_step",
        "advance_step",
        "complete_case",
        "assign_step",
        "suspend_case",
        "resume_case",
        "request_extension",
        "decide_extension",
        "withdraw_case",
        "terminate_case",
        "urge_case",
        "reveal_applicant",
        "supply_pledged_materials",
        "list_opinion_templates",
        "create_opinion_template",
        "update_opinion_template",
        "delete_opinion_template",
    }
    assert all(
        op.get("summary")
        for path, methods in schema["paths"].items()
        for op in methods.values()
        if path.startswith("/api/v1/cases")
    )
    security = schema["components"]["securitySchemes"]
    assert {s["type"] for s in security.values()} >= {"http", "apiKey"}
