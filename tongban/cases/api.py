"""Cases in the REST API, for staff (session or bearer token; see ``tongban/api.py``).

Every operation is access → parse → service or selector → respond: a case is fetched
with ``access.get_case_for`` (out of scope is the same 404 as missing), an action
calls its service with ``at=timezone.now()`` and answers with the case's detail, and
a refusal is the service's ``DomainError`` in the one error shape
``{"code", "message", "fields"}`` (403 not yours, 409 wrong state or somebody was
first, 422 invalid input naming the field).

Route order matters: ``/opinion-templates`` is declared before ``/{number}`` so that
it is not read as a case number.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from tongban.accounts.models import User
from tongban.catalog.models import Item
from tongban.core import clock
from tongban.core.clock import local_date
from tongban.core.crypto import mask_name
from tongban.core.errors import ValidationFailed
from tongban.workcalendar.calendar import get_calendar

from . import access, privacy, selectors, services
from .labels import timeline_label
from .models import Case, OpinionTemplate
from .schemas import (
    AcceptIn,
    AdvanceIn,
    AssignIn,
    CaseDetailOut,
    CaseListOut,
    CaseListQuery,
    ExtensionDecisionIn,
    ExtensionIn,
    IntakeIn,
    MaterialIn,
    NoteIn,
    OpinionTemplateIn,
    OpinionTemplateOut,
    OutcomeIn,
    PledgedMaterialsIn,
    ReasonIn,
    RejectIn,
    RevealOut,
    SupplementIn,
    SupplementRequestIn,
    SuspendIn,
    TimelineEventOut,
    UrgeIn,
)

router = Router(tags=["cases"])

# Filters that are optional enums in the API and empty strings in ``CaseFilters``.
CHOICES = ("status", "handling_type", "channel")

# --- output ------------------------------------------------------------------------------


def _department(department) -> dict | None:
    return {"code": department.code, "name": department.name} if department else None


def _row(case: Case) -> dict:
    return {
        "number": case.number,
        "item": {"code": case.item.code, "name": case.item_name},
        "handling_type": case.handling_type,
        "department": _department(case.department),
        "channel": case.channel,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "received_at": case.received_at,
        "accepted_on": case.accepted_on,
        "deadline": case.deadline,
        "completed_on": case.completed_on,
        "terminated_on": case.terminated_on,
        "colour": case.colour,
        "applicant_name": case.masked_applicant_name,
    }


def _applicant(case: Case, handler: bool) -> dict:
    """ID number, mobile and address masked for everybody (``POST …/reveal`` shows
    them, audited); the names in full only to a handler of the case."""
    return {
        "masked": True,
        "kind": case.applicant_kind,
        "name": case.applicant_name if handler else case.masked_applicant_name,
        "id_type": case.applicant_id_type,
        "id_number": case.masked_id_number,
        "mobile": case.masked_mobile,
        "address": "",
        "contact_name": case.contact_name if handler else mask_name(case.contact_name),
    }


def _derivation(case: Case, explanation, today: dt.date) -> dict | None:
    if explanation is None:
        return None
    end = case.completed_on or case.terminated_on or today
    used = get_calendar().wd(case.accepted_on, end) - case.suspended_days
    return {
        "accepted_on": case.accepted_on,
        "limit_days": case.limit_days,
        "extension_days": case.extension_days,
        "suspended_days": case.suspended_days,
        "total_days": explanation.days,
        "deadline": case.deadline,
        "holidays_skipped": [
            {"name": h.name, "year": h.year, "first_day": h.first_day, "last_day": h.last_day}
            for h in explanation.holidays
        ],
        "adjusted_workdays_used": [
            {"date": a.date, "holiday_name": a.holiday_name} for a in explanation.adjusted_workdays
        ],
        "years_without_arrangement": list(explanation.missing_years),
        "working_days_used": max(0, used),
    }


def _detail(user, case: Case) -> dict:
    """The case page as data. Reloads the case: after an action the caller's copy
    is stale."""
    case = Case.objects.select_related("item", "department", "hall", "received_by").get(pk=case.pk)
    today = local_date(clock.now())
    view = selectors.case_view(user, case, today=today)
    case.colour = view.colour
    return {
        **_row(case),
        "hall": _department(case.hall),
        "received_by": case.received_by.display_name if case.received_by_id else None,
        "review_due_on": case.review_due_on,
        "pledge_due_on": case.pledge_due_on,
        "deemed_accepted": case.deemed_accepted,
        "outcome": case.outcome,
        "proposed_outcome": case.proposed_outcome,
        "certificate_number": case.certificate_number,
        "result_note": case.result_note,
        "version": case.version,
        "applicant": _applicant(case, view.may_reveal),
        "form_data": privacy.masked_form_data(case),
        "steps": [
            {
                "id": row.step.pk,
                "order": row.step.order,
                "name": row.step.name,
                "kind": row.step.kind,
                "department": _department(row.step.department),
                "role": row.step.role,
                "assignee": row.step.assignee.display_name if row.step.assignee_id else None,
                "status": row.step.status,
                "started_on": row.step.started_on,
                "due_on": row.step.due_on,
                "finished_on": row.step.finished_on,
                "days_used": row.days_used,
                "days_allowed": row.days_allowed,
                "overdue": row.overdue,
                "decision": row.step.decision,
                "opinion": row.step.opinion,
            }
            for row in view.steps
        ],
        "materials": [
            {
                "id": m.pk,
                "material_id": m.material_id,
                "name": m.name,
                "pages": m.pages,
                "copies": m.copies,
                "source": m.source,
                "has_file": m.file_id is not None,
                "received_at": m.received_at,
            }
            for m in view.materials
        ],
        "missing_materials": [
            {"id": m.pk, "name": m.name, "essential": m.essential} for m in view.missing
        ],
        "derivation": _derivation(case, view.derivation, today),
        "extensions": [
            {
                "id": e.pk,
                "days": e.days,
                "reason": e.reason,
                "status": e.status,
                "requested_at": e.requested_at,
                "decided_at": e.decided_at,
                "decision_note": e.decision_note,
            }
            for e in view.extensions
        ],
        "suspensions": [
            {
                "kind": s.kind,
                "procedure": s.procedure,
                "reason": s.reason,
                "started_on": s.started_on,
                "due_on": s.due_on,
                "ended_on": s.ended_on,
                "days": s.days,
            }
            for s in view.suspensions
        ],
        "actions": sorted(view.actions),
    }


def _case_for(request: HttpRequest, number: str) -> tuple[User, Case]:
    user = request.auth
    return user, access.get_case_for(user, number)


def _materials(materials: list[MaterialIn]) -> list[services.MaterialIn]:
    return [
        services.MaterialIn(material_id=m.material_id, name=m.name, pages=m.pages, copies=m.copies)
        for m in materials
    ]


# --- opinion templates (before /{number}) ------------------------------------------------


@router.get(
    "/opinion-templates",
    response=list[OpinionTemplateOut],
    summary="My opinion templates",
    operation_id="list_opinion_templates",
)
def list_opinion_templates(request):
    """The caller's saved phrases (常用意见), in their order."""
    return list(OpinionTemplate.objects.filter(user_id=request.auth.pk).order_by("order", "id"))


@router.post(
    "/opinion-templates",
    response={201: OpinionTemplateOut},
    summary="Save an opinion template",
    operation_id="create_opinion_template",
)
def create_opinion_template(request, payload: OpinionTemplateIn):
    template = services.save_opinion_template(
        actor=request.auth, at=timezone.now(), text=payload.text
    )
    return Status(201, template)


@router.put(
    "/opinion-templates/{template_id}",
    response=OpinionTemplateOut,
    summary="Edit one of my opinion templates",
    operation_id="update_opinion_template",
)
def update_opinion_template(request, template_id: int, payload: OpinionTemplateIn):
    """Another user's template is 404, like a missing one."""
    template = access.get_opinion_template_for(request.auth, template_id)
    return services.save_opinion_template(
        actor=request.auth, at=timezone.now(), text=payload.text, template=template
    )


@router.delete(
    "/opinion-templates/{template_id}",
    response={204: None},
    summary="Delete one of my opinion templates",
    operation_id="delete_opinion_template",
)
def delete_opinion_template(request, template_id: int):
    template = access.get_opinion_template_for(request.auth, template_id)
    services.delete_opinion_template(actor=request.auth, at=timezone.now(), template=template)
    return Status(204, None)


# --- list, intake, detail, timeline --------------------------------------------------------


@router.get(
    "",
    response=CaseListOut,
    summary="Query cases",
    operation_id="list_cases",
)
def list_cases(request, filters: Query[CaseListQuery]):
    """The cases the caller may see, filtered, sorted and paginated; applicant names
    masked. A fixed number of queries whatever the page size."""
    today = local_date(clock.now())
    cases = selectors.case_list(
        request.auth,
        selectors.CaseFilters(
            **filters.model_dump(exclude={"page", "page_size", *CHOICES}),
            **{name: getattr(filters, name) or "" for name in CHOICES},
            today=today,
        ),
    )
    start = (filters.page - 1) * filters.page_size
    page = selectors.with_colours(cases[start : start + filters.page_size], today)
    return {
        "count": cases.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [_row(case) for case in page],
    }


@router.post(
    "",
    response={200: CaseDetailOut, 201: CaseDetailOut},
    summary="Take in an application at the counter",
    operation_id="submit_case",
)
def submit_case(
    request,
    payload: IntakeIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=64,
        description="Repeating a request with the same key returns the first case (200).",
    ),
):
    """事件受理 by a window clerk: the application is recorded for preliminary review
    (201). Paper materials are listed with the pages counted. With an
    ``Idempotency-Key`` already used for the same item, the case it created is
    returned unchanged (200); for another item it is a conflict (409)."""
    user = request.auth
    item = Item.objects.filter(code=payload.item.strip()).first()
    if item is None:
        message = _("No item has this code.")
        raise ValidationFailed(message, fields={"item": [message]})
    at = timezone.now()
    case = services.submit_application(
        actor=user,
        item=item,
        applicant=services.ApplicantData(**payload.applicant.model_dump()),
        form_data=payload.form_data,
        materials=_materials(payload.materials),
        at=at,
        idempotency_key=idempotency_key or None,
    )
    if case.received_at == at:
        return Status(201, _detail(user, case))
    # A replay: the key's case is answered only to those who may see it, so a key
    # cannot be used to probe other departments' applications.
    if not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        raise services.Conflict(_("This idempotency key has already been used."))
    return Status(200, _detail(user, case))


@router.get(
    "/{number}",
    response=CaseDetailOut,
    summary="A case in full",
    operation_id="get_case",
)
def get_case(request, number: str):
    """Steps with time used against allowed, materials, form data, the applicant
    (ID number, mobile and address always masked: see ``reveal``), the deadline's
    derivation and the actions the caller may take now."""
    user, case = _case_for(request, number)
    return _detail(user, case)


@router.post(
    "/{number}/reveal",
    response=RevealOut,
    summary="Reveal the applicant's personal data (audited)",
    operation_id="reveal_applicant",
)
def reveal_applicant(request, number: str, response: HttpResponse):
    """The applicant's ID number, mobile number and address in full, for a handler of
    the case only (403 for anybody else who may see it). Every call writes an audit
    record (``case.reveal``: who, when, from which IP); nothing is cached."""
    response["Cache-Control"] = "no-store"
    user, case = _case_for(request, number)
    revealed = privacy.reveal_applicant(actor=user, case=case, at=timezone.now())
    return {
        "id_number": revealed.id_number,
        "mobile": revealed.mobile,
        "address": revealed.address,
        "form": revealed.form,
    }


@router.get(
    "/{number}/timeline",
    response=list[TimelineEventOut],
    summary="A case's timeline",
    operation_id="get_case_timeline",
)
def get_case_timeline(request, number: str):
    """流程跟踪: who did what, when, with what opinion, oldest first."""
    _user, case = _case_for(request, number)
    return [
        {
            "at": event.at,
            "actor_name": event.actor_name,
            "action": event.action,
            "action_label": timeline_label(event.action),
            "step": event.step.name if event.step_id else None,
            "opinion": event.opinion,
            "detail": event.detail,
        }
        for event in case.timeline.select_related("step").order_by("at", "id")
    ]


# --- preliminary review ------------------------------------------------------------------------


@router.post(
    "/{number}/accept",
    response=CaseDetailOut,
    summary="Accept (受理)",
    operation_id="accept_case",
)
def accept_case(request, number: str, payload: AcceptIn):
    user, case = _case_for(request, number)
    services.accept_case(
        actor=user,
        case=case,
        at=timezone.now(),
        opinion=payload.opinion,
        pledge_due_on=payload.pledge_due_on,
    )
    return _detail(user, case)


@router.post(
    "/{number}/reject",
    response=CaseDetailOut,
    summary="Do not accept (不予受理)",
    operation_id="reject_case",
)
def reject_case(request, number: str, payload: RejectIn):
    user, case = _case_for(request, number)
    services.reject_application(actor=user, case=case, reasons=payload.reasons, at=timezone.now())
    return _detail(user, case)


@router.post(
    "/{number}/supplement-request",
    response=CaseDetailOut,
    summary="Ask for a supplement (补正告知)",
    operation_id="request_supplement",
)
def request_supplement(request, number: str, payload: SupplementRequestIn):
    """Before acceptance the case waits for the applicant; after acceptance its clock
    stops until the supplement arrives."""
    user, case = _case_for(request, number)
    services.request_supplement(
        actor=user, case=case, items=payload.items, note=payload.note, at=timezone.now()
    )
    return _detail(user, case)


@router.post(
    "/{number}/supplement",
    response=CaseDetailOut,
    summary="Record the supplied materials (补正)",
    operation_id="supplement_case",
)
def supplement_case(request, number: str, payload: SupplementIn):
    user, case = _case_for(request, number)
    services.supplement_case(
        actor=user,
        case=case,
        materials=_materials(payload.materials),
        note=payload.note,
        at=timezone.now(),
    )
    return _detail(user, case)


@router.post(
    "/{number}/pledged-materials",
    response=CaseDetailOut,
    summary="Record the pledged materials handed in (容缺受理 补交)",
    operation_id="supply_pledged_materials",
)
def supply_pledged_materials(request, number: str, payload: PledgedMaterialsIn):
    """After acceptance with materials pending: the materials the applicant pledged,
    taken in by the intake desk or the handler of an active step. When nothing
    required is missing any more, ``pledge_due_on`` becomes null; the deadline does
    not move."""
    user, case = _case_for(request, number)
    services.supply_pledged_materials(
        actor=user,
        case=case,
        materials=_materials(payload.materials),
        note=payload.note,
        at=timezone.now(),
    )
    return _detail(user, case)


@router.post(
    "/{number}/handle-immediately",
    response=CaseDetailOut,
    summary="Accept and decide an immediate item on the spot (即办)",
    operation_id="handle_case_immediately",
)
def handle_case_immediately(request, number: str, payload: OutcomeIn):
    user, case = _case_for(request, number)
    services.handle_immediately(
        actor=user,
        case=case,
        outcome=payload.outcome,
        certificate_number=payload.certificate_number,
        opinion=payload.opinion,
        at=timezone.now(),
    )
    return _detail(user, case)


# --- the workflow ----------------------------------------------------------------------------


@router.post(
    "/{number}/steps/{step_id}/claim",
    response=CaseDetailOut,
    summary="Claim a step from the department queue (签收)",
    operation_id="claim_step",
)
def claim_step(request, number: str, step_id: int):
    user, case = _case_for(request, number)
    services.claim_step(actor=user, case=case, step_id=step_id, at=timezone.now())
    return _detail(user, case)


@router.post(
    "/{number}/steps/{step_id}/advance",
    response=CaseDetailOut,
    summary="Finish a step with a decision and an opinion",
    operation_id="advance_step",
)
def advance_step(request, number: str, step_id: int, payload: AdvanceIn):
    """``agree``, ``propose_denial``, or ``return`` (to ``return_to``, an earlier
    step of the lead department). The final step is finished by ``complete``."""
    user, case = _case_for(request, number)
    services.advance_step(
        actor=user,
        case=case,
        step_id=step_id,
        decision=payload.decision,
        opinion=payload.opinion,
        return_to=payload.return_to,
        at=timezone.now(),
    )
    return _detail(user, case)


@router.post(
    "/{number}/steps/{step_id}/complete",
    response=CaseDetailOut,
    summary="Complete the case at its final step (办结)",
    operation_id="complete_case",
)
def complete_case(request, number: str, step_id: int, payload: OutcomeIn):
    user, case = _case_for(request, number)
    services.complete_case(
        actor=user,
        case=case,
        step_id=step_id,
        outcome=payload.outcome,
        certificate_number=payload.certificate_number,
        opinion=payload.opinion,
        at=timezone.now(),
    )
    return _detail(user, case)


@router.post(
    "/{number}/steps/{step_id}/assign",
    response=CaseDetailOut,
    summary="Assign an active step to someone (派件)",
    operation_id="assign_step",
)
def assign_step(request, number: str, step_id: int, payload: AssignIn):
    user, case = _case_for(request, number)
    assignee = User.objects.filter(username__iexact=payload.username.strip()).first()
    if assignee is None:
        message = _("No user has this username.")
        raise ValidationFailed(message, fields={"username": [message]})
    try:
        services.assign_step(
            actor=user, case=case, step_id=step_id, assignee=assignee, at=timezone.now()
        )
    except ValidationFailed as exc:
        # The service names its argument; the caller sent ``username``.
        if "assignee" in exc.fields:
            exc.fields = {"username": exc.fields.pop("assignee"), **exc.fields}
        raise
    return _detail(user, case)


@router.post(
    "/{number}/suspend",
    response=CaseDetailOut,
    summary="Start a special procedure; the clock stops (特别程序)",
    operation_id="suspend_case",
)
def suspend_case(request, number: str, payload: SuspendIn):
    user, case = _case_for(request, number)
    services.suspend_case(
        actor=user,
        case=case,
        procedure=payload.procedure,
        reason=payload.reason,
        at=timezone.now(),
    )
    return _detail(user, case)


@router.post(
    "/{number}/resume",
    response=CaseDetailOut,
    summary="End the special procedure; the clock runs again",
    operation_id="resume_case",
)
def resume_case(request, number: str, payload: NoteIn):
    user, case = _case_for(request, number)
    services.resume_case(actor=user, case=case, note=payload.note, at=timezone.now())
    return _detail(user, case)


@router.post(
    "/{number}/extensions",
    response=CaseDetailOut,
    summary="Request an extension (延期申请)",
    operation_id="request_extension",
)
def request_extension(request, number: str, payload: ExtensionIn):
    """The department head decides it; the detail lists it under ``extensions``."""
    user, case = _case_for(request, number)
    services.request_extension(
        actor=user, case=case, days=payload.days, reason=payload.reason, at=timezone.now()
    )
    return _detail(user, case)


@router.post(
    "/{number}/extensions/{extension_id}/decide",
    response=CaseDetailOut,
    summary="Approve or refuse an extension (department head)",
    operation_id="decide_extension",
)
def decide_extension(request, number: str, extension_id: int, payload: ExtensionDecisionIn):
    user, case = _case_for(request, number)
    services.decide_extension(
        actor=user,
        case=case,
        extension_id=extension_id,
        approve=payload.approve,
        note=payload.note,
        at=timezone.now(),
    )
    return _detail(user, case)


@router.post(
    "/{number}/withdraw",
    response=CaseDetailOut,
    summary="Record the applicant's withdrawal (撤回)",
    operation_id="withdraw_case",
)
def withdraw_case(request, number: str, payload: ReasonIn):
    user, case = _case_for(request, number)
    services.withdraw_case(actor=user, case=case, reason=payload.reason, at=timezone.now())
    return _detail(user, case)


@router.post(
    "/{number}/terminate",
    response=CaseDetailOut,
    summary="Terminate an accepted case (终止, department head)",
    operation_id="terminate_case",
)
def terminate_case(request, number: str, payload: ReasonIn):
    user, case = _case_for(request, number)
    services.terminate_case(actor=user, case=case, reason=payload.reason, at=timezone.now())
    return _detail(user, case)


@router.post(
    "/{number}/urge",
    response=CaseDetailOut,
    summary="Urge the handlers of the active steps (催办)",
    operation_id="urge_case",
)
def urge_case(request, number: str, payload: UrgeIn):
    user, case = _case_for(request, number)
    services.urge_case(
        actor=user,
        case=case,
        message=payload.message,
        step_id=payload.step_id,
        at=timezone.now(),
    )
    return _detail(user, case)
