"""The portal's news and notices (政务公开): public announcements only. Anything not
public, not published yet, expired or withdrawn is a plain 404. No JavaScript needed."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tongban.core import clock
from tongban.core.errors import NotFound
from tongban.core.files import file_response

from . import access, selectors

PAGE_SIZE = 15


@require_safe
def news_list(request):
    categories = list(selectors.public_categories())
    code = request.GET.get("category", "")
    category = next((c for c in categories if c.code == code), None)
    rows = selectors.public_announcements(clock.now(), category=category)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "bulletin/public/list.html",
        {"page": page, "categories": categories, "category": category},
    )


def _public_or_404(pk: int):
    try:
        return access.get_public_announcement(pk, at=clock.now())
    except NotFound as exc:
        raise Http404 from exc


@require_safe
def news_detail(request, pk: int):
    announcement = _public_or_404(pk)
    return render(
        request,
        "bulletin/public/detail.html",
        {
            "announcement": announcement,
            "attachments": announcement.attachments.select_related("file"),
        },
    )


@require_safe
def news_attachment(request, pk: int, attachment_id: int):
    announcement = _public_or_404(pk)
    try:
        attachment = access.get_attachment(announcement, attachment_id)
    except NotFound as exc:
        raise Http404 from exc
    return file_response(attachment.file, filename=attachment.name)
