"""Pages of the documents app: printing a notice from the case page (office), the
public verification page behind the QR code (portal), and the template preview of
system management. Thin: access, parse, call the service, respond."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tongban.accounts.access import module_required
from tongban.cases.access import CASE_STAFF_MODULES, get_case_for
from tongban.cases.models import Case, StepKind, StepStatus
from tongban.core import clock as core_clock
from tongban.core.errors import DomainError, NotFound

from . import notices, services
from .models import NoticeKind


def file_response(rendered: notices.Rendered, *, inline: bool) -> HttpResponse:
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, rendered.filename)
    # A notice carries personal data: never kept by a shared cache or the browser.
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@module_required(*CASE_STAFF_MODULES)
@require_safe
def print_notice(request, number: str, kind: str, fmt: str):
    """The notice of ``kind`` of a case the user may see, in ``fmt``."""
    try:
        case = get_case_for(request.user, number)
    except NotFound as exc:
        raise Http404 from exc
    try:
        rendered = services.print_notice(
            actor=request.user,
            case=case,
            kind=kind,
            fmt=fmt,
            at=core_clock.now(),
            base_url=request.build_absolute_uri("/"),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(reverse("cases:detail", args=[case.number]))
    return file_response(rendered, inline=fmt in ("html", "pdf"))


def _progress(case: Case) -> list[dict]:
    steps = case.steps.filter(kind=StepKind.LEAD, status=StepStatus.DONE).order_by(
        "finished_at", "id"
    )
    return [{"name": s.name, "finished_on": s.finished_on} for s in steps]


@require_safe
def verify_notice(request):
    """Public: is the notice behind this QR code genuine? A forged or altered token,
    or one naming no case, is answered "not genuine" (200, so the page explains it
    to the citizen). The progress shown carries no personal data beyond the masked
    name."""
    payload = notices.read_token(request.GET.get("t", "")[:2000])
    case = None
    if payload is not None and payload["k"] in NoticeKind.values:
        case = Case.objects.select_related("department").filter(number=payload["n"]).first()
    if case is None:
        return render(request, "documents/verify.html", {"genuine": False})
    return render(
        request,
        "documents/verify.html",
        {
            "genuine": True,
            "case": case,
            "title": notices.TITLES[NoticeKind(payload["k"])],
            "issued_on": payload["d"],
            "steps": _progress(case),
        },
    )
