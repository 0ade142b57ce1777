"""Who may maintain which part of the catalogue, and fetching items and steps by id.

Maintaining items (事项管理) needs the catalogue module (``Module.CATALOG``; department
heads have it by default) and covers:

- everything, for staff of the city government itself or of the city's service
  centre (a service hall directly under the city government): seed §1.8/§1.10 — the
  departments hand their items, bases and staff lists to the centre, "由中心的业务人员
  … 进行维护";
- the government it belongs to, for a county's or district's service hall (the same
  arrangement one level down);
- otherwise the user's own department subtree (``department_scope``: a section head
  without the department-head role only the section).

The catalogue itself is public (the portal publishes it): every member of staff may
read published items; drafts are seen only by those who may maintain them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from tongban.accounts.models import Department, DepartmentKind, User
from tongban.accounts.roles import Module
from tongban.accounts.scoping import EVERYTHING, NOTHING, DepartmentScope, department_scope
from tongban.accounts.selectors import can_use_module
from tongban.core.errors import NotFound, PermissionDenied

from .models import Item, ProcessStep

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def catalogue_covers_everything(user) -> bool:
    """Staff of the city government or of a service hall directly under it (the
    "centre" of seed §1.7–1.10) maintain every department's items."""
    department = getattr(user, "department", None)
    if department is None:
        return False
    if department.parent_id is None:
        return True
    return department.kind == DepartmentKind.HALL and department.parent.parent_id is None


def catalogue_scope(user) -> DepartmentScope:
    """The departments whose items ``user`` may maintain (``None`` is the system)."""
    if user is None:
        return EVERYTHING
    if not (user.is_authenticated and user.is_active and can_use_module(user, Module.CATALOG)):
        return NOTHING
    if user.admin_role:
        return NOTHING  # 三员分立: administrators do not maintain business data
    if catalogue_covers_everything(user):
        return EVERYTHING
    department = user.department
    if department is not None and department.kind == DepartmentKind.HALL and department.parent_id:
        return DepartmentScope(root=department.parent)
    return department_scope(user)


def managed_items_filter(user, field: str = "department") -> Q | None:
    """A ``Q`` for rows whose ``field`` (a Department path) ``user`` may maintain;
    ``None`` means every row."""
    scope = catalogue_scope(user)
    if scope.everything:
        return None
    if scope.nothing:
        return Q(pk__in=[])
    return Q(**{f"{field}__path__startswith": scope.root.path})


def can_manage_department_items(user, department: Department) -> bool:
    scope = catalogue_scope(user)
    return scope.everything or (
        scope.root is not None and department.path.startswith(scope.root.path)
    )


def require_item_manager(user, department: Department) -> None:
    if not can_manage_department_items(user, department):
        raise PermissionDenied()


def items_for_staff(user: User | AnonymousUser) -> QuerySet[Item]:
    """Items a member of staff may read: every published item, and the drafts of the
    departments they maintain. Anonymous: nothing (the portal has its own list)."""
    items = Item.objects.all()
    if user is None:
        return items
    if not (user.is_authenticated and user.is_active):
        return items.none()
    manage = managed_items_filter(user)
    if manage is None:
        return items
    return items.filter(Q(is_published=True) | manage)


def get_item_for(user, code: str, *, action: str = "view") -> Item:
    """Fetch an item for staff. ``view``: a published item, or a draft the user may
    maintain; ``manage``: the user must be allowed to maintain its department's items.
    Out of scope answers like a missing item."""
    item = Item.objects.select_related("department").filter(code=code).first()
    if item is None:
        raise NotFound()
    may_manage = can_manage_department_items(user, item.department)
    if action == "manage" and not may_manage:
        raise NotFound()
    if action == "view" and not (item.is_published or may_manage):
        raise NotFound()
    return item


def get_step_for(user, step_id: int) -> ProcessStep:
    """A process step whose staff ``user`` may assign (the item's maintainers)."""
    step = (
        ProcessStep.objects.select_related("item__department", "department")
        .filter(pk=step_id)
        .first()
    )
    if step is None or not can_manage_department_items(user, step.item.department):
        raise NotFound()
    return step
