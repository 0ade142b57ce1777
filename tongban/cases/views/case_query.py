"""The case query (审批结果): tab presets, filters, paging, sorting and Excel."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core import clock as core_clock

from .. import excel, forms, selectors
from ..models import Case
from ._access import query_required
from ._shared import EXPORT_LIMIT, LIST_SIZE, XLSX, _now

TABS = {
    "combined": gettext_lazy("Combined query"),
    "mine": gettext_lazy("My handled history"),
    "exact": gettext_lazy("Exact query"),
    "overdue": gettext_lazy("Overdue"),
}
EXACT_FIELDS = ("number", "id_number", "mobile")


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
    today = core_clock.local_date(core_clock.now())
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
