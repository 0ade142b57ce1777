"""The case page: header with the applicant's data masked, the deadline's
derivation, steps, timeline and materials; one POST view per action, each calling
its service; refusals shown on the page and nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.accounts.roles import RoleCode
from tongban.accounts.testing import log_in, make_user
from tongban.cases import services
from tongban.cases.models import (
    Case,
    CaseStatus,
    Decision,
    ExtensionStatus,
    StepStatus,
    SuspensionKind,
)
from tongban.cases.testing import PERSON_ID, accepted, active_step, receive
from tongban.core.clock import now
from tongban.notify.models import OutboxMessage


def _url(case, action=None):
    if action is None:
        return reverse("cases:detail", args=[case.number])
    return reverse(f"cases:{action}", args=[case.number])


def _events(case) -> list[str]:
    return list(case.timeline.order_by("at", "id").values_list("action", flat=True))


def test_the_applicant_is_masked_for_the_handler_and_the_supervisor_alike(client, personas, items):
    """Revealing is a separate, audited request (test_reveal.py)."""
    case = accepted(personas, items.promised, now())
    log_in(client, personas.handler)
    body = client.get(_url(case)).content.decode()
    assert PERSON_ID not in body and "13912341234" not in body
    assert case.masked_id_number in body and 'id="reveal-form"' in body
    assert 'id="derivation"' in body and 'id="timeline"' in body

    log_in(client, personas.supervisor)
    response = client.get(_url(case))
    body = response.content.decode()
    assert response.status_code == 200
    assert PERSON_ID not in body and "13912341234" not in body
    assert case.masked_id_number in body and case.masked_mobile in body
    assert 'id="reveal-form"' not in body


def test_an_outsider_gets_404_like_a_missing_case(client, personas, items):
    case = accepted(personas, items.promised, now())
    log_in(client, personas.outsider)
    assert client.get(_url(case)).status_code == 404
    assert client.get(reverse("cases:detail", args=["TS-1999-X-000001"])).status_code == 404
    response = client.post(_url(case, "urge"), {"urge-message": "快"})
    assert response.status_code == 404


def test_it_serves_a_material_file_only_within_scope(client, personas, items):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.cases.tests.test_pages_intake import PDF

    first = items.promised.materials.order_by("order", "id").first()
    upload = SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf")
    case = receive(
        personas,
        items.promised,
        now(),
        materials=[services.MaterialIn(material_id=first.pk, upload=upload)],
    )
    row = case.materials.get()
    log_in(client, personas.window_clerk)
    response = client.get(reverse("cases:material", args=[case.number, row.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    log_in(client, personas.outsider)
    assert client.get(reverse("cases:material", args=[case.number, row.pk])).status_code == 404


def test_the_clerk_accepts_and_the_timeline_grows(client, personas, items):
    case = receive(personas, items.promised, now())
    log_in(client, personas.window_clerk)
    assert 'id="action-accept"' in client.get(_url(case)).content.decode()

    response = client.post(_url(case, "accept"), {"accept-opinion": "材料齐全"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.deadline is not None
    assert _events(case) == ["receive", "accept"]


def test_accepting_with_missing_materials_shows_the_list_and_needs_a_pledge(
    client, personas, items
):
    first, second, _third = items.promised.materials.order_by("order", "id")
    case = receive(
        personas,
        items.promised,
        now(),
        materials=[services.MaterialIn(material_id=first.pk, pages=2)],
    )
    log_in(client, personas.window_clerk)
    body = client.get(_url(case)).content.decode()
    assert "data-missing" in body and second.name in body

    refused = client.post(_url(case, "accept"), {"accept-opinion": ""})
    assert refused.status_code == 200
    assert refused.context["actions"][0].form.errors["pledge_due_on"]
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED and _events(case) == ["receive"]


def test_reject_without_reasons_is_a_field_error_then_rejects(client, personas, items):
    case = receive(personas, items.promised, now())
    log_in(client, personas.window_clerk)

    response = client.post(_url(case, "reject"), {"reject-reasons": ""})
    assert response.status_code == 200
    box = next(b for b in response.context["actions"] if b.name == "reject")
    assert box.form.errors["reasons"] and not box.folded
    assert _events(case) == ["receive"]

    client.post(_url(case, "reject"), {"reject-reasons": "不属于本部门职权范围"})
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED
    assert _events(case) == ["receive", "reject"]


def test_supplement_request_then_supplement_at_the_counter(client, personas, items):
    first, second, _third = items.promised.materials.order_by("order", "id")
    case = receive(personas, items.promised, now(), materials=[])
    log_in(client, personas.window_clerk)
    page = client.get(_url(case))
    box = next(b for b in page.context["actions"] if b.name == "request_supplement")
    assert first.name in box.form.initial["items"]

    client.post(
        _url(case, "request_supplement"),
        {"request_supplement-items": f"{first.name}\n{second.name}", "request_supplement-note": ""},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT_REQUESTED
    assert case.supplement_requests.get().items == [first.name, second.name]

    client.post(
        _url(case, "supplement"),
        {
            f"sup-{first.pk}-received": "1",
            f"sup-{first.pk}-pages": "4",
            f"sup-{second.pk}-received": "1",
            f"sup-{second.pk}-pages": "1",
            "supplement-note": "已补齐",
        },
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED
    assert case.materials.count() == 2
    assert _events(case) == ["receive", "request_supplement", "supplement"]


def test_an_immediate_case_is_decided_on_the_spot(client, personas, items):
    case = receive(personas, items.immediate, now())
    log_in(client, personas.window_clerk)

    client.post(
        _url(case, "handle_immediately"),
        {"handle_immediately-outcome": "approved", "handle_immediately-opinion": "当场办结"},
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.outcome == "approved"
    assert _events(case) == ["receive", "handle_immediately"]


def test_handlers_advance_return_and_complete(client, personas, items):
    case = accepted(personas, items.promised, now())
    step = active_step(case)
    log_in(client, personas.handler)
    page = client.get(_url(case)).content.decode()
    assert 'id="action-advance"' in page

    client.post(
        _url(case, "advance"),
        {"advance-step_id": step.pk, "advance-decision": "agree", "advance-opinion": "符合条件"},
    )
    review = active_step(case)
    assert review.name == "审核"
    log_in(client, personas.section_head)
    page = client.get(_url(case))
    box = next(b for b in page.context["actions"] if b.name == "advance")
    assert [c for c, _label in box.form.fields["return_to"].choices if c] == [step.pk]
    client.post(
        _url(case, "advance"),
        {
            "advance-step_id": review.pk,
            "advance-decision": Decision.RETURN,
            "advance-return_to": step.pk,
            "advance-opinion": "请补充现场照片",
        },
    )
    again = active_step(case)
    assert again.name == "承办" and again.assignee == personas.handler

    for actor in (personas.handler, personas.section_head, personas.department_head):
        log_in(client, actor)
        current = active_step(case)
        client.post(
            _url(case, "advance"),
            {"advance-step_id": current.pk, "advance-decision": "agree", "advance-opinion": ""},
        )
    final = active_step(case)
    assert final.name == "办结"
    log_in(client, personas.handler)
    response = client.post(
        _url(case, "complete"),
        {
            "complete-step_id": final.pk,
            "complete-outcome": "approved",
            "complete-certificate_number": "JY16205020001234",
            "complete-opinion": "准予许可",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert case.certificate_number == "JY16205020001234"
    assert _events(case) == [
        "receive",
        "accept",
        "advance",
        "return",
        "advance",
        "advance",
        "advance",
        "complete",
    ]
    assert OutboxMessage.objects.filter(case=case, template="case.completed").count() == 1


def test_a_clerk_posting_complete_is_refused_and_nothing_changes(client, personas, items):
    case = accepted(personas, items.promised, now())
    for actor in (personas.handler, personas.section_head, personas.department_head):
        step = active_step(case)
        services.advance_step(actor=actor, case=case, step_id=step.pk, decision="agree", at=now())
    final = active_step(case)
    before = _events(case)
    log_in(client, personas.window_clerk)

    response = client.post(
        _url(case, "complete"),
        {"complete-step_id": final.pk, "complete-outcome": "approved"},
    )

    assert response.status_code in (403, 409)
    assert 'role="alert"' in response.content.decode()
    case.refresh_from_db()
    final.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and final.status == StepStatus.ACTIVE
    assert _events(case) == before


def test_claim_without_htmx_redirects_to_the_case(client, personas, items):
    make_user(
        "handler2",
        RoleCode.HANDLER,
        department=personas.org.market,
        section=personas.org.market_section,
    )
    case = accepted(personas, items.promised, now())
    step = active_step(case)
    log_in(client, personas.handler)
    assert 'id="action-claim"' in client.get(_url(case)).content.decode()

    response = client.post(_url(case, "claim"), {"claim-step_id": step.pk})

    assert response.status_code == 302
    step.refresh_from_db()
    assert step.assignee == personas.handler
    assert _events(case)[-1] == "claim"


def test_the_head_assigns_a_step(client, personas, items):
    second = make_user(
        "handler2",
        RoleCode.HANDLER,
        department=personas.org.market,
        section=personas.org.market_section,
    )
    case = accepted(personas, items.promised, now())
    step = active_step(case)
    log_in(client, personas.department_head)

    client.post(_url(case, "assign"), {"assign-step_id": step.pk, "assign-assignee": second.pk})

    step.refresh_from_db()
    assert step.assignee == second
    assert _events(case)[-1] == "assign"


def test_suspend_and_resume_a_special_procedure(client, personas, items):
    case = accepted(personas, items.promised, now())
    log_in(client, personas.handler)

    client.post(
        _url(case, "suspend"), {"suspend-procedure": "expert_review", "suspend-reason": "专家评审"}
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED
    assert case.suspensions.get().kind == SuspensionKind.SPECIAL_PROCEDURE
    assert 'data-colour="suspended"' in client.get(_url(case)).content.decode()

    client.post(_url(case, "resume"), {"resume-opinion": "评审结束"})
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert _events(case)[-2:] == ["suspend", "resume"]


def test_extension_requested_by_the_handler_and_approved_by_the_head(client, personas, items):
    case = accepted(personas, items.promised, now())
    deadline = case.deadline
    log_in(client, personas.handler)
    client.post(
        _url(case, "request_extension"),
        {"request_extension-days": "5", "request_extension-reason": "需补充检验"},
    )
    extension = case.extensions.get()
    assert extension.status == ExtensionStatus.PENDING

    log_in(client, personas.department_head)
    page = client.get(_url(case))
    assert any(b.name == "decide_extension" for b in page.context["actions"])
    client.post(
        _url(case, "decide_extension"),
        {
            "decide_extension-extension_id": extension.pk,
            "decide_extension-approve": "1",
            "decide_extension-note": "同意",
        },
    )
    case.refresh_from_db()
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    assert case.extension_days == 5 and case.deadline > deadline
    assert _events(case)[-2:] == ["request_extension", "approve_extension"]


def test_the_supervisor_urges(client, personas, items):
    case = accepted(personas, items.promised, now())
    log_in(client, personas.supervisor)

    client.post(_url(case, "urge"), {"urge-message": "请加快办理"})

    assert case.urgings.get().urged_user == personas.handler
    assert _events(case)[-1] == "urge"


@pytest.mark.parametrize(
    ("action", "who", "status"),
    [
        ("withdraw", "window_clerk", CaseStatus.WITHDRAWN),
        ("terminate", "department_head", CaseStatus.TERMINATED),
    ],
)
def test_withdraw_and_terminate(client, personas, items, action, who, status):
    case = accepted(personas, items.promised, now())
    log_in(client, getattr(personas, who))

    response = client.post(_url(case, action), {f"{action}-reason": "申请人要求"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == status
    assert _events(case)[-1] == action


def test_get_on_an_action_is_not_allowed(client, personas, items):
    case = accepted(personas, items.promised, now())
    log_in(client, personas.handler)
    assert client.get(_url(case, "advance")).status_code == 405
    assert Case.objects.get().timeline.count() == 2
