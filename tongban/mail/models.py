"""Internal mail (个人事务 · 电子邮件, seed §1.6).

One ``Message`` row per mail, however many people receive it; each person's view of
it is a ``Mailbox`` row (folder, read state, trash). Attachment and inline-image
content is a ``core.StoredFile`` (stored once by SHA-256), so a mail to a whole
department keeps one copy of each file. Quota usage is counted per mailbox row:
every recipient's copy counts against that recipient's quota even though the bytes
are stored once (docs/mail.md explains why).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from tongban.accounts.models import User


class Message(models.Model):
    """A mail. ``sent_at`` is empty while it is a draft. ``body_html`` is always the
    sanitised HTML (nh3 allowlist); ``body_text`` its plain text, for search."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body_html = models.TextField(_("body"), blank=True)
    body_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)
    size_bytes = models.PositiveBigIntegerField(_("size"), default=0)
    images = models.ManyToManyField(
        "mail.InlineImage", blank=True, related_name="messages", editable=False
    )

    class Meta:
        verbose_name = _("mail")
        verbose_name_plural = _("mails")

    def __str__(self) -> str:
        return self.subject


class InlineImage(models.Model):
    """An image uploaded from the editor, referenced from bodies as
    ``/office/mail/images/<id>/``. Served to its uploader and to anyone whose
    mailbox holds a message that references it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("inline image")
        verbose_name_plural = _("inline images")

    def __str__(self) -> str:
        return str(self.id)


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class AddressKind(models.TextChoices):
    TO = "to", _("To")
    CC = "cc", _("Cc")


class MessageAddress(models.Model):
    """One entry of a mail's To or Cc list as the sender wrote it: a user, a
    department (its active staff, sub-departments included) or a role (its active
    holders). Kept so that the mail shows whom it was addressed to; delivery uses
    the expansion made at the moment of sending."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=2, choices=AddressKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    role = models.ForeignKey(
        "accounts.Role", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, department__isnull=True, role__isnull=True)
                    | Q(user__isnull=True, department__isnull=False, role__isnull=True)
                    | Q(user__isnull=True, department__isnull=True, role__isnull=False)
                ),
                name="mail_address_one_target",
            )
        ]

    def __str__(self) -> str:
        return str(self.user or self.department or self.role)

    @property
    def token(self) -> str:
        """The picker's value for this entry (``u:12``, ``d:3``, ``r:2``)."""
        if self.user_id:
            return f"u:{self.user_id}"
        if self.department_id:
            return f"d:{self.department_id}"
        return f"r:{self.role_id}"


class Folder(models.TextChoices):
    INBOX = "inbox", _("Inbox")
    SENT = "sent", _("Sent")
    DRAFTS = "drafts", _("Drafts")
    TRASH = "trash", _("Trash")


class BoxKind(models.TextChoices):
    SENDER = "sender", _("Sender")
    TO = "to", _("To")
    CC = "cc", _("Cc")


class MailboxQuerySet(models.QuerySet["Mailbox"]):
    def live(self) -> Self:
        """Rows not yet emptied from the trash."""
        return self.filter(deleted_at__isnull=True)

    def of(self, user: User) -> Self:
        return self.live().filter(user=user)


class Mailbox(models.Model):
    """One person's copy of a mail: where it is filed and whether it was read.
    ``deleted_at`` marks a row emptied from the trash (kept until the mail itself
    is gone so the rows of the other people stay consistent)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailbox"
    )
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="boxes")
    kind = models.CharField(max_length=6, choices=BoxKind.choices)
    folder = models.CharField(_("folder"), max_length=6, choices=Folder.choices)
    previous_folder = models.CharField(max_length=6, choices=Folder.choices, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("date"))
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = MailboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("mailbox entry")
        verbose_name_plural = _("mailbox entries")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "message", "kind"], name="mail_box_user_message_kind"
            ),
            # However a person was addressed (directly, by department, by role, in To
            # and Cc), they receive a mail once.
            models.UniqueConstraint(
                fields=["user", "message"],
                condition=~Q(kind="sender"),
                name="mail_box_one_delivery",
            ),
        ]
        indexes = [models.Index(fields=["user", "folder", "-filed_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.message}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None and self.kind != BoxKind.SENDER


class MailQuota(models.Model):
    """A per-user override of the default quota (``TONGBAN_MAIL_QUOTA_MB``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_quota"
    )
    limit_bytes = models.PositiveBigIntegerField(_("quota"))
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("mail quota")
        verbose_name_plural = _("mail quotas")

    def __str__(self) -> str:
        return f"{self.user}: {self.limit_bytes}"

    @property
    def limit_mb(self) -> int:
        return self.limit_bytes // (1024 * 1024)
