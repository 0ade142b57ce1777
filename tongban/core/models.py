"""Shared models: stored files."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """An uploaded file, checked and stored once by content (SHA-256) under a
    generated name outside any web root. Owners (a material's blank form, a policy
    document, a mail attachment…) point at it; downloads go through the owner's
    access check and ``core.files.file_response``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size"))
    kind = models.CharField(_("type"), max_length=8)
    content_type = models.CharField(_("content type"), max_length=100)
    storage_name = models.CharField(max_length=100, unique=True, editable=False)
    original_name = models.CharField(_("original name"), max_length=200)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.original_name
