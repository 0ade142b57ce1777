"""Cases (办件): one application of one item by one applicant, from intake to
completion, with its steps, materials, timeline, suspensions, extensions and urgings.

The facts that statistics.md and time-limits.md are defined on — ``accepted_on``,
``deadline``, ``completed_on``, ``terminated_on``, ``handling_type`` and the lead
``department`` — are stored on the case itself, snapshotted at intake, so that a later
change to the catalogue never rewrites history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import Department
from tongban.accounts.scoping import department_scope
from tongban.catalog.models import HandlingType, SpecialProcedureKind
from tongban.core.crypto import mask_id_number, mask_mobile, mask_name
from tongban.core.fields import EncryptedTextField

from .scopes import intake_scope, is_staff_user


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Awaiting review")  # 待受理 (preliminary review)
    SUPPLEMENT_REQUESTED = "supplement", _("Awaiting supplement")  # 待补正
    IN_PROGRESS = "in_progress", _("In progress")  # 办理中
    SUSPENDED = "suspended", _("Suspended")  # 特别程序 / 补正中 (clock stopped)
    COMPLETED = "completed", _("Completed")  # 办结
    REJECTED = "rejected", _("Not accepted")  # 不予受理
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 撤回
    TERMINATED = "terminated", _("Terminated")  # 终止


OPEN_STATUSES = (
    CaseStatus.RECEIVED,
    CaseStatus.SUPPLEMENT_REQUESTED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.SUSPENDED,
)
ACCEPTED_OPEN_STATUSES = (CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED)


class Channel(models.TextChoices):
    COUNTER = "counter", _("Counter")  # 窗口
    ONLINE = "online", _("Online")  # 网上申报
    PARTNER = "partner", _("Partner app")  # 无线城市
    HOTLINE = "hotline", _("12345 hotline")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    CREDIT_CODE = "credit_code", _("Unified social credit code")
    PASSPORT = "passport", _("Passport")
    HK_MACAO_PERMIT = "hk_macao", _("Mainland travel permit for HK/Macao residents")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Approved")  # 准予
    DENIED = "denied", _("Denied")  # 不予


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def accepted(self):
        return self.filter(accepted_on__isnull=False)

    def visible_to(self, user):
        condition = case_visibility(user)
        return self if condition is None else self.filter(condition)


class Case(models.Model):
    """办件. Created by intake; every change goes through ``cases.services``."""

    colour: str  # not a column: the time-limit colour, set by ``selectors.with_colours``

    number = models.CharField(_("case number"), max_length=40, unique=True)
    item = models.ForeignKey(
        "catalog.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="cases"
    )
    item_name = models.CharField(_("item name"), max_length=200)
    handling_type = models.CharField(
        _("handling type"), max_length=16, choices=HandlingType.choices
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    hall = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("received at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The service hall or department whose counter received it."),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices)

    # The applicant. Personal data is encrypted at rest; the blind indexes make the
    # exact queries (by ID number, by mobile) possible without decrypting.
    applicant_kind = models.CharField(
        _("applicant type"), max_length=16, choices=ApplicantKind.choices
    )
    applicant_name = models.CharField(_("applicant"), max_length=100)
    applicant_id_type = models.CharField(_("ID type"), max_length=16, choices=IdType.choices)
    applicant_id_number = EncryptedTextField(_("ID number"))
    applicant_id_index = models.CharField(max_length=64, db_index=True, editable=False)
    applicant_mobile = EncryptedTextField(_("mobile number"))
    applicant_mobile_index = models.CharField(max_length=64, db_index=True, editable=False)
    applicant_address = EncryptedTextField(_("address"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    # The portal account that applied online; a citizen sees only these cases.
    citizen = models.ForeignKey(
        "citizens.Citizen",
        verbose_name=_("citizen account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    query_code = models.CharField(_("query code"), max_length=12)

    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    # Dates (local, Asia/Shanghai) and the clock (time-limits.md).
    received_at = models.DateTimeField(_("received at"))
    received_on = models.DateField(_("received on"))
    review_due_on = models.DateField(
        _("review due"), help_text=_("Accept, reject or ask for a supplement by this day.")
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("deemed accepted"), default=False)
    limit_days = models.PositiveSmallIntegerField(_("promised limit (working days)"), default=0)
    extension_cap = models.PositiveSmallIntegerField(_("most extension days"), default=0)
    extension_days = models.PositiveSmallIntegerField(_("extension days"), default=0)
    suspended_days = models.PositiveSmallIntegerField(_("suspended working days"), default=0)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    next_check_on = models.DateField(_("next check"), null=True, blank=True)
    pledge_due_on = models.DateField(
        _("pledged materials due"),
        null=True,
        blank=True,
        help_text=_("容缺受理: the applicant pledged to supply the missing materials by then."),
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    proposed_outcome = models.CharField(
        _("proposed outcome"), max_length=16, choices=Outcome.choices, blank=True
    )
    certificate_number = models.CharField(_("certificate number"), max_length=80, blank=True)
    result_note = models.TextField(_("decision"), blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["next_check_on"], name="case_next_check_idx"),
            models.Index(fields=["deadline"], name="case_deadline_idx"),
            # Reports select by acceptance date within a department.
            models.Index(fields=["accepted_on", "department"], name="case_accepted_dept_idx"),
            models.Index(fields=["department", "status"], name="case_dept_status_idx"),
            models.Index(fields=["status", "received_at"], name="case_status_received_idx"),
            models.Index(fields=["completed_on"], name="case_completed_idx"),
            models.Index(fields=["terminated_on"], name="case_terminated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(accepted_on__isnull=True)
                | models.Q(accepted_on__gte=models.F("received_on")),
                name="case_accepted_after_received",
            ),
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True)
                | models.Q(terminated_on__isnull=True),
                name="case_not_completed_and_terminated",
            ),
            models.CheckConstraint(
                condition=models.Q(extension_days__lte=models.F("extension_cap")),
                name="case_extension_within_cap",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def masked_applicant_name(self) -> str:
        if self.applicant_kind == ApplicantKind.ORGANISATION:
            return self.applicant_name
        return mask_name(self.applicant_name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.applicant_id_number or "")

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.applicant_mobile or "")


class CaseCounter(models.Model):
    """The last serial used per year and department; locked to number a new case."""

    year = models.PositiveSmallIntegerField()
    department_code = models.CharField(max_length=32)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "department_code"], name="case_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.department_code}: {self.last}"


class StepKind(models.TextChoices):
    LEAD = "lead", _("Lead department")  # 主办
    ASSIST = "assist", _("Assisting department")  # 辅办


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("Being handled")
    DONE = "done", _("Done")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


class Decision(models.TextChoices):
    AGREE = "agree", _("Agree")  # 同意
    RETURN = "return", _("Return to an earlier step")  # 退回
    PROPOSE_DENIAL = "propose_denial", _("Propose denial")  # 拟不予许可


class CaseStep(models.Model):
    """One step of a case's process, instantiated from the item's process at
    acceptance. A returned step is re-opened as a new row, so the timeline of every
    pass through a step stays intact."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=8, choices=StepKind.choices)
    name = models.CharField(_("step"), max_length=60)
    role = models.CharField(_("handled by role"), max_length=32)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    process_step = models.ForeignKey(
        "catalog.ProcessStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    limit_days = models.PositiveSmallIntegerField(_("limit (working days)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=StepStatus.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_steps",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    suspended_days = models.PositiveSmallIntegerField(default=0)
    due_on = models.DateField(_("step due"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["case", "order", "id"]
        indexes = [
            models.Index(fields=["assignee", "status"], name="case_step_assignee_idx"),
            models.Index(fields=["department", "status"], name="case_step_dept_idx"),
            models.Index(fields=["status", "due_on"], name="case_step_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status == StepStatus.ACTIVE


class MaterialSource(models.TextChoices):
    COUNTER = "counter", _("Handed in at the counter")
    ONLINE = "online", _("Uploaded online")
    SUPPLEMENT = "supplement", _("Supplemented")


class CaseMaterial(models.Model):
    """A material received for a case: an uploaded file (pages counted from it) or a
    paper document checked off at the counter (pages counted by the clerk)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "catalog.Material", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("material"), max_length=200)
    file = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    source = models.CharField(_("source"), max_length=16, choices=MaterialSource.choices)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("case material")
        verbose_name_plural = _("case materials")
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return self.name


class SupplementRequest(models.Model):
    """补正告知: what the applicant must supply. Before acceptance the case waits;
    after acceptance the clock is suspended until the supplement arrives."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supplement_requests")
    requested_at = models.DateTimeField(_("requested at"))
    requested_on = models.DateField(_("requested on"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    items = models.JSONField(_("what is missing"), default=list)
    note = models.TextField(_("note"), blank=True)
    after_acceptance = models.BooleanField(default=False)
    fulfilled_at = models.DateTimeField(_("supplemented at"), null=True, blank=True)
    fulfilled_on = models.DateField(_("supplemented on"), null=True, blank=True)

    class Meta:
        ordering = ["case", "requested_at", "id"]

    def __str__(self) -> str:
        return "、".join(self.items)


class SuspensionKind(models.TextChoices):
    SPECIAL_PROCEDURE = "special", _("Special procedure")  # 特别程序
    SUPPLEMENT = "supplement", _("Supplement after acceptance")  # 受理后补正


class Suspension(models.Model):
    """A stopped clock: from ``started_on`` to ``ended_on`` it adds
    ``wd(started_on, ended_on)`` to the case's suspended days (行政许可法 Art. 45)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField(_("kind"), max_length=16, choices=SuspensionKind.choices)
    procedure = models.CharField(
        _("procedure"), max_length=32, choices=SpecialProcedureKind.choices, blank=True
    )
    reason = models.TextField(_("reason"))
    limit_days = models.PositiveSmallIntegerField(_("limit (working days)"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"))
    started_on = models.DateField(_("started on"))
    due_on = models.DateField(_("procedure due"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    days = models.PositiveSmallIntegerField(_("working days suspended"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["case", "started_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Extension(models.Model):
    """延期: requested by the handler, decided by the department head (Art. 42)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=ExtensionStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["case", "requested_at", "id"]

    def __str__(self) -> str:
        return f"+{self.days} ({self.get_status_display()})"


class Urging(models.Model):
    """催办: a reminder to the handler of a step, by a person or by the sweep."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="urgings")
    step = models.ForeignKey(
        CaseStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="urgings"
    )
    urged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("urged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    urged_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("urged"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="urgings_received",
    )
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    automatic = models.BooleanField(_("automatic"), default=False)
    message = models.TextField(_("message"))
    at = models.DateTimeField(_("at"))
    on = models.DateField(_("on"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("urging")
        verbose_name_plural = _("urgings")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["urged_user", "at"], name="urging_user_idx")]

    def __str__(self) -> str:
        return self.message


class TimelineEvent(models.Model):
    """One line of the case's history (流程跟踪): who did what, when, with what opinion."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=40)
    step = models.ForeignKey(
        CaseStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opinion = models.TextField(_("opinion"), blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline")
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class OpinionTemplate(models.Model):
    """常用意见: a user's saved phrase, inserted into an opinion in one click."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opinion_templates"
    )
    text = models.CharField(_("text"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("opinion template")
        verbose_name_plural = _("opinion templates")
        ordering = ["user", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "text"],
                name="opinion_template_unique",
                violation_error_message=_("You already have this phrase."),
            )
        ]

    def __str__(self) -> str:
        return self.text


# --- visibility (the rules are described in ``access``) ---------------------------------


def case_visibility(user) -> Q | None:
    """A ``Q`` over ``Case`` for what ``user`` may see; ``None`` means everything."""
    if user is None:
        return None  # the system itself
    if not is_staff_user(user):
        return Q(pk__in=[])
    scope = department_scope(user)
    if scope.everything:
        return None
    mine = (
        Q(received_by=user)
        | Exists(CaseStep.objects.filter(case=OuterRef("pk"), assignee=user))
        | _in_queue_of(user)
    )
    # An intake desk sees the cases of the departments it takes in: it reviews their
    # online applications, records withdrawals and answers the applicants' questions.
    desk = intake_scope(user)
    if desk.everything:
        return None
    if desk.root is not None:
        mine |= Q(department__path__startswith=desk.root.path)
    if scope.nothing:
        return mine
    path = scope.root.path
    return (
        Q(department__path__startswith=path)
        | Q(hall__path__startswith=path)
        | Exists(CaseStep.objects.filter(case=OuterRef("pk"), department__path__startswith=path))
        | mine
    )


def _in_queue_of(user) -> Q:
    """Cases with a step waiting unclaimed in ``user``'s department queue (the rule of
    ``selectors.department_queue``: their role, a step of their department, section
    or an ancestor). Whoever finds the step in the queue must be able to open the case
    to claim it — a section head's scope is the section, while the steps belong to
    the department. Expressed in SQL, so the user's departments are not loaded."""
    roles = user.role_codes()
    homes = [pk for pk in (user.department_id, user.section_id) if pk is not None]
    if not roles or not homes:
        return Q(pk__in=[])
    home_below_step = Department.objects.filter(
        pk__in=homes, path__startswith=OuterRef("department__path")
    )
    return Q(
        Exists(
            CaseStep.objects.filter(
                case=OuterRef("pk"),
                status=StepStatus.ACTIVE,
                assignee__isnull=True,
                role__in=roles,
            ).filter(Exists(home_below_step))
        )
    )
