"""Electronic supervision (电子监察): cards (发牌记录) and alerts. Both name their item
generically — the kind of clocked item (``clocked.ClockedKind.key``: ``"case"``) and
its id — and keep its number and title as they were when issued, so that supervision
needs no table of the kind's to show them. Urging records are the kind's own (for
cases ``cases.Urging``; the sweep writes the automatic ones through the kind)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.accounts.roles import RoleCode
from tongban.accounts.scoping import DepartmentScopedQuerySet


class CardColour(models.TextChoices):
    YELLOW = "yellow", _("Yellow card")  # 黄牌
    RED = "red", _("Red card")  # 红牌


class CardRule(models.TextChoices):
    DEADLINE = "deadline", _("Past the deadline")  # 超过办结期限
    INTAKE_LIMIT = "intake_limit", _("No decision within the intake limit")  # 补正告知时限
    NOT_CURED = "not_cured", _("Still open after a yellow card")  # 黄牌后仍未办结


class SubjectQuerySet(DepartmentScopedQuerySet, models.QuerySet):
    department_field = "department"

    def of(self, kind: str, pk: int):
        """The rows about one item: ``Card.objects.of("case", case.pk)``."""
        return self.filter(subject_kind=kind, subject_id=pk)


class CardQuerySet(SubjectQuerySet):
    def open(self):
        return self.filter(cured_at__isnull=True)

    def visible_to(self, user):
        """The departmental scope; and for a section head, whose scope is the
        section while cards count for the department, the cards of the section's
        handlers and steps too."""
        visible = super().visible_to(user)
        section = getattr(user, "section", None) if user is not None else None
        if (
            section is None
            or not user.is_authenticated
            or not user.is_active
            or not user.has_role(RoleCode.SECTION_HEAD)
            or user.admin_role
        ):
            return visible
        return self.filter(
            models.Q(pk__in=visible.values("pk"))
            | models.Q(handler__section=section)
            | models.Q(step_department__path__startswith=section.path)
        )


class Subject(models.Model):
    """The item a card or an alert is about: its kind, its id, and its number and
    title as they were when the row was written."""

    subject_kind = models.CharField(_("kind of item"), max_length=16)
    subject_id = models.BigIntegerField(_("item id"))
    subject_number = models.CharField(_("number"), max_length=40)
    subject_title = models.CharField(_("item"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def subject_url(self) -> str:
        """The item's page, from the kind that wrote the row."""
        from .clocked import kind

        return kind(self.subject_kind).url(self.subject_id, self.subject_number)


class Card(Subject):
    """A yellow or red card: the item (a case), the step and handler at fault, the
    rule, the working days overdue, when it was issued and to whom, when it was
    cured, and the department's rectification note (整改说明). Never rewritten by later
    changes of the calendar or the item: it records what was true when it was issued
    (the step by its id, name and department)."""

    colour = models.CharField(_("colour"), max_length=8, choices=CardColour.choices)
    rule = models.CharField(_("rule"), max_length=16, choices=CardRule.choices)
    step_id = models.BigIntegerField(_("step id"), null=True, blank=True)
    step_name = models.CharField(_("step"), max_length=60, blank=True)
    step_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department of the step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cards",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="cards",
    )
    deadline = models.DateField(_("deadline"))
    days_overdue = models.PositiveSmallIntegerField(_("working days overdue"))
    yellow = models.OneToOneField(
        "self",
        verbose_name=_("yellow card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="red",
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_on = models.DateField(_("issued on"))
    recipients = models.JSONField(_("sent to"), default=list, blank=True)
    cured_at = models.DateTimeField(_("cured at"), null=True, blank=True)
    cured_on = models.DateField(_("cured on"), null=True, blank=True)
    rectification = models.TextField(_("rectification note"), blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rectification by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rectified_at = models.DateTimeField(_("rectification at"), null=True, blank=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["department", "issued_on"], name="card_dept_issued_idx"),
            models.Index(fields=["issued_on"], name="card_issued_idx"),
            models.Index(fields=["cured_on"], name="card_cured_idx"),
            models.Index(fields=["subject_kind", "subject_id"], name="card_subject_idx"),
            models.Index(fields=["subject_number"], name="card_subject_number_idx"),
        ]
        constraints = [
            # Once per item and deadline (time-limits.md): a sweep run twice, or two
            # sweeps at once, cannot issue the same yellow card twice.
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id", "rule", "deadline"],
                condition=models.Q(colour="yellow"),
                name="card_one_yellow_per_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_colour_display()} {self.subject_number}"

    @property
    def is_cured(self) -> bool:
        return self.cured_at is not None


class AlertQuerySet(SubjectQuerySet):
    pass


class AlertKind(models.TextChoices):
    SPECIAL_OVERRUN = "special_overrun", _("Special procedure over its limit")  # 特别程序超时
    PLEDGE_OVERDUE = "pledge_overdue", _("Pledged materials not handed in")  # 容缺材料逾期


class Alert(Subject):
    """A supervised condition that is not a card: a special procedure past its own
    limit (Art. 45), pledged materials not handed in by the pledged date."""

    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    reference = models.CharField(max_length=40, help_text=_("What it is about (one alert each)."))
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("was due"))
    issued_at = models.DateTimeField(_("raised at"))
    issued_on = models.DateField(_("raised on"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id", "kind", "reference"],
                name="alert_once_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject_number}"
