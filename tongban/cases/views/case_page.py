"""The case page: what it shows (steps, timeline, diagram, the applicant masked or
revealed, the material files) and a form for every action the user may take now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tongban.accounts.models import User
from tongban.core import clock as core_clock
from tongban.core.crypto import mask_name
from tongban.core.errors import PermissionDenied
from tongban.core.files import file_response

from .. import forms, privacy, selectors
from ..diagram import build_diagram
from ..labels import timeline_label
from ..models import Case, CaseStep, ExtensionStatus, OpinionTemplate, StepKind, StepStatus
from ..policy import NAMES, RULES, Action
from ._access import _case_or_404, case_staff_required
from ._shared import MaterialRow, _now


def _final_order(view) -> int:
    return max((r.step.order for r in view.steps if r.step.kind == StepKind.LEAD), default=-1)


def _assign_people(steps) -> list[User]:
    """Who could take the given steps: their role, in their department's subtree.
    The service checks named staff again."""
    condition = Q(pk__in=[])
    for step in steps:
        path = step.department.path
        condition |= Q(roles__code=step.role) & (
            Q(department__path__startswith=path) | Q(section__path__startswith=path)
        )
    return list(User.objects.filter(condition, is_active=True).distinct().order_by("full_name"))


def _assignable(user, view) -> list[CaseStep]:
    from ..access import works_in

    return [
        r.step
        for r in view.steps
        if r.step.status == StepStatus.ACTIVE and works_in(user, r.step.department)
    ]


def _action_forms(user, view) -> dict[Action, Any]:
    """A form for every action ``user`` may take now (the buttons of the page)."""
    case, actions = view.case, view.actions
    final = _final_order(view)
    mine_final = [s for s in view.my_steps if s.kind == StepKind.LEAD and s.order == final]
    mine_other = [s for s in view.my_steps if s not in mine_final]
    built: dict[Action, Callable[[], Any]] = {
        Action.ACCEPT: lambda: forms.AcceptForm(prefix=Action.ACCEPT),
        Action.REJECT: lambda: forms.ReasonsForm(prefix=Action.REJECT),
        Action.REQUEST_SUPPLEMENT: lambda: forms.SupplementRequestForm(
            prefix=Action.REQUEST_SUPPLEMENT,
            initial={"items": "\n".join(m.name for m in view.missing)},
        ),
        Action.SUPPLEMENT: lambda: forms.SupplementForm(prefix=Action.SUPPLEMENT),
        Action.SUPPLY_PLEDGED: lambda: forms.SupplementForm(prefix=Action.SUPPLY_PLEDGED),
        Action.HANDLE_IMMEDIATELY: lambda: forms.OutcomeForm(prefix=Action.HANDLE_IMMEDIATELY),
        Action.CLAIM: lambda: forms.StepForm(
            prefix=Action.CLAIM, steps=[s for s in view.my_steps if s.assignee_id is None]
        ),
        Action.ADVANCE: lambda: forms.AdvanceForm(
            prefix=Action.ADVANCE, steps=mine_other, targets=view.return_targets
        ),
        Action.COMPLETE: lambda: forms.CompleteForm(prefix=Action.COMPLETE, steps=mine_final),
        Action.SUSPEND: lambda: forms.SuspendForm(
            prefix=Action.SUSPEND, procedures=case.item.special_procedures.all()
        ),
        Action.RESUME: lambda: forms.OpinionForm(prefix=Action.RESUME),
        Action.REQUEST_EXTENSION: lambda: forms.ExtensionRequestForm(
            prefix=Action.REQUEST_EXTENSION,
            initial={"days": max(1, case.extension_cap - case.extension_days)},
        ),
        Action.DECIDE_EXTENSION: lambda: forms.ExtensionDecisionForm(
            prefix=Action.DECIDE_EXTENSION,
            initial={
                "extension_id": next(
                    (e.pk for e in view.extensions if e.status == ExtensionStatus.PENDING), None
                )
            },
        ),
        Action.WITHDRAW: lambda: forms.ReasonForm(prefix=Action.WITHDRAW),
        Action.TERMINATE: lambda: forms.ReasonForm(prefix=Action.TERMINATE),
        Action.ASSIGN: lambda: _assign_form(user, view),
        Action.URGE: lambda: forms.UrgeForm(prefix=Action.URGE),
    }
    return {name: make() for name, make in built.items() if name in actions}


def _assign_form(user, view, data=None):
    steps = _assignable(user, view)
    return forms.AssignForm(data, prefix=Action.ASSIGN, steps=steps, people=_assign_people(steps))


# The actions of the case page in the order shown: button, Bootstrap colour, and
# whether the form starts folded (the rarer ones). The title is the table's label.
ACTIONS: dict[Action, tuple[Promise, str, bool]] = {
    Action.ACCEPT: (gettext_lazy("Accept"), "success", False),
    Action.HANDLE_IMMEDIATELY: (gettext_lazy("Decide"), "success", False),
    Action.CLAIM: (gettext_lazy("Claim"), "primary", False),
    Action.ADVANCE: (gettext_lazy("Submit"), "primary", False),
    Action.COMPLETE: (gettext_lazy("Complete"), "success", False),
    Action.SUPPLEMENT: (gettext_lazy("Record the supplement"), "primary", False),
    Action.SUPPLY_PLEDGED: (gettext_lazy("Record the materials"), "primary", False),
    Action.DECIDE_EXTENSION: (gettext_lazy("Decide"), "primary", False),
    Action.URGE: (gettext_lazy("Send the urging"), "warning", False),
    Action.RESUME: (gettext_lazy("Resume"), "primary", False),
    Action.REQUEST_SUPPLEMENT: (gettext_lazy("Send the supplement notice"), "warning", True),
    Action.REJECT: (gettext_lazy("Do not accept"), "danger", True),
    Action.ASSIGN: (gettext_lazy("Assign"), "secondary", True),
    Action.SUSPEND: (gettext_lazy("Stop the clock"), "secondary", True),
    Action.REQUEST_EXTENSION: (gettext_lazy("Request"), "secondary", True),
    Action.WITHDRAW: (gettext_lazy("Record the withdrawal"), "danger", True),
    Action.TERMINATE: (gettext_lazy("Terminate the case"), "danger", True),
}
assert set(ACTIONS) == set(Action)


@dataclass
class ActionBox:
    name: str
    form: Any
    title: Any
    button: Any
    style: str
    folded: bool


def _render_case(
    request,
    case: Case,
    *,
    bound: tuple[str, Any] | None = None,
    status=200,
    revealed: privacy.RevealedApplicant | None = None,
):
    view = selectors.case_view(request.user, case, today=core_clock.local_date(core_clock.now()))
    action_forms = _action_forms(request.user, view)
    if bound is not None and bound[0] in action_forms:
        action_forms[bound[0]] = bound[1]
    boxes = [
        ActionBox(name, action_forms[name], RULES[name].label, *ACTIONS[name])
        for name in ACTIONS
        if name in action_forms
    ]
    if bound is not None:
        for box in boxes:
            box.folded = box.folded and box.name != bound[0]
    labels = {f.key: f.label for f in case.item.form_fields.all()}
    for event in view.timeline:
        event.label = timeline_label(event.action)
    context = {
        "view": view,
        "case": case,
        "actions": boxes,
        "A": NAMES,  # the action names, for the templates to compare with
        "form_data": [
            (labels.get(k, k), _shown(v)) for k, v in privacy.masked_form_data(case).items()
        ],
        "pending_extension": next(
            (e for e in view.extensions if e.status == ExtensionStatus.PENDING), None
        ),
        "opinion_templates": list(OpinionTemplate.objects.filter(user=request.user)),
        "supplement_rows": [
            MaterialRow(material=m) for m in case.item.materials.order_by("order", "id")
        ]
        if Action.SUPPLEMENT in view.actions
        else [],
        # 容缺受理: the checklist offers what is still missing, i.e. what was pledged.
        "pledged_rows": [MaterialRow(material=m) for m in view.missing]
        if Action.SUPPLY_PLEDGED in view.actions
        else [],
        "revealed": revealed,
        "revealed_form": _revealed_form(case, revealed) if revealed else [],
        "contact_name": case.contact_name if view.may_reveal else mask_name(case.contact_name),
        "diagram": _diagram(view),
    }
    return render(request, "cases/case_detail.html", context, status=status)


def _diagram(view: selectors.CaseView):
    """The process diagram (流程图) from the steps and suspensions the page has read
    already — no query. Safe markup: the diagram escapes every text it draws."""
    from django.utils.safestring import mark_safe

    from tongban.workcalendar.calendar import get_calendar

    if not view.steps:
        return ""
    svg = build_diagram(
        view.case,
        [row.step for row in view.steps],
        view.suspensions,
        today=core_clock.local_date(core_clock.now()),
        calendar=get_calendar(),
    )
    return mark_safe(svg)


def _shown(value) -> str:
    """A stored form value as text: lists joined, files by their name."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    if isinstance(value, dict):
        return str(value.get("name", ""))
    return str(value)


@case_staff_required
def case_detail(request, number: str):
    return _render_case(request, _case_or_404(request.user, number))


@case_staff_required
def material_download(request, number: str, material_id: int):
    """A material's file, only to those who may see the case."""
    case = _case_or_404(request.user, number)
    row = case.materials.select_related("file").filter(pk=material_id, file__isnull=False).first()
    if row is None:
        raise Http404
    return file_response(row.file, filename=row.file.original_name)


@never_cache
@require_POST
@case_staff_required
def reveal(request, number: str):
    """显示完整信息: the applicant's ID number, mobile and address in full, for a
    handler of the case, audited (``privacy.reveal_applicant``). From the page (htmx)
    the masked block is replaced; without htmx the whole page is shown with them. Not
    cached anywhere (``never_cache``): the answer carries personal data."""
    case = _case_or_404(request.user, number)
    try:
        revealed = privacy.reveal_applicant(actor=request.user, case=case, at=_now())
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
    if request.htmx:
        return render(
            request,
            "cases/_applicant.html",
            {
                "case": case,
                "may_reveal": True,
                "revealed": revealed,
                "revealed_form": _revealed_form(case, revealed),
            },
        )
    return _render_case(request, case, revealed=revealed)


def _revealed_form(case: Case, revealed) -> list[tuple[str, str]]:
    labels = {f.key: f.label for f in case.item.form_fields.all()}
    return [(labels.get(k, k), v) for k, v in revealed.form.items()]
