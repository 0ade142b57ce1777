"""The case-only pages of electronic supervision, mounted with the others at
``/office/supervision/``: real-time supervision (实时监察: the supplement, processing,
intake and special-procedure lists) and the comprehensive query (综合监察) with each
case's process diagram. They list cases with the case's own columns; the access rule
and the list helpers are supervision's (``supervision.views``)."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.cases import excel as case_excel
from tongban.cases.models import Case
from tongban.cases.selectors import case_list, with_colours
from tongban.core import clock

from ... import selectors
from ...views import (
    EXPORT_LIMIT,
    _export,
    _list_context,
    _sorted,
    _valid,
    _xlsx,
    supervision_required,
)
from . import excel, forms, lists

# --- real-time supervision -----------------------------------------------------------------

REALTIME_TABS = {
    "supplement": gettext_lazy("Supplement supervision"),
    "processing": gettext_lazy("Processing limits"),
    "intake": gettext_lazy("Supplement-notification limits"),
    "special": gettext_lazy("Special-procedure limits"),
}
CASE_ORDERS = {"number": "number", "received": "received_at", "deadline": "deadline"}
REALTIME_ORDERS = {
    "supplement": (CASE_ORDERS, "received"),
    "processing": (CASE_ORDERS, "deadline"),
    "intake": ({**CASE_ORDERS, "review_due": "review_due_on"}, "review_due"),
    "special": ({"due": "due_on", "number": "case__number", "started": "started_on"}, "due"),
}
REALTIME_FIELDS = {
    "supplement": ("applicant", "number", "requested_from", "requested_to", "department"),
    "processing": ("state", "department"),
    "intake": ("department",),
    "special": ("department",),
}


@supervision_required
def realtime(request):
    """实时监察: the four lists across departments, each with its counts per
    department (each count links to the list of that department)."""
    user, today = request.user, clock.local_date(clock.now())
    tab = request.GET.get("tab", "supplement")
    tab = tab if tab in REALTIME_TABS else "supplement"
    form = forms.RealtimeForm(request.GET)
    valid = _valid(form)
    data = form.cleaned_data if valid else {}
    department_field = "department"
    if not valid:
        rows, counts = Case.objects.none(), []
    elif tab == "supplement":
        rows = lists.supplement_waiting(user, form.waiting())
        counts = lists.counts_per_department(rows)
    elif tab == "processing":
        rows = lists.processing_limits_in_state(user, today, data["state"])
        counts = lists.counts_per_department(rows)
    elif tab == "intake":
        rows = lists.intake_limits(user, today)
        counts = lists.counts_per_department(rows)
    else:
        rows = lists.special_procedure_limits(user, today)
        counts = lists.special_procedures_per_department(rows)
        department_field = "case__department"
    if data.get("department"):
        rows = selectors.of_department(rows, data["department"], department_field)
    orders, default = REALTIME_ORDERS[tab]
    rows, order = _sorted(rows, request, orders, default)
    if request.GET.get("format") == "xlsx":
        sheet = excel.SPECIAL_PROCEDURES if tab == "special" else excel.REALTIME_CASES
        return _export(request, sheet, rows)
    base = request.GET.copy()
    for key in ("page", "format", "department", "order"):
        base.pop(key, None)
    base["tab"] = tab
    for row in counts:
        link = base.copy()
        link["department"] = row["code"]
        row["link"] = "?" + link.urlencode()
    context = _list_context(
        request,
        rows,
        form=form,
        tab=tab,
        tabs=REALTIME_TABS,
        order=order,
        orders=orders,
        counts=counts,
        today=today,
        fields=[form[name] for name in REALTIME_FIELDS[tab]],
    )
    if tab == "special":
        with_colours([s.case for s in context["page"].object_list], today)
    else:
        with_colours(context["page"].object_list, today)
    return render(request, "supervision/realtime.html", context)


# --- comprehensive supervision ---------------------------------------------------------------


@supervision_required
def query(request):
    """综合监察: by hall, case number, handling type, status, department, applicant,
    acceptor, item, acceptance dates (and the completion month the dashboard's trend
    links to); every row links to the case and to its process diagram."""
    form = forms.SupervisionQueryForm(request.GET)
    today = clock.local_date(clock.now())
    if _valid(form):
        data = form.cleaned_data
        filters = form.filters(today)
        cases = case_list(request.user, filters)
        if data["completed_from"] or data["completed_to"] or data["on_time"]:
            cases = lists.completed_between(
                cases,
                data["completed_from"] or dt.date.min,
                data["completed_to"] or dt.date.max,
                on_time=form.completed_on_time(),
            )
        order = filters.order
    else:
        cases, order = Case.objects.none(), ""
    if request.GET.get("format") == "xlsx":
        content = case_excel.export_cases(
            actor=request.user, cases=cases[:EXPORT_LIMIT], at=clock.now()
        )
        return _xlsx(content, _("Comprehensive supervision"))
    context = _list_context(request, cases, form=form, order=order)
    with_colours(context["page"].object_list, today)
    return render(request, "supervision/query.html", context)
