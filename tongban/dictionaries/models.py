"""Dictionaries of system management (seed §1.11 字典管理): item categories (项目类别),
item types (事项类型) and application categories (申报类别). Holidays live in
``workcalendar``.

Names are unique regardless of case, width and spacing: ``name_key`` holds the
normalised name (``normalise_name``) and carries the unique constraint, so "公共服务",
" 公共 服务 " and the full-width "ＡＢＣ" / "abc" are one name. ``name`` keeps the text as
entered (trimmed, inner spaces collapsed).
"""

from __future__ import annotations

import unicodedata

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def clean_name(name: str) -> str:
    """Trimmed, with runs of inner whitespace collapsed to one space."""
    return " ".join(str(name).split())


def normalise_name(name: str) -> str:
    """The comparison key: NFKC (full-width → half-width), case-folded, without any
    whitespace (in Chinese names a space carries no meaning: 公共 服务 = 公共服务)."""
    return "".join(unicodedata.normalize("NFKC", str(name)).casefold().split())


class DictionaryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class DictionaryEntry(models.Model):
    """Shared shape of the simple dictionaries. Other apps refer to entries with
    ``on_delete=PROTECT``: an entry in use cannot be deleted, only deactivated."""

    code = models.CharField(
        _("code"),
        max_length=32,
        blank=True,
        help_text=_("Optional; unique when given. Letters, digits, '-' and '_'."),
        validators=[
            RegexValidator(r"^[A-Za-z0-9_-]+$", message=_("Use only letters, digits, '-' and '_'."))
        ],
    )
    name = models.CharField(_("name"), max_length=100)
    # NFKC may lengthen a name (㍿ → 株式会社), hence the longer key.
    name_key = models.CharField(max_length=255, editable=False)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive entries are kept but not offered.")
    )

    objects = DictionaryQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


def _constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(
            fields=["name_key"],
            name=f"{prefix}_name_unique",
            violation_error_message=_("An entry with this name already exists."),
        ),
        models.UniqueConstraint(
            fields=["code"],
            condition=~Q(code=""),
            name=f"{prefix}_code_unique",
            violation_error_message=_("An entry with this code already exists."),
        ),
    ]


class ItemCategory(DictionaryEntry):
    """事项类别 (seed: 项目类别): the thematic category an item is filed under (e.g. 投资建设)."""

    class Meta(DictionaryEntry.Meta):
        verbose_name = _("item category")
        verbose_name_plural = _("item categories")
        constraints = _constraints("dictionaries_itemcategory")


class ItemType(DictionaryEntry):
    """事项类型 (seed: 项目类型): the kind of administrative act (行政许可, 公共服务 …)."""

    class Meta(DictionaryEntry.Meta):
        verbose_name = _("item type")
        verbose_name_plural = _("item types")
        constraints = _constraints("dictionaries_itemtype")


class ApplicantType(models.TextChoices):
    """Who applies (申报类型). A closed list, not free text: intake asks for different
    identification (ID card number or unified social credit code) depending on it."""

    PERSONAL = "personal", _("Individual")
    LEGAL_PERSON = "legal_person", _("Legal person")
    OTHER = "other", _("Other organisation")


class ApplicationCategory(DictionaryEntry):
    """申报类别: a category of applications shown to applicants (申报名称), for one
    kind of applicant (申报类型), e.g. 户籍办理 for individuals."""

    name = models.CharField(_("application name"), max_length=100)
    type = models.CharField(
        _("applicant type"),
        max_length=16,
        choices=ApplicantType.choices,
        default=ApplicantType.PERSONAL,
    )

    class Meta(DictionaryEntry.Meta):
        verbose_name = _("application category")
        verbose_name_plural = _("application categories")
        constraints = _constraints("dictionaries_applicationcategory")
