"""System management (the Django admin), gated by modules instead of ``is_staff``.

Every ModelAdmin in the project derives from ``ModuleAdmin`` and names the module
whose holders may view it (``module``) and whether they may change it. Writes from
the admin go through the apps' services (``save_model``/``delete_model`` overrides),
so they are validated, audited and transactional like every other change.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse

from tongban.accounts.roles import Module

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
