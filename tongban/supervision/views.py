"""Office pages of electronic supervision (电子监察), mounted at
``/office/supervision/``: the dashboard, cards with the rectification note, urgings
and alerts, over every kind of clocked item; the kinds add their own pages (for
cases the real-time lists and the comprehensive query: ``kinds.cases.views``). Thin:
access, parse, call the selector or service, respond. Every list is paginated,
sortable where it makes sense and exported to Excel with ``?format=xlsx``; the
selectors scope every row to the user (a supervisor sees every department, a
department head their own)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tongban.accounts.access import holds_role, module_required
from tongban.accounts.roles import Module, RoleCode
from tongban.core import clock
from tongban.core.errors import DomainError, NotFound, ValidationFailed

from . import clocked, excel, forms, selectors, services
from .models import Alert, Card

LIST_SIZE = 25
EXPORT_LIMIT = 10_000  # rows of one Excel export (security.md: export size capped)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TREND_MONTHS = 12


# Supervisors (Module.SUPERVISION, by role or grant) and department heads, who see
# their own department's figures and write its rectification notes.
supervision_required = module_required(
    Module.SUPERVISION, also=holds_role(RoleCode.DEPARTMENT_HEAD)
)


# --- helpers shared by the lists ---------------------------------------------------------


def _url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(f"supervision:{name}") + (f"?{query}" if query else "")


def _xlsx(content: bytes, title: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{title}.xlsx"
    )
    return response


def _export(request, sheet: excel.Sheet, rows) -> HttpResponse:
    content = excel.export(
        actor=request.user, sheet=sheet, rows=rows[:EXPORT_LIMIT], at=clock.now()
    )
    return _xlsx(content, str(sheet.title()))


def _order(request, keys, default: str) -> str:
    """``?order=key`` or ``-key`` among ``keys``, else ``default``."""
    order = request.GET.get("order", "") or default
    return order if order.lstrip("-") in keys else default


def _sorted(rows, request, orders: dict[str, str], default: str):
    """``?order=key`` or ``-key`` among ``orders`` (key → field); the chosen key."""
    order = _order(request, orders, default)
    field = orders[order.lstrip("-")]
    descending = "-" if order.startswith("-") else ""
    return rows.order_by(f"{descending}{field}", f"{descending}pk"), order


def _list_context(request, rows, **extra) -> dict:
    """One page of ``rows`` (two queries whatever the size) and the query strings of
    the pagination, the sort links and the export button."""
    page = Paginator(rows, LIST_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    sort_query = query.copy()
    sort_query.pop("order", None)
    export_query = query.copy()
    export_query["format"] = "xlsx"
    return {
        "page": page,
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "export_query": export_query.urlencode(),
        **extra,
    }


def _valid(form) -> bool:
    """Filters are all optional: an invalid value (a malformed date) is shown as an
    error on the form and the list is empty rather than unfiltered."""
    return form.is_valid()


# --- the dashboard -----------------------------------------------------------------------


def _months_back(today: dt.date, months: int) -> dt.date:
    """The first day of the month ``months - 1`` months before ``today``'s month."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(first: dt.date) -> dt.date:
    index = first.year * 12 + first.month
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


@supervision_required
def dashboard(request):
    """监察首页: the open items by colour, this month's cards per department, the
    on-time rate of the last twelve months and the categories most overdue, every
    kind of clocked item added up. Every figure links to the list behind it,
    filtered so that it shows the same number (the list of the first kind
    registered: cases). Four aggregate queries per kind whatever the number of
    items."""
    user, today = request.user, clock.local_date(clock.now())
    first = today.replace(day=1)
    counts = selectors.open_counts(user, today)
    lists = clocked.kinds()[0]
    figures = [
        ("open", gettext_lazy("Open cases"), counts["open"], lists.list_url("open")),
        ("due_soon", gettext_lazy("Due soon"), counts["due_soon"], lists.list_url("due_soon")),
        ("overdue", gettext_lazy("Overdue"), counts["overdue"], lists.list_url("overdue")),
        (
            "suspended",
            gettext_lazy("Suspended"),
            counts["suspended"],
            lists.list_url("suspended"),
        ),
    ]
    period = {"issued_from": first.isoformat(), "issued_to": today.isoformat()}
    departments = selectors.cards_by_department(user, first, today)
    for row in departments:
        scope = {"department": row["code"], "exact": "on", **period}
        row["issued"] = row["yellow"] + row["red"]
        row["links"] = {
            "issued": _url("cards", **scope),
            "yellow": _url("cards", colour="yellow", **scope),
            "red": _url("cards", colour="red", **scope),
            "cured": _url(
                "cards",
                cured="yes",
                cured_from=first.isoformat(),
                cured_to=today.isoformat(),
                **scope,
            ),
        }
    trend_first = _months_back(today, TREND_MONTHS)
    found = {row["month"]: row for row in selectors.on_time_trend(user, trend_first, today)}
    trend = []
    for i in range(TREND_MONTHS):
        month_first = _months_back(today, TREND_MONTHS - i)
        month_last = min(_month_end(month_first), today)
        key = month_first.strftime("%Y-%m")
        row = found.get(key, {"month": key, "completed": 0, "on_time": 0, "rate": None})
        span = {"completed_from": month_first.isoformat(), "completed_to": month_last.isoformat()}
        row["links"] = {
            "completed": lists.list_url("completed", **span),
            "on_time": lists.list_url("on_time", **span),
        }
        trend.append(row)
    top = selectors.top_overdue_items(user, today)
    for row in top:
        row["link"] = lists.list_url("overdue_category", item=row["code"])
    chart = {
        "cards": {
            "departments": [row["name"] for row in departments],
            "series": [
                {
                    "key": key,
                    "name": label,
                    "data": [row[key] for row in departments],
                    "links": [row["links"][key] for row in departments],
                }
                for key, label in (
                    ("yellow", _("Yellow cards")),
                    ("red", _("Red cards")),
                    ("cured", _("Cured")),
                )
            ],
        },
        "trend": {
            "months": [row["month"] for row in trend],
            "name": _("On-time rate (%)"),
            "data": [row["rate"] for row in trend],
            "links": [row["links"]["completed"] for row in trend],
        },
    }
    context = {
        "today": today,
        "month_first": first,
        "figures": figures,
        "departments": departments,
        "trend": trend,
        "top": top,
        "chart": chart,
    }
    return render(request, "supervision/dashboard.html", context)


# --- cards -------------------------------------------------------------------------------

CARD_ORDERS = {
    "issued": "issued_at",
    "deadline": "deadline",
    "days": "days_overdue",
    "department": "department__code",
    "number": "subject_number",
}


@supervision_required
def cards(request):
    """发牌记录: by department, period, colour, cured or not, case number."""
    form = forms.CardFilterForm(request.GET)
    if _valid(form):
        data = form.cleaned_data
        rows = selectors.cards(request.user, form.filters())
        if data["exact"] and data["department"]:
            rows = selectors.of_department(rows, data["department"])
        if data["cured_from"] or data["cured_to"]:
            rows = selectors.cards_cured_between(
                rows, data["cured_from"] or dt.date.min, data["cured_to"] or dt.date.max
            )
    else:
        rows = Card.objects.none()
    rows, order = _sorted(rows, request, CARD_ORDERS, "-issued")
    if request.GET.get("format") == "xlsx":
        return _export(request, excel.CARDS, rows)
    context = _list_context(request, rows, form=form, order=order)
    return render(request, "supervision/cards.html", context)


@supervision_required
@require_http_methods(["GET", "POST"])
def card_detail(request, pk: int):
    """One card; the head of the carded department writes its rectification note
    (整改说明) here. The service decides who may: a refusal is shown on the form."""
    try:
        card = selectors.get_card_for(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc
    form = forms.RectificationForm(request.POST or None, initial={"note": card.rectification})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_rectification(
                actor=request.user, card=card, note=form.cleaned_data["note"], at=clock.now()
            )
        except ValidationFailed as exc:
            for message in exc.fields.get("note", []) or [exc.message]:
                form.add_error("note", str(message))
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The rectification note was recorded."))
            return redirect("supervision:card", pk=card.pk)
    context = {
        "card": card,
        "form": form,
        "may_rectify": request.user.has_role(RoleCode.DEPARTMENT_HEAD),
        "recipients": excel.recipients_text(card.recipients),
    }
    return render(request, "supervision/card_detail.html", context)


# --- urgings and alerts ----------------------------------------------------------------------


@supervision_required
def urgings(request):
    """催办记录: automatic and manual — who, whom, when, step, message."""
    form = forms.UrgingFilterForm(request.GET)
    order = _order(request, selectors.URGING_KEYS, "-at")
    if _valid(form):
        rows = selectors.urgings(request.user, automatic=form.automatic(), order=order)
    else:
        rows = selectors.Rows([], selectors.URGING_KEYS["at"], descending=True)
    if request.GET.get("format") == "xlsx":
        return _export(request, excel.URGINGS, rows)
    context = _list_context(request, rows, form=form, order=order)
    return render(request, "supervision/urgings.html", context)


@supervision_required
def alerts(request):
    """Special procedures over their own limit, pledged materials not handed in."""
    form = forms.AlertFilterForm(request.GET)
    if _valid(form):
        data = form.cleaned_data
        rows = selectors.alerts(request.user, kind=data["kind"], open_only=not data["resolved"])
    else:
        rows = Alert.objects.none()
    rows, order = _sorted(
        rows,
        request,
        {"issued": "issued_at", "due": "due_on", "number": "subject_number"},
        "-issued",
    )
    if request.GET.get("format") == "xlsx":
        return _export(request, excel.ALERTS, rows)
    context = _list_context(
        request, rows, form=form, order=order, today=clock.local_date(clock.now())
    )
    return render(request, "supervision/alerts.html", context)
