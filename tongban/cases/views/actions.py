"""One POST view per action of the case page. Each checks its form, calls the
service and returns to the page; a refusal re-renders the page with the message.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.models import User
from tongban.core.errors import DomainError, NotFound, ValidationFailed

from .. import forms, services
from ..models import Case, CaseStep, StepKind, StepStatus
from ..policy import Action
from ._access import _case_or_404, case_staff_required
from ._shared import _add_errors, _material_rows, _now
from .case_page import _assign_people, _render_case


def _perform(request, number: str, action: Action, form, call: Callable, done: str):
    """Run one action of the case page: the bound ``form`` (prefix ``action``) is
    checked for shape, ``call(case, cleaned_data)`` calls the service. A refusal
    re-renders the page with the message (and the field errors on the form)."""
    case = _case_or_404(request.user, number)
    form = form(case)
    if not form.is_valid():
        messages.error(request, _("Correct the fields of the form."))
        return _render_case(request, case, bound=(action, form))
    try:
        call(case, form.cleaned_data)
    except NotFound as exc:
        raise Http404 from exc
    except ValidationFailed as exc:
        _add_errors(form, exc.fields)
        messages.error(request, str(exc.message))
        return _render_case(request, _case_or_404(request.user, number), bound=(action, form))
    except DomainError as exc:
        # Not allowed (403) or somebody acted first (409): nothing changed; say why.
        messages.error(request, str(exc.message))
        return _render_case(request, _case_or_404(request.user, number), status=exc.status)
    messages.success(request, done)
    return redirect(f"{reverse('cases:detail', args=[case.number])}#actions")


def _active(case: Case) -> list[CaseStep]:
    return list(case.steps.filter(status=StepStatus.ACTIVE).select_related("department"))


def _done_lead(case: Case) -> list[CaseStep]:
    return list(case.steps.filter(status=StepStatus.DONE, kind=StepKind.LEAD))


@require_POST
@case_staff_required
def accept(request, number: str):
    return _perform(
        request,
        number,
        Action.ACCEPT,
        lambda case: forms.AcceptForm(request.POST, prefix=Action.ACCEPT),
        lambda case, d: services.accept_case(
            actor=request.user,
            case=case,
            at=_now(),
            opinion=d["opinion"],
            pledge_due_on=d["pledge_due_on"],
        ),
        _("The application was accepted; the clock runs."),
    )


@require_POST
@case_staff_required
def reject(request, number: str):
    return _perform(
        request,
        number,
        Action.REJECT,
        lambda case: forms.ReasonsForm(request.POST, prefix=Action.REJECT),
        lambda case, d: services.reject_application(
            actor=request.user, case=case, reasons=d["reasons"], at=_now()
        ),
        _("The application was not accepted."),
    )


@require_POST
@case_staff_required
def request_supplement(request, number: str):
    return _perform(
        request,
        number,
        Action.REQUEST_SUPPLEMENT,
        lambda case: forms.SupplementRequestForm(request.POST, prefix=Action.REQUEST_SUPPLEMENT),
        lambda case, d: services.request_supplement(
            actor=request.user,
            case=case,
            items=[line.strip() for line in d["items"].splitlines() if line.strip()],
            note=d["note"],
            at=_now(),
        ),
        _("The supplement notice was recorded."),
    )


@require_POST
@case_staff_required
def handle_immediately(request, number: str):
    return _perform(
        request,
        number,
        Action.HANDLE_IMMEDIATELY,
        lambda case: forms.OutcomeForm(request.POST, prefix=Action.HANDLE_IMMEDIATELY),
        lambda case, d: services.handle_immediately(
            actor=request.user,
            case=case,
            outcome=d["outcome"],
            opinion=d["opinion"],
            certificate_number=d["certificate_number"],
            at=_now(),
        ),
        _("The case was decided on the spot."),
    )


@require_POST
@case_staff_required
def advance(request, number: str):
    return _perform(
        request,
        number,
        Action.ADVANCE,
        lambda case: forms.AdvanceForm(
            request.POST, prefix=Action.ADVANCE, steps=_active(case), targets=_done_lead(case)
        ),
        lambda case, d: services.advance_step(
            actor=request.user,
            case=case,
            step_id=d["step_id"],
            decision=d["decision"],
            opinion=d["opinion"],
            return_to=d["return_to"],
            at=_now(),
        ),
        _("Your step is finished; the case moved on."),
    )


@require_POST
@case_staff_required
def complete(request, number: str):
    return _perform(
        request,
        number,
        Action.COMPLETE,
        lambda case: forms.CompleteForm(request.POST, prefix=Action.COMPLETE, steps=_active(case)),
        lambda case, d: services.complete_case(
            actor=request.user,
            case=case,
            step_id=d["step_id"],
            outcome=d["outcome"],
            opinion=d["opinion"],
            certificate_number=d["certificate_number"],
            at=_now(),
        ),
        _("The case is complete; the applicant is told by SMS."),
    )


@require_POST
@case_staff_required
def suspend(request, number: str):
    return _perform(
        request,
        number,
        Action.SUSPEND,
        lambda case: forms.SuspendForm(
            request.POST, prefix=Action.SUSPEND, procedures=case.item.special_procedures.all()
        ),
        lambda case, d: services.suspend_case(
            actor=request.user, case=case, procedure=d["procedure"], reason=d["reason"], at=_now()
        ),
        _("The special procedure started; the clock is stopped."),
    )


@require_POST
@case_staff_required
def resume(request, number: str):
    return _perform(
        request,
        number,
        Action.RESUME,
        lambda case: forms.OpinionForm(request.POST, prefix=Action.RESUME),
        lambda case, d: services.resume_case(
            actor=request.user, case=case, note=d["opinion"], at=_now()
        ),
        _("The clock runs again."),
    )


@require_POST
@case_staff_required
def request_extension(request, number: str):
    return _perform(
        request,
        number,
        Action.REQUEST_EXTENSION,
        lambda case: forms.ExtensionRequestForm(request.POST, prefix=Action.REQUEST_EXTENSION),
        lambda case, d: services.request_extension(
            actor=request.user, case=case, days=d["days"], reason=d["reason"], at=_now()
        ),
        _("The extension request was sent to the department head."),
    )


@require_POST
@case_staff_required
def decide_extension(request, number: str):
    return _perform(
        request,
        number,
        Action.DECIDE_EXTENSION,
        lambda case: forms.ExtensionDecisionForm(request.POST, prefix=Action.DECIDE_EXTENSION),
        lambda case, d: services.decide_extension(
            actor=request.user,
            case=case,
            extension_id=d["extension_id"],
            approve=d["approve"],
            note=d["note"],
            at=_now(),
        ),
        _("The extension request was decided."),
    )


@require_POST
@case_staff_required
def withdraw(request, number: str):
    return _perform(
        request,
        number,
        Action.WITHDRAW,
        lambda case: forms.ReasonForm(request.POST, prefix=Action.WITHDRAW),
        lambda case, d: services.withdraw_case(
            actor=request.user, case=case, reason=d["reason"], at=_now()
        ),
        _("The withdrawal was recorded."),
    )


@require_POST
@case_staff_required
def terminate(request, number: str):
    return _perform(
        request,
        number,
        Action.TERMINATE,
        lambda case: forms.ReasonForm(request.POST, prefix=Action.TERMINATE),
        lambda case, d: services.terminate_case(
            actor=request.user, case=case, reason=d["reason"], at=_now()
        ),
        _("The case was terminated."),
    )


@require_POST
@case_staff_required
def urge(request, number: str):
    return _perform(
        request,
        number,
        Action.URGE,
        lambda case: forms.UrgeForm(request.POST, prefix=Action.URGE),
        lambda case, d: services.urge_case(
            actor=request.user, case=case, message=d["message"], at=_now()
        ),
        _("The urging was sent."),
    )


@require_POST
@case_staff_required
def claim(request, number: str):
    """签收. From the workbench (htmx) the queue's row is replaced by the outcome;
    otherwise the case page follows, as for every action."""
    if not request.htmx:
        return _perform(
            request,
            number,
            Action.CLAIM,
            lambda case: forms.StepForm(request.POST, prefix=Action.CLAIM, steps=_active(case)),
            lambda case, d: services.claim_step(
                actor=request.user, case=case, step_id=d["step_id"], at=_now()
            ),
            _("The step is yours now."),
        )
    case = _case_or_404(request.user, number)
    form = forms.StepForm(request.POST, prefix=Action.CLAIM, steps=_active(case))
    step, error = None, ""
    if form.is_valid():
        try:
            step = services.claim_step(
                actor=request.user, case=case, step_id=form.cleaned_data["step_id"], at=_now()
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            error = str(exc.message)
    else:
        error = _("This step is no longer waiting in the queue; reload the page.")
    return render(request, "cases/_claimed.html", {"case": case, "step": step, "error": error})


def _assign_post_form(request, case):
    steps = _active(case)
    return forms.AssignForm(
        request.POST, prefix=Action.ASSIGN, steps=steps, people=_assign_people(steps)
    )


def _assign_call(user, case, d):
    assignee = User.objects.filter(pk=d["assignee"], is_active=True).first()
    if assignee is None:
        raise ValidationFailed(_("Choose a person."), fields={"assignee": [_("Choose a person.")]})
    return services.assign_step(
        actor=user, case=case, step_id=d["step_id"], assignee=assignee, at=_now()
    )


@require_POST
@case_staff_required
def assign(request, number: str):
    return _perform(
        request,
        number,
        Action.ASSIGN,
        lambda case: _assign_post_form(request, case),
        lambda case, d: _assign_call(request.user, case, d),
        _("The step was assigned."),
    )


@require_POST
@case_staff_required
def supplement(request, number: str):
    """补正: the materials handed in (pages counted or files) and a note."""
    case = _case_or_404(request.user, number)
    _rows, given, _index = _material_rows(
        request, list(case.item.materials.order_by("order", "id")), "sup"
    )

    def call(case, data):
        return services.supplement_case(
            actor=request.user, case=case, materials=given, note=data["note"], at=_now()
        )

    return _perform(
        request,
        number,
        Action.SUPPLEMENT,
        lambda case: forms.SupplementForm(request.POST, prefix=Action.SUPPLEMENT),
        call,
        _("The supplement was recorded."),
    )


@require_POST
@case_staff_required
def supply_pledged(request, number: str):
    """容缺受理, the second half: the pledged materials handed in (pages counted or
    files) and a note. The clock is not affected; the pledge ends when nothing
    required is missing any more."""
    case = _case_or_404(request.user, number)
    # Parsed against the item's whole list, not only what the page offered: a
    # material supplied meanwhile by someone else is then stored again, not lost.
    _rows, given, _index = _material_rows(
        request, list(case.item.materials.order_by("order", "id")), "pledged"
    )

    def call(case, data):
        return services.supply_pledged_materials(
            actor=request.user, case=case, materials=given, note=data["note"], at=_now()
        )

    return _perform(
        request,
        number,
        Action.SUPPLY_PLEDGED,
        lambda case: forms.SupplementForm(request.POST, prefix=Action.SUPPLY_PLEDGED),
        call,
        _("The pledged materials were recorded."),
    )
