"""Office pages of the case engine: the workbench panels, counter intake, the case
page with one view per action, opinion templates and the case query with its Excel
export. Thin: access, parse, call the service or selector, respond. A ``DomainError``
becomes form errors or an alert on the re-rendered page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tongban.accounts.models import User
from tongban.accounts.roles import Module
from tongban.accounts.selectors import user_modules
from tongban.catalog.formschema import build_form_class
from tongban.catalog.models import Item
from tongban.core import clock as core_clock
from tongban.core.crypto import mask_name
from tongban.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from tongban.core.files import file_response

from . import excel, forms, privacy, selectors, services
from .access import get_case_for, intake_scope
from .labels import timeline_label
from .models import Case, CaseStep, ExtensionStatus, OpinionTemplate, StepKind, StepStatus

PANEL_SIZE = 10  # rows per workbench panel
LIST_SIZE = 25  # rows per page of a full list or the query
EXPORT_LIMIT = 10_000  # rows of one Excel export (security.md: export size capped)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def module_required(*modules: str):
    """Logged-in staff holding one of ``modules`` (role defaults or grants)."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not (user_modules(request.user) & set(modules)):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


case_staff_required = module_required(
    Module.WORKBENCH, Module.INTAKE, Module.CASES, Module.QUERY, Module.SUPERVISION
)


def _case_or_404(user, number: str) -> Case:
    try:
        return get_case_for(user, number)
    except NotFound as exc:
        raise Http404 from exc


# --- the workbench ---------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any
    rows: Callable  # user -> queryset
    kind: str  # "step", "case", "extension", "urging"


PANELS = {
    p.key: p
    for p in (
        Panel("todo", gettext_lazy("My to-do"), selectors.my_todo, "step"),
        Panel("queue", gettext_lazy("Department queue"), selectors.department_queue, "step"),
        Panel("review", gettext_lazy("Awaiting review"), selectors.awaiting_review, "case"),
        Panel(
            "extensions",
            gettext_lazy("Extension requests"),
            selectors.pending_extensions,
            "extension",
        ),
        Panel("urgings", gettext_lazy("Urgings received"), selectors.urgings_received, "urging"),
    )
}


def _panel_page(panel: Panel, user, number, size: int):
    """One page of a panel, its rows coloured: two queries (count, rows) whatever the
    number of cases."""
    page = Paginator(panel.rows(user), size).get_page(number)
    page.object_list = list(page.object_list)
    if panel.kind == "case":
        selectors.with_colours(page.object_list)
    else:
        selectors.with_colours([row.case for row in page.object_list])
    return page


def workbench_context(user) -> dict:
    """The workbench (工作台) of business staff: five panels of ten rows each, and the
    empty slots that announcements and internal mail will fill."""
    if not (user_modules(user) & {Module.WORKBENCH}):
        return {"workbench": None}
    panels = []
    for panel in PANELS.values():
        if panel.key == "review" and intake_scope(user).nothing:
            continue  # only an intake desk reviews applications
        page = _panel_page(panel, user, 1, PANEL_SIZE)
        if panel.key == "extensions" and not page.paginator.count:
            continue
        panels.append((panel, page))
    return {"workbench": panels}


# Sort keys of the full panel lists: the case's deadline, its number, when it came in.
PANEL_ORDERS = {
    "deadline": ("case__deadline", "deadline"),
    "number": ("case__number", "number"),
    "received": ("case__received_at", "received_at"),
}


def _panel_order(panel: Panel, rows, order: str):
    key = order.lstrip("-")
    if key not in PANEL_ORDERS:
        return rows, ""
    through_case, on_case = PANEL_ORDERS[key]
    field = on_case if panel.kind == "case" else through_case
    descending = "-" if order.startswith("-") else ""
    return rows.order_by(f"{descending}{field}", "pk"), order


@case_staff_required
def panel_list(request, panel: str):
    """The full list behind a workbench panel: paginated, sortable (``?order=``) and
    exported to Excel (``?format=xlsx``) like the case query."""
    chosen = PANELS.get(panel)
    if chosen is None:
        raise Http404
    rows, order = _panel_order(chosen, chosen.rows(request.user), request.GET.get("order", ""))
    if request.GET.get("format") == "xlsx":
        found = rows[:EXPORT_LIMIT]
        cases = list(found) if chosen.kind == "case" else [row.case for row in found]
        content = excel.export_cases(actor=request.user, cases=cases, at=_now())
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{chosen.title}.xlsx"
        )
        return response
    page = Paginator(rows, LIST_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    cases = page.object_list if chosen.kind == "case" else [r.case for r in page.object_list]
    selectors.with_colours(cases)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {
        "panel": chosen,
        "page": page,
        "order": order,
        "orders": [(key, _sort_label(key)) for key in PANEL_ORDERS],
        "query": query.urlencode(),
    }
    return render(request, "cases/panel_list.html", context)


def _sort_label(key: str) -> str:
    return {
        "deadline": _("deadline"),
        "number": _("case number"),
        "received": _("received at"),
    }[key]


# --- counter intake --------------------------------------------------------------------


def _intake_items(user, search: str = ""):
    """Published items of the departments ``user`` takes in at the counter."""
    scope = intake_scope(user)
    items = Item.objects.published().select_related("department").order_by("code")
    if scope.nothing:
        return items.none()
    if not scope.everything:
        items = items.filter(department__path__startswith=scope.root.path)
    search = search.strip()
    if search:
        items = items.filter(
            Q(code__icontains=search) | Q(name__icontains=search) | Q(short_name__icontains=search)
        )
    return items


intake_required = module_required(Module.INTAKE)


@intake_required
def intake(request):
    """事件受理, first screen: find the item."""
    form = forms.ItemSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(_intake_items(request.user, search), LIST_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "cases/intake_pick.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@dataclass
class MaterialRow:
    """One line of the material checklist as posted (re-rendered on error)."""

    material: Any
    received: bool = False
    pages: str = ""
    copies: str = "1"
    has_file: bool = False
    errors: list = None

    def __post_init__(self):
        self.errors = self.errors or []


def _material_rows(request, item_materials, prefix: str):
    """The checklist from the POST: the rows (for the page) and what the service
    gets, with the service's ``materials.<i>`` index pointing back at its row."""
    rows, given, index = [], [], {}
    for material in item_materials:
        key = f"{prefix}-{material.pk}"
        upload = request.FILES.get(f"{key}-file") if request.method == "POST" else None
        row = MaterialRow(
            material=material,
            received=bool(request.POST.get(f"{key}-received")) or upload is not None,
            pages=request.POST.get(f"{key}-pages", "").strip(),
            copies=request.POST.get(f"{key}-copies", "").strip() or str(material.copies or 1),
            has_file=upload is not None,
        )
        rows.append(row)
        if not row.received:
            continue
        pages = int(row.pages) if row.pages.isdecimal() else None
        copies = int(row.copies) if row.copies.isdecimal() else 1
        index[len(given)] = row
        given.append(
            services.MaterialIn(material_id=material.pk, upload=upload, pages=pages, copies=copies)
        )
    return rows, given, index


def _schema_data(request, schema_form) -> tuple[QueryDict, dict]:
    """The item form's fields as the service reads them (keys without the prefix)."""
    data = QueryDict(mutable=True)
    files = {}
    for key in schema_form.fields:
        name = schema_form.add_prefix(key)
        if name in request.POST:
            data.setlist(key, request.POST.getlist(name))
        if name in request.FILES:
            files[key] = request.FILES[name]
    return data, files


def _add_errors(form, errors: dict) -> None:
    """Service messages onto a bound form, without repeating the form's own."""
    for field, messages_ in errors.items():
        target = field if field in form.fields else None
        have = form.errors.get(target or "__all__", [])
        for message in messages_:
            if str(message) not in have:
                form.add_error(target, str(message))


@intake_required
def intake_form(request, item_id: int):
    """事件受理, second screen: the applicant, the item's form, the material checklist."""
    item = _intake_items(request.user).filter(pk=item_id).first()
    if item is None:
        raise Http404
    materials = list(item.materials.order_by("order", "id"))
    SchemaForm = build_form_class(item.form_fields.order_by("order", "id"), purpose="counter")
    checklist_errors: list[str] = []
    if request.method == "POST":
        applicant_form = forms.ApplicantForm(request.POST)
        schema_form = SchemaForm(request.POST, request.FILES)
        rows, given, index = _material_rows(request, materials, "mat")
        applicant_form.is_valid()
        applicant = applicant_form.cleaned_data
        data, files = _schema_data(request, schema_form)
        try:
            case = services.submit_application(
                actor=request.user,
                item=item,
                applicant=services.ApplicantData(
                    kind=applicant.get("kind", ""),
                    name=applicant.get("name", ""),
                    id_type=applicant.get("id_type", ""),
                    id_number=applicant.get("id_number", ""),
                    mobile=applicant.get("mobile", ""),
                    address=applicant.get("address", ""),
                    contact_name=applicant.get("contact_name", ""),
                ),
                form_data=data,
                form_files=files,
                materials=given,
                at=core_clock.now(),
            )
        except ValidationFailed as exc:
            schema_form.is_valid()  # the same checks as the service: its own messages
            for key, found in exc.fields.items():
                if key.startswith("applicant."):
                    _add_errors(applicant_form, {key.split(".", 1)[1]: found})
                elif key.startswith("form."):
                    _add_errors(schema_form, {key.split(".", 1)[1]: found})
                elif key.startswith("materials.") and key.split(".", 1)[1].isdecimal():
                    row = index.get(int(key.split(".", 1)[1]))
                    (row.errors if row else checklist_errors).extend(str(m) for m in found)
                else:
                    checklist_errors.extend(str(m) for m in found)
            messages.error(request, _("The application was not recorded: correct the fields."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("Application %(number)s recorded; review it now.") % {"number": case.number},
            )
            return redirect("cases:detail", number=case.number)
    else:
        applicant_form = forms.ApplicantForm()
        schema_form = SchemaForm()
        rows, _given, _index = _material_rows(request, materials, "mat")
    context = {
        "item": item,
        "applicant_form": applicant_form,
        "schema_form": schema_form,
        "rows": rows,
        "checklist_errors": checklist_errors,
    }
    return render(request, "cases/intake_form.html", context)


# --- the case page ---------------------------------------------------------------------


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
    from .access import works_in

    return [
        r.step
        for r in view.steps
        if r.step.status == StepStatus.ACTIVE and works_in(user, r.step.department)
    ]


def _action_forms(user, view) -> dict:
    """A form for every action ``user`` may take now (the buttons of the page)."""
    case, actions = view.case, view.actions
    final = _final_order(view)
    mine_final = [s for s in view.my_steps if s.kind == StepKind.LEAD and s.order == final]
    mine_other = [s for s in view.my_steps if s not in mine_final]
    built = {
        "accept": lambda: forms.AcceptForm(prefix="accept"),
        "reject": lambda: forms.ReasonsForm(prefix="reject"),
        "request_supplement": lambda: forms.SupplementRequestForm(
            prefix="request_supplement",
            initial={"items": "\n".join(m.name for m in view.missing)},
        ),
        "supplement": lambda: forms.SupplementForm(prefix="supplement"),
        "supply_pledged": lambda: forms.SupplementForm(prefix="supply_pledged"),
        "handle_immediately": lambda: forms.OutcomeForm(prefix="handle_immediately"),
        "claim": lambda: forms.StepForm(
            prefix="claim", steps=[s for s in view.my_steps if s.assignee_id is None]
        ),
        "advance": lambda: forms.AdvanceForm(
            prefix="advance", steps=mine_other, targets=view.return_targets
        ),
        "complete": lambda: forms.CompleteForm(prefix="complete", steps=mine_final),
        "suspend": lambda: forms.SuspendForm(
            prefix="suspend", procedures=case.item.special_procedures.all()
        ),
        "resume": lambda: forms.OpinionForm(prefix="resume"),
        "request_extension": lambda: forms.ExtensionRequestForm(
            prefix="request_extension",
            initial={"days": max(1, case.extension_cap - case.extension_days)},
        ),
        "decide_extension": lambda: forms.ExtensionDecisionForm(
            prefix="decide_extension",
            initial={
                "extension_id": next(
                    (e.pk for e in view.extensions if e.status == ExtensionStatus.PENDING), None
                )
            },
        ),
        "withdraw": lambda: forms.ReasonForm(prefix="withdraw"),
        "terminate": lambda: forms.ReasonForm(prefix="terminate"),
        "assign": lambda: _assign_form(user, view),
        "urge": lambda: forms.UrgeForm(prefix="urge"),
    }
    return {name: make() for name, make in built.items() if name in actions}


def _assign_form(user, view, data=None):
    steps = _assignable(user, view)
    return forms.AssignForm(data, prefix="assign", steps=steps, people=_assign_people(steps))


# The actions of the case page in the order shown: title, button, Bootstrap colour,
# and whether the form starts folded (the rarer ones).
ACTIONS = {
    "accept": (gettext_lazy("Accept"), gettext_lazy("Accept"), "success", False),
    "handle_immediately": (
        gettext_lazy("Decide on the spot"),
        gettext_lazy("Decide"),
        "success",
        False,
    ),
    "claim": (gettext_lazy("Claim the step"), gettext_lazy("Claim"), "primary", False),
    "advance": (gettext_lazy("Finish my step"), gettext_lazy("Submit"), "primary", False),
    "complete": (gettext_lazy("Complete the case"), gettext_lazy("Complete"), "success", False),
    "supplement": (
        gettext_lazy("Supplement received"),
        gettext_lazy("Record the supplement"),
        "primary",
        False,
    ),
    "supply_pledged": (
        gettext_lazy("Pledged materials handed in"),
        gettext_lazy("Record the materials"),
        "primary",
        False,
    ),
    "decide_extension": (
        gettext_lazy("Decide the extension request"),
        gettext_lazy("Decide"),
        "primary",
        False,
    ),
    "urge": (gettext_lazy("Urge"), gettext_lazy("Send the urging"), "warning", False),
    "resume": (gettext_lazy("End the special procedure"), gettext_lazy("Resume"), "primary", False),
    "request_supplement": (
        gettext_lazy("Ask for a supplement"),
        gettext_lazy("Send the supplement notice"),
        "warning",
        True,
    ),
    "reject": (gettext_lazy("Do not accept"), gettext_lazy("Do not accept"), "danger", True),
    "assign": (gettext_lazy("Assign the step"), gettext_lazy("Assign"), "secondary", True),
    "suspend": (
        gettext_lazy("Start a special procedure"),
        gettext_lazy("Stop the clock"),
        "secondary",
        True,
    ),
    "request_extension": (
        gettext_lazy("Request an extension"),
        gettext_lazy("Request"),
        "secondary",
        True,
    ),
    "withdraw": (gettext_lazy("Withdraw"), gettext_lazy("Record the withdrawal"), "danger", True),
    "terminate": (gettext_lazy("Terminate"), gettext_lazy("Terminate the case"), "danger", True),
}


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
    view = selectors.case_view(request.user, case)
    action_forms = _action_forms(request.user, view)
    if bound is not None and bound[0] in action_forms:
        action_forms[bound[0]] = bound[1]
    boxes = [
        ActionBox(name, action_forms[name], *ACTIONS[name])
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
        if "supplement" in view.actions
        else [],
        # 容缺受理: the checklist offers what is still missing, i.e. what was pledged.
        "pledged_rows": [MaterialRow(material=m) for m in view.missing]
        if "supply_pledged" in view.actions
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

    from tongban.supervision.diagram import build_diagram
    from tongban.workcalendar.calendar import get_calendar

    if not view.steps:
        return ""
    svg = build_diagram(
        view.case,
        [row.step for row in view.steps],
        view.suspensions,
        today=core_clock.local_date(),
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


def _perform(request, number: str, action: str, form, call: Callable, done: str):
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


def _now():
    return core_clock.now()


def _action(name: str, make_form: Callable, call: Callable, done):
    """One POST view per action (named in the URLs), all through ``_perform``."""

    @require_POST
    @case_staff_required
    def view(request, number: str):
        return _perform(
            request,
            number,
            name,
            lambda case: make_form(request, case),
            lambda case, data: call(request.user, case, data),
            str(done),
        )

    view.__name__ = view.__qualname__ = f"{name}_view"
    return view


accept = _action(
    "accept",
    lambda request, case: forms.AcceptForm(request.POST, prefix="accept"),
    lambda user, case, d: services.accept_case(
        actor=user, case=case, at=_now(), opinion=d["opinion"], pledge_due_on=d["pledge_due_on"]
    ),
    gettext_lazy("The application was accepted; the clock runs."),
)
reject = _action(
    "reject",
    lambda request, case: forms.ReasonsForm(request.POST, prefix="reject"),
    lambda user, case, d: services.reject_application(
        actor=user, case=case, reasons=d["reasons"], at=_now()
    ),
    gettext_lazy("The application was not accepted."),
)
request_supplement = _action(
    "request_supplement",
    lambda request, case: forms.SupplementRequestForm(request.POST, prefix="request_supplement"),
    lambda user, case, d: services.request_supplement(
        actor=user,
        case=case,
        items=[line.strip() for line in d["items"].splitlines() if line.strip()],
        note=d["note"],
        at=_now(),
    ),
    gettext_lazy("The supplement notice was recorded."),
)
handle_immediately = _action(
    "handle_immediately",
    lambda request, case: forms.OutcomeForm(request.POST, prefix="handle_immediately"),
    lambda user, case, d: services.handle_immediately(
        actor=user,
        case=case,
        outcome=d["outcome"],
        opinion=d["opinion"],
        certificate_number=d["certificate_number"],
        at=_now(),
    ),
    gettext_lazy("The case was decided on the spot."),
)
_claim = _action(
    "claim",
    lambda request, case: forms.StepForm(request.POST, prefix="claim", steps=_active(case)),
    lambda user, case, d: services.claim_step(
        actor=user, case=case, step_id=d["step_id"], at=_now()
    ),
    gettext_lazy("The step is yours now."),
)
advance = _action(
    "advance",
    lambda request, case: forms.AdvanceForm(
        request.POST, prefix="advance", steps=_active(case), targets=_done_lead(case)
    ),
    lambda user, case, d: services.advance_step(
        actor=user,
        case=case,
        step_id=d["step_id"],
        decision=d["decision"],
        opinion=d["opinion"],
        return_to=d["return_to"],
        at=_now(),
    ),
    gettext_lazy("Your step is finished; the case moved on."),
)
complete = _action(
    "complete",
    lambda request, case: forms.CompleteForm(request.POST, prefix="complete", steps=_active(case)),
    lambda user, case, d: services.complete_case(
        actor=user,
        case=case,
        step_id=d["step_id"],
        outcome=d["outcome"],
        opinion=d["opinion"],
        certificate_number=d["certificate_number"],
        at=_now(),
    ),
    gettext_lazy("The case is complete; the applicant is told by SMS."),
)
suspend = _action(
    "suspend",
    lambda request, case: forms.SuspendForm(
        request.POST, prefix="suspend", procedures=case.item.special_procedures.all()
    ),
    lambda user, case, d: services.suspend_case(
        actor=user, case=case, procedure=d["procedure"], reason=d["reason"], at=_now()
    ),
    gettext_lazy("The special procedure started; the clock is stopped."),
)
resume = _action(
    "resume",
    lambda request, case: forms.OpinionForm(request.POST, prefix="resume"),
    lambda user, case, d: services.resume_case(actor=user, case=case, note=d["opinion"], at=_now()),
    gettext_lazy("The clock runs again."),
)
request_extension = _action(
    "request_extension",
    lambda request, case: forms.ExtensionRequestForm(request.POST, prefix="request_extension"),
    lambda user, case, d: services.request_extension(
        actor=user, case=case, days=d["days"], reason=d["reason"], at=_now()
    ),
    gettext_lazy("The extension request was sent to the department head."),
)
decide_extension = _action(
    "decide_extension",
    lambda request, case: forms.ExtensionDecisionForm(request.POST, prefix="decide_extension"),
    lambda user, case, d: services.decide_extension(
        actor=user,
        case=case,
        extension_id=d["extension_id"],
        approve=d["approve"],
        note=d["note"],
        at=_now(),
    ),
    gettext_lazy("The extension request was decided."),
)
withdraw = _action(
    "withdraw",
    lambda request, case: forms.ReasonForm(request.POST, prefix="withdraw"),
    lambda user, case, d: services.withdraw_case(
        actor=user, case=case, reason=d["reason"], at=_now()
    ),
    gettext_lazy("The withdrawal was recorded."),
)
terminate = _action(
    "terminate",
    lambda request, case: forms.ReasonForm(request.POST, prefix="terminate"),
    lambda user, case, d: services.terminate_case(
        actor=user, case=case, reason=d["reason"], at=_now()
    ),
    gettext_lazy("The case was terminated."),
)
urge = _action(
    "urge",
    lambda request, case: forms.UrgeForm(request.POST, prefix="urge"),
    lambda user, case, d: services.urge_case(
        actor=user, case=case, message=d["message"], at=_now()
    ),
    gettext_lazy("The urging was sent."),
)


@require_POST
@case_staff_required
def claim(request, number: str):
    """签收. From the workbench (htmx) the queue's row is replaced by the outcome;
    otherwise the case page follows, as for every action."""
    if not request.htmx:
        return _claim(request, number)
    case = _case_or_404(request.user, number)
    form = forms.StepForm(request.POST, prefix="claim", steps=_active(case))
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
        request.POST, prefix="assign", steps=steps, people=_assign_people(steps)
    )


def _assign_call(user, case, d):
    assignee = User.objects.filter(pk=d["assignee"], is_active=True).first()
    if assignee is None:
        raise ValidationFailed(_("Choose a person."), fields={"assignee": [_("Choose a person.")]})
    return services.assign_step(
        actor=user, case=case, step_id=d["step_id"], assignee=assignee, at=_now()
    )


assign = _action("assign", _assign_post_form, _assign_call, gettext_lazy("The step was assigned."))


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
        "supplement",
        lambda case: forms.SupplementForm(request.POST, prefix="supplement"),
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
        "supply_pledged",
        lambda case: forms.SupplementForm(request.POST, prefix="supply_pledged"),
        call,
        _("The pledged materials were recorded."),
    )


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


# --- opinion templates ---------------------------------------------------------------


cases_required = module_required(Module.CASES, Module.WORKBENCH)


def _template_or_404(user, pk: int) -> OpinionTemplate:
    template = OpinionTemplate.objects.filter(user=user, pk=pk).first()
    if template is None:
        raise Http404
    return template


@cases_required
def opinions(request):
    """常用意见: the user's own phrases; POST adds one."""
    form = forms.OpinionTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_opinion_template(actor=request.user, text=form.cleaned_data["text"])
        except ValidationFailed as exc:
            _add_errors(form, exc.fields)
        else:
            messages.success(request, _("The phrase was saved."))
            return redirect("cases:opinions")
    templates = OpinionTemplate.objects.filter(user=request.user)
    return render(request, "cases/opinions.html", {"form": form, "templates": templates})


@require_POST
@cases_required
def opinion_edit(request, pk: int):
    template = _template_or_404(request.user, pk)
    form = forms.OpinionTemplateForm(request.POST)
    if form.is_valid():
        try:
            services.save_opinion_template(
                actor=request.user, text=form.cleaned_data["text"], template=template
            )
        except ValidationFailed as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The phrase was saved."))
    return redirect("cases:opinions")


@require_POST
@cases_required
def opinion_delete(request, pk: int):
    template = _template_or_404(request.user, pk)
    services.delete_opinion_template(actor=request.user, template=template)
    messages.success(request, _("The phrase was deleted."))
    return redirect("cases:opinions")


# --- queries (审批结果) -----------------------------------------------------------------

TABS = {
    "combined": gettext_lazy("Combined query"),
    "mine": gettext_lazy("My handled history"),
    "exact": gettext_lazy("Exact query"),
    "overdue": gettext_lazy("Overdue"),
}
EXACT_FIELDS = ("number", "id_number", "mobile")


query_required = module_required(Module.QUERY)


@query_required
def query(request):
    """The case query: a tab preset plus the filters; 25 per page, sortable, and the
    same list as Excel (``?format=xlsx``)."""
    tab = request.GET.get("tab", "combined")
    tab = tab if tab in TABS else "combined"
    data = request.GET.copy()
    if tab == "mine":
        data["handled_by_me"] = "on"
    elif tab == "overdue":
        data["overdue"] = "on"
    form = forms.CaseQueryForm(data)
    today = core_clock.local_date()
    if form.is_valid():
        filters = form.filters(today)
        if tab == "exact" and not any(getattr(filters, f) for f in EXACT_FIELDS):
            cases = Case.objects.none()  # an exact query needs its key
        else:
            cases = selectors.case_list(request.user, filters)
    else:
        filters, cases = None, Case.objects.none()
    if request.GET.get("format") == "xlsx":
        content = excel.export_cases(actor=request.user, cases=cases[:EXPORT_LIMIT], at=_now())
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=_("cases") + ".xlsx"
        )
        return response
    page = Paginator(cases, LIST_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_colours(page.object_list, today)
    query_string = request.GET.copy()
    query_string.pop("page", None)
    sort_query = query_string.copy()
    sort_query.pop("order", None)
    sort_query.pop("format", None)
    export_query = query_string.copy()
    export_query["format"] = "xlsx"
    context = {
        "form": form,
        "tab": tab,
        "tabs": TABS,
        "page": page,
        "order": filters.order if filters else "",
        "query": query_string.urlencode(),
        "sort_query": sort_query.urlencode(),
        "export_query": export_query.urlencode(),
    }
    return render(request, "cases/query.html", context)
