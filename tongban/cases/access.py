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

from tongban.accounts.roles import Module
from tongban.accounts.scoping import works_in
from tongban.core.errors import NotFound

from .models import Case, CaseStep, OpinionTemplate, StepStatus
from .models import case_visibility as case_visibility  # re-exported for callers
from .scopes import BUSINESS_ROLES, is_staff_user
from .scopes import intake_scope as intake_scope  # re-exported for callers
from .scopes import may_take_in as may_take_in  # re-exported for callers

# The modules that open the case pages (a case's page, its notices, its process
# diagram); which cases each user sees is then the scoping below.
CASE_STAFF_MODULES = frozenset(
    {Module.WORKBENCH, Module.INTAKE, Module.CASES, Module.QUERY, Module.SUPERVISION}
)


def is_handler_of(user, case: Case) -> bool:
    """Handlers of the case see its applicant's personal data unmasked: whoever
    received it, holds one of its steps, or works with a business role in the lead or
    an assisting department. Supervisors and everybody else see it masked."""
    if not is_staff_user(user):
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
    if not is_staff_user(user) or not user.has_role(step.role):
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
