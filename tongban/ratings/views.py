"""Ratings pages. Portal: rating one's own completed case, and the public supervision
figures. Office: the bad-rating follow-ups (heads close them) and the ratings summary
per department and item with its Excel export. Thin: access, parse, call, respond."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tongban.accounts.access import holds_role, module_required
from tongban.accounts.roles import Module, RoleCode
from tongban.audit.export import neutralise
from tongban.audit.services import record_event
from tongban.cases.models import CaseStatus
from tongban.citizens.access import get_case_for_citizen
from tongban.core import clock
from tongban.core.errors import DomainError, NotFound
from tongban.core.excel import table_workbook

from . import forms, selectors, services
from .access import get_follow_up_for
from .models import FollowUpStatus, Rating, RatingLevel

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- portal ---------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def rate(request, case_number: str):
    """Rate one's own case. Not logged in: to the citizens' login (404 while there is
    none); any case that is not the citizen's: 404, as for a missing one."""
    citizen = request.citizen
    if citizen is None:
        return redirect(f"{reverse('citizens:login')}?{urlencode({'next': request.path})}")
    case = get_case_for_citizen(citizen, case_number)
    rating = Rating.objects.filter(case=case).first()
    form = forms.RateForm(request.POST or None)
    status = 200
    if request.method == "POST" and rating is None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.rate_case(
                    case=case,
                    level=data["level"],
                    comment=data["comment"],
                    reason=data["reason"],
                    citizen=citizen,
                    at=clock.now(),
                )
            except DomainError as exc:
                for field, problems in exc.fields.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Thank you for your rating."))
                return redirect("ratings_public:rate", case_number=case.number)
        status = 422
    return render(
        request,
        "ratings/rate.html",
        {
            "case": case,
            "rating": rating,
            "completed": case.status == CaseStatus.COMPLETED,
            "form": form,
            "levels": RatingLevel,
        },
        status=status,
    )


@require_safe
def figures(request):
    """Public supervision figures per department, this calendar year (or an earlier
    year asked for)."""
    now = clock.now()
    this_year = clock.local_date(now).year
    form = forms.YearForm(request.GET or None)
    year = this_year
    if form.is_valid() and form.cleaned_data.get("year"):
        year = min(form.cleaned_data["year"], this_year)
    rows = selectors.cached_figures(year, at=now)
    widest = max([r["accepted"] for r in rows] or [0])
    return render(
        request,
        "ratings/figures.html",
        {
            "rows": rows,
            "year": year,
            "years": list(range(this_year, this_year - 5, -1)),
            "widest": widest,
        },
    )


# --- office ---------------------------------------------------------------------------


# Supervisors and department heads (who see their own department's ratings and close
# its follow-ups).
ratings_staff_required = module_required(
    Module.SUPERVISION, also=holds_role(RoleCode.DEPARTMENT_HEAD)
)


@ratings_staff_required
@require_safe
def follow_ups(request):
    user = request.user
    status = request.GET.get("status", FollowUpStatus.OPEN)
    if status not in FollowUpStatus.values:
        status = FollowUpStatus.OPEN
    page = Paginator(selectors.follow_ups(user, status=status), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ratings/follow_ups.html",
        {
            "page": page,
            "status": status,
            "today": clock.local_date(clock.now()),
            "statuses": FollowUpStatus,
        },
    )


def _follow_up_or_404(user, pk):
    try:
        return get_follow_up_for(user, pk)
    except NotFound as exc:
        raise Http404 from exc


def _may_close(user, follow_up) -> bool:
    from tongban.accounts.scoping import works_in

    return (
        follow_up.status == FollowUpStatus.OPEN
        and user.has_role(RoleCode.DEPARTMENT_HEAD)
        and works_in(user, follow_up.department)
    )


@ratings_staff_required
@require_safe
def follow_up(request, pk: int):
    user = request.user
    item = _follow_up_or_404(user, pk)
    return render(
        request,
        "ratings/follow_up.html",
        {"follow_up": item, "form": forms.CloseFollowUpForm(), "may_close": _may_close(user, item)},
    )


@ratings_staff_required
@require_POST
def close(request, pk: int):
    user = request.user
    item = _follow_up_or_404(user, pk)
    form = forms.CloseFollowUpForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.close_follow_up(
                actor=user, follow_up=item, note=form.cleaned_data["note"], at=clock.now()
            )
        except DomainError as exc:
            if "note" in exc.fields:
                for problem in exc.fields["note"]:
                    form.add_error("note", problem)
            else:
                error = exc.message
        else:
            messages.success(request, _("The follow-up was closed."))
            return redirect("ratings:follow_up", pk=item.pk)
    return render(
        request,
        "ratings/follow_up.html",
        {"follow_up": item, "form": form, "may_close": _may_close(user, item), "error": error},
        status=422,
    )


def _year(request) -> int:
    form = forms.YearForm(request.GET or None)
    if form.is_valid() and form.cleaned_data.get("year"):
        return form.cleaned_data["year"]
    return clock.local_date(clock.now()).year


@ratings_staff_required
@require_safe
def summary(request):
    user = request.user
    year = _year(request)
    return render(
        request,
        "ratings/summary.html",
        {
            "summary": selectors.ratings_summary(user, year),
            "year": year,
            "years": selectors.rating_years(user, at=clock.now()),
            "levels": list(RatingLevel),
        },
    )


@ratings_staff_required
@require_safe
def summary_export(request):
    user = request.user
    year = _year(request)
    data = selectors.ratings_summary(user, year)
    levels = list(RatingLevel)
    header = [(_("Department"), 30), (_("Item"), 36)]
    header += [(str(level.label), 10) for level in levels]
    header += [(_("Number of ratings"), 10), (_("Average"), 10), (_("Bad-rating rate (%)"), 14)]

    def lines():
        for row in data["departments"]:
            yield [
                neutralise(row["department__name"]),
                "",
                *row["levels"],
                row["count"],
                _num(row["average"]),
                _num(row["bad_rate"]),
            ]
        for row in data["items"]:
            yield [
                neutralise(row["department__name"]),
                neutralise(row["item_name"]),
                *row["levels"],
                row["count"],
                _num(row["average"]),
                _num(row["bad_rate"]),
            ]

    content, count = table_workbook(_("Ratings %(year)d") % {"year": year}, header, lines())
    record_event(
        actor=user,
        action="rating.export",
        object_type="rating",
        message=f"year={year} rows={count}",
        at=clock.now(),
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"ratings-{year}.xlsx")
    return response


def _num(value):
    return float(value) if value is not None else None
