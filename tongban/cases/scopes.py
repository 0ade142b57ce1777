"""Who takes in at which counter, and who counts as business staff: the scopes that
both the case rows (``models.case_visibility``) and the access checks (``access``)
build on. Imports no model of this app, so ``models`` can use it."""

from __future__ import annotations

from tongban.accounts.models import DepartmentKind
from tongban.accounts.roles import RoleCode
from tongban.accounts.scoping import EVERYTHING, NOTHING, DepartmentScope

BUSINESS_ROLES = (
    RoleCode.WINDOW_CLERK,
    RoleCode.HANDLER,
    RoleCode.SECTION_HEAD,
    RoleCode.DEPARTMENT_HEAD,
)


def is_staff_user(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def intake_scope(user) -> DepartmentScope:
    """The departments whose items ``user`` may take in at the counter.

    A window clerk of a service hall directly under the city government (the city
    centre, 市政务服务中心) takes in every department's items; of a county's hall, the
    county's; otherwise their own department's."""
    if user is None:
        return EVERYTHING
    if not (is_staff_user(user) and user.has_role(RoleCode.WINDOW_CLERK)):
        return NOTHING
    department = user.department
    if department is None:
        return NOTHING
    if department.kind == DepartmentKind.HALL and department.parent_id:
        parent = department.parent
        return EVERYTHING if parent.parent_id is None else DepartmentScope(root=parent)
    return DepartmentScope(root=department)


def may_take_in(user, department) -> bool:
    scope = intake_scope(user)
    return scope.everything or (
        scope.root is not None and department.path.startswith(scope.root.path)
    )
