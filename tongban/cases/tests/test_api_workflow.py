"""Case actions through the API: a whole promised case from the counter to
completion, the other actions (supplement, suspension, extension, urging, immediate
handling, withdrawal, termination, assignment), and refusals that answer in the one
error shape with 403/404/409/422 and change nothing."""

from __future__ import annotations

import pytest

from tongban.audit.models import AuditRecord
from tongban.cases.models import Case, CaseStatus, ExtensionStatus
from tongban.cases.testing import accepted, at, receive
from tongban.cases.tests.apiclient import (
    active_step_id,
    get,
    post,
    session_client,
    token_client,
)
from tongban.cases.tests.support import nothing_changes
from tongban.cases.tests.test_api_intake import application
from tongban.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def test_it_runs_a_case_from_intake_to_completion(personas, items):
    clerk = token_client(personas.window_clerk)
    handler = token_client(personas.handler)
    section_head = session_client(personas.section_head)
    head = session_client(personas.department_head)

    created = post(clerk, "", application(items))
    assert created.status_code == 201
    number = created.json()["number"]
    detail = ok(post(clerk, f"/{number}/accept", {"opinion": "材料齐全，予以受理"}))
    assert detail["status"] == "in_progress" and detail["deadline"] is not None
    step = active_step_id(detail)
    detail = ok(
        post(handler, f"/{number}/steps/{step}/advance", {"decision": "agree", "opinion": "符合"})
    )
    detail = ok(
        post(
            section_head, f"/{number}/steps/{active_step_id(detail)}/advance", {"decision": "agree"}
        )
    )
    detail = ok(
        post(head, f"/{number}/steps/{active_step_id(detail)}/advance", {"decision": "agree"})
    )
    assert "complete" in ok(get(handler, f"/{number}"))["actions"]
    detail = ok(
        post(
            handler,
            f"/{number}/steps/{active_step_id(detail)}/complete",
            {"outcome": "approved", "certificate_number": "JY16205020001234"},
        )
    )

    assert detail["status"] == "completed"
    assert detail["certificate_number"] == "JY16205020001234"
    assert [s["status"] for s in detail["steps"]] == ["done"] * 5
    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.COMPLETED and case.outcome == "approved"
    assert case.next_check_on is None
    timeline = [e["action"] for e in ok(get(handler, f"/{number}/timeline"))]
    assert timeline == ["receive", "accept", "advance", "advance", "advance", "complete"]
    audited = AuditRecord.objects.filter(object_id=str(case.pk), action__startswith="case.")
    assert list(audited.order_by("seq").values_list("action", flat=True)) == [
        f"case.{action}" for action in timeline
    ]
    assert set(audited.values_list("actor_name", flat=True)) == {
        "clerk",
        "handler",
        "sectionhead",
        "head",
    }
    completed_sms = OutboxMessage.objects.filter(case=case, template="case.completed")
    assert completed_sms.get().address == "13912341234"
    assert OutboxMessage.objects.filter(case=case, template="case.step_assigned").count() == 4


def test_it_refuses_a_clerk_completing_a_step_with_403_and_changes_nothing(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    clerk = session_client(personas.window_clerk)
    step = case.steps.get(status="active")

    with nothing_changes(case):
        response = post(clerk, f"/{case.number}/steps/{step.pk}/complete", {"outcome": "approved"})

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert set(body) == {"code", "message", "fields"}


def test_it_refuses_accepting_twice_with_409_and_changes_nothing(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    clerk = session_client(personas.window_clerk)

    with nothing_changes(case):
        response = post(clerk, f"/{case.number}/accept", {})

    assert response.status_code == 409
    assert response.json()["code"] == "action_not_allowed"


def test_it_refuses_a_step_already_handled_as_a_conflict(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    handler = session_client(personas.handler)
    step = case.steps.get(status="active").pk
    ok(post(handler, f"/{case.number}/steps/{step}/advance", {"decision": "agree"}))

    with nothing_changes(case):
        again = post(handler, f"/{case.number}/steps/{step}/advance", {"decision": "agree"})

    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "return"}, "opinion"),  # a return needs its reasons (service)
        ({"decision": "maybe"}, "decision"),  # not a decision (schema)
        ({}, "decision"),
    ],
)
def test_it_names_the_invalid_field_and_changes_nothing(personas, items, body, field):
    case = accepted(personas, items.promised, at("2026-03-02"))
    handler = session_client(personas.handler)
    step = case.steps.get(status="active").pk

    with nothing_changes(case):
        response = post(handler, f"/{case.number}/steps/{step}/advance", body)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert field in response.json()["fields"]


def test_it_answers_404_to_an_outsider_acting_on_a_case(personas, items):
    case = receive(personas, items.promised, at("2026-03-02"))
    outsider = session_client(personas.outsider)

    with nothing_changes(case):
        response = post(outsider, f"/{case.number}/accept", {})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_asks_for_a_supplement_takes_it_in_and_records_a_withdrawal(personas, items):
    licence = items.promised.materials.get(name="营业执照复印件")
    case = receive(personas, items.promised, at("2026-03-02"), materials=[])
    clerk = session_client(personas.window_clerk)

    detail = ok(post(clerk, f"/{case.number}/supplement-request", {"items": ["营业执照复印件"]}))
    assert detail["status"] == "supplement"
    detail = ok(
        post(
            clerk,
            f"/{case.number}/supplement",
            {"materials": [{"material_id": licence.pk, "pages": 1}], "note": "已补交"},
        )
    )
    assert detail["status"] == "received"
    assert [m["source"] for m in detail["materials"]] == ["supplement"]
    detail = ok(post(clerk, f"/{case.number}/withdraw", {"reason": "申请人主动撤回"}))

    assert detail["status"] == "withdrawn"
    assert [e.action for e in case.timeline.order_by("at", "id")] == [
        "receive",
        "request_supplement",
        "supplement",
        "withdraw",
    ]


def test_it_rejects_at_intake_with_reasons(personas, items):
    case = receive(personas, items.promised, at("2026-03-02"))

    detail = ok(
        post(
            session_client(personas.window_clerk),
            f"/{case.number}/reject",
            {"reasons": "不属于本部门职权"},
        )
    )

    assert detail["status"] == "rejected" and detail["result_note"] == "不属于本部门职权"


def test_it_suspends_resumes_extends_urges_and_terminates(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    handler = session_client(personas.handler)
    head = token_client(personas.department_head)
    supervisor = session_client(personas.supervisor)

    detail = ok(
        post(
            handler, f"/{case.number}/suspend", {"procedure": "expert_review", "reason": "专家评审"}
        )
    )
    assert detail["status"] == "suspended" and detail["colour"] == "suspended"
    assert detail["suspensions"][0]["procedure"] == "expert_review"
    detail = ok(post(handler, f"/{case.number}/resume", {"note": "评审结束"}))
    assert detail["status"] == "in_progress"
    detail = ok(post(handler, f"/{case.number}/extensions", {"days": 5, "reason": "情况复杂"}))
    (extension,) = detail["extensions"]
    assert extension["status"] == ExtensionStatus.PENDING
    assert "decide_extension" in ok(get(head, f"/{case.number}"))["actions"]
    detail = ok(
        post(head, f"/{case.number}/extensions/{extension['id']}/decide", {"approve": True})
    )
    assert detail["extensions"][0]["status"] == "approved"
    assert detail["derivation"]["extension_days"] == 5
    detail = ok(post(supervisor, f"/{case.number}/urge", {"message": "请尽快办理"}))
    assert case.urgings.get().urged_user == personas.handler
    detail = ok(post(head, f"/{case.number}/terminate", {"reason": "申请人已注销"}))

    assert detail["status"] == "terminated" and detail["terminated_on"] is not None
    assert [e.action for e in case.timeline.order_by("at", "id")][2:] == [
        "suspend",
        "resume",
        "request_extension",
        "approve_extension",
        "urge",
        "terminate",
    ]


def test_it_claims_and_assigns_steps(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    head = session_client(personas.department_head)
    step = case.steps.get(status="active")

    unknown = post(head, f"/{case.number}/steps/{step.pk}/assign", {"username": "nobody"})
    not_eligible = post(head, f"/{case.number}/steps/{step.pk}/assign", {"username": "clerk"})
    assigned = post(head, f"/{case.number}/steps/{step.pk}/assign", {"username": "HANDLER"})

    assert unknown.status_code == not_eligible.status_code == 422
    assert "username" in unknown.json()["fields"]
    assert "username" in not_eligible.json()["fields"]
    assert ok(assigned)["steps"][1]["assignee"] == "李承办"
    claimed = post(session_client(personas.handler), f"/{case.number}/steps/{step.pk}/claim")
    assert claimed.status_code == 409  # already theirs


def test_it_handles_an_immediate_item_on_the_spot(personas, items):
    case = receive(personas, items.immediate, at("2026-03-02"))

    detail = ok(
        post(
            token_client(personas.window_clerk),
            f"/{case.number}/handle-immediately",
            {"outcome": "approved"},
        )
    )

    assert detail["status"] == "completed"
    assert detail["deadline"] == detail["accepted_on"] == detail["completed_on"]
