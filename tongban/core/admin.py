"""System management (the Django admin), gated by modules instead of ``is_staff``.

Every ModelAdmin in the project derives from ``ModuleAdmin`` and names the module
whose holders may view it (``module``) and whether they may change it. Writes from
the admin go through the apps' services (``save_model``/``delete_model`` overrides),
so they are validated, audited and transactional like every other change.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse

from tongban.accounts.roles import Module
from tongban.core.errors import DomainError

# Modules that open the admin site at all.
ADMIN_MODULES = frozenset(
    {Module.SYSTEM, Module.SECURITY, Module.AUDIT, Module.CATALOG, Module.PORTAL}
)


def _modules(user) -> frozenset[str]:
    from tongban.accounts.selectors import user_modules

    return user_modules(user)


class TongbanAdminSite(admin.AdminSite):
    site_header = "通办 · 系统管理"
    site_title = "通办系统管理"
    index_title = "系统管理"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and (_modules(user) & ADMIN_MODULES))

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # Logged-in staff without any administration module get a plain 403
            # instead of being bounced to the login page again.
            if request.user.is_authenticated and not self.has_permission(request):
                raise DjangoPermissionDenied
            return inner(request, *args, **kwargs)

        return wrapper

    def password_change(self, request, extra_context=None):
        # The platform's own page: password rules, audit, ending other sessions.
        return redirect("accounts:password_change")

    def login(self, request, extra_context=None):
        # One login page for the whole platform (lockout, second factor).
        url = reverse("accounts:login")
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{url}?next={next_url}")


class TongbanAdminConfig(AdminConfig):
    default_site = "tongban.core.admin.TongbanAdminSite"


class ModuleAdmin(admin.ModelAdmin):
    """Permissions from the module: ``module`` (view), ``read_only`` (no writes)."""

    module: str = Module.SYSTEM
    read_only: bool = False

    def _allowed(self, request) -> bool:
        return request.user.is_active and self.module in _modules(request.user)

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request) -> bool:
        return not self.read_only and self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self.read_only and self._allowed(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self.read_only and self._allowed(request)


class ServiceForm(forms.ModelForm):
    """An admin form whose change is made by a service during validation.

    The service runs inside a savepoint in ``_post_clean``: a refusal becomes a form
    error on the field it names and nothing is written, exactly like bad input on a
    page. Subclasses implement ``apply(actor)`` and return the saved instance.
    """

    actor = None  # set by ModuleAdmin.get_form

    def apply(self, actor):  # pragma: no cover - abstract
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            with transaction.atomic():
                self.instance = self.apply(self.actor)
        except DomainError as exc:
            placed = False
            for field, messages_ in exc.fields.items():
                if field in self.fields:
                    self.add_error(field, list(messages_))
                    placed = True
            if not placed:
                self.add_error(None, str(exc.message))

    def save(self, commit=True):
        # The service has saved everything (including many-to-many relations).
        self.save_m2m = lambda: None
        return self.instance


class ModuleInline(admin.TabularInline):
    """An inline with the same module-based permissions as its parent admin."""

    module: str = Module.SYSTEM
    read_only: bool = False

    def _allowed(self, request) -> bool:
        return request.user.is_active and self.module in _modules(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return not self.read_only and self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self.read_only and self._allowed(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self.read_only and self._allowed(request)


class ServiceAdmin(ModuleAdmin):
    """A ModuleAdmin whose writes go through services: forms are ``ServiceForm``s
    and deletion calls ``delete_through_service``.

    Not for admins with inlines: the form's service call would be kept even when an
    inline row is invalid. Such admins validate the parent and its rows first and
    then save both with one service call (see ``workcalendar.admin.HolidayAdmin``).
    """

    def get_inline_instances(self, request, obj=None):
        if self.inlines:
            raise ImproperlyConfigured(
                f"{type(self).__name__}: ServiceAdmin does not support inlines"
            )
        return []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        pass  # done by the form's service call

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_through_service(self, request, obj):
        raise NotImplementedError

    def delete_model(self, request, obj):
        self.delete_through_service(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_through_service(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return redirect(request.path.rsplit("/delete/", 1)[0] + "/change/")

    def response_action(self, request, queryset):
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return redirect(request.get_full_path())
