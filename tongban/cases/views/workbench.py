"""The workbench (工作台): its panels and the full, sortable list behind each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.accounts.roles import Module
from tongban.accounts.selectors import user_modules
from tongban.core import clock as core_clock

from .. import excel, selectors
from ..access import intake_scope
from ._access import case_staff_required
from ._shared import EXPORT_LIMIT, LIST_SIZE, XLSX, _now

PANEL_SIZE = 10  # rows per workbench panel


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
    today = core_clock.local_date(core_clock.now())
    if panel.kind == "case":
        selectors.with_colours(page.object_list, today)
    else:
        selectors.with_colours([row.case for row in page.object_list], today)
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
    selectors.with_colours(cases, core_clock.local_date(core_clock.now()))
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
