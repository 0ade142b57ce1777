"""A simulated history of cases, made by driving the real services with a simulated
clock (``tongban simulate``, the demo's cases, the benchmark's data).

Every case gets a *plan* when it arrives: its item and channel, its fate (completed,
denied, rejected, withdrawn, terminated, or still open at the end in one of the open
states) and traits (supplement before or after acceptance, acceptance with materials
pending, a special procedure, an extension asked for, a return to an earlier step,
slow handling). Rare fates and traits are dealt like cards — a fixed share of the
cases, at least one each when there are enough cases — so that even a small run
shows every state, and the same seed always deals the same hand.

The plan is played out through ``tongban.cases.services`` only: a heap of pending
events keyed by their instant is worked off in chronological order, so the services
always see a consistent clock (no action is ever dated before one already taken).
People act as they would in the office: window clerks who may take the item in
(``access.may_take_in``), handlers who may act on the step (``access.may_act_on_step``)
claiming it from the queue when nobody holds it, heads deciding extensions and
terminating. Delays are counted in working days on the real calendar; events that
would fall after the end are dropped, so cases still running then stay open.

Electronic supervision runs along: the supervision sweep
(``tongban.supervision.services.sweep``) once per simulated day, just after local
midnight, in order with the other events — so the history has what the sweep makes
of it: deemed acceptances (the fate "unreviewed": an application nobody reviews),
yellow and red cards (and their cure when the case ends), automatic urgings of
overdue steps, special-procedure and pledge alerts.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tongban.accounts.models import Department, User
from tongban.accounts.roles import RoleCode
from tongban.catalog.models import FieldType, HandlingType, Item, Material
from tongban.catalog.validators import CREDIT_ALPHABET, credit_check_char, id_check_char
from tongban.core.clock import LOCAL_TZ, local_date
from tongban.core.errors import ActionNotAllowed, DomainError
from tongban.supervision import services as supervision
from tongban.workcalendar.calendar import WorkCalendar, get_calendar

from . import services
from .access import may_act_on_step, may_take_in, works_in
from .models import (
    ApplicantKind,
    Case,
    CaseStatus,
    CaseStep,
    Channel,
    Decision,
    IdType,
    Outcome,
    StepKind,
    StepStatus,
)

Progress = Callable[[float, str], None]

# The demo loader's steps that a simulation needs on an empty database, in the order of
# the loader's ``STEPS`` (``tongban.site.demo``, the top layer, which cases cannot import).
BASE_STEPS = (
    "tongban.accounts.demo.organisation.load",
    "tongban.accounts.demo.people.load",
    "tongban.workcalendar.demo.load",
    "tongban.catalog.demo.load",
)

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
SWEEP_TIME = dt.time(0, 1)  # the scheduled sweep just after midnight (supervision.tasks)


@dataclass
class Summary:
    """What a simulation made."""

    cases: int
    by_status: dict[str, int]
    by_type: dict[str, int]
    actions: dict[str, int]
    refused: int
    overdue_open: int
    seconds: float
    loaded_base: bool = False

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        labels = dict(CaseStatus.choices)
        types = dict(HandlingType.choices)
        out = [
            _("%(n)d cases simulated in %(s).1f s (%(rate).0f cases/s).")
            % {"n": self.cases, "s": self.seconds, "rate": self.rate}
        ]
        for status, _label in CaseStatus.choices:
            out.append(f"  {labels[status]} ({status}): {self.by_status.get(status, 0)}")
        out.append(
            "  "
            + "  ".join(f"{types[t]} ({t}): {self.by_type.get(t, 0)}" for t in HandlingType.values)
        )
        out.append(_("Open and overdue at the end: %(n)d") % {"n": self.overdue_open})
        out.append(
            _(
                "Supervision: %(deemed)d deemed accepted, %(yellow)d yellow cards, "
                "%(red)d red cards, %(urgings)d automatic urgings."
            )
            % {
                "deemed": self.actions.get("deemed_accepted", 0),
                "yellow": self.actions.get("yellow_cards", 0),
                "red": self.actions.get("red_cards", 0),
                "urgings": self.actions.get("urgings", 0),
            }
        )
        if self.refused:
            out.append(_("Actions refused by the services: %(n)d") % {"n": self.refused})
        return out


# --- who works here -------------------------------------------------------------------


class Staff:
    """The active staff, loaded once, and who may do what (cached per kind of step)."""

    def __init__(self) -> None:
        users = list(
            User.objects.filter(is_active=True, roles__isnull=False)
            .select_related("department", "section")
            .distinct()
            .order_by("pk")
        )
        for user in users:
            user.role_codes()  # cached on the object: no query per check later
        self.users = users
        self.by_pk = {u.pk: u for u in users}
        self.clerks = [u for u in users if u.has_role(RoleCode.WINDOW_CLERK)]
        self._desks: dict[int, list[User]] = {}
        self._steps: dict[tuple, list[User]] = {}
        self._heads: dict[int, list[User]] = {}

    def desks(self, department: Department) -> list[User]:
        """Window clerks who may take in (and review) the department's items."""
        if department.pk not in self._desks:
            self._desks[department.pk] = [c for c in self.clerks if may_take_in(c, department)]
        return self._desks[department.pk]

    def for_step(self, step: CaseStep) -> list[User]:
        key = (step.role, step.department_id, step.process_step_id)
        if key not in self._steps:
            # Role and department first (no query), the named-staff check last.
            self._steps[key] = [
                u
                for u in self.users
                if u.has_role(step.role)
                and works_in(u, step.department)
                and may_act_on_step(u, step)
            ]
        return self._steps[key]

    def heads(self, department: Department) -> list[User]:
        if department.pk not in self._heads:
            self._heads[department.pk] = [
                u
                for u in self.users
                if u.has_role(RoleCode.DEPARTMENT_HEAD) and works_in(u, department)
            ]
        return self._heads[department.pk]


@dataclass
class ItemProfile:
    """An item the simulation can use: every step of its process has somebody."""

    item: Item
    materials: list[Material]
    fields: list[Any]
    procedures: dict[str, int]
    desks: list[User]
    heads: list[User]
    lead_steps: int  # lead steps after the intake step

    @property
    def handling(self) -> str:
        return self.item.handling_type

    def published_on(self, day: dt.date) -> bool:
        item = self.item
        return (item.valid_from is None or item.valid_from <= day) and (
            item.valid_to is None or item.valid_to >= day
        )


def usable_items(staff: Staff) -> list[ItemProfile]:
    """Published items whose every step (and every assisting department) has staff."""
    items = (
        Item.objects.filter(is_published=True)
        .select_related("department")
        .prefetch_related(
            "materials",
            "form_fields",
            "special_procedures",
            "assisting__department",
            "steps__department",
        )
        .order_by("code")
    )
    profiles = []
    for item in items:
        desks = staff.desks(item.department)
        fields = list(item.form_fields.all())
        if not desks or any(f.field_type == FieldType.FILE and f.required for f in fields):
            continue
        process = sorted(item.steps.all(), key=lambda s: (s.order, s.pk))
        if process and process[0].role == RoleCode.WINDOW_CLERK:
            process = process[1:]
        if not process and item.handling_type != HandlingType.IMMEDIATE:
            continue
        probes = [
            CaseStep(role=p.role, department=p.department or item.department, process_step=p)
            for p in process
        ]
        if item.handling_type == HandlingType.JOINT:
            probes += [
                CaseStep(role=RoleCode.HANDLER, department=a.department)
                for a in item.assisting.all()
            ]
        if item.handling_type != HandlingType.IMMEDIATE and not all(
            staff.for_step(p) for p in probes
        ):
            continue
        procedures = (
            {p.kind: p.limit_days for p in item.special_procedures.all()}
            if item.special_procedures_allowed
            else {}
        )
        profiles.append(
            ItemProfile(
                item=item,
                materials=sorted(item.materials.all(), key=lambda m: (m.order, m.pk)),
                fields=sorted(fields, key=lambda f: (f.order, f.pk)),
                procedures=procedures,
                desks=desks,
                heads=staff.heads(item.department),
                lead_steps=len(process),
            )
        )
    return profiles


# --- applicants and their forms ----------------------------------------------------------

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红玉兰志文斌海燕飞鹏宇浩晨欣怡佳琪子涵雨轩博"  # noqa: E501
TOWNS = ("秦州区", "麦积区", "甘谷县", "武山县", "秦安县", "清水县", "张家川回族自治县")
STREETS = ("民主西路", "建设路", "岷山路", "藉河南路", "羲皇大道", "成纪大道", "伏羲路", "大众路")
TRADES = ("商贸", "餐饮", "建筑工程", "科技", "农业发展", "文化传媒", "医药", "物流")
REGIONS = ("620502", "620503", "620521", "620522", "620523", "620524", "620525")


def _person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _i in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def _resident_id(rng: random.Random, today: dt.date) -> str:
    born = dt.date(rng.randint(1955, min(2003, today.year - 18)), 1, 1) + dt.timedelta(
        days=rng.randint(0, 364)
    )
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + id_check_char(first17)


def _credit_code(rng: random.Random) -> str:
    first17 = "91620500" + "".join(rng.choice(CREDIT_ALPHABET) for _i in range(9))
    return first17 + credit_check_char(first17)


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"


def _address(rng: random.Random) -> str:
    return f"天水市{rng.choice(TOWNS)}{rng.choice(STREETS)}{rng.randint(1, 300)}号"


@dataclass
class Applicant:
    data: services.ApplicantData
    person_name: str
    person_id: str
    company_name: str
    credit_code: str


def _applicant(rng: random.Random, profile: ItemProfile, today: dt.date) -> Applicant:
    person = _person_name(rng)
    person_id = _resident_id(rng, today)
    company = f"天水{rng.choice('瑞丰恒达鑫源华泰金诚宏远')}{rng.choice(TRADES)}有限公司"
    code = _credit_code(rng)
    wants_company = any(f.field_type == FieldType.CREDIT_CODE for f in profile.fields)
    if wants_company or rng.random() < 0.2:
        data = services.ApplicantData(
            kind=ApplicantKind.ORGANISATION,
            name=company,
            id_type=IdType.CREDIT_CODE,
            id_number=code,
            mobile=_mobile(rng),
            address=_address(rng),
            contact_name=person,
        )
    else:
        data = services.ApplicantData(
            kind=ApplicantKind.PERSON,
            name=person,
            id_type=IdType.RESIDENT_ID,
            id_number=person_id,
            mobile=_mobile(rng),
            address=_address(rng),
        )
    return Applicant(data, person, person_id, company, code)


def _form_data(rng: random.Random, profile: ItemProfile, who: Applicant, day: dt.date) -> dict:
    """A valid filled-in application form for the item (required fields always,
    optional ones mostly)."""
    data: dict[str, Any] = {}
    for f in profile.fields:
        if not f.required and rng.random() < 0.3:
            continue
        kind = f.field_type
        key = f.key
        if kind == FieldType.TEXT:
            if "representative" in key or "person" in key or "contact" in key:
                value: Any = who.person_name
            elif "name" in key:
                value = who.company_name
            else:
                value = "详见申请材料"
        elif kind == FieldType.LONG_TEXT:
            value = "依法依规开展相关活动，具体内容详见申请材料。"
        elif kind == FieldType.NUMBER:
            low = int(f.min_value) if f.min_value is not None else 1
            high = int(f.max_value) if f.max_value is not None else 1000
            value = rng.randint(low, max(low, min(high, low + 999)))
        elif kind == FieldType.DATE:
            value = day.isoformat()
        elif kind in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
            options = [o.strip() for o in (f.choices or "").splitlines() if o.strip()]
            if not options:
                continue
            value = rng.choice(options)
            if kind == FieldType.MULTI_CHOICE:
                value = [value]
        elif kind == FieldType.ID_NUMBER:
            value = who.person_id
        elif kind == FieldType.CREDIT_CODE:
            value = who.credit_code
        elif kind == FieldType.MOBILE:
            value = who.data.mobile
        elif kind == FieldType.ADDRESS:
            value = who.data.address
        else:
            continue
        data[key] = value
    return data


# --- plans ---------------------------------------------------------------------------------


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


# --- the run ---------------------------------------------------------------------------


class _Run:
    def __init__(
        self, staff: Staff, calendar: WorkCalendar, end: dt.date, until: dt.datetime | None
    ) -> None:
        self.staff = staff
        self.calendar = calendar
        self.end = end
        self.end_at = dt.datetime.combine(end, dt.time.max, LOCAL_TZ)
        if until is not None:
            self.end_at = min(self.end_at, until)
        self.heap: list[tuple[dt.datetime, int, Callable, tuple]] = []
        self.seq = itertools.count()
        self.actions: Counter[str] = Counter()
        self.refused = 0
        self.now: dt.datetime | None = None
        # Applications nobody reviews, by case: the sweep deems them accepted.
        self.unreviewed: dict[int, Plan] = {}

    # -- the clock --

    def later(self, at: dt.datetime, days: int, rng: random.Random) -> dt.datetime | None:
        """``days`` working days after ``at`` at a time in office hours (0: later the
        same day if the office is still open, else the next working day)."""
        today = local_date(at)
        if days <= 0:
            moment = at + dt.timedelta(minutes=rng.randint(5, 90))
            local = moment.astimezone(LOCAL_TZ)
            if (
                local.date() == today
                and local.time() <= OFFICE_CLOSES
                and (self.calendar.is_workday(today))
            ):
                return moment
            days = 1
        if today >= self.end or days > self.calendar.wd(today, self.end):
            return None
        return _office_time(self.calendar.add(today, days), rng)

    def schedule(self, at: dt.datetime | None, fn: Callable, plan: Plan, *args: Any) -> None:
        if at is None or at > self.end_at:
            return  # after the end: the case stays as it is
        heapq.heappush(self.heap, (at, next(self.seq), fn, (plan, *args)))

    def schedule_sweeps(self, start: dt.date) -> None:
        """The supervision sweep just after each midnight after ``start`` (weekends
        and holidays too, as the scheduled job does)."""
        day = start + dt.timedelta(days=1)
        while day <= self.end:
            at = dt.datetime.combine(day, SWEEP_TIME, LOCAL_TZ)
            if at > self.end_at:
                break
            heapq.heappush(self.heap, (at, next(self.seq), self.sweep, ()))
            day += dt.timedelta(days=1)

    def run(self, progress: Progress | None, start: dt.datetime) -> None:
        span = max(1.0, (self.end_at - start).total_seconds())
        shown = -1
        while self.heap:
            at, _seq, fn, args = heapq.heappop(self.heap)
            self.now = at
            try:
                fn(at, *args)
            except DomainError:
                # A plan that no longer fits the case (somebody else acted first):
                # the case simply carries on without that action.
                self.refused += 1
            if progress is not None:
                percent = int(100 * (at - start).total_seconds() / span)
                if percent != shown:
                    shown = percent
                    progress(percent / 100, local_date(at).isoformat())
        if progress is not None:
            progress(1.0, self.end.isoformat())

    def did(self, action: str) -> None:
        self.actions[action] += 1

    # -- helpers --

    def active_steps(self, plan: Plan) -> list[CaseStep]:
        return list(
            CaseStep.objects.filter(case_id=plan.case_pk, status=StepStatus.ACTIVE)
            .select_related("department", "process_step")
            .order_by("order", "id")
        )

    def status(self, plan: Plan) -> str:
        return Case.objects.filter(pk=plan.case_pk).values_list("status", flat=True).get()

    def holder(self, plan: Plan) -> User | None:
        """Who acts for the lead department now: the holder of the active lead step,
        or somebody who may take it."""
        for step in self.active_steps(plan):
            if step.kind != StepKind.LEAD:
                continue
            if step.assignee_id:
                return self.staff.by_pk.get(step.assignee_id)
            people = self.staff.for_step(step)
            if people:
                return plan.rng.choice(people)
        return plan.profile.heads[0] if plan.profile.heads else None

    def delay(self, plan: Plan, step: CaseStep, main: bool) -> int:
        rng = plan.rng
        limit = step.limit_days or 0
        if plan.fate == "stuck" and main:
            return 10_000
        if plan.fate in ("withdrawn_after", "terminated") and main:
            return limit + 6  # still open when the applicant or the head ends it
        if not limit:
            return rng.choice((0, 0, 1, 1, 2))
        if "slow" in plan.traits and main:
            return rng.randint(limit, limit + 4)
        if rng.random() < 0.08:
            return rng.randint(limit, limit + 2)  # now and then a step runs over
        return rng.randint(0, max(0, round(limit * 0.6)))

    # -- supervision --

    def sweep(self, at: dt.datetime) -> None:
        result = supervision.sweep(at=at)
        for key, value in result.as_dict().items():
            if isinstance(value, int) and key != "checked" and value:
                self.actions[key] += value
        if not (result.deemed_accepted and self.unreviewed):
            return
        deemed = Case.objects.filter(
            pk__in=list(self.unreviewed), status=CaseStatus.IN_PROGRESS
        ).values_list("pk", flat=True)
        for pk in sorted(deemed):
            plan = self.unreviewed.pop(pk)
            # Deemed accepted overnight: the department takes the case up when the
            # office next opens, and it runs its course like any other.
            day = local_date(at)
            if not self.calendar.is_workday(day):
                day = self.calendar.add(day, 1)
            self.schedule(_office_time(day, plan.rng), self.start_steps, plan)

    # -- intake --

    def receive(self, at: dt.datetime, plan: Plan) -> None:
        profile, rng = plan.profile, plan.rng
        today = local_date(at)
        who = _applicant(rng, profile, today)
        materials = [
            services.MaterialIn(material_id=m.pk, pages=rng.randint(1, 12), copies=m.copies)
            for m in profile.materials
            if m != plan.missing and (m.required or rng.random() < 0.5)
        ]
        counter = plan.channel == Channel.COUNTER
        case = services.submit_application(
            actor=plan.clerk if counter else None,
            item=profile.item,
            applicant=who.data,
            form_data=_form_data(rng, profile, who, today),
            materials=materials,
            at=at,
            channel=plan.channel,
        )
        plan.case_pk = case.pk
        self.did("receive")
        if plan.fate in ("received", "unreviewed"):
            # Nobody reviews it; should its review limit pass before the end (always
            # for "unreviewed"), the sweep deems it accepted and the work starts.
            self.unreviewed[case.pk] = plan
            return
        wait = 0 if counter else rng.choice((0, 1, 1, 2, 3))
        self.schedule(self.later(at, wait, rng), self.review, plan)

    def review(self, at: dt.datetime, plan: Plan) -> None:
        rng, clerk, case = plan.rng, plan.clerk, plan.case
        if plan.fate == "rejected":
            services.reject_application(
                actor=clerk,
                case=case,
                reasons=rng.choice(
                    (
                        "申请事项不属于本机关职权范围，请向有关行政机关申请。",
                        "申请人不具备申请资格。",
                        "依法不需要取得行政许可。",
                    )
                ),
                at=at,
            )
            self.did("reject")
            return
        if plan.fate == "withdrawn_before":
            services.withdraw_case(actor=clerk, case=case, reason="申请人书面申请撤回。", at=at)
            self.did("withdraw")
            return
        if plan.missing is not None and not plan.supplied and "pending" not in plan.traits:
            services.request_supplement(
                actor=clerk,
                case=case,
                items=[plan.missing.name],
                note="请补齐补正所列材料后再次提交。",
                at=at,
            )
            self.did("request_supplement")
            if plan.fate != "stalled":
                self.schedule(self.later(at, rng.randint(1, 6), rng), self.supplied, plan)
            return
        if plan.immediate:
            denied = plan.fate == "denied"
            services.handle_immediately(
                actor=clerk,
                case=case,
                outcome=Outcome.DENIED if denied else Outcome.APPROVED,
                opinion="经审查，不符合办理条件。" if denied else "材料齐全，当场办结。",
                certificate_number=self._certificate(plan) if not denied else "",
                at=at,
            )
            self.did("handle_immediately")
            return
        pledge = None
        if "pending" in plan.traits and plan.missing is not None:
            pledge = self.calendar.add(local_date(at), rng.randint(3, 10))
        services.accept_case(
            actor=clerk,
            case=case,
            at=at,
            opinion="材料齐全，符合法定形式，予以受理。" if pledge is None else "容缺受理。",
            pledge_due_on=pledge,
        )
        self.did("accept_pending" if pledge else "accept")
        if plan.fate in ("withdrawn_after", "terminated"):
            self.schedule(self.later(at, rng.randint(1, 4), rng), self.end_early, plan)
        self.start_steps(at, plan)

    def supplied(self, at: dt.datetime, plan: Plan) -> None:
        counter = plan.channel == Channel.COUNTER
        services.supplement_case(
            actor=plan.clerk if counter else None,
            case=plan.case,
            materials=[
                services.MaterialIn(material_id=plan.missing.pk, pages=plan.rng.randint(1, 6))
            ],
            note="已按补正告知补齐材料。",
            at=at,
        )
        plan.supplied = True
        self.did("supplement")
        # At the counter the clerk reviews at once; online the desk does it later.
        wait = 0 if counter else plan.rng.choice((0, 1, 2))
        self.schedule(self.later(at, wait, plan.rng), self.review, plan)

    def _certificate(self, plan: Plan) -> str:
        if not plan.profile.item.result_name:
            return ""
        return f"TS{local_date(self.now).year}{plan.case_pk:08d}"

    # -- the workflow --

    def start_steps(self, at: dt.datetime, plan: Plan) -> None:
        rng = plan.rng
        for step in self.active_steps(plan):
            if step.pk in plan.scheduled:
                continue
            plan.scheduled.add(step.pk)
            main = step.kind == StepKind.LEAD and not plan.main_started
            if main:
                plan.main_started = True
                self.interruptions(at, plan)
            if step.assignee_id is None:
                self.schedule(
                    self.later(at, rng.choice((0, 0, 1)), rng), self.claim, plan, step.pk, main
                )
            else:
                self.schedule(
                    self.later(at, self.delay(plan, step, main), rng),
                    self.work,
                    plan,
                    step.pk,
                    main,
                )

    def interruptions(self, at: dt.datetime, plan: Plan) -> None:
        """What interrupts the first lead step: a special procedure, a supplement,
        an extension request — one after the other, a day or two apart."""
        rng, moment = plan.rng, at
        for kind in ("suspend", "supplement_after", "extension", "extension_refused"):
            if kind in plan.traits:
                moment = self.later(moment, rng.randint(1, 2), rng)
                if moment is None:
                    return
                self.schedule(moment, self.interrupt, plan, kind, 0)

    def interrupt(self, at: dt.datetime, plan: Plan, kind: str, attempt: int) -> None:
        rng = plan.rng
        status = self.status(plan)
        if status not in (CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED):
            return
        if kind in ("suspend", "supplement_after") and status == CaseStatus.SUSPENDED:
            if attempt < 10:  # one stopped clock at a time: try again later
                self.schedule(self.later(at, 2, rng), self.interrupt, plan, kind, attempt + 1)
            return
        actor = self.holder(plan)
        if kind == "suspend":
            procedure = rng.choice(sorted(plan.profile.procedures))
            limit = plan.profile.procedures[procedure]
            services.suspend_case(
                actor=actor,
                case=plan.case,
                procedure=procedure,
                reason="依法需要进行特别程序，所需时间不计入办理时限。",
                at=at,
            )
            self.did("suspend")
            days = rng.randint(max(1, limit // 2), limit)
            if rng.random() < 0.15:
                days = limit + rng.randint(1, 3)  # the procedure overran its own limit
            self.schedule(self.later(at, days, rng), self.resume, plan)
        elif kind == "supplement_after":
            services.request_supplement(
                actor=actor,
                case=plan.case,
                items=["补充说明材料"],
                note="审查中发现需补充说明，补正期间暂停计时。",
                at=at,
            )
            self.did("request_supplement")
            if plan.fate != "open_suspended":
                self.schedule(self.later(at, rng.randint(2, 8), rng), self.supplied_after, plan)
        else:
            case = Case.objects.only("extension_cap", "extension_days").get(pk=plan.case_pk)
            room = case.extension_cap - case.extension_days
            if room < 1:
                return
            extension = services.request_extension(
                actor=actor,
                case=plan.case,
                days=rng.randint(min(3, room), room),
                reason="案情复杂，需组织进一步核查，申请延长办理期限。",
                at=at,
            )
            self.did("request_extension")
            self.schedule(
                self.later(at, rng.choice((0, 1, 1, 2)), rng),
                self.decide,
                plan,
                extension.pk,
                kind == "extension",
            )

    def decide(self, at: dt.datetime, plan: Plan, extension_id: int, approve: bool) -> None:
        if self.status(plan) not in (CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED):
            return  # ended meanwhile: nothing left to decide
        services.decide_extension(
            actor=plan.profile.heads[0],
            case=plan.case,
            extension_id=extension_id,
            approve=approve,
            note="同意延期。" if approve else "不同意延期，请按原时限办结。",
            at=at,
        )
        self.did("approve_extension" if approve else "refuse_extension")

    def resume(self, at: dt.datetime, plan: Plan) -> None:
        services.resume_case(
            actor=self.holder(plan), case=plan.case, note="特别程序已结束，恢复计时。", at=at
        )
        self.did("resume")
        self.unblock(at, plan)

    def supplied_after(self, at: dt.datetime, plan: Plan) -> None:
        counter = plan.channel == Channel.COUNTER
        services.supplement_case(
            actor=plan.clerk if counter else None,
            case=plan.case,
            materials=[services.MaterialIn(name="补充说明材料", pages=plan.rng.randint(1, 4))],
            note="申请人已补正。",
            at=at,
        )
        self.did("supplement")
        self.unblock(at, plan)

    def unblock(self, at: dt.datetime, plan: Plan) -> None:
        blocked, plan.blocked = plan.blocked, set()
        for step_id in sorted(blocked):
            self.schedule(
                self.later(at, plan.rng.randint(0, 2), plan.rng), self.work, plan, step_id, False
            )

    def claim(self, at: dt.datetime, plan: Plan, step_id: int, main: bool) -> None:
        step = (
            CaseStep.objects.select_related("department", "process_step").filter(pk=step_id).first()
        )
        if step is None or step.status != StepStatus.ACTIVE:
            return
        if step.assignee_id is None:
            people = self.staff.for_step(step)
            if not people:
                return
            services.claim_step(
                actor=plan.rng.choice(people), case=plan.case, step_id=step_id, at=at
            )
            self.did("claim")
        self.schedule(
            self.later(at, self.delay(plan, step, main), plan.rng), self.work, plan, step_id, main
        )

    def work(self, at: dt.datetime, plan: Plan, step_id: int, main: bool) -> None:
        rng = plan.rng
        steps = list(
            CaseStep.objects.filter(case_id=plan.case_pk)
            .select_related("department", "process_step")
            .order_by("order", "id")
        )
        step = next((s for s in steps if s.pk == step_id), None)
        if step is None or step.status != StepStatus.ACTIVE:
            return
        status = self.status(plan)
        if status == CaseStatus.SUSPENDED:
            plan.blocked.add(step_id)  # the handler waits for the clock to run again
            return
        if status != CaseStatus.IN_PROGRESS:
            return
        actor = self.staff.by_pk.get(step.assignee_id) if step.assignee_id else None
        if actor is None:
            people = self.staff.for_step(step)
            if not people:
                return
            actor = rng.choice(people)
        last = step.kind == StepKind.LEAD and not any(
            s.status == StepStatus.WAITING and s.order > step.order for s in steps
        )
        denied = plan.fate == "denied"
        if last:
            services.complete_case(
                actor=actor,
                case=plan.case,
                step_id=step_id,
                outcome=Outcome.DENIED if denied else Outcome.APPROVED,
                opinion="经审查，申请不符合法定条件，决定不予许可。"
                if denied
                else "经审查，符合法定条件，准予许可。",
                certificate_number="" if denied else self._certificate(plan),
                at=at,
            )
            self.did("complete")
            return
        targets = [
            s
            for s in steps
            if s.kind == StepKind.LEAD
            and s.status == StepStatus.DONE
            and s.order < step.order
            and s.role != RoleCode.WINDOW_CLERK
        ]
        if "return" in plan.traits and not plan.returned and step.kind == StepKind.LEAD and targets:
            plan.returned = True
            services.advance_step(
                actor=actor,
                case=plan.case,
                step_id=step_id,
                decision=Decision.RETURN,
                opinion="审查意见不完整，请补充核查后重新提交。",
                return_to=targets[0].pk,
                at=at,
            )
            self.did("return")
        elif denied and main:
            services.advance_step(
                actor=actor,
                case=plan.case,
                step_id=step_id,
                decision=Decision.PROPOSE_DENIAL,
                opinion="申请人不符合法定条件，拟不予许可。",
                at=at,
            )
            self.did("advance")
        else:
            services.advance_step(
                actor=actor,
                case=plan.case,
                step_id=step_id,
                decision=Decision.AGREE,
                opinion=rng.choice(("同意。", "材料齐全，符合条件，同意。", "经审核，同意办理。")),
                at=at,
            )
            self.did("advance")
        self.start_steps(at, plan)

    def end_early(self, at: dt.datetime, plan: Plan) -> None:
        if self.status(plan) not in (CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED):
            return
        if plan.fate == "terminated":
            services.terminate_case(
                actor=plan.profile.heads[0],
                case=plan.case,
                reason="申请人已注销，申请事项已无办理必要，终止办理。",
                at=at,
            )
            self.did("terminate")
        else:
            services.withdraw_case(
                actor=plan.clerk, case=plan.case, reason="申请人书面申请撤回。", at=at
            )
            self.did("withdraw")


# --- the entry points ------------------------------------------------------------------------


def load_base_data(at: dt.datetime | None = None) -> bool:
    """On an empty database (no departments), load the demo organisation, people,
    calendar and catalogue. Returns whether it did."""
    from tongban.core.demo import DemoContext

    if Department.objects.exists():
        return False
    context = DemoContext(at=at or timezone.now())
    for path in BASE_STEPS:
        import_string(path)(context)
    return True


def simulate(
    n: int,
    start: dt.date,
    end: dt.date,
    seed: int = 0,
    progress: Progress | None = None,
    *,
    until: dt.datetime | None = None,
) -> Summary:
    """Simulate ``n`` cases received on working days in [start, end]; see the module
    docstring. Nothing happens after ``until`` (default: the end of ``end``), so a
    history simulated up to now has no event in the future. Deterministic for a
    given seed on a given database."""
    if settings.PRODUCTION:
        raise ActionNotAllowed(_("Cases cannot be simulated in production mode."))
    if n < 0 or end < start:
        raise ActionNotAllowed(
            _("Give a positive number of cases and a period that ends after it starts.")
        )
    began = time.monotonic()
    loaded = load_base_data()
    calendar = get_calendar()
    days = _working_days(calendar, start, end)
    if not days:
        raise ActionNotAllowed(_("The period has no working day."))
    staff = Staff()
    profiles = usable_items(staff)
    if not profiles:
        raise ActionNotAllowed(
            _("No published item has staff for every step: nothing can be simulated.")
        )
    plans = make_plans(n, days, profiles, seed, until)
    run = _Run(staff, calendar, end, until)
    for plan in plans:
        run.schedule(plan.arrival, run.receive, plan)
    run.schedule_sweeps(start)
    # The simulation writes thousands of messages: they stay in the outbox for the
    # worker instead of being dispatched one by one after every action.
    sweep_log = logging.getLogger(supervision.__name__)
    once = _Once()
    sweep_log.addFilter(once)
    try:
        with override_settings(TONGBAN_OUTBOX_EAGER=False):
            run.run(progress, dt.datetime.combine(start, dt.time.min, LOCAL_TZ))
    finally:
        sweep_log.removeFilter(once)
    pks = [p.case_pk for p in plans if p.case_pk is not None]
    return Summary(
        cases=len(pks),
        by_status=_counts(pks, "status"),
        by_type=_counts(pks, "handling_type"),
        actions=dict(run.actions),
        refused=run.refused,
        overdue_open=_overdue(pks, end),
        seconds=time.monotonic() - began,
        loaded_base=loaded,
    )


class _Once(logging.Filter):
    """Each distinct log message once: a sweep per simulated day would otherwise
    repeat the same warning (a year missing from the calendar) a hundred times."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message in self.seen:
            return False
        self.seen.add(message)
        return True


def _chunks(pks: list[int], size: int = 500) -> Iterable[list[int]]:
    for i in range(0, len(pks), size):
        yield pks[i : i + size]


def _counts(pks: list[int], column: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for chunk in _chunks(pks):
        for value, total in (
            Case.objects.filter(pk__in=chunk)
            .values_list(column)
            .annotate(total=Count("pk"))
            .order_by()
        ):
            counts[value] += total
    return dict(counts)


def _overdue(pks: list[int], end: dt.date) -> int:
    return sum(
        Case.objects.filter(pk__in=chunk, status=CaseStatus.IN_PROGRESS, deadline__lt=end).count()
        for chunk in _chunks(pks)
    )


def text_progress(stream, width: int = 30) -> Progress:
    """A one-line text progress bar (``\\r``-rewritten) for a terminal's stderr."""

    def show(fraction: float, label: str) -> None:
        fraction = min(1.0, max(0.0, fraction))
        filled = int(width * fraction)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {label}")
        if fraction >= 1.0:
            stream.write("\n")
        stream.flush()

    return show
