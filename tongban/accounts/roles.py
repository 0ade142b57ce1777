"""Built-in roles and the modules that permissions are granted on."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    SECTION_HEAD = "section_head", _("Section head")
    HANDLER = "handler", _("Handler")
    WINDOW_CLERK = "window_clerk", _("Window clerk")
    SUPERVISOR = "supervisor", _("Supervisor")


# 三员分立: the three administrator roles are mutually exclusive.
ADMIN_ROLES = frozenset({RoleCode.SYSTEM_ADMIN, RoleCode.SECURITY_ADMIN, RoleCode.AUDIT_ADMIN})
# Roles whose holders must use a second factor (security.md).
SECOND_FACTOR_ROLES = ADMIN_ROLES | {RoleCode.SUPERVISOR}


class Module(models.TextChoices):
    """Functional modules on which permissions are granted (seed §1.11 权限管理)."""

    WORKBENCH = "workbench", _("Workbench")
    INTAKE = "intake", _("Intake")
    CASES = "cases", _("Case handling")
    QUERY = "query", _("Case query")
    REPORTS = "reports", _("Statistics")
    BULLETIN = "bulletin", _("Public information")
    MAIL = "mail", _("Personal affairs")
    CATALOG = "catalog", _("Item management")
    SUPERVISION = "supervision", _("Electronic supervision")
    PORTAL = "portal", _("Portal content")
    HOTLINE = "hotline", _("12345 hotline")
    SYSTEM = "system", _("System management")
    SECURITY = "security", _("Roles and permissions")
    AUDIT = "audit", _("Audit log")


# Modules each role brings by default; further modules are granted per user, group
# or department by the security administrator.
ROLE_MODULES: dict[str, frozenset[str]] = {
    RoleCode.SYSTEM_ADMIN: frozenset({Module.SYSTEM, Module.MAIL, Module.BULLETIN}),
    RoleCode.SECURITY_ADMIN: frozenset({Module.SECURITY, Module.MAIL}),
    RoleCode.AUDIT_ADMIN: frozenset({Module.AUDIT, Module.MAIL}),
    RoleCode.DEPARTMENT_HEAD: frozenset(
        {
            Module.WORKBENCH,
            Module.CASES,
            Module.QUERY,
            Module.REPORTS,
            Module.BULLETIN,
            Module.MAIL,
            Module.CATALOG,
        }
    ),
    RoleCode.SECTION_HEAD: frozenset(
        {Module.WORKBENCH, Module.CASES, Module.QUERY, Module.REPORTS, Module.BULLETIN, Module.MAIL}
    ),
    RoleCode.HANDLER: frozenset(
        {Module.WORKBENCH, Module.CASES, Module.QUERY, Module.BULLETIN, Module.MAIL}
    ),
    RoleCode.WINDOW_CLERK: frozenset(
        {Module.WORKBENCH, Module.INTAKE, Module.QUERY, Module.BULLETIN, Module.MAIL}
    ),
    RoleCode.SUPERVISOR: frozenset(
        {
            Module.WORKBENCH,
            Module.SUPERVISION,
            Module.QUERY,
            Module.REPORTS,
            Module.BULLETIN,
            Module.MAIL,
        }
    ),
}
