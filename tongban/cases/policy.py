"""Who may do what to a case, and when: the one table of the case engine's actions.

Each row of ``RULES`` names an action, its label, and one or more *grants*: the case
statuses it applies to, the further conditions of the case's state (the kind of
suspension, a pending extension, a pledge …) and who may take it — a predicate over
the user's ``Relation`` to the case (intake desk, head of the lead department,
holder of an active step, …), computed once per (user, case, steps).

Everything that asks "may this user do that now?" reads this table:
``available_actions`` (the buttons of the case page, the ``actions`` of the API) and
the guard of every service (``require``), so the two cannot disagree;
``tests/test_action_table.py`` walks the table against both for every role × state,
and ``docs/cases.md`` ("Who may do what") shows it, checked against ``markdown_table``.

The system (``actor=None``: deemed acceptance, the sweep, online processing) passes
every "who" check; the state is checked for it as for anybody.

Refusals: not in this state → ``ActionNotAllowed`` ("Case … is …: this action is not
possible now.", or the condition's own message); not you → ``PermissionDenied`` with
the grant's message. Most actions check the state first; those of the intake desk and
the extension decision check who first (``who_first``), as they always did, so that
an outsider learns nothing about the case's state.

Actions on one step (claim, advance, complete, assign) and on one extension request
(decide) split the guard in two (``require_state``, then the service finds the step or
the request — not found, already handled by somebody else (409) —, then
``require_who``), so that a second handler acting on the same step hears that
somebody else was first, not that they may not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import User
from tongban.accounts.roles import RoleCode
from tongban.accounts.scoping import works_in
from tongban.catalog.models import HandlingType
from tongban.core.errors import ActionNotAllowed, DomainError, PermissionDenied, ValidationFailed

from .access import may_act_on_step, may_take_in
from .models import (
    ACCEPTED_OPEN_STATUSES,
    Case,
    CaseStatus,
    CaseStep,
    ExtensionStatus,
    StepKind,
    StepStatus,
    Suspension,
    SuspensionKind,
)

if TYPE_CHECKING:
    # a message, translated when it is shown
    from django_stubs_ext import StrOrPromise as Text


class Action(StrEnum):
    """The names of the actions: the URL names and paths of the case page, the form
    prefixes, the ``actions`` of the API."""

    ACCEPT = "accept"
    REJECT = "reject"
    REQUEST_SUPPLEMENT = "request_supplement"
    WITHDRAW = "withdraw"
    HANDLE_IMMEDIATELY = "handle_immediately"
    SUPPLEMENT = "supplement"
    SUPPLY_PLEDGED = "supply_pledged"
    CLAIM = "claim"
    ADVANCE = "advance"
    COMPLETE = "complete"
    ASSIGN = "assign"
    SUSPEND = "suspend"
    RESUME = "resume"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    TERMINATE = "terminate"
    URGE = "urge"


# The names as a mapping, for templates (``{% if box.name == A.ACCEPT %}``): a
# template would call the enum class itself.
NAMES: dict[str, str] = {a.name: a.value for a in Action}


def is_final(step: CaseStep, steps: Iterable[CaseStep]) -> bool:
    """The lead department's last step: it completes the case instead of passing it on."""
    return step.kind == StepKind.LEAD and not any(
        s.status == StepStatus.WAITING and s.order > step.order for s in steps
    )


def is_head_of(user: User, department: object) -> bool:
    """A department head working in ``department``'s subtree."""
    return user.has_role(RoleCode.DEPARTMENT_HEAD) and works_in(user, department)


class Relation:
    """What a user is to one case, and the facts of the case's state the table
    reads. Computed lazily (each fact on first use, once): the case page and the
    services pay only for the facts their question needs. ``user`` None is the
    system. ``steps`` may be given as a function that reads them (the services read
    the steps only under the lock and only when a rule needs them)."""

    def __init__(
        self,
        user: User | None,
        case: Case,
        steps: Sequence[CaseStep] | Callable[[], Sequence[CaseStep]],
    ) -> None:
        self.user = user
        self.case = case
        self._steps = steps

    @cached_property
    def steps(self) -> Sequence[CaseStep]:
        return self._steps() if callable(self._steps) else self._steps

    # --- the user ----------------------------------------------------------------------

    @cached_property
    def staff(self) -> bool:
        """Signed in and not disabled (the system counts as staff)."""
        user = self.user
        return user is None or bool(user.is_authenticated and user.is_active)

    @cached_property
    def desk(self) -> bool:
        """The intake desk: a window clerk who may take in the case's department."""
        return self.user is not None and may_take_in(self.user, self.case.department)

    @cached_property
    def head(self) -> bool:
        """The head of the lead department (or of a department above it)."""
        return self.user is not None and is_head_of(self.user, self.case.department)

    @cached_property
    def supervisor(self) -> bool:
        return self.user is not None and self.user.has_role(RoleCode.SUPERVISOR)

    @cached_property
    def active(self) -> list[CaseStep]:
        return [s for s in self.steps if s.status == StepStatus.ACTIVE]

    def holds(self, step: CaseStep) -> bool:
        """``step`` is active and the user's, or waits in the queue for them."""
        user = self.user
        return (
            user is not None
            and step.status == StepStatus.ACTIVE
            and (
                step.assignee_id == user.pk
                or (step.assignee_id is None and may_act_on_step(user, step))
            )
        )

    @cached_property
    def held(self) -> list[CaseStep]:
        """The active steps the user holds or may take from the queue."""
        return [s for s in self.active if self.holds(s)]

    @cached_property
    def holder(self) -> bool:
        return bool(self.held)

    @cached_property
    def claimable(self) -> bool:
        """An active step waits in the queue for the user."""
        return any(s.assignee_id is None for s in self.held)

    @cached_property
    def lead_holder(self) -> bool:
        return any(s.kind == StepKind.LEAD for s in self.held)

    @cached_property
    def final_holder(self) -> bool:
        """Holds (or may take) the lead department's last step."""
        return any(is_final(s, self.steps) for s in self.held)

    @cached_property
    def passing_holder(self) -> bool:
        """Holds (or may take) a step that passes the case on (not the last)."""
        return any(not is_final(s, self.steps) for s in self.held)

    @cached_property
    def step_head(self) -> bool:
        """A department or section head working where an active step is."""
        user = self.user
        return (
            user is not None
            and user.has_role(RoleCode.DEPARTMENT_HEAD, RoleCode.SECTION_HEAD)
            and any(works_in(user, s.department) for s in self.active)
        )

    @cached_property
    def step_department_head(self) -> bool:
        """A department head working where an active step is."""
        user = self.user
        return user is not None and any(is_head_of(user, s.department) for s in self.active)

    # --- the case ----------------------------------------------------------------------

    @cached_property
    def suspension(self) -> Suspension | None:
        """The suspension running now (a special procedure or a supplement)."""
        if self.case.status != CaseStatus.SUSPENDED:
            return None
        return self.case.suspensions.filter(ended_at__isnull=True).first()

    @cached_property
    def extension_pending(self) -> bool:
        return any(e.status == ExtensionStatus.PENDING for e in self.case.extensions.all())


# --- the pieces of a rule ----------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    """Who may take an action: ``doc`` says it (docs/cases.md), ``test`` decides over
    the relation, ``denied`` is the refusal's message."""

    doc: str
    test: Callable[[Relation], bool]
    denied: Callable[[Relation], Text]


@dataclass(frozen=True)
class Condition:
    """A further condition of the case's state. ``refusal`` builds the error; checked
    before "who" unless ``after_who`` (a race or a limit, which only those who may
    take the action need to hear about)."""

    doc: str
    holds: Callable[[Relation], bool]
    refusal: Callable[[Relation], DomainError]
    after_who: bool = False


@dataclass(frozen=True)
class Grant:
    statuses: frozenset[str]
    who: Who
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Rule:
    action: Action
    label: Text
    grants: tuple[Grant, ...]
    who_first: bool = False

    def grant_for(self, status: str) -> Grant | None:
        return next((g for g in self.grants if status in g.statuses), None)


def _says(message: Text) -> Callable[[Relation], Text]:
    return lambda rel: message


def _not_now(rel: Relation) -> DomainError:
    return ActionNotAllowed(
        _("Case %(number)s is %(status)s: this action is not possible now.")
        % {"number": rel.case.number, "status": rel.case.get_status_display()}
    )


def _refuse(message: Text) -> Callable[[Relation], DomainError]:
    return lambda rel: ActionNotAllowed(message)


def _lead_or_handler(rel: Relation) -> Text:
    if rel.holder:
        return _("Only the lead department does this.")
    return _("Only the handler of the current step may do this.")


def _no_room(rel: Relation) -> DomainError:
    room = rel.case.extension_cap - rel.case.extension_days
    message = str(_("The deadline can be extended by at most %(n)d more working days.")) % {
        "n": room
    }
    return ValidationFailed(message, fields={"days": [message]})


def _no_special_procedure(rel: Relation) -> DomainError:
    message = str(_("This item does not provide for this special procedure."))
    return ValidationFailed(message, fields={"procedure": [message]})


class Conflict(ActionNotAllowed):
    """Somebody else acted first (the case changed under the caller)."""

    code = "conflict"


def _extension_waiting(rel: Relation) -> DomainError:
    return Conflict(_("An extension request is already waiting for the head's decision."))


DESK_REVIEWS = Who(
    "intake desk",
    lambda rel: rel.desk,
    _says(_("Only the intake desk reviews applications.")),
)
LEAD_HOLDER_OR_HEAD = Who(
    "lead step holder or department head",
    lambda rel: rel.lead_holder or rel.head,
    _lead_or_handler,
)
HEAD_TERMINATES = Who(
    "department head",
    lambda rel: rel.head,
    _says(_("Only the head of the lead department terminates a case.")),
)

RECEIVED = frozenset({CaseStatus.RECEIVED})
BEFORE_ACCEPTANCE = frozenset({CaseStatus.RECEIVED, CaseStatus.SUPPLEMENT_REQUESTED})
IN_PROGRESS = frozenset({CaseStatus.IN_PROGRESS})
SUSPENDED = frozenset({CaseStatus.SUSPENDED})
WORKING = frozenset({CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED})
ACCEPTED_OPEN = frozenset(ACCEPTED_OPEN_STATUSES)

IMMEDIATE = Condition(
    "immediate item",
    lambda rel: rel.case.handling_type == HandlingType.IMMEDIATE,
    _refuse(_("Only immediate items are decided on the spot.")),
)
WAITING_FOR_SUPPLEMENT = Condition(
    "suspended for a supplement",
    lambda rel: rel.suspension is not None and rel.suspension.kind == SuspensionKind.SUPPLEMENT,
    _refuse(_("The case is in a special procedure, not waiting for a supplement.")),
)
IN_SPECIAL_PROCEDURE = Condition(
    "in a special procedure",
    lambda rel: (
        rel.suspension is not None and rel.suspension.kind == SuspensionKind.SPECIAL_PROCEDURE
    ),
    _refuse(_("The case waits for the applicant's supplement; it resumes when it arrives.")),
)
PLEDGE_PENDING = Condition(
    "materials pledged",
    lambda rel: rel.case.pledge_due_on is not None,
    _refuse(_("No materials are pending for this case.")),
)
SPECIAL_PROCEDURES_ALLOWED = Condition(
    "the item provides special procedures",
    lambda rel: rel.case.item.special_procedures_allowed,
    _no_special_procedure,
    after_who=True,
)
NO_EXTENSION_PENDING = Condition(
    "no extension request pending",
    lambda rel: not rel.extension_pending,
    _extension_waiting,
    after_who=True,
)
EXTENSION_ROOM = Condition(
    "extension days left",
    lambda rel: rel.case.extension_days < rel.case.extension_cap,
    _no_room,
    after_who=True,
)
EXTENSION_PENDING = Condition(
    "an extension request pending",
    lambda rel: rel.extension_pending,
    _refuse(_("No extension request is waiting for a decision.")),
)


RULES: dict[Action, Rule] = {
    rule.action: rule
    for rule in (
        Rule(Action.ACCEPT, _("Accept"), (Grant(RECEIVED, DESK_REVIEWS),), who_first=True),
        Rule(
            Action.HANDLE_IMMEDIATELY,
            _("Decide on the spot"),
            (Grant(RECEIVED, DESK_REVIEWS, (IMMEDIATE,)),),
            who_first=True,
        ),
        Rule(Action.REJECT, _("Do not accept"), (Grant(BEFORE_ACCEPTANCE, DESK_REVIEWS),), True),
        Rule(
            Action.REQUEST_SUPPLEMENT,
            _("Ask for a supplement"),
            (
                # Before acceptance the desk; after, the lead department's handler (the
                # clock stops, as for a special procedure — the lead's decision).
                Grant(RECEIVED, DESK_REVIEWS),
                Grant(
                    IN_PROGRESS,
                    Who("lead step holder", lambda rel: rel.lead_holder, _lead_or_handler),
                ),
            ),
        ),
        Rule(
            Action.SUPPLEMENT,
            _("Supplement received"),
            (
                Grant(
                    frozenset({CaseStatus.SUPPLEMENT_REQUESTED}),
                    Who(
                        "intake desk",
                        lambda rel: rel.desk,
                        _says(_("Only the intake desk takes in supplements.")),
                    ),
                ),
                Grant(
                    SUSPENDED,
                    Who(
                        "intake desk or step holder",
                        lambda rel: rel.desk or rel.holder,
                        _says(_("Only the intake desk or the handler takes in supplements.")),
                    ),
                    (WAITING_FOR_SUPPLEMENT,),
                ),
            ),
        ),
        Rule(
            Action.SUPPLY_PLEDGED,
            _("Pledged materials handed in"),
            (
                Grant(
                    ACCEPTED_OPEN,
                    Who(
                        "intake desk or step holder",
                        lambda rel: rel.desk or rel.holder,
                        _says(_("Only the intake desk or the handler takes in materials.")),
                    ),
                    (PLEDGE_PENDING,),
                ),
            ),
        ),
        Rule(
            Action.CLAIM,
            _("Claim the step"),
            (
                # Also while the clock is stopped: somebody must hold the step through
                # a special procedure or while the applicant supplements.
                Grant(
                    WORKING,
                    Who(
                        "a step waits in the queue for them",
                        lambda rel: rel.claimable,
                        _says(_("This step is not yours to handle.")),
                    ),
                ),
            ),
        ),
        Rule(
            Action.ADVANCE,
            _("Finish my step"),
            (
                Grant(
                    IN_PROGRESS,
                    Who(
                        "holder of a step before the last",
                        lambda rel: rel.passing_holder,
                        _says(_("This step is not yours to handle.")),
                    ),
                ),
            ),
        ),
        Rule(
            Action.COMPLETE,
            _("Complete the case"),
            (
                Grant(
                    IN_PROGRESS,
                    Who(
                        "holder of the last lead step",
                        lambda rel: rel.final_holder,
                        _says(_("This step is not yours to handle.")),
                    ),
                ),
            ),
        ),
        Rule(
            Action.ASSIGN,
            _("Assign the step"),
            (
                # Also while the clock is stopped: a head re-staffs a long special
                # procedure (the handler is away) without waiting for it to end.
                Grant(
                    WORKING,
                    Who(
                        "department or section head of an active step",
                        lambda rel: rel.step_head,
                        _says(_("Only the head of the step's department assigns it.")),
                    ),
                ),
            ),
        ),
        Rule(
            Action.SUSPEND,
            _("Start a special procedure"),
            (Grant(IN_PROGRESS, LEAD_HOLDER_OR_HEAD, (SPECIAL_PROCEDURES_ALLOWED,)),),
        ),
        Rule(
            Action.RESUME,
            _("End the special procedure"),
            (Grant(SUSPENDED, LEAD_HOLDER_OR_HEAD, (IN_SPECIAL_PROCEDURE,)),),
        ),
        Rule(
            Action.REQUEST_EXTENSION,
            _("Request an extension"),
            (
                Grant(
                    ACCEPTED_OPEN,
                    LEAD_HOLDER_OR_HEAD,
                    (NO_EXTENSION_PENDING, EXTENSION_ROOM),
                ),
            ),
        ),
        Rule(
            Action.DECIDE_EXTENSION,
            _("Decide the extension request"),
            (
                Grant(
                    ACCEPTED_OPEN,
                    Who(
                        "department head",
                        lambda rel: rel.head,
                        _says(_("Only the head of the lead department approves extensions.")),
                    ),
                    (EXTENSION_PENDING,),
                ),
            ),
            who_first=True,
        ),
        Rule(
            Action.WITHDRAW,
            _("Withdraw"),
            (
                # Before acceptance the application is the counter's alone (as are
                # accepting and refusing it); after, the department head may too.
                Grant(
                    BEFORE_ACCEPTANCE,
                    Who(
                        "intake desk",
                        lambda rel: rel.desk,
                        _says(_("Before acceptance, only the intake desk records a withdrawal.")),
                    ),
                ),
                Grant(
                    ACCEPTED_OPEN,
                    Who(
                        "intake desk or department head",
                        lambda rel: rel.desk or rel.head,
                        _says(_("The intake desk or the department head records a withdrawal.")),
                    ),
                ),
            ),
        ),
        Rule(Action.TERMINATE, _("Terminate"), (Grant(ACCEPTED_OPEN, HEAD_TERMINATES),)),
        Rule(
            Action.URGE,
            _("Urge"),
            (
                Grant(
                    ACCEPTED_OPEN,
                    Who(
                        "supervisor, or department head of an active step",
                        lambda rel: rel.supervisor or rel.step_department_head,
                        _says(_("Supervisors and department heads urge cases.")),
                    ),
                ),
            ),
        ),
    )
}
assert set(RULES) == set(Action), set(Action) - set(RULES)  # every action has its row


# --- reading the table ---------------------------------------------------------------------


def relation(
    user: User | None,
    case: Case,
    steps: Sequence[CaseStep] | Callable[[], Sequence[CaseStep]],
) -> Relation:
    return Relation(user, case, steps)


def allowed(action: Action, rel: Relation) -> bool:
    """Whether the table lets ``rel.user`` take ``action`` now."""
    if not rel.staff:
        return False
    grant = RULES[action].grant_for(rel.case.status)
    return (
        grant is not None
        and all(c.holds(rel) for c in grant.conditions)
        and (rel.user is None or grant.who.test(rel))
    )


def available_actions(
    user: User, case: Case, steps: Sequence[CaseStep] | None = None
) -> set[Action]:
    """What ``user`` may do to ``case`` now — the buttons on the case page and the
    ``actions`` of the API. The services ask the same table again under the lock."""
    if not (user.is_authenticated and user.is_active):
        return set()
    if steps is None:
        steps = list(case.steps.select_related("department", "process_step"))
    rel = Relation(user, case, steps)
    return {action for action in Action if allowed(action, rel)}


def _require_staff(rel: Relation) -> None:
    if not rel.staff:
        raise PermissionDenied()


def _check_who(rule: Rule, rel: Relation) -> None:
    grant = rule.grant_for(rel.case.status) or rule.grants[0]
    if rel.user is not None and not grant.who.test(rel):
        raise PermissionDenied(str(grant.who.denied(rel)))


def _check_state(rule: Rule, rel: Relation, *, after_who: bool | None = None) -> None:
    grant = rule.grant_for(rel.case.status)
    if grant is None:
        raise _not_now(rel)
    for condition in grant.conditions:
        if after_who in (None, condition.after_who) and not condition.holds(rel):
            raise condition.refusal(rel)


def require(action: Action, rel: Relation) -> None:
    """The guard: raise unless the table lets ``rel.user`` take ``action`` now."""
    rule = RULES[action]
    _require_staff(rel)
    if rule.who_first:
        _check_who(rule, rel)
        _check_state(rule, rel)
    else:
        _check_state(rule, rel, after_who=False)
        _check_who(rule, rel)
        _check_state(rule, rel, after_who=True)


def require_state(action: Action, rel: Relation) -> None:
    """Half of the guard, for a service that finds the step or the request it acts
    on between the halves: a disabled account, then the state and its conditions."""
    _require_staff(rel)
    _check_state(RULES[action], rel)


def require_who(action: Action, rel: Relation) -> None:
    """The other half: a disabled account, then who."""
    _require_staff(rel)
    _check_who(RULES[action], rel)


# --- the table for people ------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    action: Action
    statuses: tuple[str, ...]
    conditions: tuple[str, ...]
    who: str
    checks: str = field(default="state, then who")


def lines() -> list[Line]:
    order = [s.value for s in CaseStatus]
    result = []
    for rule in RULES.values():
        for grant in rule.grants:
            result.append(
                Line(
                    action=rule.action,
                    statuses=tuple(sorted(grant.statuses, key=order.index)),
                    conditions=tuple(c.doc for c in grant.conditions),
                    who=grant.who.doc,
                    checks="who, then state" if rule.who_first else "state, then who",
                )
            )
    return result


def markdown_table() -> str:
    """The table as docs/cases.md shows it ("Who may do what")."""
    rows = [
        "| action | statuses | and | who | checked |",
        "|---|---|---|---|---|",
    ]
    for line in lines():
        rows.append(
            f"| `{line.action}` | {', '.join(f'`{s}`' for s in line.statuses)} "
            f"| {'; '.join(line.conditions) or '—'} | {line.who} | {line.checks} |"
        )
    return "\n".join(rows) + "\n"
