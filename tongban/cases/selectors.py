"""Reads of cases: the workbench lists, the queries (审批结果), the case page and the
actions a user may take. Every list starts from ``Case.objects.visible_to(user)`` and
issues a fixed number of queries whatever the number of cases (paginate the result).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from tongban.accounts.models import Department, User
from tongban.accounts.roles import RoleCode
from tongban.accounts.selectors import department_path
from tongban.catalog.models import Material
from tongban.workcalendar.calendar import Explanation, WorkCalendar, get_calendar

from . import clock
from .access import intake_scope, is_handler_of, may_act_on_step
from .models import (
    OPEN_STATUSES,
    Case,
    CaseMaterial,
    CaseStatus,
    CaseStep,
    Extension,
    ExtensionStatus,
    StepKind,
    StepStatus,
    SupplementRequest,
    Suspension,
    TimelineEvent,
    Urging,
)
from .policy import Action
from .policy import available_actions as available_actions  # re-exported for callers

LIST_RELATED = ("item", "department")


def colour_of(case: Case, today: dt.date) -> str:
    return clock.colour(case, today, get_calendar())


def with_colours(cases: Iterable[Case], today: dt.date) -> list[Case]:
    """Attach ``case.colour`` (normal / due_soon / overdue / suspended / waiting /
    closed) computed from the stored deadline — no query per row."""
    calendar = get_calendar()
    rows = list(cases)
    for case in rows:
        case.colour = clock.colour(case, today, calendar)
    return rows


# --- the workbench -----------------------------------------------------------------------


def my_todo(user: User) -> QuerySet[CaseStep]:
    """Active steps assigned to ``user`` (我的待办), most urgent first."""
    return (
        CaseStep.objects.filter(assignee=user, status=StepStatus.ACTIVE)
        .select_related("case", "case__item", "case__department")
        .order_by("case__deadline", "due_on", "case__received_at")
    )


def department_queue(user: User) -> QuerySet[CaseStep]:
    """Unclaimed active steps that ``user`` may take (部门待签收): their role, in the
    subtree of their department or section. Named-staff restrictions are checked
    again when claiming."""
    roles = list(user.role_codes()) if user.is_authenticated else []
    departments = [d for d in (user.department, user.section) if d is not None]
    if not roles or not departments:
        return CaseStep.objects.none()
    in_department = Q()
    for department in departments:
        in_department |= Q(department__path__in=department.ancestors_paths())
    return (
        CaseStep.objects.filter(status=StepStatus.ACTIVE, assignee__isnull=True, role__in=roles)
        .filter(in_department)
        .select_related("case", "case__item", "case__department")
        .order_by("case__deadline", "due_on", "case__received_at")
    )


def awaiting_review(user: User) -> QuerySet[Case]:
    """Applications waiting for preliminary review at ``user``'s counter (待受理)."""
    scope = intake_scope(user)
    cases = Case.objects.filter(
        status__in=[CaseStatus.RECEIVED, CaseStatus.SUPPLEMENT_REQUESTED]
    ).select_related(*LIST_RELATED)
    if scope.everything:
        return cases.order_by("review_due_on", "received_at")
    root = scope.root
    if not isinstance(root, Department):
        return cases.none()
    return cases.filter(department__path__startswith=root.path).order_by(
        "review_due_on", "received_at"
    )


def pending_extensions(user: User) -> QuerySet[Extension]:
    """Extension requests waiting for ``user`` as department head."""
    if not user.has_role(RoleCode.DEPARTMENT_HEAD) or user.department is None:
        return Extension.objects.none()
    return (
        Extension.objects.filter(
            status=ExtensionStatus.PENDING,
            case__department__path__startswith=user.department.path,
        )
        .select_related("case", "case__item", "requested_by")
        .order_by("requested_at")
    )


def urgings_received(user: User) -> QuerySet[Urging]:
    return (
        Urging.objects.filter(urged_user=user)
        .select_related("case", "step", "urged_by")
        .order_by("-at", "-id")
    )


# --- queries (审批结果) ---------------------------------------------------------------


@dataclass
class CaseFilters:
    number: str = ""
    applicant: str = ""  # name (contains)
    id_number: str = ""  # exact, through the blind index
    mobile: str = ""  # exact, through the blind index
    item: str = ""  # code or name (contains)
    department: str = ""  # code: that department's subtree
    status: str = ""  # a CaseStatus, or "open"
    handling_type: str = ""
    channel: str = ""
    received_by: str = ""  # username of the acceptor
    hall: str = ""  # code of the receiving hall
    accepted_from: dt.date | None = None
    accepted_to: dt.date | None = None
    overdue: bool = False  # open, not suspended, deadline passed (as of today)
    handled_by_me: bool = False
    today: dt.date | None = None
    order: str = "-received_at"
    extra: dict[str, Any] = field(default_factory=dict)


SORTABLE = {
    "number",
    "-number",
    "received_at",
    "-received_at",
    "accepted_on",
    "-accepted_on",
    "deadline",
    "-deadline",
    "status",
    "-status",
    "applicant_name",
    "-applicant_name",
}


def case_list(user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The combined query: every filter optional, all in the database."""
    from tongban.core.crypto import provider

    f = filters or CaseFilters()
    cases: QuerySet[Case] = Case.objects.visible_to(user).select_related(*LIST_RELATED)
    if f.number:
        cases = cases.filter(number__icontains=f.number.strip())
    if f.applicant:
        cases = cases.filter(applicant_name__icontains=f.applicant.strip())
    if f.id_number:
        cases = cases.filter(applicant_id_index=provider().blind_index(f.id_number.strip().upper()))
    if f.mobile:
        cases = cases.filter(applicant_mobile_index=provider().blind_index(f.mobile.strip()))
    if f.item:
        cases = cases.filter(Q(item__code=f.item.strip()) | Q(item_name__icontains=f.item.strip()))
    if f.department:
        cases = cases.filter(department__path__startswith=department_path(f.department))
    if f.hall:
        cases = cases.filter(hall__path__startswith=department_path(f.hall))
    if f.status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif f.status:
        cases = cases.filter(status=f.status)
    if f.handling_type:
        cases = cases.filter(handling_type=f.handling_type)
    if f.channel:
        cases = cases.filter(channel=f.channel)
    if f.received_by:
        cases = cases.filter(received_by__username=f.received_by.strip())
    if f.accepted_from:
        cases = cases.filter(accepted_on__gte=f.accepted_from)
    if f.accepted_to:
        cases = cases.filter(accepted_on__lte=f.accepted_to)
    if f.overdue:
        if f.today is None:
            raise ValueError("Overdue as of which day? Set CaseFilters.today.")
        cases = overdue(cases, f.today)
    if f.handled_by_me:
        cases = cases.filter(
            Exists(CaseStep.objects.filter(case=OuterRef("pk"), finished_by=user))
            | Q(received_by=user)
        )
    order = f.order if f.order in SORTABLE else "-received_at"
    return cases.order_by(order, "-id")


def overdue(cases: QuerySet[Case], today: dt.date) -> QuerySet[Case]:
    """Open, running (not suspended) cases whose deadline has passed."""
    return cases.filter(status=CaseStatus.IN_PROGRESS, deadline__lt=today)


def handled_by(user: User) -> QuerySet[Case]:
    """My handled history: cases where ``user`` finished a step or took it in."""
    return case_list(user, CaseFilters(handled_by_me=True))


# --- the case page -----------------------------------------------------------------------


@dataclass
class StepRow:
    step: CaseStep
    days_used: int | None
    days_allowed: int | None
    overdue: bool


@dataclass
class CaseView:
    case: Case
    steps: list[StepRow]
    timeline: list[TimelineEvent]
    materials: list[CaseMaterial]
    missing: list[Material]
    suspensions: list[Suspension]
    extensions: list[Extension]
    urgings: list[Urging]
    supplement_requests: list[SupplementRequest]
    # A handler of the case (``access.is_handler_of``): sees the applicant's name and
    # may reveal the ID number, mobile and address (audited, ``privacy.py``); these
    # three are masked for everybody until revealed.
    may_reveal: bool
    colour: str
    derivation: Explanation | None
    actions: set[Action]
    my_steps: list[CaseStep]
    return_targets: list[CaseStep]


def step_days(
    step: CaseStep, today: dt.date, calendar: WorkCalendar | None = None
) -> tuple[int | None, bool]:
    """Working days used by a step (to its end, or to today while it runs), net of
    suspensions; and whether it is past its own due date."""
    calendar = calendar or get_calendar()
    if step.started_on is None:
        return None, False
    end = step.finished_on or today
    used = max(0, calendar.wd(step.started_on, end) - step.suspended_days)
    late = step.due_on is not None and end > step.due_on
    return used, late


def case_view(user: User, case: Case, *, today: dt.date) -> CaseView:
    from .services import missing_materials

    calendar = get_calendar()
    steps = list(
        case.steps.select_related("department", "assignee", "finished_by", "process_step").order_by(
            "order", "id"
        )
    )
    # ``is_handler_of`` reads them; Django's own cache of a prefetched relation.
    case.__dict__["_prefetched_objects_cache"] = {"steps": steps}
    rows: list[StepRow] = []
    for step in steps:
        used, late = step_days(step, today, calendar)
        rows.append(StepRow(step, used, step.limit_days, late))
    actions = available_actions(user, case, steps)
    mine = [
        s
        for s in steps
        if s.status == StepStatus.ACTIVE
        and (s.assignee_id == user.pk or (s.assignee_id is None and may_act_on_step(user, s)))
    ]
    targets: list[CaseStep] = []
    if mine and any(s.kind == StepKind.LEAD for s in mine):
        current = min(s.order for s in mine if s.kind == StepKind.LEAD)
        seen: set[int] = set()
        for s in steps:
            if (
                s.kind == StepKind.LEAD
                and s.status == StepStatus.DONE
                and s.order < current
                and s.role != RoleCode.WINDOW_CLERK
                and s.order not in seen
            ):
                targets.append(s)
                seen.add(s.order)
    return CaseView(
        case=case,
        steps=rows,
        timeline=list(case.timeline.select_related("step").order_by("at", "id")),
        materials=list(case.materials.select_related("file", "material")),
        missing=missing_materials(case) if case.status in OPEN_STATUSES else [],
        suspensions=list(case.suspensions.all()),
        extensions=list(case.extensions.select_related("requested_by", "decided_by")),
        urgings=list(case.urgings.select_related("urged_by", "urged_user", "step")),
        supplement_requests=list(case.supplement_requests.all()),
        may_reveal=is_handler_of(user, case),
        colour=clock.colour(case, today, calendar),
        derivation=clock.explain_deadline(case, calendar),
        actions=actions,
        my_steps=mine,
        return_targets=targets,
    )
