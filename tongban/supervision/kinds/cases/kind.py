"""Cases as a clocked item: the contract of ``supervision.clocked`` over the case
engine's tables and services. The rules themselves are supervision's
(``supervision.services``); this module only says what a case's clock looks like
and acts through the case engine when a rule has fired."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from tongban.cases import services as case_services
from tongban.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    CaseStep,
    StepKind,
    StepStatus,
    Suspension,
    SuspensionKind,
    Urging,
)

from ...clocked import (
    AlertCondition,
    ClockedKind,
    ClockFacts,
    Completions,
    IntakeLimit,
    ItemState,
    OpenCounts,
    StepFacts,
    UrgingRow,
)
from ...models import AlertKind

if TYPE_CHECKING:
    from django.urls import URLPattern
    from ninja import Router

    from tongban.accounts.models import User

CASE = "case"

STATES = {
    CaseStatus.RECEIVED: ItemState.NOT_STARTED,
    CaseStatus.SUPPLEMENT_REQUESTED: ItemState.NOT_STARTED,
    CaseStatus.IN_PROGRESS: ItemState.RUNNING,
    CaseStatus.SUSPENDED: ItemState.SUSPENDED,
}


def open_special_procedure(case: Case) -> Suspension | None:
    """The special procedure a suspended case is in (its own limit is supervised)."""
    return (
        Suspension.objects.filter(
            case=case, ended_at__isnull=True, kind=SuspensionKind.SPECIAL_PROCEDURE
        )
        .order_by("-started_at")
        .first()
    )


class CaseKind(ClockedKind):
    key = CASE
    label = pgettext_lazy("clocked item", "case")

    # --- the sweep ------------------------------------------------------------------

    def due(self, today: dt.date, *, exclude: Iterable[int], batch: int) -> list[int]:
        return list(
            Case.objects.filter(next_check_on__lte=today)
            .exclude(pk__in=exclude)
            .order_by("next_check_on", "pk")
            .values_list("pk", flat=True)[:batch]
        )

    def check(self, pk: int, at: dt.datetime) -> ClockFacts | None:
        query = Case.objects.select_related("department", "hall", "received_by")
        if connection.features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True, of=("self",))
        else:
            query = query.select_for_update()
        case = query.filter(pk=pk).first()
        return None if case is None else self.facts(case)

    def facts(self, case: Case) -> ClockFacts:
        """The clock of ``case`` as it is stored (the caller holds its lock)."""
        state = STATES.get(case.status, ItemState.CLOSED)  # type: ignore[call-overload]
        intake = None
        if case.status == CaseStatus.RECEIVED:
            intake = IntakeLimit(
                due_on=case.review_due_on,
                department=case.hall or case.department,
                handler=case.received_by,
                step_name=_("Intake"),
            )
        steps: tuple[StepFacts, ...] = ()
        if state == ItemState.RUNNING:
            steps = tuple(
                StepFacts(
                    id=step.pk,
                    name=step.name,
                    due_on=step.due_on,
                    assignee=step.assignee,
                    department=step.department,
                    lead=step.kind == StepKind.LEAD,
                )
                for step in CaseStep.objects.filter(case=case, status=StepStatus.ACTIVE)
                .select_related("department", "assignee")
                .order_by("order", "id")
            )
        alerts: list[AlertCondition] = []
        if state in (ItemState.RUNNING, ItemState.SUSPENDED) and case.pledge_due_on is not None:
            alerts.append(
                AlertCondition(
                    kind=AlertKind.PLEDGE_OVERDUE,
                    reference=f"pledge:{case.pledge_due_on.isoformat()}",
                    due_on=case.pledge_due_on,
                    department=case.department,
                    text=_(
                        "Case %(number)s: the pledged materials were due on %(due)s and are not in."
                    ),
                )
            )
        if state == ItemState.SUSPENDED:
            suspension = open_special_procedure(case)
            if suspension is not None and suspension.due_on is not None:
                alerts.append(
                    AlertCondition(
                        kind=AlertKind.SPECIAL_OVERRUN,
                        reference=f"suspension:{suspension.pk}",
                        due_on=suspension.due_on,
                        department=case.department,
                        text=_("Case %(number)s: the special procedure was due to end on %(due)s."),
                    )
                )
        return ClockFacts(
            kind=CASE,
            pk=case.pk,
            number=case.number,
            title=case.item_name,
            department=case.department,
            lead_handler=None,
            state=state,
            deadline=case.deadline,
            next_check_on=case.next_check_on,
            url=self.url(case.pk, case.number),
            intake=intake,
            steps=steps,
            alerts=tuple(alerts),
        )

    def on_limit_passed(self, pk: int, at: dt.datetime) -> ClockFacts:
        """Art. 32: no notice within five working days of receipt — the application
        counts as accepted from the day it was received."""
        return self.facts(case_services.deem_accepted(case=Case(pk=pk), at=at))

    def store_next_check(self, pk: int, day: dt.date | None) -> None:
        Case.objects.filter(pk=pk).update(next_check_on=day)

    def urge(self, item_pk: int, step_id: int, message: str, at: dt.datetime) -> None:
        case_services.urge_case(
            actor=None, case=Case(pk=item_pk), message=message, at=at, step_id=step_id
        )

    def last_automatic_urgings(self, item_pk: int, step_ids: Iterable[int]) -> dict[int, dt.date]:
        last: dict[int, dt.date] = {}
        rows = Urging.objects.filter(
            case_id=item_pk, automatic=True, step_id__in=list(step_ids)
        ).values_list("step_id", "on")
        for step_id, on in rows:
            if step_id not in last or on > last[step_id]:
                last[step_id] = on
        return last

    def notify(
        self, pk: int, users: Iterable[User], *, template: str, body: str, at: dt.datetime
    ) -> None:
        from tongban.notify.services import notify_staff

        # The messages belong to the case (its page lists them, the outbox links them).
        notify_staff(users, template=template, body=body, at=at, case=Case(pk=pk))

    def audit_object(self, pk: int) -> tuple[str, str]:
        return Case._meta.label_lower, str(pk)

    # --- links and lists --------------------------------------------------------------

    def url(self, pk: int, number: str) -> str:
        return reverse("cases:detail", args=[number])

    def urls(self) -> list[URLPattern]:
        from django.urls import path

        from . import diagram_views, views

        return [
            path("realtime/", views.realtime, name="realtime"),
            path("query/", views.query, name="query"),
            path("cases/<str:number>/diagram/", diagram_views.diagram, name="diagram"),
        ]

    def api_router(self) -> Router:
        from .api import router

        return router

    def urgings(self, user: User, *, automatic: bool | None, order: str) -> QuerySet[Urging]:
        query = Urging.objects.filter(case__in=Case.objects.visible_to(user).values("pk"))
        if automatic is not None:
            query = query.filter(automatic=automatic)
        descending = "-" if order.startswith("-") else ""
        field = {"number": "case__number"}.get(order.lstrip("-"), "at")
        return query.select_related(
            "case", "step", "urged_by", "urged_user", "department"
        ).order_by(f"{descending}{field}", f"{descending}pk")

    def urging_row(self, urging: Urging) -> UrgingRow:
        case = urging.case
        return UrgingRow(
            pk=urging.pk,
            kind=CASE,
            number=case.number,
            title=case.item_name,
            url=self.url(case.pk, case.number),
            step_name=urging.step.name if urging.step is not None else None,
            automatic=urging.automatic,
            urged_by=urging.urged_by,
            urged_user=urging.urged_user,
            department=urging.department,
            message=urging.message,
            at=urging.at,
            on=urging.on,
            read_at=urging.read_at,
        )

    def open_counts(self, user: User, today: dt.date, due_soon_by: dt.date) -> OpenCounts:
        counts = Case.objects.visible_to(user).aggregate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            due_soon=Count(
                "pk",
                filter=Q(
                    status=CaseStatus.IN_PROGRESS, deadline__gte=today, deadline__lte=due_soon_by
                ),
            ),
            overdue=Count("pk", filter=Q(status=CaseStatus.IN_PROGRESS, deadline__lt=today)),
            suspended=Count("pk", filter=Q(status=CaseStatus.SUSPENDED)),
        )
        return OpenCounts(**counts)

    def completions(
        self, user: User, first: dt.date, last: dt.date
    ) -> Mapping[dt.date, Completions]:
        rows = (
            Case.objects.visible_to(user)
            .filter(completed_on__range=(first, last))
            .annotate(month=TruncMonth("completed_on"))
            .values("month")
            .annotate(
                completed=Count("pk"),
                on_time=Count("pk", filter=Q(completed_on__lte=F("deadline"))),
            )
            .order_by("month")
        )
        return {row["month"]: Completions(row["completed"], row["on_time"]) for row in rows}

    def top_overdue(self, user: User, today: dt.date, limit: int) -> list[dict[str, object]]:
        return list(
            Case.objects.visible_to(user)
            .filter(status=CaseStatus.IN_PROGRESS, deadline__lt=today)
            .values(code=F("item__code"), name=F("item_name"))
            .annotate(count=Count("pk"))
            .order_by("-count", "code")[:limit]
        )

    def list_url(self, figure: str, **params: str) -> str:
        """The case lists behind the dashboard's figures: the comprehensive query, or
        the real-time processing list for the clock's colours."""
        from urllib.parse import urlencode

        if figure in ("due_soon", "overdue"):
            name, params = "realtime", {"tab": "processing", "state": figure, **params}
        else:
            name = "query"
            params = {
                "open": {"status": "open"},
                "suspended": {"status": "suspended"},
                "on_time": {"on_time": "yes"},
            }.get(figure, {}) | params
            if figure == "overdue_category":
                params["overdue"] = "on"
        query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return reverse(f"supervision:{name}") + (f"?{query}" if query else "")
