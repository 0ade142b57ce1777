"""Office pages of public information: announcements (list, page, form, read receipts),
categories, and the phone directory with its Excel export. Thin: access, parse, call
the service or selector, respond."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.access import holds_role, module_required
from tongban.accounts.roles import Module, RoleCode
from tongban.core import clock
from tongban.core.errors import DomainError, NotFound, ValidationFailed
from tongban.core.files import file_response
from tongban.core.ids import parse_id

from . import access, selectors, services
from .forms import AnnouncementForm, CategoryForm, DirectoryEntryForm, DirectorySearchForm
from .models import AnnouncementCategory, AudienceKind

LIST_SIZE = 20
DIRECTORY_SIZE = 50
EXPORT_LIMIT = 10_000  # rows of one Excel export (security.md: export size capped)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Announcements and the directory are for everyone in the organisation (each list
# filters by audience); publishing and manual directory entries need the BULLETIN
# module; the categories a permission of their own (``access.can_manage_categories``).
staff_required = module_required(also=access.is_staff_user)
publisher_required = module_required(Module.BULLETIN)
category_admin_required = module_required(also=access.can_manage_categories)


def _add_errors(form, errors: dict, message: str = "") -> None:
    """Service messages onto a bound form, without repeating the form's own."""
    if not errors and message:
        errors = {"__all__": [message]}
    for field, messages_ in errors.items():
        target = field if field in form.fields else None
        have = form.errors.get(target or "__all__", [])
        for text in messages_ or [message]:
            if str(text) not in have:
                form.add_error(target, str(text))


def _or_404(fetch, *args, **kwargs):
    try:
        return fetch(*args, **kwargs)
    except NotFound as exc:
        raise Http404 from exc


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# --- announcements ---------------------------------------------------------------------


@staff_required
def announcement_list(request):
    """All announcements addressed to the user, pinned first; by category, searched."""
    at = clock.now()
    categories = AnnouncementCategory.objects.filter(is_active=True)
    category_id = _int_or_none(request.GET.get("category"))
    category = next((c for c in categories if c.pk == category_id), None)
    q = request.GET.get("q", "")[: selectors.MAX_QUERY_LENGTH]
    rows = selectors.announcement_list(request.user, at, category=category, q=q)
    page = Paginator(rows, LIST_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "bulletin/list.html",
        {
            "page": page,
            "categories": categories,
            "category": category,
            "q": q,
            "query": query.urlencode(),
            "can_publish": access.can_publish(request.user),
            "can_manage_categories": access.can_manage_categories(request.user),
            "mine": selectors.my_announcements(request.user)[:10]
            if access.can_publish(request.user)
            else [],
            "unread_count": selectors.unread_count(request.user, at),
        },
    )


@staff_required
def announcement_detail(request, pk: int):
    """The announcement; opening it as one of its audience records the read receipt."""
    at = clock.now()
    announcement = _or_404(access.get_announcement_for, request.user, pk, at=at)
    addressed = (
        announcement.is_published(at)
        and selectors.visible_announcements(request.user, at).filter(pk=pk).exists()
    )
    if addressed:
        services.mark_read(actor=request.user, announcement=announcement, at=at)
    return render(
        request,
        "bulletin/detail.html",
        {
            "announcement": announcement,
            "attachments": announcement.attachments.select_related("file"),
            "can_edit": access.can_edit(request.user, announcement),
            "published": announcement.is_published(at),
        },
    )


@staff_required
def attachment_download(request, pk: int, attachment_id: int):
    announcement = _or_404(access.get_announcement_for, request.user, pk, at=clock.now())
    attachment = _or_404(access.get_attachment, announcement, attachment_id)
    return file_response(attachment.file, filename=attachment.name)


def _announcement_arguments(data: dict) -> dict:
    audience = data["audience"]
    return {
        "title": data["title"],
        "category": data["category"],
        "body": data["body"],
        "audience": audience,
        "departments": list(data["departments"]),
        "roles": list(data["roles"]),
        "pinned": data["pinned"],
        "publish_until": data["publish_until"],
    }


@publisher_required
def announcement_create(request):
    form = AnnouncementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        at = clock.now()
        data = form.cleaned_data
        try:
            announcement = services.publish_announcement(
                actor=request.user,
                publish_from=data["publish_from"] or at,
                attachments=data["attachments"],
                at=at,
                **_announcement_arguments(data),
            )
        except DomainError as exc:
            _add_errors(form, exc.fields, str(exc.message))
        else:
            messages.success(request, _("The announcement was published."))
            return redirect("bulletin:detail", announcement.pk)
    return render(
        request,
        "bulletin/form.html",
        {"form": form, "announcement": None, "audience_kinds": AudienceKind},
    )


@publisher_required
def announcement_edit(request, pk: int):
    announcement = _or_404(access.get_announcement_to_edit, request.user, pk)
    attachments = list(announcement.attachments.all())
    initial = {
        "title": announcement.title,
        "category": announcement.category_id,
        "audience": announcement.audience,
        "departments": list(announcement.departments.all()),
        "roles": list(announcement.roles.all()),
        "body": announcement.body,
        "pinned": announcement.pinned,
        "publish_from": announcement.publish_from,
        "publish_until": announcement.publish_until,
    }
    form = AnnouncementForm(
        request.POST or None, request.FILES or None, initial=initial, attachments=attachments
    )
    if request.method == "POST" and form.is_valid():
        at = clock.now()
        data = form.cleaned_data
        try:
            services.update_announcement(
                actor=request.user,
                announcement=announcement,
                publish_from=data["publish_from"] or announcement.publish_from,
                add_attachments=data["attachments"],
                remove_attachments=data.get("remove_attachments", []),
                at=at,
                **_announcement_arguments(data),
            )
        except DomainError as exc:
            _add_errors(form, exc.fields, str(exc.message))
        else:
            messages.success(request, _("The announcement was saved."))
            return redirect("bulletin:detail", announcement.pk)
    return render(
        request,
        "bulletin/form.html",
        {"form": form, "announcement": announcement, "audience_kinds": AudienceKind},
    )


@require_POST
@publisher_required
def announcement_withdraw(request, pk: int):
    announcement = _or_404(access.get_announcement_to_edit, request.user, pk)
    try:
        services.withdraw_announcement(
            actor=request.user, announcement=announcement, at=clock.now()
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The announcement was withdrawn."))
    return redirect("bulletin:detail", announcement.pk)


@publisher_required
def announcement_receipts(request, pk: int):
    """Who has read the announcement, and who of its audience has not yet."""
    announcement = _or_404(access.get_announcement_to_edit, request.user, pk)
    return render(
        request,
        "bulletin/receipts.html",
        {"announcement": announcement, "receipts": selectors.read_receipts(announcement)},
    )


# --- categories ------------------------------------------------------------------------


def _category_or_404(pk: int) -> AnnouncementCategory:
    found = AnnouncementCategory.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@category_admin_required
def categories(request):
    """公告信息类别: the list and a form to add one."""
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_category(actor=request.user, at=clock.now(), **form.cleaned_data)
        except DomainError as exc:
            _add_errors(form, exc.fields, str(exc.message))
        else:
            messages.success(request, _("The category was saved."))
            return redirect("bulletin:categories")
    rows = AnnouncementCategory.objects.all()
    return render(
        request,
        "bulletin/categories.html",
        {"form": form, "categories": rows, "can_manage_categories": True},
    )


@category_admin_required
def category_edit(request, pk: int):
    category = _category_or_404(pk)
    initial = {
        "code": category.code,
        "name": category.name,
        "sort_order": category.sort_order,
        "is_active": category.is_active,
        "is_public": category.is_public,
    }
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_category(
                actor=request.user, category=category, at=clock.now(), **form.cleaned_data
            )
        except DomainError as exc:
            _add_errors(form, exc.fields, str(exc.message))
        else:
            messages.success(request, _("The category was saved."))
            return redirect("bulletin:categories")
    return render(request, "bulletin/category_form.html", {"form": form, "category": category})


@require_POST
@category_admin_required
def category_delete(request, pk: int):
    category = _category_or_404(pk)
    try:
        services.delete_category(actor=request.user, category=category, at=clock.now())
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The category was deleted."))
    return redirect("bulletin:categories")


# --- the phone directory ---------------------------------------------------------------


@staff_required
def directory(request):
    """电话号码: one search box over unit, office, name, position and number, a unit
    filter, pages of 50, and the same list as Excel (``?format=xlsx``)."""
    form = DirectorySearchForm(request.GET or None)
    q, unit = "", None
    if form.is_bound and form.is_valid():
        q, unit = form.cleaned_data["q"], form.cleaned_data["unit"]
    rows = selectors.directory_entries(q=q, unit=unit)
    if request.GET.get("format") == "xlsx":
        content = services.export_directory(
            actor=request.user, entries=rows[:EXPORT_LIMIT], at=clock.now()
        )
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=_("Phone directory") + ".xlsx"
        )
        return response
    page = Paginator(rows, DIRECTORY_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    export_query = query.copy()
    export_query["format"] = "xlsx"
    return render(
        request,
        "bulletin/directory.html",
        {
            "form": form if form.is_bound else DirectorySearchForm(),
            "page": page,
            "query": query.urlencode(),
            "export_query": export_query.urlencode(),
            "reveal_mobile": access.can_publish(request.user),
            "can_edit": access.can_publish(request.user),
            "can_manage_categories": access.can_manage_categories(request.user),
        },
    )


@publisher_required
def directory_entry_form(request, pk: int | None = None):
    """A manual entry (an office's line); an account's entry follows the account."""
    entry = _or_404(access.get_directory_entry_to_edit, request.user, pk) if pk else None
    initial = {}
    if entry is not None:
        initial = {
            "unit": entry.unit_id,
            "office": entry.office,
            "name": entry.name,
            "position": entry.position,
            "number": entry.number,
            "mobile": entry.mobile,
            "sort_order": entry.sort_order,
        }
    form = DirectoryEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_directory_entry(
                actor=request.user, entry=entry, at=clock.now(), **form.cleaned_data
            )
        except ValidationFailed as exc:
            _add_errors(form, exc.fields, str(exc.message))
        else:
            messages.success(request, _("The directory entry was saved."))
            return redirect("bulletin:directory")
    return render(request, "bulletin/directory_form.html", {"form": form, "entry": entry})


@require_POST
@publisher_required
def directory_entry_delete(request, pk: int):
    entry = _or_404(access.get_directory_entry_to_edit, request.user, pk)
    services.delete_directory_entry(actor=request.user, entry=entry, at=clock.now())
    messages.success(request, _("The directory entry was deleted."))
    return redirect("bulletin:directory")


@module_required(also=holds_role(RoleCode.SECURITY_ADMIN))
def category_maintainers(request):
    """The security administrator grants and takes back the right to maintain the
    announcement categories (公告信息类别), like every other permission (三员分立)."""
    from django.contrib.auth.models import Group

    from tongban.accounts.models import User

    error = ""
    if request.method == "POST":
        kind, _sep, raw = request.POST.get("subject", "").partition(":")
        model = {"u": User, "g": Group}.get(kind)
        pk = parse_id(raw)
        subject = model.objects.filter(pk=pk).first() if model and pk is not None else None
        if subject is None:
            error = _("Choose a user or a group.")
        else:
            try:
                services.set_category_maintainer(
                    actor=request.user,
                    allowed=request.POST.get("allowed") == "1",
                    user=subject if kind == "u" else None,
                    group=subject if kind == "g" else None,
                    at=clock.now(),
                )
            except DomainError as exc:
                error = str(exc.message)
            else:
                messages.success(request, _("The permission was changed."))
                return redirect("bulletin:category_maintainers")
    return render(
        request,
        "bulletin/category_maintainers.html",
        {
            "holders": selectors.category_maintainers(),
            "users": User.objects.filter(is_active=True).order_by("username"),
            "groups": Group.objects.order_by("name"),
            "error": error,
        },
        status=422 if error else 200,
    )
