"""Organisation (department tree), roles, users and module permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from tongban.core.crypto import mask_mobile, provider
from tongban.core.fields import EncryptedTextField

from .roles import ADMIN_ROLES, SECOND_FACTOR_ROLES, Module, RoleCode
from .scoping import department_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    DEPARTMENT = "department", _("Department")
    SECTION = "section", _("Section")
    COUNTY = "county", _("County or district")
    HALL = "hall", _("Service hall")


class DepartmentQuerySet(models.QuerySet["Department"]):
    def active(self) -> Self:
        return self.filter(is_active=True)

    def subtree(self, root: Department) -> Self:
        """``root`` and everything below it (materialised path prefix)."""
        return self.filter(path__startswith=root.path)

    def visible_to(self, user: User | AnonymousUser) -> Self:
        scope = department_scope(user)
        if scope.everything:
            return self
        if scope.root is None:
            return self.none()
        return self.subtree(scope.root)


class Department(models.Model):
    """A node of the organisation: the city government, a department, a section, a
    county/district, or a service hall. ``path`` is the chain of codes from the root
    ("/TS/SCJG/"), kept by the services so that a subtree is one indexed prefix scan."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Upper-case letters, digits and hyphens; stable, used in case numbers."),
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9-]*$",
                _("The code may contain only upper-case letters, digits and hyphens."),
            )
        ],
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=500, editable=False, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z0-9][A-Z0-9-]*$"),
                name="department_code_format",
                violation_error_message=_(
                    "The code may contain only upper-case letters, digits and hyphens."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def clean(self):
        if self.kind == DepartmentKind.GOVERNMENT and self.parent_id:
            pass  # a county government under the city is allowed
        if self.kind == DepartmentKind.SECTION and not self.parent_id:
            raise ValidationError({"parent": _("A section must belong to a department.")})
        if self.parent_id and self.pk and self.parent.path.startswith(self.path or "\0"):
            raise ValidationError(
                {"parent": _("A department cannot be placed under itself or its own sections.")}
            )

    def ancestors_paths(self) -> list[str]:
        parts = [p for p in self.path.split("/") if p]
        return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class Role(models.Model):
    """A role. The built-in ones are created by a migration and cannot be deleted."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    builtin = models.BooleanField(_("built-in"), default=False, editable=False)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(RoleCode(self.code).label) if self.code in RoleCode.values else self.name


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: User | AnonymousUser) -> Self:
        """Users whose records ``user`` may list: administrators see all accounts
        (they manage them); others see the staff of their department subtree."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(RoleCode.SYSTEM_ADMIN, RoleCode.SECURITY_ADMIN, RoleCode.SUPERVISOR):
            return self
        return self.filter(department__in=Department.objects.visible_to(user))

    def with_role(self, code: str) -> Self:
        return self.filter(roles__code=code)


class TongbanUserManager(UserManager.from_queryset(UserQuerySet)):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A staff account. Usernames are unique regardless of case."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    section = models.ForeignKey(
        Department,
        verbose_name=_("section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="section_staff",
        limit_choices_to={"kind": DepartmentKind.SECTION},
    )
    position = models.CharField(_("position"), max_length=60, blank=True)
    mobile = EncryptedTextField(_("mobile number"), blank=True)
    mobile_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    disabled_reason = models.CharField(_("reason disabled"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False, editable=False)

    objects = TongbanUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_ci_unique",
                violation_error_message=_("A user with that username already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name or self.username}"

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile or "")

    def role_codes(self) -> frozenset[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            if self.pk is None:
                return frozenset()
            cached = frozenset(self.roles.values_list("code", flat=True))
            self._role_codes = cached
        return cached

    def forget_cached_roles(self) -> None:
        self.__dict__.pop("_role_codes", None)
        self.__dict__.pop("_modules", None)

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes() & set(codes))

    @property
    def admin_role(self) -> str | None:
        codes = self.role_codes() & ADMIN_ROLES
        return next(iter(codes)) if codes else None

    @property
    def needs_second_factor(self) -> bool:
        return bool(self.role_codes() & SECOND_FACTOR_ROLES)

    def clean(self):
        super().clean()
        if (
            self.section_id
            and self.department_id
            and not self.section.path.startswith(self.department.path)
        ):
            raise ValidationError(
                {"section": _("The section must belong to the user's department.")}
            )
        if self.mobile and not (
            len(self.mobile) == 11 and self.mobile.isdigit() and self.mobile.startswith("1")
        ):
            raise ValidationError({"mobile": _("Enter an 11-digit mobile number.")})

    def set_mobile(self, mobile: str) -> None:
        self.mobile = mobile
        self.mobile_index = provider().blind_index(mobile) if mobile else ""


class ModuleGrant(models.Model):
    """Permission on one module for exactly one of: a user, a group or a department
    (and its sub-departments)."""

    module = models.CharField(_("module"), max_length=32, choices=Module.choices)
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="module_grants",
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="module_grants",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="module_grants",
    )
    granted_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("module permission")
        verbose_name_plural = _("module permissions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, group__isnull=True, department__isnull=True)
                    | models.Q(user__isnull=True, group__isnull=False, department__isnull=True)
                    | models.Q(user__isnull=True, group__isnull=True, department__isnull=False)
                ),
                name="module_grant_one_subject",
                violation_error_message=_("Choose exactly one of user, group or department."),
            ),
            *[
                models.UniqueConstraint(
                    fields=["module", subject],
                    condition=models.Q(**{f"{subject}__isnull": False}),
                    name=f"module_grant_unique_{subject}",
                    violation_error_message=_("This permission has already been granted."),
                )
                for subject in ("user", "group", "department")
            ],
        ]

    def __str__(self) -> str:
        subject = self.user or self.group or self.department
        return f"{subject} → {self.get_module_display()}"


class UserSession(models.Model):
    """Which sessions belong to which user, so that they can be ended together
    (disable, password change, administrator's "end sessions")."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user} @ {self.created_at:%Y-%m-%d %H:%M}"


class UserRoleAssignment(User):
    """The security administrator's view of accounts: roles and groups only."""

    class Meta:
        proxy = True
        verbose_name = _("user roles")
        verbose_name_plural = _("user roles")


# --- Login security (lockout counters, second factor) -------------------------------
# Owned by the accounts-security work (security.md "Identity and sessions"); the
# services are in ``accounts/security.py``.


class LoginThrottleKind(models.TextChoices):
    USERNAME = "username", _("Username")
    IP = "ip", _("IP address")
    # The portal's citizens: counted apart, so that citizens failing behind a shared
    # address never lock out staff, nor the reverse. The mobile is its blind index.
    CITIZEN_MOBILE = "citizen_mobile", _("Citizen mobile number")
    CITIZEN_IP = "citizen_ip", _("Citizen IP address")
    CITIZEN_SEND = "citizen_send", _("Citizen code sending")


class LoginThrottle(models.Model):
    """Consecutive failed login attempts for one username (lower-cased, whether or not
    such an account exists) or one client IP. Kept in the database so that the lockout
    holds across processes and servers.

    ``failures`` counts attempts not (yet) known to have succeeded: an attempt is
    counted *before* the password is checked and uncounted if it succeeds, so that
    parallel requests cannot test more passwords than the threshold allows. The key is
    locked while ``failures`` has reached the threshold and the last counted attempt
    is less than the lockout period old; a counted attempt older than that period
    no longer counts."""

    kind = models.CharField(_("kind"), max_length=16, choices=LoginThrottleKind.choices)
    key = models.CharField(_("key"), max_length=150)
    failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    last_attempt_at = models.DateTimeField(_("last counted attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("login failure counter")
        verbose_name_plural = _("login failure counters")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"],
                name="login_throttle_unique_key",
                violation_error_message=_("This counter already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} ({self.failures})"


class TOTPDevice(models.Model):
    """A user's TOTP authenticator (RFC 6238: 6 digits, 30-second steps). The secret
    is encrypted at rest. ``last_used_step`` makes every code usable once: a code for a
    time step at or before it is refused. Unconfirmed devices (enrolment begun, no
    valid code entered yet) do not count as a second factor."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = EncryptedTextField(_("secret"))
    created_at = models.DateTimeField(_("created at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_used_step = models.BigIntegerField(_("last used time step"), default=0)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


# --- API tokens (staff calling the REST API from scripts and other systems) ----------
# The services are in ``accounts/tokens.py``.


class ApiToken(models.Model):
    """A personal bearer token for the REST API (``Authorization: Bearer tb_…``).

    Only the SHA-256 of the secret is stored; the secret is shown once, at creation.
    ``prefix`` (the first characters of the secret) identifies a token in lists and
    logs without revealing it. A request made with the token acts as ``user``, with
    exactly the scope the user has in the browser; a revoked or expired token, or the
    token of a disabled account, is refused."""

    user = models.ForeignKey(
        User, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), editable=False)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    expires_at = models.DateTimeField(_("expires at"), editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    def is_valid_at(self, at) -> bool:
        return self.revoked_at is None and at < self.expires_at
