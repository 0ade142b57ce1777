"""Statistics in the REST API: ``GET /api/v1/reports/{key}`` with ``from``, ``to``,
``as_of``, ``department`` answers statistics.md's JSON; ``format=xlsx|pdf|html`` (or
the ``{key}.xlsx`` / ``{key}.pdf`` paths) answers the file, an audited export. Scoped
like the pages: the caller's department subtree (supervisors: everything); without
the statistics module (the three administrators) the answer is 403.

Route order matters: the ``.xlsx``/``.pdf`` paths are declared before ``/{key}`` so
that ``acceptance.xlsx`` is not read as a report key."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from tongban.accounts.roles import Module
from tongban.accounts.selectors import user_modules
from tongban.core import clock
from tongban.core.errors import NotFound, PermissionDenied

from . import render
from .definitions import REPORTS, Report, build_report
from .schemas import ReportOut, ReportQuery

router = Router(tags=["reports"])


def _report(request, key: str, query: ReportQuery) -> Report:
    user = request.auth
    if Module.REPORTS not in user_modules(user):
        raise PermissionDenied(_("You do not have access to the statistics."))
    if key not in REPORTS:
        raise NotFound()
    return build_report(
        key,
        date_from=query.date_from,
        date_to=query.date_to,
        as_of=query.as_of or clock.now(),
        department=query.department or None,
        user=user,
    )


def _file(request, report: Report, fmt: str) -> HttpResponse:
    from .views import file_response

    content = render.export(report, fmt, actor=request.auth, at=clock.now())
    return file_response(content, fmt, render.filename(report, fmt))


@router.get("/{key}.xlsx", summary="A report as an Excel workbook", operation_id="report_xlsx")
def report_xlsx(request, key: str, query: Query[ReportQuery]):
    return _file(request, _report(request, key, query), "xlsx")


@router.get("/{key}.pdf", summary="A report as a PDF", operation_id="report_pdf")
def report_pdf(request, key: str, query: Query[ReportQuery]):
    return _file(request, _report(request, key, query), "pdf")


@router.get(
    "/{key}",
    response=ReportOut,
    summary="A report (statistics.md)",
    operation_id="report",
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    render.CONTENT_TYPES["xlsx"]: {},
                    "application/pdf": {},
                    "text/html": {},
                }
            }
        }
    },
)
def report(request, key: str, query: Query[ReportQuery]):
    """``key`` one of acceptance, workload, completion, monthly."""
    built = _report(request, key, query)
    if query.format != "json":
        return _file(request, built, query.format)
    return built.as_json()
