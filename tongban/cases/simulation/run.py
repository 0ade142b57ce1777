"""The run: a heap of pending events worked off in chronological order, each
playing one step of a plan through the services, with the supervision sweep once
per simulated day.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

from tongban.accounts.models import User
from tongban.accounts.roles import RoleCode
from tongban.core.clock import LOCAL_TZ, local_date
from tongban.core.errors import DomainError
from tongban.workcalendar.calendar import WorkCalendar

from .. import services
from ..models import Case, CaseStatus, CaseStep, Channel, Decision, Outcome, StepKind, StepStatus
from .applicants import _applicant, _form_data
from .nightly import JOBS
from .plans import OFFICE_CLOSES, Plan, _office_time
from .staff import Staff
from .summary import Progress

SWEEP_TIME = dt.time(0, 1)  # the scheduled sweep just after midnight (supervision.tasks)


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

    # -- the night's jobs (the supervision sweep) --

    def sweep(self, at: dt.datetime) -> None:
        deemed_accepted = 0
        for registered in JOBS:
            done = registered.job(at)
            for key, value in done.items():
                if isinstance(value, int) and key != "checked" and value:
                    self.actions[key] += value
            deemed_accepted += done.get("deemed_accepted", 0)
        if not (deemed_accepted and self.unreviewed):
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
