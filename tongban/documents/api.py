"""Notices in the REST API (mounted at ``/api/v1/documents``): which notices a case
can print, and a notice in HTML, PDF, Word or Excel. Access through
``cases.access.get_case_for`` (out of scope is the same 404 as missing); a kind the
case cannot print is the service's 409 in the one error shape."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema

from tongban.cases.access import get_case_for

from . import notices, services
from .views import file_response

router = Router(tags=["documents"])


class NoticeOut(Schema):
    kind: str
    label: str
    formats: dict[str, str]


@router.get(
    "/cases/{number}/notices",
    response=list[NoticeOut],
    summary="The notices a case can print now",
    operation_id="list_case_notices",
)
def list_case_notices(request: HttpRequest, number: str):
    case = get_case_for(request.auth, number)
    from .models import NoticeKind

    base = reverse("api:print_case_notice", args=[number, "KIND"])
    return [
        {
            "kind": kind,
            "label": str(NoticeKind(kind).label),
            "formats": {
                fmt: base.replace("KIND", kind) + f"?format={fmt}" for fmt in notices.FORMATS
            },
        }
        for kind in notices.printable_kinds(case)
    ]


@router.get(
    "/cases/{number}/notices/{kind}",
    summary="Print a notice of a case",
    operation_id="print_case_notice",
    response={200: None},
)
def print_case_notice(
    request: HttpRequest,
    number: str,
    kind: Literal["acceptance", "rejection", "supplement", "completion"],
    format: Literal["html", "pdf", "docx", "xlsx"] = "pdf",
) -> HttpResponse:
    """The notice as a file (``Content-Disposition: attachment``); every print is
    audited (``notice.print``)."""
    case = get_case_for(request.auth, number)
    rendered = services.print_notice(
        actor=request.auth,
        case=case,
        kind=kind,
        fmt=format,
        at=timezone.now(),
        base_url=request.build_absolute_uri("/"),
    )
    return file_response(rendered, inline=False)
