"""Office pages of the catalogue: the staff query (查询) with its Excel export, and the
staff assignment (项目与人员的关联). Thin: access, parse, selector or service, respond."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.access import module_required
from tongban.accounts.roles import Module
from tongban.core import clock
from tongban.core.errors import NotFound, ValidationFailed

from . import services
from .access import catalogue_scope, get_step_for
from .forms import ItemQueryForm, StaffForm
from .selectors import ItemFilters, item_query, managed_items, step_candidates

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The business modules of the office. The three administrators (whose roles bring
# only mail and announcements besides their own module) do not use the catalogue
# query: least privilege.
OFFICE_MODULES = frozenset(
    {
        Module.WORKBENCH,
        Module.INTAKE,
        Module.CASES,
        Module.QUERY,
        Module.REPORTS,
        Module.CATALOG,
        Module.SUPERVISION,
        Module.HOTLINE,
    }
)


# Logged-in staff holding any office module; anonymous users go to the login.
office_staff_required = module_required(*OFFICE_MODULES)


def _maintains_items(user) -> bool:
    """Staff who maintain some department's items (department heads, the centre)."""
    return not catalogue_scope(user).nothing


item_maintainer_required = module_required(also=_maintains_items)


def _filters(request) -> tuple[ItemQueryForm, ItemFilters]:
    form = ItemQueryForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.filters()
    return form, ItemFilters()


@office_staff_required
def item_list(request):
    """The multi-dimensional query (seed §1.11): filters, sorting, 25 per page."""
    form, filters = _filters(request)
    items = item_query(request.user, filters)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    context = {
        "form": form,
        "page": page,
        "sort": filters.sort,
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "may_manage": not catalogue_scope(request.user).nothing,
    }
    return render(request, "catalog/office/item_list.html", context)


@office_staff_required
def item_export(request):
    """The query's result as Excel (the same criteria, every page)."""
    _form, filters = _filters(request)
    try:
        data = services.export_items(actor=request.user, filters=filters, at=clock.now())
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
        return redirect(f"{reverse('catalog:items')}?{request.GET.urlencode()}")
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("service-items") + ".xlsx"
    )
    return response


# --- staff assignment --------------------------------------------------------------------


def _attach_staff_choices(items) -> None:
    """Give every step ``staff_choices``: (user, assigned?, qualifies?) for the
    candidates, then for assigned people who no longer qualify (moved, role
    removed) so that they can be taken off."""
    candidates = step_candidates(items)
    for item in items:
        for step in item.steps.all():
            assigned = [a.user for a in step.staff.all()]
            assigned_ids = {u.pk for u in assigned}
            eligible = candidates.get(step.pk, [])
            eligible_ids = {u.pk for u in eligible}
            step.staff_choices = [(u, u.pk in assigned_ids, True) for u in eligible] + [
                (u, True, False) for u in assigned if u.pk not in eligible_ids
            ]


@item_maintainer_required
def staff(request):
    """项目与人员的关联: per item and step, who may handle it."""
    search = request.GET.get("q", "")
    page = Paginator(managed_items(request.user, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _attach_staff_choices(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "q": search, "page_query": query.urlencode()}
    return render(request, "catalog/office/staff.html", context)


@require_POST
@item_maintainer_required
def assign_step_staff(request, step_id: int):
    """Save one step's staff; an htmx request gets the step's fragment back."""
    try:
        step = get_step_for(request.user, step_id)
    except NotFound as exc:
        raise Http404 from exc
    form = StaffForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.assign_staff(
                actor=request.user, step=step, users=form.cleaned_data["users"], at=clock.now()
            )
        except ValidationFailed as exc:
            error = str(exc.message)
    else:
        error = " ".join(str(m) for messages_ in form.errors.values() for m in messages_)
    if request.htmx:
        item = managed_items(request.user).get(pk=step.item_id)
        _attach_staff_choices([item])
        step = next(s for s in item.steps.all() if s.pk == step.pk)
        back = request.POST.get("back", "")
        context = {
            "item": item,
            "step": step,
            "error": error,
            "saved": not error,
            "back": back if back.startswith("?") else "",
        }
        return render(request, "catalog/office/_step_staff.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("Staff of “%(step)s” of %(item)s saved.")
            % {"step": step.name, "item": step.item.display_name},
        )
    next_url = reverse("catalog:staff")
    back = request.POST.get("back", "")
    if back.startswith("?"):
        next_url += back
    return redirect(f"{next_url}#step-{step.pk}")
