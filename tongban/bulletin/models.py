"""Public information (公共信息): announcements (事件公告) with categories, attachments and
read receipts, and the phone directory (电话号码)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.core.crypto import mask_mobile
from tongban.core.fields import EncryptedTextField

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tongban.accounts.models import User


class AudienceKind(models.TextChoices):
    ALL = "all", _("All staff")
    DEPARTMENTS = "departments", _("Selected departments")
    ROLES = "roles", _("Selected roles")
    PUBLIC = "public", _("Public (portal)")


class AnnouncementCategory(models.Model):
    """公告信息类别. Maintained only by holders of ``bulletin.manage_category``; a
    category for public use may carry announcements shown on the portal."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9-]*$",
                _("The code may contain only lower-case letters, digits and hyphens."),
            )
        ],
    )
    name = models.CharField(_("name"), max_length=60)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    is_public = models.BooleanField(
        _("for public use"),
        default=False,
        help_text=_("Announcements of this category may be published on the public portal."),
    )

    class Meta:
        verbose_name = _("announcement category")
        verbose_name_plural = _("announcement categories")
        ordering = ["sort_order", "id"]
        permissions = [("manage_category", "Can maintain announcement categories")]

    def __str__(self) -> str:
        return self.name


class AnnouncementQuerySet(models.QuerySet["Announcement"]):
    def published(self, at: dt.datetime) -> Self:
        """In their publish window at ``at`` and not withdrawn."""
        return self.filter(
            Q(publish_until__isnull=True) | Q(publish_until__gt=at),
            withdrawn_at__isnull=True,
            publish_from__lte=at,
        )

    def public(self) -> Self:
        return self.filter(audience=AudienceKind.PUBLIC, category__is_public=True)

    def for_audience(self, user: User | AnonymousUser) -> Self:
        """Addressed to ``user``: everybody, a department whose subtree holds the
        user's department or section, or one of the user's roles. Public
        announcements are addressed to staff as well."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        paths: set[str] = set()
        for department in (user.department, user.section):
            if department is not None:
                paths.update(department.ancestors_paths())
        by_department = Announcement.departments.through.objects.filter(department__path__in=paths)
        by_role = Announcement.roles.through.objects.filter(role__users=user)
        return self.filter(
            Q(audience__in=[AudienceKind.ALL, AudienceKind.PUBLIC])
            | Q(audience=AudienceKind.DEPARTMENTS, pk__in=by_department.values("announcement"))
            | Q(audience=AudienceKind.ROLES, pk__in=by_role.values("announcement"))
        )

    def newest_first(self) -> Self:
        return self.order_by("-pinned", "-publish_from", "-id")


class Announcement(models.Model):
    """An announcement: internal news, a meeting notice, a document; or, with the
    public audience, government information shown on the portal. ``body`` holds HTML
    already sanitised by the services (``bulletin.sanitise``)."""

    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(
        AnnouncementCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    body = models.TextField(_("body"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=AudienceKind.choices, default=AudienceKind.ALL
    )
    departments = models.ManyToManyField(
        "accounts.Department",
        verbose_name=_("audience departments"),
        blank=True,
        related_name="addressed_announcements",
    )
    roles = models.ManyToManyField(
        "accounts.Role", verbose_name=_("audience roles"), blank=True, related_name="+"
    )
    pinned = models.BooleanField(_("pinned to top"), default=False)
    publish_from = models.DateTimeField(_("published from"))
    publish_until = models.DateTimeField(_("published until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    files = models.ManyToManyField(
        "core.StoredFile", through="AnnouncementAttachment", related_name="+"
    )

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-pinned", "-publish_from", "-id"]
        indexes = [models.Index(fields=["audience", "publish_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(publish_until__isnull=True)
                | Q(publish_until__gt=models.F("publish_from")),
                name="announcement_window_order",
                violation_error_message=_("The end of publication must be after its start."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.publish_until and self.publish_from and self.publish_until <= self.publish_from:
            raise ValidationError(
                {"publish_until": _("The end of publication must be after its start.")}
            )

    @property
    def safe_body(self) -> str:
        """The body sanitised again on the way out: rows written past the services
        (fixtures, a database console) cannot bring script into a page."""
        from django.utils.safestring import mark_safe

        from .sanitise import sanitise_html

        return mark_safe(sanitise_html(self.body))  # sanitised just above

    def is_published(self, at: dt.datetime) -> bool:
        return (
            self.withdrawn_at is None
            and self.publish_from <= at
            and (self.publish_until is None or self.publish_until > at)
        )


class AnnouncementAttachment(models.Model):
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("file name"), max_length=200)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "file"], name="announcement_attachment_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AnnouncementRead(models.Model):
    """A read receipt: ``user`` opened ``announcement`` (first time) at ``read_at``."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="announcement_reads"
    )
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="announcement_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.announcement}"


class DirectoryEntryQuerySet(models.QuerySet["DirectoryEntry"]):
    def active(self) -> Self:
        return self.filter(is_active=True, unit__is_active=True)


class DirectoryEntry(models.Model):
    """A line of the phone directory. Entries with a ``user`` follow that account
    (``services.sync_directory_entry``); entries without one (an office's duty line)
    are kept by hand by holders of the BULLETIN module. ``number`` is a work number;
    ``mobile`` is personal and stored encrypted."""

    unit = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="directory_entries",
    )
    office = models.CharField(_("office"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=60)
    position = models.CharField(_("position"), max_length=60, blank=True)
    number = models.CharField(
        _("number"),
        max_length=40,
        blank=True,
        validators=[
            RegexValidator(
                r"^[0-9][0-9 ()+\-,、/转]*$",
                _("Enter a telephone number: digits, spaces, hyphens and brackets only."),
            )
        ],
    )
    mobile = EncryptedTextField(_("mobile number"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="directory_entry",
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = DirectoryEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")
        ordering = ["unit__path", "sort_order", "office", "name", "id"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.office or self.name}"

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile or "")

    def clean(self):
        if self.mobile and not (
            len(self.mobile) == 11 and self.mobile.isdigit() and self.mobile.startswith("1")
        ):
            raise ValidationError({"mobile": _("Enter an 11-digit mobile number.")})
