"""Who may see a case, who may act on it, and fetching it by number.

Visibility (DESIGN.md, Access):
- supervisors (city level) see every case;
- the three administrators see none (三员分立: they manage the system, not its data);
- an intake desk (window clerk) sees the cases of the departments it takes in;
- other staff see the cases of their department subtree (a section head: the
  section) — as lead department, as an assisting department, or as the counter
  that received it — and every case they received or hold a step of;
- anonymous users and citizens see nothing here (the portal has its own checks).

Out of scope answers exactly like a missing case (404), so numbers cannot be probed.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from tongban.accounts.models import Department, DepartmentKind
from tongban.accounts.roles import Module, RoleCode
from tongban.accounts.scoping import (
    EVERYTHING,
    NOTHING,
    DepartmentScope,
    department_scope,
    works_in,
)
from tongban.core.errors import NotFound

from .models import Case, CaseStep, OpinionTemplate, StepStatus

# The modules that open the case pages (a case's page, its notices, its process
# diagram); which cases each user sees is then the scoping below.
CASE_STAFF_MODULES = frozenset(
    {Module.WORKBENCH, Module.INTAKE, Module.CASES, Module.QUERY, Module.SUPERVISION}
)

BUSINESS_ROLES = (
    RoleCode.WINDOW_CLERK,
    RoleCode.HANDLER,
    RoleCode.SECTION_HEAD,
    RoleCode.DEPARTMENT_HEAD,
)


def _is_staff_user(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def case_visibility(user) -> Q | None:
    """A ``Q`` over ``Case`` for what ``user`` may see; ``None`` means everything."""
    if user is None:
        return None  # the system itself
    if not _is_staff_user(user):
        return Q(pk__in=[])
    scope = department_scope(user)
    if scope.everything:
        return None
    mine = (
        Q(received_by=user)
        | Exists(CaseStep.objects.filter(case=OuterRef("pk"), assignee=user))
        | _in_queue_of(user)
    )
    # An intake desk sees the cases of the departments it takes in: it reviews their
    # online applications, records withdrawals and answers the applicants' questions.
    desk = intake_scope(user)
    if desk.everything:
        return None
    if desk.root is not None:
        mine |= Q(department__path__startswith=desk.root.path)
    if scope.nothing:
        return mine
    path = scope.root.path
    return (
        Q(department__path__startswith=path)
        | Q(hall__path__startswith=path)
        | Exists(CaseStep.objects.filter(case=OuterRef("pk"), department__path__startswith=path))
        | mine
    )


def _in_queue_of(user) -> Q:
    """Cases with a step waiting unclaimed in ``user``'s department queue (the rule of
    ``selectors.department_queue``: their role, a step of their department, section
    or an ancestor). Whoever finds the step in the queue must be able to open the case
    to claim it — a section head's scope is the section, while the steps belong to
    the department. Expressed in SQL, so the user's departments are not loaded."""
    roles = user.role_codes()
    homes = [pk for pk in (user.department_id, user.section_id) if pk is not None]
    if not roles or not homes:
        return Q(pk__in=[])
    home_below_step = Department.objects.filter(
        pk__in=homes, path__startswith=OuterRef("department__path")
    )
    return Q(
        Exists(
            CaseStep.objects.filter(
                case=OuterRef("pk"),
                status=StepStatus.ACTIVE,
                assignee__isnull=True,
                role__in=roles,
            ).filter(Exists(home_below_step))
        )
    )


def intake_scope(user) -> DepartmentScope:
    """The departments whose items ``user`` may take in at the counter.

    A window clerk of a service hall directly under the city government (the city
    centre, 市政务服务中心) takes in every department's items; of a county's hall, the
    county's; otherwise their own department's."""
    if user is None:
        return EVERYTHING
    if not (_is_staff_user(user) and user.has_role(RoleCode.WINDOW_CLERK)):
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


def is_handler_of(user, case: Case) -> bool:
    """Handlers of the case see its applicant's personal data unmasked: whoever
    received it, holds one of its steps, or works with a business role in the lead or
    an assisting department. Supervisors and everybody else see it masked."""
    if not _is_staff_user(user):
        return False
    if case.received_by_id == user.pk:
        return True
    steps = list(case.steps.all())
    if any(s.assignee_id == user.pk for s in steps):
        return True
    if not user.has_role(*BUSINESS_ROLES):
        return False
    departments = [case.department] + [s.department for s in steps]
    return any(works_in(user, d) for d in departments)


def may_act_on_step(user, step: CaseStep) -> bool:
    """Whether ``user`` may claim or handle ``step``: they hold its role, work in its
    department, and — where the item names staff for the step (项目与人员的关联) — are
    one of them."""
    if not _is_staff_user(user) or not user.has_role(step.role):
        return False
    if not works_in(user, step.department):
        return False
    if step.process_step_id is not None:
        named = list(step.process_step.staff.values_list("user_id", flat=True))
        if named and user.pk not in named:
            return False
    return True


def get_case_for(user, number: str, *, for_update: bool = False) -> Case:
    """Fetch a case by its number for ``user``; out of scope is "not found"."""
    query = Case.objects.visible_to(user).select_related("item", "department", "hall")
    if for_update:
        query = query.select_for_update(of=("self",))
    case = query.filter(number=number).first()
    if case is None:
        raise NotFound()
    return case


def get_step_for(user, case: Case, step_id: int) -> CaseStep:
    step = (
        CaseStep.objects.select_related("department", "assignee", "process_step")
        .filter(case=case, pk=step_id)
        .first()
    )
    if step is None:
        raise NotFound()
    return step


def active_steps(case: Case) -> list[CaseStep]:
    return [s for s in case.steps.all() if s.status == StepStatus.ACTIVE]


def get_opinion_template_for(user, pk: int) -> OpinionTemplate:
    """One of ``user``'s own saved phrases; anyone else's is "not found"."""
    template = OpinionTemplate.objects.filter(user_id=user.pk, pk=pk).first()
    if template is None:
        raise NotFound()
    return template
