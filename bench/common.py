"""What the benchmarks share: an item with the default process and the people who
handle each of its steps."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from tongban.accounts.models import User
from tongban.cases import services
from tongban.cases.models import Case, CaseStep, Decision, Outcome, StepStatus
from tongban.cases.simulation import (
    ItemProfile,
    Staff,
    _applicant,
    _form_data,
    usable_items,
)
from tongban.catalog.models import HandlingType
from tongban.core.clock import LOCAL_TZ

DEFAULT_ROLES = ["handler", "section_head", "department_head", "handler"]  # 承办 审核 批准 办结


@dataclass
class Lifecycle:
    profile: ItemProfile
    clerk: User
    actors: list[User]  # one per step after the intake step
    applicant: services.ApplicantData
    form: dict
    materials: list[services.MaterialIn]

    @property
    def item(self):
        return self.profile.item


def lifecycle_context() -> Lifecycle:
    staff = Staff()
    rng = random.Random(1)
    for profile in usable_items(staff):
        item = profile.item
        process = sorted(item.steps.all(), key=lambda s: (s.order, s.pk))[1:]
        if (
            profile.handling != HandlingType.PROMISED
            or [s.role for s in process] != DEFAULT_ROLES
            or item.valid_from is not None
        ):
            continue
        actors = [
            staff.for_step(
                CaseStep(role=s.role, department=s.department or item.department, process_step=s)
            )[0]
            for s in process
        ]
        who = _applicant(rng, profile, dt.date.today())
        return Lifecycle(
            profile=profile,
            clerk=profile.desks[0],
            actors=actors,
            applicant=who.data,
            form=_form_data(rng, profile, who, dt.date.today()),
            materials=[
                services.MaterialIn(material_id=m.pk, pages=2)
                for m in profile.materials
                if m.required
            ],
        )
    raise SystemExit("No demo item with the default process 承办 → 审核 → 批准 → 办结.")


def at(day: dt.date, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0), LOCAL_TZ) + dt.timedelta(minutes=minute)


def active_step_id(case: Case) -> int:
    return (
        CaseStep.objects.filter(case=case, status=StepStatus.ACTIVE)
        .order_by("order", "id")
        .values_list("pk", flat=True)
        .first()
    )


def submit_and_accept(ctx: Lifecycle, when: dt.datetime) -> Case:
    case = services.submit_application(
        actor=ctx.clerk,
        item=ctx.item,
        applicant=ctx.applicant,
        form_data=ctx.form,
        materials=ctx.materials,
        at=when,
    )
    return services.accept_case(actor=ctx.clerk, case=case, at=when)


def advance(ctx: Lifecycle, case: Case, index: int, when: dt.datetime) -> None:
    services.advance_step(
        actor=ctx.actors[index],
        case=case,
        step_id=active_step_id(case),
        decision=Decision.AGREE,
        opinion="同意。",
        at=when,
    )


def run_service_lifecycle(ctx: Lifecycle, day: dt.date) -> None:
    """受理 (submit + accept) → 承办 → 审核 → 批准 → 办结, through the services."""
    case = submit_and_accept(ctx, at(day))
    for index in range(3):
        advance(ctx, case, index, at(day, index + 1))
    services.complete_case(
        actor=ctx.actors[3],
        case=case,
        step_id=active_step_id(case),
        outcome=Outcome.APPROVED,
        opinion="准予许可。",
        at=at(day, 5),
    )
