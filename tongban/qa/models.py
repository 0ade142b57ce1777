"""Questions and answers (便民问答): citizens ask the city's departments, the office
answers within a time limit, and answered questions are published when the asker
allowed it."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.accounts.scoping import DepartmentScopedQuerySet
from tongban.core.crypto import mask_mobile, mask_name
from tongban.core.fields import EncryptedTextField


class QuestionSource(models.TextChoices):
    PORTAL = "portal", _("Portal")
    PARTNER = "partner", _("Partner app")
    HOTLINE = "hotline", _("12345 hotline")


class QuestionStatus(models.TextChoices):
    NEW = "new", _("New question")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected as spam")


# Questions still waiting for an answer: these run against their time limit.
WAITING = (QuestionStatus.NEW, QuestionStatus.ASSIGNED)


class QuestionQuerySet(DepartmentScopedQuerySet, models.QuerySet["Question"]):
    department_field = "department"

    def waiting(self) -> Self:
        return self.filter(status__in=WAITING)

    def public(self) -> Self:
        """What anyone may read: answered, the asker allowed it, and still published."""
        return self.filter(status=QuestionStatus.ANSWERED, allow_public=True, published=True)


class Question(models.Model):
    """One question from a citizen to a department (or about one item, whose
    department then answers). The contact mobile is personal data: encrypted at rest,
    found through its blind index for the daily limit, masked in public output."""

    title = models.CharField(_("title"), max_length=100)
    content = models.TextField(_("question"), max_length=2000)
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    contact_name = models.CharField(_("name"), max_length=50)
    contact_mobile = EncryptedTextField(_("mobile number"))
    contact_mobile_index = models.CharField(max_length=64, db_index=True, editable=False)
    citizen = models.ForeignKey(
        "citizens.Citizen",
        verbose_name=_("citizen account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
    )
    allow_public = models.BooleanField(_("may be published"), default=False)
    source = models.CharField(
        _("source"), max_length=16, choices=QuestionSource.choices, default=QuestionSource.PORTAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=QuestionStatus.choices, default=QuestionStatus.NEW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    asked_at = models.DateTimeField(_("asked at"))
    due_on = models.DateField(_("answer due on"))
    answer = models.TextField(_("answer"), blank=True, max_length=4000)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published = models.BooleanField(_("published"), default=False)
    closing_note = models.CharField(_("note"), max_length=200, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-asked_at", "-id"]
        indexes = [
            models.Index(fields=["department", "status"], name="qa_dept_status_idx"),
            models.Index(fields=["status", "due_on"], name="qa_status_due_idx"),
            models.Index(fields=["published", "answered_at"], name="qa_published_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def masked_name(self) -> str:
        return mask_name(self.contact_name)

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.contact_mobile or "")

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING

    @property
    def is_public(self) -> bool:
        return self.status == QuestionStatus.ANSWERED and self.allow_public and self.published
