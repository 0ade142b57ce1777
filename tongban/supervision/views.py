"""Office pages of electronic supervision (电子监察), mounted at
``/office/supervision/``: the dashboard, cards with the rectification note, urgings,
alerts, real-time supervision and the comprehensive query. Thin: access, parse, call
the selector or service, respond. Every list is paginated, sortable where it makes
sense and exported to Excel with ``?format=xlsx``; the selectors scope every row to
the user (a supervisor sees every department, a department head their own)."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tongban.accounts.roles import Module, RoleCode
from tongban.accounts.selectors import user_modules
from tongban.cases import excel as case_excel
from tongban.cases.models import Case, Urging
from tongban.cases.selectors import case_list, with_colours
from tongban.core import clock
from tongban.core.errors import DomainError, NotFound, ValidationFailed

from . import excel, forms, selectors, services
from .models import Alert, Card

LIST_SIZE = 25
EXPORT_LIMIT = 10_000  # rows of one Excel export (security.md: export size capped)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TREND_MONTHS = 12


def may_supervise(user) -> bool:
    """Supervisors (Module.SUPERVISION, by role or grant) and department heads, who
    see their own department's figures and write its rectification notes."""
    return Module.SUPERVISION in user_modules(user) or (
        user.is_authenticated and user.has_role(RoleCode.DEPARTMENT_HEAD)
    )


def supervision_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_supervise(request.user):
            raise DjangoPermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


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


def _sorted(rows, request, orders: dict[str, str], default: str):
    """``?order=key`` or ``-key`` among ``orders`` (key → field); the chosen key."""
    order = request.GET.get("order", "") or default
    field = orders.get(order.lstrip("-"))
    if field is None:
        order, field = default, orders[default.lstrip("-")]
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
    """监察首页: the open cases by colour, this month's cards per department, the
    on-time rate of the last twelve months and the items most overdue. Every figure
    links to the list behind it, filtered so that it shows the same number. Four
    aggregate queries whatever the number of cases."""
    user, today = request.user, clock.local_date(clock.now())
    first = today.replace(day=1)
    counts = selectors.open_counts(user, today)
    figures = [
        ("open", gettext_lazy("Open cases"), counts["open"], _url("query", status="open")),
        (
            "due_soon",
            gettext_lazy("Due soon"),
            counts["due_soon"],
            _url("realtime", tab="processing", state="due_soon"),
        ),
        (
            "overdue",
            gettext_lazy("Overdue"),
            counts["overdue"],
            _url("realtime", tab="processing", state="overdue"),
        ),
        (
            "suspended",
            gettext_lazy("Suspended"),
            counts["suspended"],
            _url("query", status="suspended"),
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
            "completed": _url("query", **span),
            "on_time": _url("query", on_time="yes", **span),
        }
        trend.append(row)
    top = selectors.top_overdue_items(user, today)
    for row in top:
        row["link"] = _url("query", item=row["code"], overdue="on")
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
    "number": "case__number",
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
    if _valid(form):
        rows = selectors.urgings(request.user, automatic=form.automatic())
    else:
        rows = Urging.objects.none()
    rows, order = _sorted(rows, request, {"at": "at", "number": "case__number"}, "-at")
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
        rows, request, {"issued": "issued_at", "due": "due_on", "number": "case__number"}, "-issued"
    )
    if request.GET.get("format") == "xlsx":
        return _export(request, excel.ALERTS, rows)
    context = _list_context(
        request, rows, form=form, order=order, today=clock.local_date(clock.now())
    )
    return render(request, "supervision/alerts.html", context)


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
        rows = selectors.supplement_waiting(user, form.waiting())
        counts = selectors.counts_per_department(rows)
    elif tab == "processing":
        rows = selectors.processing_limits_in_state(user, today, data["state"])
        counts = selectors.counts_per_department(rows)
    elif tab == "intake":
        rows = selectors.intake_limits(user, today)
        counts = selectors.counts_per_department(rows)
    else:
        rows = selectors.special_procedure_limits(user, today)
        counts = selectors.special_procedures_per_department(rows)
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
            cases = selectors.completed_between(
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
