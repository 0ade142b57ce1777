"""The catalogue's rules, as pure functions used by the services (which refuse) and
by the admin forms (which show the messages beside the fields).

Legal ground (中华人民共和国行政许可法):
- Art. 42: a decision within 20 days of acceptance, extendable by 10 days with the
  head's approval — the promised limit (承诺时限) may be shorter than the statutory
  limit (法定时限), never longer;
- Art. 26: joint or centralised handling (联办) within 45 days, extendable by 15;
- Art. 45: hearing, bidding, auction, inspection, testing, quarantine, appraisal and
  expert review are not counted in the limit (特别程序), each has its own limit;
- Art. 82: limits are working days.

Every function returns ``{field: [messages]}``; empty when valid. The field names
are those of the admin forms and of the services' ``ValidationFailed.fields``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tongban.accounts.roles import ADMIN_ROLES, RoleCode

from .models import HandlingType, SpecialProcedureKind

JOINT_MAX_LIMIT = 45
STATUTORY_EXTENSION = 10
JOINT_STATUTORY_EXTENSION = 15


@dataclass(frozen=True)
class StepSpec:
    name: str
    role: str
    limit_days: int | None = None
    department_id: int | None = None


@dataclass(frozen=True)
class AssistingSpec:
    department_id: int
    limit_days: int
    task: str = ""


def extension_cap(handling_type: str) -> int:
    """The most the deadline may be extended (Art. 42: 10; Art. 26: 15; none for an
    item completed on the spot)."""
    if handling_type == HandlingType.IMMEDIATE:
        return 0
    if handling_type == HandlingType.JOINT:
        return JOINT_STATUTORY_EXTENSION
    return STATUTORY_EXTENSION


def item_errors(
    *,
    handling_type: str,
    promised_limit: int,
    statutory_limit: int,
    max_extension: int,
    department_id: int | None,
    steps: Iterable[StepSpec] = (),
    assisting: Iterable[AssistingSpec] = (),
    valid_from=None,
    valid_to=None,
    special_procedures_allowed: bool | None = None,
    special_procedures: Mapping[str, int] | None = None,
) -> dict[str, list[str]]:
    """Every rule an item definition breaks, by field. Empty when valid.

    ``special_procedures`` (kind → limit) is checked only when given; so are the
    steps and assisting departments (an empty list is a valid "none")."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    steps, assisting = list(steps), list(assisting)

    # Limits (Art. 42, 26).
    if promised_limit > statutory_limit:
        add(
            "promised_limit",
            _("The promised limit (%(p)d) may not exceed the statutory limit (%(s)d).")
            % {"p": promised_limit, "s": statutory_limit},
        )
    if handling_type == HandlingType.IMMEDIATE and promised_limit != 0:
        add(
            "promised_limit",
            _("An immediate item is completed on the spot: its promised limit must be 0."),
        )
    if handling_type in (HandlingType.PROMISED, HandlingType.JOINT) and promised_limit < 1:
        add(
            "promised_limit",
            _("A promised or joint item needs a promised limit of at least one working day."),
        )
    if handling_type == HandlingType.JOINT and promised_limit > JOINT_MAX_LIMIT:
        add(
            "promised_limit",
            _("A joint item must be completed within %(max)d working days (promised limit).")
            % {"max": JOINT_MAX_LIMIT},
        )
    cap = extension_cap(handling_type)
    if max_extension > cap:
        add(
            "max_extension",
            _(
                "The maximum extension (%(value)d) may not exceed %(max)d working days for "
                "this handling type."
            )
            % {"value": max_extension, "max": cap},
        )

    # Assisting departments (联办).
    if handling_type == HandlingType.JOINT:
        if not assisting:
            add("assisting", _("A joint item needs at least one assisting department."))
    elif assisting:
        add("assisting", _("Only joint items have assisting departments."))
    if department_id is not None and any(a.department_id == department_id for a in assisting):
        add(
            "assisting",
            _("The responsible department cannot also be an assisting department."),
        )
    if len({a.department_id for a in assisting}) != len(assisting):
        add("assisting", _("An assisting department is listed twice."))
    if any(a.limit_days < 1 for a in assisting):
        add(
            "assisting",
            _("Each assisting department needs a limit of at least one working day."),
        )

    # Process steps.
    names = [s.name.strip() for s in steps]
    if any(not name for name in names):
        add("steps", _("Every step needs a name."))
    if len(set(names)) != len(names):
        add("steps", _("Two steps of the process have the same name."))
    for step in steps:
        if step.role not in RoleCode.values or step.role in ADMIN_ROLES:
            add(
                "steps",
                _("Step “%(step)s”: cases cannot be handled by this role.") % {"step": step.name},
            )
    step_total = sum(s.limit_days or 0 for s in steps)
    if handling_type == HandlingType.IMMEDIATE:
        if step_total:
            add("steps", _("The steps of an immediate item have no limits of their own."))
    else:
        parallel = max((a.limit_days for a in assisting), default=0)
        if step_total + parallel > promised_limit:
            add(
                "steps",
                _(
                    "The step limits (%(steps)d working days, plus %(parallel)d for the "
                    "assisting departments in parallel) do not fit inside the promised limit "
                    "of %(limit)d."
                )
                % {"steps": step_total, "parallel": parallel, "limit": promised_limit},
            )

    # Special procedures (Art. 45).
    if special_procedures:
        if special_procedures_allowed is False:
            add(
                "special_procedures",
                _(
                    "Special procedures are listed but the item is not marked as possibly "
                    "needing them (special procedures possible)."
                ),
            )
        for kind, days in special_procedures.items():
            if kind not in SpecialProcedureKind.values:
                add("special_procedures", _("Unknown special procedure: %(k)s.") % {"k": kind})
            elif days is None or days < 1:
                add(
                    "special_procedures",
                    _("Special procedure “%(k)s” needs a limit of at least one working day.")
                    % {"k": SpecialProcedureKind(kind).label},
                )

    # Validity.
    if valid_from and valid_to and valid_to < valid_from:
        add(
            "valid_to",
            _("The end of validity (%(to)s) precedes its start (%(from)s).")
            % {"to": valid_to.isoformat(), "from": valid_from.isoformat()},
        )
    return errors


def publish_errors(
    *,
    has_steps: bool,
    has_materials: bool,
    online_allowed: bool,
    has_form: bool,
    already_published: bool = False,
) -> dict[str, list[str]]:
    """What keeps an item from being published: citizens need its process, its
    materials and — when it accepts online applications — its application form. A
    published item must keep them (``already_published``: the message says so)."""
    problems = []
    if not has_steps:
        problems.append(_("it has no process"))
    if not has_materials:
        problems.append(_("it lists no materials"))
    if online_allowed and not has_form:
        problems.append(_("it accepts online applications but has no application form"))
    if not problems:
        return {}
    joined = _("; ").join(str(p) for p in problems)
    if already_published:
        message = _(
            "The item is published and would then be incomplete: %(problems)s. Withdraw it first."
        ) % {"problems": joined}
    else:
        message = _("The item cannot be published: %(problems)s.") % {"problems": joined}
    return {"is_published": [message]}


def duplicate_names(names: Iterable[str]) -> list[str]:
    """Names listed more than once, compared without case and spacing differences."""
    seen: dict[str, str] = {}
    repeated: list[str] = []
    for name in names:
        key = "".join(str(name).split()).casefold()
        if key in seen and seen[key] not in repeated:
            repeated.append(seen[key])
        seen.setdefault(key, str(name).strip())
    return repeated


def definition_errors(
    item,
    *,
    steps: Iterable[StepSpec] = (),
    assisting: Iterable[AssistingSpec] = (),
    special_procedures: Mapping[str, int] | None = None,
) -> dict[str, list[str]]:
    """``item_errors`` for an ``Item`` (saved or not) and the parts it would have."""
    return item_errors(
        handling_type=item.handling_type,
        promised_limit=item.promised_limit,
        statutory_limit=item.statutory_limit,
        max_extension=item.max_extension,
        department_id=item.department_id,
        steps=steps,
        assisting=assisting,
        valid_from=item.valid_from,
        valid_to=item.valid_to,
        special_procedures_allowed=item.special_procedures_allowed,
        special_procedures=special_procedures,
    )


DEFAULT_STEPS = [
    # 受理 → 承办 → 审核 → 批准 → 办结
    ("受理", RoleCode.WINDOW_CLERK),
    ("承办", RoleCode.HANDLER),
    ("审核", RoleCode.SECTION_HEAD),
    ("批准", RoleCode.DEPARTMENT_HEAD),
    ("办结", RoleCode.HANDLER),
]


def default_steps(handling_type: str, promised_limit: int, parallel: int = 0) -> list[StepSpec]:
    """The default process: the lead's share of the limit (after ``parallel`` days of
    assisting departments) spread over 承办/审核/批准 so that it fits."""
    available = promised_limit - parallel
    if handling_type == HandlingType.IMMEDIATE or available <= 0:
        return [StepSpec(name, str(role)) for name, role in DEFAULT_STEPS]
    review = available // 4
    approve = available // 4
    undertake = available - review - approve
    limits = {"承办": undertake, "审核": review or None, "批准": approve or None}
    return [StepSpec(name, str(role), limits.get(name)) for name, role in DEFAULT_STEPS]
