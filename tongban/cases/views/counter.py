"""Counter intake (事件受理): find the item, then the applicant, the item's form
and the material checklist.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tongban.catalog.formschema import build_form_class
from tongban.catalog.models import Item
from tongban.core import clock as core_clock
from tongban.core.errors import DomainError, ValidationFailed

from .. import forms, services
from ..access import intake_scope
from ._access import intake_required
from ._shared import LIST_SIZE, _add_errors, _material_rows


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
