"""Who works here: the active staff and who may do what, and the items a
simulation can use (every step of their process has somebody).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tongban.accounts.models import Department, User
from tongban.accounts.roles import RoleCode
from tongban.catalog.models import FieldType, HandlingType, Item, Material

from ..access import may_act_on_step, may_take_in, works_in
from ..models import CaseStep


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
