"""Public pages of the portal: the home page, the site search (全站搜索) and the service
guide (办事指南).

Thin views over ``tongban.catalog.public``: anything not public (a draft, an expired
item, a file of one) is a plain 404, the same as a mistyped address."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tongban.catalog import public
from tongban.catalog.models import HandlingType, Item
from tongban.core.clock import now
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.files import file_response
from tongban.dictionaries.models import ItemCategory, ItemType

from . import selectors

PAGE_SIZE = 20


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _filters(params) -> public.GuideFilters:
    online = params.get("online")
    return public.GuideFilters(
        q=params.get("q", "")[: public.MAX_QUERY_LENGTH],
        department=params.get("department", ""),
        handling_type=params.get("handling_type", ""),
        item_type=_int_or_none(params.get("item_type")),
        category=_int_or_none(params.get("category")),
        theme=_int_or_none(params.get("theme")),
        audience=params.get("audience", ""),
        online=True if online == "1" else None,
    )


@require_safe
def home(request):
    """The portal's home page: search, featured services, browsing by theme / life
    event / audience / department, the latest public announcements and answered
    questions, a quick progress query and this year's on-time figures."""
    return render(request, "portal/home.html", {"home": selectors.cached_home_sections(at=now())})


@require_safe
def search(request):
    """Site search across published items, public announcements and answered
    questions, grouped, a limited number per group."""
    raw = request.GET.get("q", "")
    results = selectors.site_search(raw, at=now())
    return render(
        request,
        "portal/search.html",
        {
            "results": results,
            "q": results.q,
            "truncated": len(raw.strip()) > selectors.MAX_QUERY_LENGTH,
            "max_length": selectors.MAX_QUERY_LENGTH,
        },
    )


@require_safe
def guide(request):
    """The searchable catalogue of published items."""
    filters = _filters(request.GET)
    error = None
    try:
        items = public.published_items(filters)
    except ValidationFailed as exc:
        error, items = exc.message, Item.objects.none()
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    published = Item.objects.published()
    return render(
        request,
        "portal/guide.html",
        {
            "filters": filters,
            "error": error,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "departments": public.department_tree(),
            "themes": public.theme_facets(),
            "audiences": public.audience_facets(),
            "handling_types": HandlingType.choices,
            "item_types": ItemType.objects.filter(items__in=published).distinct(),
            "categories": ItemCategory.objects.filter(items__in=published).distinct(),
        },
    )


def _item_or_404(code: str) -> Item:
    try:
        return public.item_guide(code)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@require_safe
def guide_item(request, code: str):
    """The service guide of one published item."""
    return render(request, "portal/guide_item.html", {"item": _item_or_404(code)})


@require_safe
def guide_print(request, code: str):
    """The same guide as a clean page to print (no navigation)."""
    return render(request, "portal/guide_print.html", {"item": _item_or_404(code)})


def _download(lookup, *args, **kwargs):
    try:
        stored = lookup(*args, **kwargs)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    return file_response(stored)


@require_safe
def material_blank(request, code: str, material_id: int):
    """Download a material's blank form (published items only)."""
    return _download(public.material_file, code, material_id)


@require_safe
def material_example(request, code: str, material_id: int):
    """Download a material's filled example (published items only)."""
    return _download(public.material_file, code, material_id, example=True)


@require_safe
def basis_document(request, basis_id: int):
    """Download a policy document that a published item rests on."""
    return _download(public.basis_document, basis_id)
