"""System management of the organisation, split by the three administrators:
departments and user profiles (system administrator); roles, groups and module
permissions (security administrator)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.admin import ServiceForm
from tongban.core.crypto import provider

from . import services, tokens
from .admin_site import ServiceAdmin
from .models import (
    ApiToken,
    Department,
    ModuleGrant,
    Role,
    User,
    UserRoleAssignment,
    UserSession,
)
from .roles import ADMIN_ROLES, Module

# --- departments (system administrator) ------------------------------------------------


class DepartmentForm(ServiceForm):
    class Meta:
        model = Department
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "phone",
            "address",
            "sort_order",
            "is_active",
        ]

    def apply(self, actor):
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        if self.instance.pk is None:
            is_active = data.pop("is_active")
            department = services.create_department(actor=actor, at=timezone.now(), **data)
            if not is_active:
                department = services.update_department(
                    actor=actor, department=department, is_active=False, at=timezone.now()
                )
            return department
        changes = {name: data[name] for name in self.changed_data if name in data}
        return services.update_department(
            actor=actor, department=self.instance, at=timezone.now(), **changes
        )


@admin.register(Department)
class DepartmentAdmin(ServiceAdmin):
    module = Module.SYSTEM
    form = DepartmentForm
    list_display = ["indented_name", "code", "kind", "phone", "staff_count", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "short_name", "phone"]
    ordering = ["path"]
    autocomplete_fields = ["parent"]
    list_per_page = 50
    actions = ["deactivate", "activate"]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Department) -> str:
        return "\u3000" * obj.depth + obj.name

    @admin.display(description=_("staff"))
    def staff_count(self, obj: Department) -> int:
        return obj.staff_total

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(staff_total=Count("staff", distinct=True))

    def delete_through_service(self, request, obj):
        services.delete_department(actor=request.user, department=obj, at=timezone.now())

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Deactivate selected departments"))
    def deactivate(self, request, queryset):
        for department in queryset:
            services.update_department(
                actor=request.user, department=department, is_active=False, at=timezone.now()
            )
        self.message_user(request, _("Departments deactivated."), messages.SUCCESS)

    @admin.action(description=_("Activate selected departments"))
    def activate(self, request, queryset):
        for department in queryset:
            services.update_department(
                actor=request.user, department=department, is_active=True, at=timezone.now()
            )
        self.message_user(request, _("Departments activated."), messages.SUCCESS)


# --- user accounts (system administrator) -----------------------------------------------

PROFILE_FIELDS = ["full_name", "department", "section", "position", "mobile", "email"]


class UserChangeForm(ServiceForm):
    class Meta:
        model = User
        fields = PROFILE_FIELDS

    def apply(self, actor):
        changes = {name: self.cleaned_data[name] for name in self.changed_data}
        return services.update_user(actor=actor, user=self.instance, at=timezone.now(), **changes)


class UserCreateForm(ServiceForm):
    password1 = forms.CharField(
        label=_("password"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("password (again)"), strip=False, widget=forms.PasswordInput
    )

    class Meta:
        model = User
        fields = ["username", *PROFILE_FIELDS]

    def clean_password2(self):
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(_("The two passwords do not match."))
        return second

    def apply(self, actor):
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        return services.create_user(
            actor=actor,
            at=timezone.now(),
            password=self.cleaned_data["password1"],
            must_change_password=True,
            **data,
        )

    def _post_clean(self):
        # The service hashes the password; mark the field so model validation passes.
        self.instance.password = "!"  # noqa: S105 - placeholder, replaced by the service
        super()._post_clean()


class AccountActionsMixin:
    """Actions both the system and the security administrator may take on accounts."""

    @admin.action(description=_("End the sessions of selected accounts"))
    def end_sessions(self, request, queryset):
        total = sum(
            services.end_user_sessions(actor=request.user, user=u, at=timezone.now())
            for u in queryset
        )
        self.message_user(
            request, _("%(count)d sessions ended.") % {"count": total}, messages.SUCCESS
        )


class MobileSearchMixin:
    """Search by an exact mobile number through its blind index (the column itself
    is encrypted)."""

    def get_search_results(self, request, queryset, search_term):
        result, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term.isdigit() and len(term) == 11:
            result |= queryset.filter(mobile_index=provider().blind_index(term))
        return result, may_have_duplicates


@admin.register(User)
class UserAdmin(AccountActionsMixin, MobileSearchMixin, ServiceAdmin):
    module = Module.SYSTEM
    form = UserChangeForm
    add_form = UserCreateForm
    list_display = [
        "username",
        "full_name",
        "department",
        "section",
        "position",
        "masked_mobile",
        "role_names",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_active", "roles", "department"]
    search_fields = ["username", "full_name", "position", "email"]
    ordering = ["username"]
    autocomplete_fields = ["department", "section"]
    readonly_fields = [
        "username",
        "role_names",
        "is_active",
        "disabled_reason",
        "last_login",
        "date_joined",
        "password_changed_at",
        "must_change_password",
    ]
    list_per_page = 50
    actions = ["disable_users", "enable_users", "end_sessions"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["username", "password1", "password2"]}),
                (_("Profile"), {"fields": PROFILE_FIELDS}),
            ]
        return [
            (None, {"fields": ["username", "role_names"]}),
            (_("Profile"), {"fields": PROFILE_FIELDS}),
            (
                _("Status"),
                {
                    "fields": [
                        "is_active",
                        "disabled_reason",
                        "last_login",
                        "date_joined",
                        "password_changed_at",
                        "must_change_password",
                    ]
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("department", "section")
            .prefetch_related("roles")
        )

    @admin.display(description=_("roles"))
    def role_names(self, obj: User) -> str:
        return "、".join(str(role) for role in obj.roles.all())

    @admin.display(description=_("mobile number"))
    def masked_mobile(self, obj: User) -> str:
        return obj.masked_mobile

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # accounts are disabled, never deleted (the audit trail names them)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Disable selected accounts"))
    def disable_users(self, request, queryset):
        for user in queryset:
            services.set_user_active(
                actor=request.user,
                user=user,
                active=False,
                reason=str(_("Disabled by admin")),
                at=timezone.now(),
            )
        self.message_user(request, _("Accounts disabled."), messages.SUCCESS)

    @admin.action(description=_("Enable selected accounts"))
    def enable_users(self, request, queryset):
        for user in queryset:
            services.set_user_active(actor=request.user, user=user, active=True, at=timezone.now())
        self.message_user(request, _("Accounts enabled."), messages.SUCCESS)


@admin.register(UserSession)
class UserSessionAdmin(ServiceAdmin):
    module = Module.SYSTEM
    read_only = True
    list_display = ["user", "created_at", "ip", "user_agent"]
    search_fields = ["user__username", "user__full_name", "ip"]
    list_select_related = ["user"]
    ordering = ["-created_at"]


# --- roles, groups and module permissions (security administrator) ------------------------


class RoleAssignmentForm(ServiceForm):
    roles = forms.ModelMultipleChoiceField(
        label=_("roles"),
        queryset=Role.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("groups"),
        queryset=Group.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = UserRoleAssignment
        fields = ["roles", "groups"]

    def apply(self, actor):
        user = self.instance
        if "roles" in self.changed_data:
            services.assign_roles(
                actor=actor,
                user=user,
                roles=[r.code for r in self.cleaned_data["roles"]],
                at=timezone.now(),
            )
        if "groups" in self.changed_data:
            services.set_user_groups(
                actor=actor, user=user, groups=self.cleaned_data["groups"], at=timezone.now()
            )
        return user


@admin.register(UserRoleAssignment)
class UserRoleAssignmentAdmin(AccountActionsMixin, MobileSearchMixin, ServiceAdmin):
    module = Module.SECURITY
    form = RoleAssignmentForm
    list_display = ["username", "full_name", "department", "role_names", "group_names", "is_active"]
    list_filter = ["roles", "groups", "department"]
    search_fields = ["username", "full_name"]
    readonly_fields = ["username", "full_name", "department"]
    fields = ["username", "full_name", "department", "roles", "groups"]
    list_per_page = 50
    actions = ["end_sessions", "reset_second_factor"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("department")
            .prefetch_related("roles", "groups")
        )

    @admin.action(description=_("Reset the authenticator of selected accounts (lost phone)"))
    def reset_second_factor(self, request, queryset):
        from .models import TOTPDevice
        from .security import reset_totp

        count = 0
        for user in queryset.filter(pk__in=TOTPDevice.objects.values("user")):
            reset_totp(actor=request.user, user=user, at=timezone.now())
            count += 1
        self.message_user(
            request,
            _("%(count)d authenticators reset; those accounts enrol again at next login.")
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("roles"))
    def role_names(self, obj) -> str:
        return "、".join(str(role) for role in obj.roles.all())

    @admin.display(description=_("groups"))
    def group_names(self, obj) -> str:
        return "、".join(group.name for group in obj.groups.all())


@admin.register(Role)
class RoleAdmin(ServiceAdmin):
    module = Module.SECURITY
    read_only = True
    list_display = ["name", "code", "member_count", "description"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(members=Count("users"))

    @admin.display(description=_("members"), ordering="members")
    def member_count(self, obj) -> int:
        return obj.members


class GroupForm(ServiceForm):
    members = forms.ModelMultipleChoiceField(
        label=_("members"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        widget=admin.widgets.FilteredSelectMultiple(_("members"), is_stacked=False),
    )

    class Meta:
        model = Group
        fields = ["name", "members"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["members"].initial = self.instance.user_set.all()

    def apply(self, actor):
        group = self.instance
        if group.pk is None:
            group = services.create_group(
                actor=actor, name=self.cleaned_data["name"], at=timezone.now()
            )
        elif "name" in self.changed_data:
            group = services.rename_group(
                actor=actor, group=group, name=self.cleaned_data["name"], at=timezone.now()
            )
        if "members" in self.changed_data:
            services.set_group_members(
                actor=actor, group=group, users=self.cleaned_data["members"], at=timezone.now()
            )
        return group


# Importing Django's auth admin registers its GroupAdmin first; ours replaces it.
import django.contrib.auth.admin  # noqa: E402, F401

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ServiceAdmin):
    module = Module.SECURITY
    form = GroupForm
    list_display = ["name", "member_count"]
    search_fields = ["name"]
    ordering = ["name"]
    fields = ["name", "members"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(members_total=Count("user"))

    @admin.display(description=_("members"), ordering="members_total")
    def member_count(self, obj) -> int:
        return obj.members_total

    def delete_through_service(self, request, obj):
        services.delete_group(actor=request.user, group=obj, at=timezone.now())


class ModuleGrantForm(ServiceForm):
    class Meta:
        model = ModuleGrant
        fields = ["module", "user", "group", "department"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Administrator modules come only with their roles (三员分立).
        self.fields["module"].choices = [
            (value, label)
            for value, label in self.fields["module"].choices
            if value not in services.ROLE_ONLY_MODULES
        ]

    def apply(self, actor):
        return services.grant_module(
            actor=actor,
            module=self.cleaned_data["module"],
            user=self.cleaned_data["user"],
            group=self.cleaned_data["group"],
            department=self.cleaned_data["department"],
            at=timezone.now(),
        )


@admin.register(ModuleGrant)
class ModuleGrantAdmin(ServiceAdmin):
    module = Module.SECURITY
    form = ModuleGrantForm
    list_display = ["module", "user", "group", "department", "granted_by", "granted_at"]
    list_filter = ["module"]
    search_fields = ["user__username", "user__full_name", "group__name", "department__name"]
    # No autocomplete: that would need view rights on the system administrator's
    # user and department lists, which the security administrator does not have.
    list_select_related = ["user", "group", "department", "granted_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        # A grant is added or revoked, never edited in place.
        return obj is None and super().has_change_permission(request, obj)

    def delete_through_service(self, request, obj):
        services.revoke_module(actor=request.user, grant=obj, at=timezone.now())


# --- API tokens (security administrator) ------------------------------------------------


class ApiTokenForm(ServiceForm):
    days = forms.IntegerField(
        label=_("valid for (days)"),
        min_value=1,
        max_value=tokens.MAX_DAYS,
        initial=tokens.DEFAULT_DAYS,
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name"]

    def apply(self, actor):
        token, secret = tokens.create_api_token(
            actor=actor,
            user=self.cleaned_data["user"],
            name=self.cleaned_data["name"],
            days=self.cleaned_data["days"],
            at=timezone.now(),
        )
        token.secret = secret  # shown once by ApiTokenAdmin.response_add
        return token


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAdmin):
    """Issue and revoke staff API tokens. The secret appears once, in the message
    after creation; afterwards only its prefix is shown. Tokens are revoked, never
    edited or deleted (the audit log refers to them)."""

    module = Module.SECURITY
    form = ApiTokenForm
    list_display = [
        "prefix",
        "name",
        "user",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["prefix", "name", "user__username", "user__full_name"]
    list_select_related = ["user"]
    fields = ["user", "name", "days"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # Only accounts that may hold a token; no autocomplete (that would need view
        # rights on the system administrator's user list).
        form.base_fields["user"].queryset = User.objects.filter(is_active=True).exclude(
            roles__code__in=ADMIN_ROLES
        )
        return form

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("Token “%(name)s” for %(user)s: %(secret)s — copy it now, it is not shown again.")
            % {"name": obj.name, "user": obj.user, "secret": obj.secret},
            messages.WARNING,
        )
        return redirect("admin:accounts_apitoken_changelist")

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            tokens.revoke_api_token(actor=request.user, token=token, at=timezone.now())
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)


# The audit administrator's pages over the audit log (the log knows no role).
from . import audit_admin  # noqa: E402, F401
