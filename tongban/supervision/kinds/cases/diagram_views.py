"""The process diagram page of a case (流程图, issue 5 item 6), mounted with the
supervision pages at ``/office/supervision/cases/<number>/diagram/``; ``?format=svg``
answers the SVG itself (``image/svg+xml``) to download or embed. Scoped like the
case page: a case out of the user's scope is 404."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from tongban.cases.diagram import case_diagram
from tongban.cases.views import _case_or_404, case_staff_required
from tongban.core import clock
from tongban.core.clock import local_date
from tongban.workcalendar.calendar import get_calendar


@never_cache
@case_staff_required
def diagram(request, number: str):
    case = _case_or_404(request.user, number)
    svg = case_diagram(case, today=local_date(clock.now()), calendar=get_calendar())
    if request.GET.get("format") == "svg":
        document = '<?xml version="1.0" encoding="UTF-8"?>\n' + svg
        response = HttpResponse(document, content_type="image/svg+xml; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{case.number}.svg"'
        return response
    # Safe: build_diagram escapes every text it draws.
    return render(request, "supervision/diagram.html", {"case": case, "svg": mark_safe(svg)})
