"""Who may do what to a case, per case state and per relation of the user to the
case: the one table (``policy.RULES``) walked against both its readers — the actions
the case page and the API offer (``selectors.available_actions``) and what every
service (the guard) answers when the action is tried anyway — and pinned against
``data/action_table.json``.

For every state below (each a small case made for it through the real services) and
every user below, the golden table holds whether the user sees the case, the set of
actions offered, and, for EVERY action of ``policy.Action``, the service's answer:
``ok`` (it would have done it; undone at once) or the class of the refusal. The page
and the guard agree in every cell (``test_the_page_the_table_and_the_guard_agree``).

Regenerate with ``TONGBAN_REGENERATE_GOLDEN=1`` (``tongban.core.tests.golden``) ONLY
after an intended change of who may do what (and say it in docs/cases.md, "Who may
do what"). A difference after a refactoring is a regression until proven otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.accounts.models import DepartmentKind, User
from tongban.accounts.roles import RoleCode
from tongban.accounts.testing import Personas, make_personas, make_user
from tongban.cases import policy, services
from tongban.cases.access import may_act_on_step
from tongban.cases.models import Case, CaseStep, Outcome, StepStatus
from tongban.cases.policy import Action
from tongban.cases.selectors import available_actions
from tongban.cases.services import MaterialIn
from tongban.cases.testing import Items, accepted, active_step, at, make_items, receive
from tongban.core.errors import DomainError
from tongban.core.tests.golden import assert_matches_golden
from tongban.workcalendar.calendar import invalidate_calendar

from .support import land_clerk, market_user

DATA = Path(__file__).parent / "data"
DAY = "2026-03-02"  # a Monday: every state is made on it
TRY_AT = at("2026-03-04", 11)  # and every action tried two days later

# The vocabulary: every action of the table, in the table's order.
ACTIONS = tuple(Action)


# --- the people -----------------------------------------------------------------------


def _people(p: Personas) -> dict[str, User]:
    """Every relation to a market-supervision (SCJG) case that the rules tell apart."""
    centre = accounts.create_department(
        actor=None,
        code="ZWFW",
        name="天水市政务服务中心",
        kind=DepartmentKind.HALL,
        parent=p.org.city,
        at=timezone.now(),
    )
    inactive = market_user(p, "inactivehead", RoleCode.DEPARTMENT_HEAD, "13800000021")
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    inactive.refresh_from_db()
    return {
        "window_clerk": p.window_clerk,  # the desk of SCJG
        "centre_clerk": make_user(  # the city centre's desk: takes in every department's
            "centreclerk",
            RoleCode.WINDOW_CLERK,
            department=centre,
            full_name="吴中心",
            mobile="13800000022",
        ),
        "land_clerk": land_clerk(p),  # the desk of another department (ZRZY)
        "handler": p.handler,  # SCJG-DJK: claims and holds the steps below
        "handler2": market_user(p, "handler2", RoleCode.HANDLER, "13800000023", section=True),
        "section_head": p.section_head,
        "department_head": p.department_head,
        "land_head": make_user(  # head of another department (ZRZY), which assists joint cases
            "landhead",
            RoleCode.DEPARTMENT_HEAD,
            department=p.org.land,
            full_name="郑局长",
            mobile="13800000024",
        ),
        "land_handler": p.outsider,  # ZRZY's only handler: holds the joint review step
        "supervisor": p.supervisor,
        "system_admin": p.system_admin,
        "security_admin": p.security_admin,
        "audit_admin": p.audit_admin,
        "inactive_head": inactive,  # a disabled SCJG department head
    }


# --- the states -----------------------------------------------------------------------


def _claimed(p: Personas, i: Items) -> Case:
    case = accepted(p, i.promised, at(DAY))
    services.claim_step(actor=p.handler, case=case, step_id=active_step(case).pk, at=at(DAY, 11))
    return case


def _advance(case: Case, actor: User, hour: int) -> Case:
    step = active_step(case)
    return services.advance_step(
        actor=actor, case=case, step_id=step.pk, decision="agree", opinion="同意", at=at(DAY, hour)
    )


def _final_in_queue(p: Personas, i: Items) -> Case:
    case = _advance(_claimed(p, i), p.handler, 12)
    case = _advance(case, p.section_head, 13)
    return _advance(case, p.department_head, 14)


def _final_claimed(p: Personas, i: Items) -> Case:
    case = _final_in_queue(p, i)
    services.claim_step(actor=p.handler, case=case, step_id=active_step(case).pk, at=at(DAY, 15))
    return case


def _pledged(p: Personas, i: Items) -> Case:
    handed_in = [
        MaterialIn(material_id=m.pk, pages=1)
        for m in i.promised.materials.all()
        if m.name != "营业执照复印件"  # required, non-essential: may be pledged
    ]
    case = receive(p, i.promised, at(DAY), materials=handed_in)
    return services.accept_case(
        actor=p.window_clerk, case=case, at=at(DAY), pledge_due_on=dt.date(2026, 3, 9)
    )


def _supplement_requested(p: Personas, i: Items) -> Case:
    case = receive(p, i.promised, at(DAY))
    return services.request_supplement(
        actor=p.window_clerk, case=case, items=["营业执照复印件"], at=at(DAY, 11)
    )


def _extension_pending(p: Personas, i: Items) -> Case:
    case = _claimed(p, i)
    services.request_extension(
        actor=p.handler, case=case, days=3, reason="案情复杂", at=at(DAY, 12)
    )
    return case


def _special_procedure(p: Personas, i: Items) -> Case:
    return services.suspend_case(
        actor=p.handler,
        case=_claimed(p, i),
        procedure="onsite_check",
        reason="需现场核查",
        at=at(DAY, 12),
    )


def _special_procedure_in_queue(p: Personas, i: Items) -> Case:
    return services.suspend_case(
        actor=p.department_head,
        case=accepted(p, i.promised, at(DAY)),
        procedure="onsite_check",
        reason="需现场核查",
        at=at(DAY, 12),
    )


def _supplement_after_acceptance(p: Personas, i: Items) -> Case:
    return services.request_supplement(
        actor=p.handler, case=_claimed(p, i), items=["补充说明"], at=at(DAY, 12)
    )


def _completed(p: Personas, i: Items) -> Case:
    case = _final_claimed(p, i)
    return services.complete_case(
        actor=p.handler,
        case=case,
        step_id=active_step(case).pk,
        outcome=Outcome.APPROVED,
        opinion="准予许可",
        at=at(DAY, 16),
    )


def _rejected(p: Personas, i: Items) -> Case:
    case = receive(p, i.promised, at(DAY))
    return services.reject_application(
        actor=p.window_clerk, case=case, reasons="不符合条件", at=at(DAY, 11)
    )


def _withdrawn(p: Personas, i: Items) -> Case:
    case = receive(p, i.promised, at(DAY))
    return services.withdraw_case(
        actor=p.window_clerk, case=case, reason="申请人撤回", at=at(DAY, 11)
    )


def _terminated(p: Personas, i: Items) -> Case:
    return services.terminate_case(
        actor=p.department_head, case=_claimed(p, i), reason="申请人已注销", at=at(DAY, 12)
    )


# Each state: a promised SCJG item (承办 handler 8 d → 审核 section head → 批准
# department head → 办结 handler), unless named otherwise. Two active SCJG handlers,
# so the handler steps wait in the queue until claimed; one section head and one
# department head, so their steps are theirs at once.
STATES: dict[str, Callable[[Personas, Items], Case]] = {
    "received": lambda p, i: receive(p, i.promised, at(DAY)),
    "received_immediate": lambda p, i: receive(p, i.immediate, at(DAY)),
    "supplement_requested": _supplement_requested,
    "first_step_in_queue": lambda p, i: accepted(p, i.promised, at(DAY)),
    "first_step_claimed": _claimed,  # by the handler
    "review_step": lambda p, i: _advance(_claimed(p, i), p.handler, 12),  # the section head's
    "approval_step": lambda p, i: _advance(  # the department head's
        _advance(_claimed(p, i), p.handler, 12), p.section_head, 13
    ),
    "last_step_in_queue": _final_in_queue,  # the lead's last step, unclaimed
    "last_step_claimed": _final_claimed,  # by the handler
    "pledge_pending": _pledged,  # 容缺受理, first step in the queue
    "extension_pending": _extension_pending,  # asked by the handler holding the first step
    "joint_review": lambda p, i: accepted(p, i.joint, at(DAY)),  # ZRZY's assisting step
    "special_procedure": _special_procedure,  # suspended by the handler holding a step
    "special_procedure_in_queue": _special_procedure_in_queue,  # by the head; nobody claimed
    "supplement_after_acceptance": _supplement_after_acceptance,  # asked by that handler
    "completed": _completed,
    "rejected": _rejected,
    "withdrawn": _withdrawn,
    "terminated": _terminated,
}


# --- trying an action through its service ----------------------------------------------


class _Undo(Exception):
    """Raised after a service succeeded, to roll its writes back."""


def _step_for(user: User, steps: list[CaseStep]) -> CaseStep | None:
    """The step the case page would post for ``user``: one they hold, one they may
    take from the queue, else the first active step (else the next, else the last;
    None before acceptance)."""
    active = [s for s in steps if s.status == StepStatus.ACTIVE]
    for step in active:
        if step.assignee_id == user.pk:
            return step
    for step in active:
        if step.assignee_id is None and may_act_on_step(user, step):
            return step
    waiting = [s for s in steps if s.status == StepStatus.WAITING]
    return next(iter(active or waiting or steps[-1:]), None)


def _assignee(step: CaseStep | None, people: dict[str, User]) -> User:
    """Somebody who may handle ``step`` and does not hold it yet."""
    if step is None:
        return people["handler"]
    for person in people.values():
        if person.pk != step.assignee_id and may_act_on_step(person, step):
            return person
    return step.assignee or people["handler"]


def _call(
    action: str, user: User, case: Case, steps: list[CaseStep], people: dict[str, User]
) -> None:
    step = _step_for(user, steps)
    step_id = step.pk if step is not None else 0  # no step: not found, if asked
    common = {"actor": user, "case": case, "at": TRY_AT}
    if action == "accept":
        services.accept_case(**common)
    elif action == "reject":
        services.reject_application(**common, reasons="不符合条件")
    elif action == "request_supplement":
        services.request_supplement(**common, items=["补充说明"])
    elif action == "withdraw":
        services.withdraw_case(**common, reason="申请人撤回")
    elif action == "handle_immediately":
        services.handle_immediately(**common, outcome=Outcome.APPROVED)
    elif action == "supplement":
        services.supplement_case(**common, note="申请人已补正")
    elif action == "supply_pledged":
        missing = services.missing_materials(case) or list(case.item.materials.all())
        materials = [MaterialIn(material_id=missing[0].pk, pages=1)]
        services.supply_pledged_materials(**common, materials=materials)
    elif action == "claim":
        services.claim_step(**common, step_id=step_id)
    elif action == "advance":
        services.advance_step(**common, step_id=step_id, decision="agree", opinion="同意")
    elif action == "complete":
        services.complete_case(
            **common, step_id=step_id, outcome=Outcome.APPROVED, opinion="准予许可"
        )
    elif action == "assign":
        services.assign_step(**common, step_id=step_id, assignee=_assignee(step, people))
    elif action == "suspend":
        services.suspend_case(**common, procedure="onsite_check", reason="需现场核查")
    elif action == "resume":
        services.resume_case(**common)
    elif action == "request_extension":
        services.request_extension(**common, days=3, reason="案情复杂")
    elif action == "decide_extension":
        extension = case.extensions.order_by("-status", "-pk").first()  # pending first
        extension_id = extension.pk if extension else 0
        services.decide_extension(**common, extension_id=extension_id, approve=True)
    elif action == "terminate":
        services.terminate_case(**common, reason="申请人已注销")
    elif action == "urge":
        services.urge_case(**common, message="请加快办理")
    else:
        raise AssertionError(action)


def _answer(
    action: str, user: User, case: Case, steps: list[CaseStep], people: dict[str, User]
) -> str:
    """``ok`` or the refusal's class; nothing the service did is kept (the services
    lock and read the case afresh: the objects passed in are not changed)."""
    try:
        with transaction.atomic():
            _call(action, user, case, steps, people)
            raise _Undo
    except _Undo:
        return "ok"
    except DomainError as refusal:
        return type(refusal).__name__


def _cell(user: User, case_pk: int, people: dict[str, User]) -> tuple[dict, dict]:
    """The golden cell, and what the table itself says for each action."""
    case = Case.objects.select_related("item", "department").get(pk=case_pk)
    steps = list(case.steps.select_related("department", "process_step", "assignee"))
    steps.sort(key=lambda s: (s.order, s.pk))
    offered = available_actions(user, case, steps)
    relation = policy.relation(user, case, steps)
    verdicts = {action: policy.allowed(action, relation) for action in ACTIONS}
    answers: dict[str, list[str]] = {}
    for action in ACTIONS:
        answers.setdefault(_answer(action, user, case, steps, people), []).append(action)
    cell = {
        "visible": Case.objects.visible_to(user).filter(pk=case_pk).exists(),
        "offered": sorted(offered),
        "service": answers,
    }
    return cell, verdicts


@pytest.fixture(scope="module")
def table(django_db_setup, django_db_blocker):
    """The whole table, computed once (every state's case made in one transaction,
    rolled back at the end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        invalidate_calendar()
        personas = make_personas()
        people = _people(personas)
        items = make_items(personas)
        cases = {name: make(personas, items).pk for name, make in STATES.items()}
        result = {
            state: {role: _cell(user, pk, people) for role, user in people.items()}
            for state, pk in cases.items()
        }
        yield Walk(
            golden={s: {r: cell for r, (cell, _v) in row.items()} for s, row in result.items()},
            table={s: {r: v for r, (_c, v) in row.items()} for s, row in result.items()},
        )
        transaction.set_rollback(True)
    invalidate_calendar()


@dataclass
class Walk:
    golden: dict  # state -> role -> the golden cell (offered, the services' answers)
    table: dict  # state -> role -> action -> what ``policy.allowed`` says


@pytest.mark.django_db
def test_the_actions_offered_and_the_services_answers_are_those_of_the_golden_table(table):
    assert table.golden["received"]["window_clerk"]["offered"]  # the desk may act on a new case
    assert not table.golden["completed"]["department_head"]["offered"]
    assert_matches_golden(DATA / "action_table.json", table.golden)


@pytest.mark.django_db
def test_the_page_the_table_and_the_guard_agree_for_every_role_and_state(table):
    disagreements = []
    for state, row in table.golden.items():
        for role, cell in row.items():
            answer = {a: k for k, actions in cell["service"].items() for a in actions}
            for action in ACTIONS:
                says = table.table[state][role][action]
                offered = action in cell["offered"]
                done = answer[action] == "ok"
                if not (says == offered == done):
                    disagreements.append((state, role, action, says, offered, answer[action]))
    assert disagreements == []
    # Every action is possible for somebody in some state (the walk covers the table).
    possible = {
        a for row in table.table.values() for v in row.values() for a, ok in v.items() if ok
    }
    assert possible == set(ACTIONS)


@pytest.mark.django_db
def test_the_decided_cells_are_decided_as_docs_cases_md_says(table):
    """The cells where page and guard disagreed before the one table (docs/cases.md,
    "Who may do what")."""
    cells = table.golden
    for state in ("received", "received_immediate", "supplement_requested"):
        # Before acceptance only the desk records a withdrawal, not the head.
        head = cells[state]["department_head"]
        assert "withdraw" in head["service"]["PermissionDenied"]
    for state in ("special_procedure", "special_procedure_in_queue", "supplement_after_acceptance"):
        # The clock is stopped, the steps are still staffed: heads assign them.
        assert "assign" in cells[state]["department_head"]["offered"]
        assert "assign" in cells[state]["section_head"]["offered"]
    # … and a step still in the queue is claimed.
    assert "claim" in cells["special_procedure_in_queue"]["handler"]["offered"]
    # An assisting department's handler does not stop the clock for a supplement.
    assert (
        "request_supplement" in cells["joint_review"]["land_handler"]["service"]["PermissionDenied"]
    )


def test_docs_cases_md_shows_the_table_of_policy_py():
    docs = (Path(__file__).resolve().parents[3] / "docs" / "cases.md").read_text()
    start, end = "<!-- action-table:start -->\n", "<!-- action-table:end -->"
    shown = docs.split(start, 1)[1].split(end, 1)[0]
    assert shown == policy.markdown_table(), "regenerate with policy.markdown_table()"
