"""Reads of internal mail: folder listings with search, unread counts, quota usage,
the workbench card and the quota administration list."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TypedDict

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from tongban.accounts.models import Department, Role, User

from .models import BoxKind, Folder, InlineImage, Mailbox, MailQuota


class WorkbenchMail(TypedDict):
    """The workbench card (``workbench_mail``)."""

    unread: int
    latest: list[Mailbox]


class RecipientChoices(TypedDict):
    """What the compose form offers (``recipient_choices``)."""

    users: list[User]
    departments: list[Department]
    roles: list[Role]


MB = 1024 * 1024


def default_quota_bytes() -> int:
    return int(settings.TONGBAN_MAIL_QUOTA_MB) * MB


@dataclass(frozen=True)
class Usage:
    used: int
    limit: int
    overridden: bool

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.used / self.limit)) if self.limit else 100

    @property
    def level(self) -> str:
        """Bootstrap colour of the usage bar."""
        return "danger" if self.percent >= 90 else "warning" if self.percent >= 75 else "success"


def mailbox_usage(user: User) -> Usage:
    """Bytes of every mail in the user's mailbox (trash included, until emptied)
    against the user's quota."""
    used: int = Mailbox.objects.of(user).aggregate(total=Sum("message__size_bytes"))["total"] or 0
    override = MailQuota.objects.filter(user=user).values_list("limit_bytes", flat=True).first()
    return Usage(used, override or default_quota_bytes(), override is not None)


def folder_rows(user: User, folder: str, query: str = "") -> QuerySet[Mailbox]:
    """The user's mail in ``folder``, newest first; ``query`` matches the subject,
    the body text or the sender's name."""
    rows = (
        Mailbox.objects.of(user)
        .filter(folder=folder)
        .select_related("message", "message__sender")
        .annotate(attachment_count=Count("message__attachments"))
        .order_by("-filed_at", "-pk")
    )
    query = (query or "").strip()[:100]
    if query:
        rows = rows.filter(
            Q(message__subject__icontains=query)
            | Q(message__body_text__icontains=query)
            | Q(message__sender__full_name__icontains=query)
            | Q(message__sender__username__icontains=query)
        )
    return rows


def folder_counts(user: User) -> dict[str, int]:
    """Unread mail in the inbox, and the number of drafts and of mails in the trash."""
    counts: dict[str, int] = Mailbox.objects.of(user).aggregate(
        inbox=Count("pk", filter=Q(folder=Folder.INBOX, read_at__isnull=True)),
        drafts=Count("pk", filter=Q(folder=Folder.DRAFTS)),
        trash=Count("pk", filter=Q(folder=Folder.TRASH)),
    )
    return counts


def unread_inbox(user: User) -> QuerySet[Mailbox]:
    return (
        Mailbox.objects.of(user)
        .filter(folder=Folder.INBOX, read_at__isnull=True)
        .exclude(kind=BoxKind.SENDER)
        .select_related("message", "message__sender")
        .order_by("-filed_at", "-pk")
    )


def workbench_mail(user: User, limit: int = 5) -> WorkbenchMail:
    """The workbench card: the number of unread mails and the latest ``limit``."""
    rows = unread_inbox(user)
    return {"unread": rows.count(), "latest": list(rows[:limit])}


def may_see_image(user: User, image_id: uuid.UUID) -> bool:
    """An inline image is visible to its uploader and to whoever holds (not emptied)
    a mail that shows it."""
    return (
        InlineImage.objects.filter(pk=image_id)
        .filter(
            Q(uploaded_by=user)
            | Q(messages__boxes__user=user, messages__boxes__deleted_at__isnull=True)
        )
        .exists()
    )


def recipient_choices() -> RecipientChoices:
    """What the compose form offers: active staff, active departments, roles."""
    return {
        "users": list(
            User.objects.filter(is_active=True)
            .select_related("department")
            .order_by("department__path", "full_name", "username")
        ),
        "departments": list(Department.objects.active().order_by("path")),
        "roles": list(Role.objects.order_by("pk")),
    }


def quota_rows(query: str = "") -> QuerySet[User]:
    """Users with their mailbox usage and quota override, for the administrator."""
    used = (
        Mailbox.objects.live()
        .filter(user=OuterRef("pk"))
        .values("user")
        .annotate(total=Sum("message__size_bytes"))
        .values("total")
    )
    rows: QuerySet[User] = (
        User.objects.filter(is_active=True)
        .select_related("department", "mail_quota")
        .annotate(mail_used=Coalesce(Subquery(used), Value(0)))
        .order_by("username")
    )
    query = (query or "").strip()[:60]
    if query:
        rows = rows.filter(
            Q(username__icontains=query)
            | Q(full_name__icontains=query)
            | Q(department__name__icontains=query)
        )
    return rows
