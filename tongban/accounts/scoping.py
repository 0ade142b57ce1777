"""Department data scoping: which part of the organisation a user's lists may show.

Every list of departmental data starts from ``Model.objects.visible_to(user)``;
those QuerySet methods ask ``department_scope`` and filter by the returned subtree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from .roles import RoleCode


@dataclass(frozen=True)
class DepartmentScope:
    everything: bool = False
    root: object | None = None  # a Department: its subtree is visible

    @property
    def nothing(self) -> bool:
        return not self.everything and self.root is None


NOTHING = DepartmentScope()
EVERYTHING = DepartmentScope(everything=True)


def department_scope(user) -> DepartmentScope:
    """The departmental subtree whose business data ``user`` may see.

    - supervisors (city level) see every department;
    - a section head sees the section; other staff see their department subtree;
    - the three administrators see no business data (least privilege);
    - anonymous users and staff without a department see nothing.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.has_role(RoleCode.SUPERVISOR):
        return EVERYTHING
    if user.admin_role:
        return NOTHING
    if (
        user.has_role(RoleCode.SECTION_HEAD)
        and not user.has_role(RoleCode.DEPARTMENT_HEAD)
        and user.section_id
    ):
        return DepartmentScope(root=user.section)
    if user.department_id:
        return DepartmentScope(root=user.department)
    return NOTHING


def department_scope_filter(user, field: str):
    """A ``Q`` limiting rows whose ``field`` (a Department FK path) is in scope, or
    ``None`` for "everything"; callers use ``qs.none()`` when the scope is empty."""
    scope = department_scope(user)
    if scope.everything:
        return None
    if scope.nothing:
        return Q(pk__in=[])
    return Q(**{f"{field}__path__startswith": scope.root.path})


def works_in(user, department) -> bool:
    """Whether ``user``'s department or section lies in ``department``'s subtree."""
    return any(
        d is not None and d.path.startswith(department.path)
        for d in (user.department, user.section)
    )


class DepartmentScopedQuerySet:
    """Mixin for QuerySets of departmental data: set ``department_field``."""

    department_field = "department"

    def visible_to(self, user):
        condition = department_scope_filter(user, self.department_field)
        return self if condition is None else self.filter(condition)
