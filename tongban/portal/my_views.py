"""The citizen's own pages (我的办件): apply online, drafts, the receipt, "my
applications" and one application's detail with the online supplement.

Plain multipart form posts, no JavaScript needed. Every post on the application page
first saves what was typed (nothing typed is lost), then attaches each uploaded file
on its own (a refused file is named next to its material, the others are kept), then
does what the pressed button asked (save, remove a file, submit)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tongban.cases.labels import timeline_label
from tongban.cases.models import CaseStatus
from tongban.cases.privacy import masked_form_data
from tongban.cases.services import ApplicantData, MaterialIn
from tongban.catalog import public
from tongban.catalog.formschema import build_form_class
from tongban.catalog.models import Item
from tongban.citizens.access import citizen_required, get_case_for_citizen
from tongban.core import clock
from tongban.core.crypto import mask_id_number, mask_mobile, mask_name
from tongban.core.errors import DomainError, NotFound, ValidationFailed
from tongban.core.files import file_response

from . import applications
from .access import get_draft_for
from .forms import PortalApplicantForm
from .models import ApplicationDraft

LIST_SIZE = 20


# --- parsing the application page ------------------------------------------------------


def _schema_form_class(item: Item):
    return build_form_class(item.form_fields.order_by("order", "id"), purpose="portal")


def _schema_data(request, schema_form) -> tuple[QueryDict, dict[str, Any]]:
    """The item form's inputs under their schema keys (the inputs carry a prefix)."""
    data = QueryDict(mutable=True)
    uploads: dict[str, Any] = {}
    for key in schema_form.fields:
        name = schema_form.add_prefix(key)
        if name in request.POST:
            data.setlist(key, request.POST.getlist(name))
        if name in request.FILES:
            uploads[key] = request.FILES[name]
    return data, uploads


def _applicant(form: PortalApplicantForm, draft: ApplicationDraft) -> ApplicantData:
    form.is_valid()
    data = form.cleaned_data
    # A value the form refused (too long, a NUL character) leaves the draft's as it
    # was instead of blanking it; the page names the field.
    return ApplicantData(
        kind=data.get("kind", ""),
        name=data.get("name", draft.applicant_name),
        id_type=data.get("id_type", ""),
        id_number=data.get("id_number", draft.applicant_id_number),
        mobile=data.get("mobile", draft.applicant_mobile),
        address=data.get("address", draft.applicant_address),
        contact_name=data.get("contact_name", draft.contact_name),
    )


def _add_errors(form, errors: dict[str, list]) -> None:
    """Service messages onto a bound form, without repeating the form's own."""
    for field, found in errors.items():
        target = field if field in form.fields else None
        have = [str(m) for m in form.errors.get(target or "__all__", [])]
        for message in found:
            if str(message) not in have:
                form.add_error(target, str(message))


class Errors:
    """Field errors from the services, sorted to where the page shows them."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, exc: ValidationFailed) -> None:
        for key, found in exc.fields.items():
            self.fields.setdefault(key, []).extend(str(m) for m in found)
        if not exc.fields:
            self.fields.setdefault("__all__", []).append(str(exc.message))

    def __bool__(self) -> bool:
        return bool(self.fields)

    def with_prefix(self, prefix: str) -> dict[str, list[str]]:
        return {k.split(".", 1)[1]: v for k, v in self.fields.items() if k.startswith(f"{prefix}.")}

    def general(self) -> list[str]:
        known = ("applicant.", "form.", "material.", "materials.")
        return [
            m
            for k, v in self.fields.items()
            if not k.startswith(known) and k != "declaration"
            for m in v
        ]


def _material_rows(item: Item, draft: ApplicationDraft | None, material_errors: dict):
    attached = {}
    if draft is not None:
        attached = {a.material_id: a for a in draft.materials.select_related("file")}
    return [
        {
            "material": m,
            "attached": attached.get(m.pk),
            "errors": material_errors.get(str(m.pk), []),
        }
        for m in item.materials.order_by("order", "id")
    ]


def _render_application(
    request,
    item: Item,
    draft: ApplicationDraft | None,
    *,
    applicant_form=None,
    schema_form=None,
    errors: Errors | None = None,
    declaration: bool | None = None,
):
    errors = errors or Errors()
    SchemaForm = _schema_form_class(item)
    if applicant_form is None:
        applicant_form = PortalApplicantForm(initial=_applicant_initial(request, draft))
    if schema_form is None:
        schema_form = SchemaForm(initial=draft.form_data if draft else None)
    if errors:
        _add_errors(applicant_form, errors.with_prefix("applicant"))
        schema_errors = errors.with_prefix("form")
        if draft is not None:
            # A file field whose file is already in the draft is not missing.
            for key in draft.form_files or {}:
                if key in schema_form.errors and key not in schema_errors:
                    del schema_form.errors[key]
        _add_errors(schema_form, schema_errors)
    form_files = [
        {"label": schema_form.fields[key].label, "name": value.get("name", "")}
        for key, value in ((draft.form_files or {}) if draft else {}).items()
        if key in schema_form.fields
    ]
    context = {
        "item": item,
        "draft": draft,
        "applicant_form": applicant_form,
        "schema_form": schema_form,
        "form_files": form_files,
        "rows": _material_rows(item, draft, errors.with_prefix("material")),
        "declaration": (
            bool(draft and draft.declaration_accepted) if declaration is None else declaration
        ),
        "declaration_errors": errors.fields.get("declaration", []),
        "general_errors": errors.general(),
        "upload_limit": applications.MAX_UPLOAD // (1024 * 1024),
        "action_url": (
            reverse("my:draft", args=[draft.pk]) if draft else reverse("my:apply", args=[item.code])
        ),
    }
    return render(request, "portal/my/apply.html", context, status=422 if errors else 200)


def _applicant_initial(request, draft: ApplicationDraft | None) -> dict[str, Any]:
    if draft is None:
        citizen = request.citizen
        return {"name": citizen.name, "mobile": citizen.mobile}
    return {
        "kind": draft.applicant_kind,
        "name": draft.applicant_name,
        "id_type": draft.applicant_id_type,
        "id_number": draft.applicant_id_number,
        "mobile": draft.applicant_mobile,
        "address": draft.applicant_address,
        "contact_name": draft.contact_name,
    }


def _online_item_or_404(code: str) -> Item:
    try:
        item = public.item_guide(code)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    if not item.online_allowed:
        raise Http404
    return item


def _handle_post(request, draft: ApplicationDraft):
    """Save, attach, then the pressed button; see the module's docstring."""
    item = draft.item
    at = clock.now()
    action = request.POST.get("action", "save")
    errors = Errors()
    applicant_form = PortalApplicantForm(request.POST)
    schema_form = _schema_form_class(item)(request.POST, request.FILES)
    data, uploads = _schema_data(request, schema_form)
    declaration = bool(request.POST.get("declaration"))
    try:
        applications.save_draft(
            draft=draft,
            applicant=_applicant(applicant_form, draft),
            form_data=data,
            form_files=uploads,
            declaration_accepted=declaration,
            at=at,
        )
    except ValidationFailed as exc:
        errors.add(exc)
    for key, found in applicant_form.errors.items():
        errors.fields.setdefault(f"applicant.{key}", []).extend(str(m) for m in found)
    for material in item.materials.order_by("order", "id"):
        upload = request.FILES.get(f"material-{material.pk}")
        if upload is None:
            continue
        try:
            applications.attach_material(draft=draft, material=material, upload=upload, at=at)
        except ValidationFailed as exc:
            errors.add(exc)
    # ``isdecimal``: ``isdigit`` also accepts "²", which ``int`` refuses.
    if action.startswith("remove-") and action[7:].isdecimal():
        # Already removed (a second click): nothing to do.
        with contextlib.suppress(NotFound):
            applications.remove_material(draft=draft, material_id=int(action[7:]), at=at)
    if action == "submit" and not errors:
        try:
            case = applications.submit_draft(
                draft=draft, at=at, idempotency_key=request.POST.get("idempotency_key", "")
            )
        except ValidationFailed as exc:
            errors.add(exc)
        else:
            return redirect("my:receipt", number=case.number)
    if errors:
        schema_form.is_valid()
        messages.error(
            request,
            _("Your application was saved but not submitted: please correct the marked fields.")
            if action == "submit"
            else _("Some entries were not accepted: please correct the marked fields."),
        )
        draft.refresh_from_db()
        return _render_application(
            request,
            item,
            draft,
            applicant_form=applicant_form,
            schema_form=schema_form,
            errors=errors,
            declaration=declaration,
        )
    messages.success(request, _("Your application was saved as a draft."))
    anchor = "#materials" if action.startswith("remove-") else ""
    return HttpResponseRedirect(reverse("my:draft", args=[draft.pk]) + anchor)


def _post_or_refresh(request, draft: ApplicationDraft):
    try:
        return _handle_post(request, draft)
    except DomainError as exc:
        draft.refresh_from_db()
        if draft.case_id is not None:
            # The first of two clicks submitted it: show its receipt.
            return redirect("my:receipt", number=draft.case.number)
        messages.error(request, str(exc.message))
        return redirect("my:draft", pk=draft.pk)


# --- pages ---------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
def apply(request, code: str):
    """Apply online for an item: the form, or the unfinished draft for it."""
    item = _online_item_or_404(code)
    citizen = request.citizen
    draft = applications.open_draft_for_item(citizen, item)
    if request.method != "POST":
        if draft is not None:
            return redirect("my:draft", pk=draft.pk)
        return _render_application(request, item, None)
    if draft is None:
        try:
            draft = applications.start_draft(citizen=citizen, item=item, at=clock.now())
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("my:applications")
    return _post_or_refresh(request, draft)


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
def draft(request, pk: int):
    """An unfinished application: change it, upload files, submit it."""
    found = get_draft_for(request.citizen, pk)
    if found.case_id is not None:
        # A second click or a reload of the submission sees the same receipt.
        target = "my:receipt" if request.method == "POST" else "my:case"
        return redirect(target, number=found.case.number)
    if request.method == "POST":
        return _post_or_refresh(request, found)
    return _render_application(request, found.item, found)


@require_POST
@citizen_required
def draft_discard(request, pk: int):
    found = get_draft_for(request.citizen, pk)
    try:
        applications.discard_draft(draft=found, at=clock.now())
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The draft was discarded."))
    return redirect("my:applications")


@require_safe
@citizen_required
def draft_file(request, pk: int, material_id: int):
    """Download a file the citizen attached to their own draft."""
    found = get_draft_for(request.citizen, pk)
    attached = found.materials.select_related("file").filter(material_id=material_id).first()
    if attached is None:
        raise Http404
    return file_response(attached.file, filename=attached.original_name)


@require_safe
@citizen_required
def applications_list(request):
    """我的办件: unfinished drafts and submitted applications."""
    citizen = request.citizen
    page = Paginator(applications.my_cases(citizen), LIST_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/my/list.html",
        {
            "drafts": applications.open_drafts(citizen),
            "page": page,
            "max_drafts": applications.max_open_drafts(),
        },
    )


@require_safe
@citizen_required
def receipt(request, number: str):
    """回执: the case number, the query code and what happens next."""
    case = get_case_for_citizen(request.citizen, number)
    return render(
        request,
        "portal/my/receipt.html",
        {"case": case, "progress_url": _progress_url(), "materials": case.materials.all()},
    )


def _progress_url() -> str:
    return reverse("portal:progress:query")


def _timeline(case) -> list[dict[str, Any]]:
    rows = []
    for event in case.timeline.order_by("at", "id"):
        rows.append(
            {
                "at": event.at,
                "action": event.action,
                "label": timeline_label(event.action),
                "items": (event.detail or {}).get("items") or [],
            }
        )
    return rows


def _form_rows(case) -> list[tuple[str, str]]:
    data = masked_form_data(case)
    rows = []
    for field in case.item.form_fields.order_by("order", "id"):
        value = data.get(field.key)
        if isinstance(value, dict):
            value = value.get("name", "")
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        rows.append((field.label, "" if value is None else str(value)))
    return rows


def _render_case(request, case, *, errors: Errors | None = None, note: str = ""):
    errors = errors or Errors()
    request_ = applications.open_supplement_request(case)
    material_errors = {}
    for key, found in errors.fields.items():
        if key.startswith("material."):
            material_errors[key.split(".", 1)[1]] = found
    rows = [
        {"material": m, "errors": material_errors.get(str(m.pk), [])}
        for m in case.item.materials.order_by("order", "id")
    ]
    context = {
        "case": case,
        "applicant": {
            "name": mask_name(case.applicant_name)
            if case.applicant_kind == "person"
            else case.applicant_name,
            "id_number": mask_id_number(case.applicant_id_number or ""),
            "mobile": mask_mobile(case.applicant_mobile or ""),
        },
        "form_rows": _form_rows(case),
        "materials": case.materials.order_by("received_at", "id"),
        "timeline": _timeline(case),
        "supplement": request_,
        "rows": rows,
        "note": note,
        "note_errors": errors.fields.get("note", []),
        "extra_errors": material_errors.get("extra", []),
        "general_errors": [
            m for k, v in errors.fields.items() if not k.startswith("material.") for m in v
        ],
        "progress_url": _progress_url(),
        "rate_url": (
            reverse("ratings_public:rate", args=[case.number])
            if case.status == CaseStatus.COMPLETED
            else ""
        ),
    }
    return render(request, "portal/my/case.html", context, status=422 if errors else 200)


@require_safe
@citizen_required
def case_detail(request, number: str):
    """One of my applications: status, timeline in plain words, masked data, and the
    supplement form when one was asked for."""
    case = get_case_for_citizen(request.citizen, number)
    return _render_case(request, case)


@require_POST
@citizen_required
def supplement(request, number: str):
    """补正 online: a file per requested material (and one other document), a note."""
    citizen = request.citizen
    case = get_case_for_citizen(citizen, number)
    given: list[MaterialIn] = []
    keys: list[str] = []  # the page's name of each given material, by position
    for material in case.item.materials.order_by("order", "id"):
        upload = request.FILES.get(f"supplement-{material.pk}")
        if upload is not None:
            given.append(MaterialIn(material_id=material.pk, upload=upload))
            keys.append(str(material.pk))
    extra = request.FILES.get("supplement-extra")
    if extra is not None:
        given.append(MaterialIn(name=_("Supplementary document"), upload=extra))
        keys.append("extra")
    note = request.POST.get("note", "")
    try:
        applications.supplement_online(
            citizen=citizen, case=case, materials=given, note=note, at=clock.now()
        )
    except ValidationFailed as exc:
        errors = Errors()
        for key, found in exc.fields.items():
            prefix, _dot, rest = key.partition(".")
            if prefix == "materials" and rest.isdigit() and int(rest) < len(keys):
                key = f"material.{keys[int(rest)]}"
            elif prefix == "materials":
                key = "note"  # "add the materials or describe what was supplied"
            errors.fields.setdefault(key, []).extend(str(m) for m in found)
        messages.error(request, _("The supplement was not sent: please correct the marked fields."))
        case.refresh_from_db()
        return _render_case(request, case, errors=errors, note=note)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("my:case", number=case.number)
    messages.success(request, _("Thank you: your supplement was sent."))
    return redirect("my:case", number=case.number)
