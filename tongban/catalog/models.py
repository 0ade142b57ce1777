"""The service-item catalogue (事项管理, seed §1.7–1.10): what citizens can apply for
and how each application is handled."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.accounts.roles import RoleCode
from tongban.accounts.scoping import DepartmentScopedQuerySet


class HandlingType(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate")  # 即办件
    PROMISED = "promised", _("Promised")  # 承诺件
    JOINT = "joint", _("Joint")  # 联办件


class SpecialProcedureKind(models.TextChoices):
    """Art. 45 行政许可法: time for these is not counted in the limit."""

    HEARING = "hearing", _("Hearing")  # 听证
    BIDDING = "bidding", _("Bidding")  # 招标
    AUCTION = "auction", _("Auction")  # 拍卖
    INSPECTION = "inspection", _("Inspection")  # 检验
    TESTING = "testing", _("Testing")  # 检测
    QUARANTINE = "quarantine", _("Quarantine")  # 检疫
    APPRAISAL = "appraisal", _("Appraisal")  # 鉴定
    EXPERT_REVIEW = "expert_review", _("Expert review")  # 专家评审
    ONSITE_CHECK = "onsite_check", _("On-site verification")  # 现场核查


class ThemeKind(models.TextChoices):
    THEME = "theme", _("Theme")  # 主题
    LIFE_EVENT = "life_event", _("Life event")  # 人生事件 / 企业生命周期
    AUDIENCE = "audience", _("Audience")  # 个人 / 法人


class Theme(models.Model):
    """A way citizens browse the catalogue: a theme (市场准入) or a life event (出生)."""

    kind = models.CharField(_("kind"), max_length=16, choices=ThemeKind.choices)
    name = models.CharField(_("name"), max_length=40)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["kind", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name"],
                name="theme_unique_name",
                violation_error_message=_("A theme with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ItemQuerySet(DepartmentScopedQuerySet, models.QuerySet):
    department_field = "department"

    def published(self, on=None):
        """Items citizens can see: published and valid on ``on`` (default today)."""
        from tongban.core import clock
        from tongban.core.clock import local_date

        on = on or local_date(clock.now())
        return self.filter(is_published=True).filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=on),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=on),
        )


class Item(models.Model):
    """A service item (事项). Limits are in working days (行政许可法 Art. 82)."""

    code = models.CharField(
        _("item code"),
        max_length=40,
        unique=True,
        help_text=_("Stable identifier, e.g. 620500-SCJG-XK-001; never reused."),
        error_messages={
            "unique": _("An item with this code already exists; codes are never reused.")
        },
    )
    name = models.CharField(_("legal name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    item_type = models.ForeignKey(
        "dictionaries.ItemType",
        verbose_name=_("item type"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    category = models.ForeignKey(
        "dictionaries.ItemCategory",
        verbose_name=_("item category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
    )
    application_categories = models.ManyToManyField(
        "dictionaries.ApplicationCategory",
        verbose_name=_("application categories"),
        blank=True,
        related_name="items",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    handling_type = models.CharField(
        _("handling type"),
        max_length=16,
        choices=HandlingType.choices,
        default=HandlingType.PROMISED,
    )
    promised_limit = models.PositiveSmallIntegerField(_("promised limit (working days)"), default=0)
    statutory_limit = models.PositiveSmallIntegerField(
        _("statutory limit (working days)"), default=20
    )
    max_extension = models.PositiveSmallIntegerField(
        _("maximum extension (working days)"), default=10
    )
    special_procedures_allowed = models.BooleanField(
        _("special procedures possible"),
        default=False,
        help_text=_("Hearing, expert review, testing etc.: their time is not counted."),
    )
    fee = models.CharField(_("fee"), max_length=200, blank=True, default="不收费")
    fee_basis = models.CharField(_("fee basis"), max_length=300, blank=True)
    conditions = models.TextField(_("conditions of acceptance"), blank=True)
    procedure_description = models.TextField(_("how it is handled"), blank=True)
    result_name = models.CharField(
        _("result (certificate or approval)"), max_length=100, blank=True
    )
    application_place = models.CharField(_("where to apply"), max_length=300, blank=True)
    application_hours = models.CharField(_("when to apply"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=60, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=60, blank=True)
    online_allowed = models.BooleanField(_("online application allowed"), default=False)
    is_published = models.BooleanField(_("published"), default=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), blank=True, related_name="items"
    )
    basis = models.ManyToManyField(
        "PolicyBasis", verbose_name=_("policy basis"), blank=True, related_name="items"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["department", "is_published"]),
            models.Index(fields=["handling_type"]),
        ]
        # The same rules as ``rules.item_errors`` (which gives the field-level
        # messages); here as a safety net under every writer.
        constraints = [
            models.CheckConstraint(
                condition=models.Q(promised_limit__lte=models.F("statutory_limit")),
                name="item_promised_within_statutory",
                violation_error_message=_("The promised limit may not exceed the statutory limit."),
            ),
            models.CheckConstraint(
                condition=~models.Q(handling_type=HandlingType.IMMEDIATE)
                | models.Q(promised_limit=0),
                name="item_immediate_limit_zero",
                violation_error_message=_(
                    "An immediate item is completed on the spot: its limit must be 0."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(handling_type=HandlingType.JOINT)
                | models.Q(promised_limit__lte=45),
                name="item_joint_limit_45",
                violation_error_message=_("A joint item must be completed within 45 working days."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="item_validity_ordered",
                violation_error_message=_("The end of validity precedes its start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.short_name or self.name}"

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class ItemSpecialProcedure(models.Model):
    """A special procedure an item may need, with its own limit (supervised)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="special_procedures")
    kind = models.CharField(_("procedure"), max_length=32, choices=SpecialProcedureKind.choices)
    limit_days = models.PositiveSmallIntegerField(_("limit (working days)"))

    class Meta:
        verbose_name = _("special procedure")
        verbose_name_plural = _("special procedures")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "kind"],
                name="item_special_procedure_unique",
                violation_error_message=_("This special procedure is already listed."),
            ),
            models.CheckConstraint(
                condition=models.Q(limit_days__gte=1),
                name="item_special_procedure_limit_positive",
                violation_error_message=_(
                    "A special procedure needs a limit of at least one working day."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.limit_days})"


class PolicyBasis(models.Model):
    """A legal basis (政策依据): the law or regulation and the clause an item rests on."""

    name = models.CharField(_("name"), max_length=200)
    issuing_body = models.CharField(_("issued by"), max_length=100, blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    clause = models.TextField(_("articles and clauses"), blank=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    document = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("policy basis")
        verbose_name_plural = _("policy bases")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("Original")
    COPY = "copy", _("Copy")
    ORIGINAL_AND_COPY = "both", _("Original and copy")
    ELECTRONIC = "electronic", _("Electronic")


class Material(models.Model):
    """A material an applicant submits for an item (材料), in the item's order."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    required = models.BooleanField(_("required"), default=True)
    essential = models.BooleanField(
        _("essential"),
        default=True,
        help_text=_("Non-essential materials may be supplied after acceptance (容缺受理)."),
    )
    form = models.CharField(
        _("original or copy"),
        max_length=16,
        choices=MaterialForm.choices,
        default=MaterialForm.ORIGINAL,
    )
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    blank_form = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("blank form"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    example = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("filled example"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["item", "order", "id"]

    def __str__(self) -> str:
        return self.name


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    ID_NUMBER = "id_number", _("Resident ID number")
    CREDIT_CODE = "credit_code", _("Unified social credit code")
    MOBILE = "mobile", _("Mobile number")
    ADDRESS = "address", _("Address")
    FILE = "file", _("File")


class FormField(models.Model):
    """One field of an item's application form (预设表单). The same schema renders the
    counter form, the portal form and the API schema, and validates on the server."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="form_fields")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    key = models.SlugField(
        _("key"), max_length=40, help_text=_("Letters, digits and underscores; stable.")
    )
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=16, choices=FieldType.choices)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    choices = models.TextField(_("choices"), blank=True, help_text=_("One option per line."))
    min_value = models.DecimalField(
        _("minimum"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    pattern = models.CharField(
        _("pattern"), max_length=200, blank=True, help_text=_("Optional regular expression.")
    )
    pattern_message = models.CharField(_("pattern message"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["item", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "key"],
                name="form_field_unique_key",
                violation_error_message=_("Another field of this form has the same key."),
            )
        ]

    def __str__(self) -> str:
        return self.label

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class ProcessStep(models.Model):
    """A step of the item's process template (受理 → 承办 → 审核 → 批准 → 办结)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("step"), max_length=40)
    role = models.CharField(_("handled by role"), max_length=32, choices=RoleCode.choices)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department or section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the item's responsible department."),
    )
    limit_days = models.PositiveSmallIntegerField(
        _("step limit (working days)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["item", "order", "id"]
        constraints = [
            # Staff assignments follow a step by its name when the process changes.
            models.UniqueConstraint(
                fields=["item", "name"],
                name="process_step_unique_name",
                violation_error_message=_("Two steps of the process have the same name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class AssistingDepartment(models.Model):
    """A joint item's assisting department (辅办), working in parallel within its limit
    before the lead department's decision."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="assisting")
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("assisting department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    limit_days = models.PositiveSmallIntegerField(_("limit (working days)"))
    task = models.CharField(_("what it examines"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("assisting department")
        verbose_name_plural = _("assisting departments")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "department"],
                name="assisting_department_unique",
                violation_error_message=_("This department is already assisting."),
            ),
            models.CheckConstraint(
                condition=models.Q(limit_days__gte=1),
                name="assisting_department_limit_positive",
                violation_error_message=_(
                    "An assisting department needs a limit of at least one working day."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.department)


class StaffAssignment(models.Model):
    """Who may handle an item at a step (项目与人员的关联); the case engine enforces it."""

    step = models.ForeignKey(ProcessStep, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="item_assignments",
    )

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["step", "user"],
                name="staff_assignment_unique",
                violation_error_message=_("This person is already assigned to the step."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.step} · {self.user}"
