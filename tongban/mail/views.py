"""Office pages of internal mail: folders, reading, composing, inline images,
attachments and the quota administration. Thin: access, parse, call the service or
selector, respond; a ``DomainError`` becomes form errors on the re-rendered page."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tongban.accounts.access import holds_role, module_required
from tongban.accounts.models import User
from tongban.accounts.roles import Module, RoleCode
from tongban.core import clock
from tongban.core.errors import DomainError, NotFound, ValidationFailed
from tongban.core.files import file_response, open_stored
from tongban.core.ids import parse_id

from . import access, selectors, services
from .models import AddressKind, BoxKind, Folder

LIST_SIZE = 25
QUOTA_LIST_SIZE = 50


# Logged-in staff holding the personal-affairs module.
mail_required = module_required(Module.MAIL)


def _or_404(fetch, *args):
    try:
        return fetch(*args)
    except NotFound as exc:
        raise Http404 from exc


def _sidebar(user, current: str) -> dict:
    return {
        "folders": [(f.value, f.label) for f in Folder],
        "current_folder": current,
        "counts": selectors.folder_counts(user),
        "usage": selectors.mailbox_usage(user),
    }


# --- folders ------------------------------------------------------------------------------


@mail_required
@never_cache
def folder(request, folder: str = Folder.INBOX):
    if folder not in Folder.values:
        raise Http404
    query = request.GET.get("q", "")
    page = Paginator(selectors.folder_rows(request.user, folder, query), LIST_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mail/folder.html",
        {
            "page": page,
            "query": query,
            "folder_label": Folder(folder).label,
            **_sidebar(request.user, folder),
        },
    )


@mail_required
@require_POST
def bulk(request):
    """One action on the ticked mails of a folder."""
    ids = [pk for raw in request.POST.getlist("box") if (pk := parse_id(raw)) is not None]
    operation = request.POST.get("op", "")
    back = request.POST.get("next") or reverse("mail:inbox")
    if not back.startswith("/office/mail/"):
        back = reverse("mail:inbox")
    at = clock.now()
    actions = {
        "read": lambda: services.mark_read(actor=request.user, at=at, box_ids=ids),
        "unread": lambda: services.mark_read(actor=request.user, at=at, box_ids=ids, read=False),
        "trash": lambda: services.move_to_trash(actor=request.user, at=at, box_ids=ids),
        "restore": lambda: services.restore(actor=request.user, at=at, box_ids=ids),
        "delete": lambda: services.empty_trash(actor=request.user, at=at, box_ids=ids),
    }
    if operation not in actions:
        messages.error(request, _("Choose an action."))
        return redirect(back)
    if not ids:
        messages.error(request, _("Tick at least one mail."))
        return redirect(back)
    done = actions[operation]()
    messages.success(request, _("%(count)d mails updated.") % {"count": done})
    return redirect(back)


@mail_required
@require_POST
def empty_trash(request):
    count = services.empty_trash(actor=request.user, at=clock.now())
    messages.success(request, _("%(count)d mails deleted for good.") % {"count": count})
    return redirect("mail:folder", folder=Folder.TRASH)


# --- reading ------------------------------------------------------------------------------


@mail_required
@never_cache
def message(request, box_id: int):
    box = _or_404(access.get_box_for, request.user, box_id)
    if box.kind == BoxKind.SENDER and box.folder == Folder.DRAFTS:
        return redirect(f"{reverse('mail:compose')}?draft={box.pk}")
    if box.is_unread:
        services.mark_read(actor=request.user, at=clock.now(), box_ids=[box.pk])
    mail = box.message
    addresses = list(mail.addresses.select_related("user", "department", "role"))
    return render(
        request,
        "mail/message.html",
        {
            "box": box,
            "mail": mail,
            "to": [a for a in addresses if a.kind == AddressKind.TO],
            "cc": [a for a in addresses if a.kind == AddressKind.CC],
            "attachments": list(mail.attachments.all()),
            **_sidebar(request.user, box.folder),
        },
    )


@mail_required
@require_POST
def box_action(request, box_id: int, op: str):
    box = _or_404(access.get_box_for, request.user, box_id)
    at = clock.now()
    if op == "trash":
        services.move_to_trash(actor=request.user, at=at, box_ids=[box.pk])
        messages.success(request, _("The mail was moved to the trash."))
        return redirect("mail:folder", folder=box.folder)
    if op == "restore":
        services.restore(actor=request.user, at=at, box_ids=[box.pk])
        messages.success(request, _("The mail was restored."))
        return redirect("mail:message", box_id=box.pk)
    if op == "unread":
        services.mark_read(actor=request.user, at=at, box_ids=[box.pk], read=False)
        return redirect("mail:folder", folder=box.folder)
    raise Http404


@mail_required
def attachment(request, box_id: int, attachment_id: int):
    found = _or_404(access.get_attachment_for, request.user, box_id, attachment_id)
    return file_response(found.file, filename=found.name)


@mail_required
def image(request, image_id: uuid.UUID):
    """An inline image, shown in the page (PNG/JPEG only, checked at upload)."""
    found = _or_404(access.get_image_for, request.user, image_id)
    response = FileResponse(open_stored(found.file), content_type=found.file.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@mail_required
@require_POST
def upload_image(request):
    """The editor's image upload: ``{"url": …}`` or ``{"code", "message", "fields"}``."""
    upload = request.FILES.get("image")
    if upload is None:
        error = ValidationFailed(_("Choose an image."), fields={"image": [_("Choose an image.")]})
        return JsonResponse(error.as_dict(), status=error.status)
    try:
        stored = services.upload_image(actor=request.user, at=clock.now(), upload=upload)
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"url": reverse("mail:image", args=[stored.pk])}, status=201)


# --- composing ----------------------------------------------------------------------------


def _body_from_post(post) -> str:
    """The editor posts HTML; without JavaScript the textarea holds plain text."""
    body = post.get("body", "")
    if post.get("body_format") != "html":
        body = linebreaks(escape(body))
    return body


def _quote(box) -> str:
    mail = box.message
    header = _("On %(date)s, %(sender)s wrote:") % {
        "date": clock.local_date(mail.sent_at).isoformat() if mail.sent_at else "",
        "sender": escape(mail.sender.display_name),
    }
    return f"<p><br></p><p>{header}</p><blockquote>{mail.body_html}</blockquote>"


@mail_required
@never_cache
def compose(request):
    user = request.user
    draft_box = forward_box = None
    if request.method == "POST":
        if request.POST.get("draft"):
            draft_box = _or_404(access.get_draft_for, user, request.POST["draft"])
        if request.POST.get("forward"):
            forward_box = _or_404(access.get_box_for, user, request.POST["forward"])
        values = {
            "subject": request.POST.get("subject", ""),
            "body": _body_from_post(request.POST),
            "to": request.POST.getlist("to"),
            "cc": request.POST.getlist("cc"),
        }
        sending = request.POST.get("action") == "send"
        service = services.send_message if sending else services.save_draft
        try:
            mail = service(
                actor=user,
                at=clock.now(),
                subject=values["subject"],
                body_html=values["body"],
                to=values["to"],
                cc=values["cc"],
                uploads=request.FILES.getlist("attachments"),
                draft=draft_box.message if draft_box else None,
                remove_attachments=[
                    pk
                    for raw in request.POST.getlist("remove_attachment")
                    if (pk := parse_id(raw)) is not None
                ],
                attachments_from=forward_box.message if forward_box else None,
            )
        except DomainError as exc:
            return _compose_page(
                request, values, errors=exc, draft_box=draft_box, forward_box=forward_box
            )
        if sending:
            messages.success(request, _("The mail was sent."))
            return redirect("mail:folder", folder=Folder.SENT)
        box = mail.boxes.get(user=user, kind=BoxKind.SENDER)
        messages.success(request, _("The draft was saved."))
        return redirect(f"{reverse('mail:compose')}?draft={box.pk}")

    values = {"subject": "", "body": "", "to": [], "cc": []}
    if request.GET.get("draft"):
        draft_box = _or_404(access.get_draft_for, user, request.GET["draft"])
        mail = draft_box.message
        addresses = list(mail.addresses.all())
        values = {
            "subject": mail.subject,
            "body": mail.body_html,
            "to": [a.token for a in addresses if a.kind == AddressKind.TO],
            "cc": [a.token for a in addresses if a.kind == AddressKind.CC],
        }
    elif request.GET.get("reply"):
        source = _or_404(access.get_box_for, user, request.GET["reply"])
        values["subject"] = _reply_subject(source.message.subject, _("Re: "))
        values["body"] = _quote(source)
        values["to"] = [f"u:{source.message.sender_id}"]
    elif request.GET.get("forward"):
        forward_box = _or_404(access.get_box_for, user, request.GET["forward"])
        values["subject"] = _reply_subject(forward_box.message.subject, _("Fwd: "))
        values["body"] = _quote(forward_box)
    elif request.GET.get("to", "").startswith(("u:", "d:", "r:")):
        values["to"] = [request.GET["to"]]
    return _compose_page(request, values, draft_box=draft_box, forward_box=forward_box)


def _reply_subject(subject: str, prefix: str) -> str:
    return subject if subject.startswith(prefix) else f"{prefix}{subject}"[:200]


def _address_groups() -> list:
    choices = selectors.recipient_choices()
    people = [
        (f"u:{u.pk}", f"{u.display_name} · {u.department.name}" if u.department else u.display_name)
        for u in choices["users"]
    ]
    departments = [(f"d:{d.pk}", "　" * max(d.depth, 0) + d.name) for d in choices["departments"]]
    roles = [(f"r:{r.pk}", str(r)) for r in choices["roles"]]
    return [(_("People"), people), (_("Departments"), departments), (_("Roles"), roles)]


def _compose_page(request, values, *, errors=None, draft_box=None, forward_box=None):
    fields = errors.fields if errors is not None else {}
    return render(
        request,
        "mail/compose.html",
        {
            "values": values,
            "error": errors,
            "field_errors": {k: [str(m) for m in v] for k, v in fields.items()},
            "draft_box": draft_box,
            "forward_box": forward_box,
            "kept_attachments": list(draft_box.message.attachments.all()) if draft_box else [],
            "forwarded_attachments": (
                list(forward_box.message.attachments.all()) if forward_box else []
            ),
            "address_groups": _address_groups(),
            **_sidebar(request.user, "compose"),
        },
        status=422 if errors is not None else 200,
    )


# --- quotas -------------------------------------------------------------------------------


# The quota administration is the system administrator's (by role).
system_admin_required = module_required(also=holds_role(RoleCode.SYSTEM_ADMIN))


@system_admin_required
@never_cache
def quotas(request):
    """The system administrator's page: the default quota and per-user overrides."""
    query = request.GET.get("q", "")
    page = Paginator(selectors.quota_rows(query), QUOTA_LIST_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mail/quotas.html",
        {
            "page": page,
            "query": query,
            "default_bytes": selectors.default_quota_bytes(),
        },
    )


@system_admin_required
@require_POST
def set_quota(request, user_id: int):
    target = User.objects.filter(pk=user_id, is_active=True).first()
    if target is None:
        raise Http404
    raw = request.POST.get("limit_mb", "").strip()
    back = request.POST.get("next") or reverse("mail:quotas")
    if not back.startswith("/office/mail/"):
        back = reverse("mail:quotas")
    try:
        if raw and not (raw.isascii() and raw.isdigit()):
            raise ValidationFailed(
                _("Enter the quota as a whole number of MB."),
                fields={"limit_mb": [_("Enter the quota as a whole number of MB.")]},
            )
        services.set_quota(
            actor=request.user, at=clock.now(), user=target, limit_mb=int(raw) if raw else None
        )
    except DomainError as exc:
        messages.error(
            request,
            _("%(user)s: %(message)s") % {"user": target.display_name, "message": exc.message},
        )
        return redirect(back)
    messages.success(
        request, _("The mail quota of %(user)s was saved.") % {"user": target.display_name}
    )
    return redirect(back)
