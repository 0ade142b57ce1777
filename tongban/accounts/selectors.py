"""Reads about accounts and permissions."""

from __future__ import annotations

from django.db.models import Q

from .models import Department, ModuleGrant, User
from .roles import ROLE_MODULES


def user_modules(user: User) -> frozenset[str]:
    """The modules ``user`` may use: role defaults plus grants to the user, the user's
    groups, and the user's department or any department above it."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_modules", None)
    if cached is not None:
        return cached
    modules: set[str] = set()
    for code in user.role_codes():
        modules |= ROLE_MODULES.get(code, frozenset())
    subject = Q(user=user) | Q(group__in=user.groups.all())
    for dept in (user.department, user.section):
        if dept is not None:
            subject |= Q(department__path__in=dept.ancestors_paths())
    modules |= set(ModuleGrant.objects.filter(subject).values_list("module", flat=True))
    found = frozenset(modules)
    # Cached on the instance for the request, like ``role_codes``.
    user._modules = found  # type: ignore[attr-defined]  # a per-instance cache, not a field
    return found


def can_use_module(user: User, module: str) -> bool:
    return module in user_modules(user)


def department_tree(user: User) -> list[Department]:
    return list(Department.objects.visible_to(user).select_related("parent"))


# Paths start with "/", so this matches no department (a NUL would be refused by
# PostgreSQL).
NO_SUCH_PATH = "missing"


def department_path(code: str) -> str:
    """The path of the department with ``code`` (for ``…__path__startswith`` filters
    by a code typed into a query), or a path that matches nothing."""
    path = Department.objects.filter(code=code.strip()).values_list("path", flat=True).first()
    return path or NO_SUCH_PATH
