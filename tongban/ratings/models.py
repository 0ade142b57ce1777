"""Ratings (好差评): after a case is completed its applicant rates the service on the
national scheme's five levels; a bad rating opens a follow-up for the department
head (the scheme's 差评整改)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.accounts.scoping import DepartmentScopedQuerySet


class RatingLevel(models.IntegerChoices):
    """The five levels of 政务服务好差评 (国办发〔2019〕51号); higher is better, so an
    average is read the natural way."""

    VERY_SATISFIED = 5, _("Very satisfied")  # 非常满意
    SATISFIED = 4, _("Satisfied")  # 满意
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")  # 基本满意
    DISSATISFIED = 2, _("Dissatisfied")  # 不满意
    VERY_DISSATISFIED = 1, _("Very dissatisfied")  # 非常不满意


# 差评: the two lowest levels need a reason and open a follow-up.
BAD_LEVELS = (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED)


class RatingChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    PARTNER = "partner", _("Partner app")


class RatingQuerySet(DepartmentScopedQuerySet, models.QuerySet):
    department_field = "department"


class Rating(models.Model):
    """One case's rating, at most one per case. Department and item are snapshots of
    the case's at rating time, so later catalogue changes leave the figures alone."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="rating"
    )
    citizen = models.ForeignKey(
        "citizens.Citizen",
        verbose_name=_("citizen account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    level = models.PositiveSmallIntegerField(_("rating"), choices=RatingLevel.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=500)
    reason = models.TextField(_("reason"), blank=True, max_length=500)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    item_name = models.CharField(_("item name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=16, choices=RatingChannel.choices)
    rated_at = models.DateTimeField(_("rated at"))
    rated_on = models.DateField(_("rated on"))

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at", "-id"]
        indexes = [
            models.Index(fields=["department", "rated_on"], name="rating_dept_day_idx"),
            models.Index(fields=["rated_on"], name="rating_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("To follow up")
    CLOSED = "closed", _("Followed up")


class FollowUpQuerySet(DepartmentScopedQuerySet, models.QuerySet):
    department_field = "department"


class FollowUp(models.Model):
    """The department head's follow-up of a bad rating: contact the applicant, put
    things right, and close it with a note, by ``due_on``."""

    rating = models.OneToOneField(
        Rating, verbose_name=_("rating"), on_delete=models.PROTECT, related_name="follow_up"
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="rating_follow_ups",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    assigned_head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("department head"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    due_on = models.DateField(_("due on"))
    note = models.TextField(_("follow-up note"), blank=True, max_length=2000)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating follow-up")
        verbose_name_plural = _("rating follow-ups")
        ordering = ["status", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.rating}"
