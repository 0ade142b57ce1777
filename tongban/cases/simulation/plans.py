"""The plans: when each case arrives, with which item and channel, and its fate
and traits, rare ones dealt like cards.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from tongban.accounts.models import User
from tongban.catalog.models import HandlingType, Material
from tongban.core.clock import LOCAL_TZ
from tongban.workcalendar.calendar import WorkCalendar

from ..models import Case, Channel
from .staff import ItemProfile

# Fates: how a case ends (or where it stands at the end). "normal" takes the rest.
FATE_SHARES = {
    "received": 0.03,  # taken in just before the end, not reviewed yet
    "unreviewed": 0.02,  # nobody reviews it: the sweep deems it accepted (Art. 32)
    "stalled": 0.03,  # supplement asked for before acceptance; the applicant never came
    "rejected": 0.06,  # 不予受理
    "withdrawn_before": 0.02,  # withdrawn before acceptance
    "withdrawn_after": 0.02,  # withdrawn after acceptance (counts as terminated)
    "terminated": 0.02,  # 终止 by the department head
    "open_suspended": 0.03,  # supplement asked after acceptance, still awaited
    "stuck": 0.05,  # one step never finished: overdue at the end
    "denied": 0.05,  # 不予许可
}
# Traits: what happens on the way (only to cases that are accepted).
TRAIT_SHARES = {
    "supplement_before": 0.08,
    "pending": 0.06,  # 容缺受理
    "suspend": 0.10,  # 特别程序
    "supplement_after": 0.05,
    "extension": 0.06,
    "extension_refused": 0.03,
    "return": 0.07,  # 退回
    "slow": 0.12,  # handled late: completed after the deadline
}
TYPE_SHARES = {HandlingType.IMMEDIATE: 0.20, HandlingType.JOINT: 0.08}
ONLINE_SHARE = 0.35
WORKFLOW_FATES = frozenset(
    {"normal", "denied", "stuck", "withdrawn_after", "terminated", "open_suspended"}
)
OFFICE_OPENS = dt.time(8, 40)
OFFICE_CLOSES = dt.time(17, 30)


@dataclass
class Plan:
    index: int
    arrival: dt.datetime
    profile: ItemProfile
    channel: str
    rng: random.Random
    fate: str = "normal"
    traits: set[str] = field(default_factory=set)
    clerk: User | None = None  # who took it in (counter) or reviews it (online)
    missing: Material | None = None  # left out at intake
    case_pk: int | None = None
    supplied: bool = False
    main_started: bool = False
    returned: bool = False
    scheduled: set[int] = field(default_factory=set)
    blocked: set[int] = field(default_factory=set)

    @property
    def immediate(self) -> bool:
        return self.profile.handling == HandlingType.IMMEDIATE

    @property
    def case(self) -> Case:
        # The services lock and re-read the row themselves: the key is enough.
        return Case(pk=self.case_pk)


def _working_days(calendar: WorkCalendar, start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if calendar.is_workday(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _office_time(day: dt.date, rng: random.Random, *, online: bool = False) -> dt.datetime:
    if online:
        minutes = rng.randint(7 * 60, 22 * 60)
    else:
        first = OFFICE_OPENS.hour * 60 + OFFICE_OPENS.minute
        last = OFFICE_CLOSES.hour * 60 + OFFICE_CLOSES.minute - 20
        minutes = rng.randint(first, last)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), LOCAL_TZ)


def _count(n: int, share: float) -> int:
    k = round(n * share)
    return max(1, k) if n >= 20 else k


def _deal(
    rng: random.Random, plans: list[Plan], share: float, eligible: Callable[[Plan], bool]
) -> list[Plan]:
    candidates = [p for p in plans if eligible(p)]
    return rng.sample(candidates, min(_count(len(plans), share), len(candidates)))


def make_plans(
    n: int,
    days: list[dt.date],
    profiles: list[ItemProfile],
    seed: int,
    until: dt.datetime | None = None,
) -> list[Plan]:
    rng = random.Random(f"tongban-simulate-{seed}")  # noqa: S311 - a simulation, not a secret
    by_type: dict[str, list[ItemProfile]] = {}
    for profile in profiles:
        by_type.setdefault(profile.handling, []).append(profile)
    arrivals = sorted((rng.choice(days), rng.random()) for _i in range(n))
    # Handling types dealt like the fates: a fixed share each, when items exist.
    types: list[str] = []
    for kind, share in TYPE_SHARES.items():
        if by_type.get(kind):
            types += [kind] * _count(n, share)
    rest = HandlingType.PROMISED if by_type.get(HandlingType.PROMISED) else next(iter(by_type))
    types = (types + [rest] * n)[:n]
    rng.shuffle(types)

    plans = []
    for index, ((day, _r), kind) in enumerate(zip(arrivals, types, strict=True)):
        case_rng = random.Random(f"tongban-simulate-{seed}-{index}")  # noqa: S311
        choices = [p for p in by_type.get(kind) or profiles if p.published_on(day)] or [
            p for p in profiles if p.published_on(day)
        ]
        if not choices:
            continue
        profile = case_rng.choice(choices)
        online = profile.item.online_allowed and case_rng.random() < ONLINE_SHARE
        plans.append(
            Plan(
                index=index,
                arrival=_office_time(day, case_rng, online=online),
                profile=profile,
                channel=Channel.ONLINE if online else Channel.COUNTER,
                rng=case_rng,
                clerk=case_rng.choice(profile.desks),
            )
        )
    if until is not None:
        # Nobody applies after the moment the history ends (the demo's "now").
        for plan in plans:
            if plan.arrival > until:
                plan.arrival = until - dt.timedelta(minutes=plan.rng.randint(1, 60))
    plans.sort(key=lambda p: (p.arrival, p.index))

    def free(p: Plan) -> bool:
        return p.fate == "normal"

    def workflow(p: Plan) -> bool:
        return not p.immediate

    # The fates that must be open at the end need the right moment: the last arrivals
    # are not reviewed yet; a stuck case arrived early enough to be overdue.
    last = _count(len(plans), FATE_SHARES["received"])
    for p in plans[len(plans) - last :]:
        p.fate = "received"
    early = {id(p) for p in plans[: max(1, int(len(plans) * 0.6))]}
    for p in _deal(
        rng, plans, FATE_SHARES["stuck"], lambda p: free(p) and workflow(p) and id(p) in early
    ):
        p.fate = "stuck"
    rules: dict[str, Callable[[Plan], bool]] = {
        # Early enough that its review limit passes before the end.
        "unreviewed": lambda p: free(p) and id(p) in early,
        "stalled": free,
        "rejected": free,
        "withdrawn_before": free,
        "withdrawn_after": lambda p: free(p) and workflow(p),
        "terminated": lambda p: free(p) and workflow(p) and bool(p.profile.heads),
        "open_suspended": lambda p: free(p) and workflow(p),
        "denied": free,
    }
    for fate, eligible in rules.items():
        for p in _deal(rng, plans, FATE_SHARES[fate], eligible):
            p.fate = fate

    def accepted(p: Plan) -> bool:
        return p.fate in WORKFLOW_FATES

    def missing_ok(p: Plan) -> bool:
        return not ({"supplement_before", "pending"} & p.traits)

    trait_rules: dict[str, Callable[[Plan], bool]] = {
        "supplement_before": lambda p: p.fate in ("normal", "denied") and missing_ok(p),
        "pending": lambda p: (
            accepted(p)
            and workflow(p)
            and missing_ok(p)
            and any(m.required and not m.essential for m in p.profile.materials)
        ),
        "suspend": lambda p: accepted(p) and workflow(p) and bool(p.profile.procedures),
        "supplement_after": lambda p: p.fate in ("normal", "denied") and workflow(p),
        "extension": lambda p: (
            accepted(p)
            and workflow(p)
            and bool(p.profile.heads)
            and p.profile.item.max_extension > 0
        ),
        "extension_refused": lambda p: (
            accepted(p)
            and workflow(p)
            and bool(p.profile.heads)
            and p.profile.item.max_extension > 0
            and "extension" not in p.traits
        ),
        "return": lambda p: accepted(p) and workflow(p) and p.profile.lead_steps >= 3,
        "slow": lambda p: p.fate in ("normal", "denied") and workflow(p),
    }
    for trait, eligible in trait_rules.items():
        for p in _deal(rng, plans, TRAIT_SHARES[trait], eligible):
            p.traits.add(trait)
    for p in plans:
        if p.fate == "open_suspended":
            p.traits.add("supplement_after")
        if p.fate == "stalled" or p.traits & {"supplement_before", "pending"}:
            required = [m for m in p.profile.materials if m.required]
            if "pending" in p.traits:
                required = [m for m in required if not m.essential]
            p.missing = p.rng.choice(required) if required else None
            if p.missing is None:
                p.traits -= {"supplement_before", "pending"}
                if p.fate == "stalled":
                    p.fate = "normal"
    return plans
