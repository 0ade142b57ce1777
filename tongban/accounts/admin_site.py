"""System management (the Django admin), gated by modules instead of ``is_staff``.

Every ModelAdmin in the project derives from ``ModuleAdmin`` and names the module
whose holders may view it (``module``) and whether they may change it. Writes from
the admin go through the apps' services (``save_model``/``delete_model`` overrides,
or ``ServiceAdmin``, which adds ``core.admin.ServiceModelAdmin``'s service-backed
writes), so they are validated, audited and transactional like every other change.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from tongban.accounts.roles import Module
from tongban.core.admin import ServiceModelAdmin

# Modules that open the admin site at all.
ADMIN_MODULES = frozenset(
    {Module.SYSTEM, Module.SECURITY, Module.AUDIT, Module.CATALOG, Module.PORTAL}
)


def _modules(user) -> frozenset[str]:
    # Imported here: this module is loaded with INSTALLED_APPS (TongbanAdminConfig),
    # before the models the selectors import can be.
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
    default_site = "tongban.accounts.admin_site.TongbanAdminSite"


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


class ServiceAdmin(ModuleAdmin, ServiceModelAdmin):
    """A ModuleAdmin whose writes go through services (``core.admin.ServiceModelAdmin``:
    ``ServiceForm``s, ``delete_through_service``, no inlines)."""
