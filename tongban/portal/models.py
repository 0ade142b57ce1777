"""Online application (外网受理): a citizen's drafts before they become cases.

A draft keeps what the citizen has typed and uploaded so far, unchecked (a draft may
be half filled in); everything is checked by the case engine when it is submitted.
Personal data (ID number, mobile number, address) is encrypted at rest like the
case's own. Uploads are checked and stored when attached (``core.files``), so a
refused file never enters the draft.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import ApplicantKind, IdType
from tongban.core.fields import EncryptedTextField


class ApplicationDraftQuerySet(models.QuerySet):
    def open(self):
        """Drafts not yet submitted."""
        return self.filter(case__isnull=True)

    def of(self, citizen):
        return self.filter(citizen=citizen)


class ApplicationDraft(models.Model):
    """A citizen's application in progress, for one item. Once submitted it points
    at the case it became and is read-only."""

    citizen = models.ForeignKey(
        "citizens.Citizen",
        verbose_name=_("citizen account"),
        on_delete=models.CASCADE,
        related_name="drafts",
    )
    item = models.ForeignKey(
        "catalog.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    # The item's form as typed: key → text (a list for multiple choice). File fields
    # of the form are in ``form_files``: key → {"file": StoredFile id, "name": …}.
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    form_files = models.JSONField(default=dict, blank=True)

    applicant_kind = models.CharField(
        _("applicant type"),
        max_length=16,
        choices=ApplicantKind.choices,
        default=ApplicantKind.PERSON,
    )
    applicant_name = models.CharField(_("applicant"), max_length=100, blank=True)
    applicant_id_type = models.CharField(
        _("ID type"), max_length=16, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    applicant_id_number = EncryptedTextField(_("ID number"), blank=True)
    applicant_mobile = EncryptedTextField(_("mobile number"), blank=True)
    applicant_address = EncryptedTextField(_("address"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)

    declaration_accepted = models.BooleanField(_("declaration accepted"), default=False)
    # Generated with the draft and sent with its submit button: a double click or a
    # reload of the submission submits the same key, and the engine makes one case.
    idempotency_key = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("saved at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="draft",
    )

    objects = ApplicationDraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("application draft")
        verbose_name_plural = _("application drafts")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["citizen", "case"], name="draft_citizen_case_idx")]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.updated_at:%Y-%m-%d %H:%M}"

    @property
    def is_submitted(self) -> bool:
        return self.case_id is not None


class DraftMaterial(models.Model):
    """One uploaded file for one material of the item's list (one file per
    material, as the case engine takes them; uploading again replaces it)."""

    draft = models.ForeignKey(ApplicationDraft, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "catalog.Material", verbose_name=_("material"), on_delete=models.CASCADE, related_name="+"
    )
    file = models.ForeignKey(
        "core.StoredFile", verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    original_name = models.CharField(_("original name"), max_length=200)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("draft material")
        verbose_name_plural = _("draft materials")
        ordering = ["draft", "material__order", "material_id"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "material"], name="draft_material_once")
        ]

    def __str__(self) -> str:
        return self.original_name
