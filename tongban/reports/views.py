"""Office pages of the statistics (业务统计), mounted at ``/office/reports/``: each
report with its filters, its table (every figure a link to the cases behind it,
evaluated at the same ``as_of``), a chart where a picture helps, and the same report
as a print view, JSON, Excel and PDF (``?format=``). Thin: access, parse, call the
report definitions, respond; every figure is scoped to ``request.user``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header

from tongban.accounts.access import module_required
from tongban.accounts.roles import Module
from tongban.core import clock
from tongban.core.errors import DomainError

from . import render as output
from .definitions import REPORTS, TOTAL_NAME, build_report, cases_behind
from .forms import ReportForm

LIST_SIZE = 25

# The reports a chart helps: which column is drawn, and how.
CHARTS = {
    "completion": {"kind": "bar", "columns": ["completion_rate"]},
    "monthly": {"kind": "line", "columns": ["accepted", "completed", "in_progress"]},
}


# Statistics are a business module (Module.REPORTS): department and section heads and
# supervisors; the three administrators never see business data.
reports_required = module_required(Module.REPORTS)


def _key(key: str) -> str:
    if key not in REPORTS:
        raise Http404
    return key


def file_response(content: bytes, fmt: str, name: str) -> HttpResponse:
    """A report file: the print view inline, the others as attachments."""
    response = HttpResponse(content, content_type=output.CONTENT_TYPES[fmt])
    if fmt in ("xlsx", "pdf"):
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=name
        )
    return response


def _cases_url(key: str, query: dict[str, str], column: str, row: str) -> str:
    return (
        reverse("reports:cases", args=[key])
        + "?"
        + urlencode({**query, "column": column, "row": row})
    )


def _chart(report, lines, links) -> dict | None:
    chart = CHARTS.get(report.key)
    if chart is None:
        return None
    labels = {c.key: output.column_label(c) for c in report.columns}
    points = [line for line in lines if not line.is_total]
    return {
        "kind": chart["kind"],
        "categories": [line.label for line in points],
        "series": [
            {
                "key": column,
                "name": labels[column],
                "data": [
                    None if v is None else float(v)
                    for v in (
                        next(c.value for c in line.cells if c.column == column) for line in points
                    )
                ],
                "links": [links[(line.key, column)] for line in points],
            }
            for column in chart["columns"]
            if column in labels
        ],
    }


@reports_required
def index(request):
    """The list of the four reports."""
    reports = [(key, output.title(key)) for key in REPORTS]
    return render(request, "reports/index.html", {"reports": reports})


@reports_required
def report(request, key: str):
    """One report: the page, or ``?format=html|json|xlsx|pdf`` (print view, data,
    files — each export audited)."""
    key = _key(key)
    form = ReportForm(request.GET, user=request.user)
    fmt = request.GET.get("format", "")
    context = {"key": key, "title": output.title(key), "form": form, "reports": REPORTS}
    if not form.is_valid():
        if fmt in output.FORMATS:
            return HttpResponse(status=400)
        return render(request, "reports/report.html", context, status=400)
    params = form.params()
    try:
        built = build_report(key, **params.as_kwargs(), user=request.user)
    except DomainError as error:
        form.add_error(None, str(error.message))
        return render(request, "reports/report.html", context, status=400)
    if fmt in output.FORMATS:
        content = output.export(built, fmt, actor=request.user, at=clock.now())
        return file_response(content, fmt, output.filename(built, fmt))
    query = params.as_query()
    lines = output.table(built)
    links = {
        (line.key, cell.column): _cases_url(key, query, cell.column, line.key)
        for line in lines
        for cell in line.cells
    }
    rows = [
        (
            line,
            [
                (cell.column, output.display(cell.value), links[(line.key, cell.column)])
                for cell in line.cells
            ],
        )
        for line in lines
    ]
    exports = {fmt: "?" + urlencode({**query, "format": fmt}) for fmt in output.FORMATS}
    context.update(
        report=built,
        params=params,
        label_columns=output.label_columns(built),
        columns=[(c.key, output.column_label(c)) for c in built.columns],
        rows=rows,
        width=len(output.label_columns(built)) + len(built.columns),
        chart=_chart(built, lines, links),
        exports=exports,
    )
    return render(request, "reports/report.html", context)


@reports_required
def report_cases(request, key: str):
    """The cases behind one figure (``?column=&row=`` plus the report's parameters),
    paginated; their number is the figure when the parameters are the same."""
    key = _key(key)
    form = ReportForm(request.GET, user=request.user)
    column, row = request.GET.get("column", ""), request.GET.get("row", "")
    if not form.is_valid() or not column or not row:
        raise Http404
    params = form.params()
    try:
        cases = cases_behind(key, column, row, **params.as_kwargs(), user=request.user)
    except (DomainError, KeyError, ValueError):
        raise Http404 from None
    page = Paginator(cases.select_related("department", "item"), LIST_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    report_query = query.copy()
    report_query.pop("column", None)
    report_query.pop("row", None)
    context = {
        "key": key,
        "title": output.title(key),
        "column": column,
        "row": row,
        "params": params,
        "page": page,
        "query": query.urlencode(),
        "report_url": reverse("reports:report", args=[key]) + "?" + report_query.urlencode(),
        "row_label": TOTAL_NAME if row == output.TOTAL else row,
    }
    return render(request, "reports/cases.html", context)
