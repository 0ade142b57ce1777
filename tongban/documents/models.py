"""Notice templates (通知单模板): an administrator's HTML (Jinja2, for the HTML and PDF
notices) and optional Word template (docxtpl, for the .docx notice) per kind.

Every save is a new version; the newest active version of a kind is used, and with
none the built-in default (``notices.default_html``) is. A template that does not
render is never saved (``services.save_notice_template``), so a broken edit leaves
the previous version in use.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance notice")  # 受理通知书
    REJECTION = "rejection", _("Rejection notice")  # 不予受理通知书
    SUPPLEMENT = "supplement", _("Supplement notice")  # 补正告知书
    COMPLETION = "completion", _("Completion notice")  # 办结通知书


class NoticeTemplateQuerySet(models.QuerySet):
    def in_use(self, kind: str) -> NoticeTemplate | None:
        return self.filter(kind=kind, is_active=True).order_by("-version").first()


class NoticeTemplate(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    html = models.TextField(
        _("HTML template"), help_text=_("Jinja2 source; see the list of available fields.")
    )
    # The uploaded Word template, kept in the row: a few tens of kilobytes, versioned
    # with the HTML and never served directly.
    docx = models.BinaryField(_("Word template"), null=True, blank=True, editable=False)
    docx_name = models.CharField(_("Word template file"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = NoticeTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="notice_template_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"
