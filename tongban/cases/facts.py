"""The facts of a case **as of an instant** (statistics.md, "The raw facts…"), as
query expressions — the one definition that the raw-facts export
(``cases.export.case_facts``) and the reports (``reports.facts``) both use. Events
after ``as_of`` are ignored:

- accepted: ``accepted_on ≤ date(as_of)`` and the acceptance event (accept, accept
  with materials pending, handled on the spot, deemed accepted) at or before
  ``as_of`` (``accepted_as_of``);
- ``completed_as_of`` / ``terminated_as_of``: the stored dates, only if the case was
  closed (``closed_at``) at or before ``as_of``;
- ``shift``: the working days from acceptance to the deadline as of ``as_of`` — 0 for
  immediate cases (deadline = ``accepted_on``), else limit + extension days approved
  by ``as_of`` + working days of the suspensions ended by ``as_of`` (time-limits.md):
  a suspension still running at ``as_of`` has not moved the deadline yet; the
  deadline is ``add(accepted_on, shift)``;
- ``suspended_as_of``: a suspension started by ``as_of`` and not ended by then.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce

from tongban.catalog.models import HandlingType
from tongban.core.clock import local_date

from .models import Case, Extension, ExtensionStatus, Suspension, TimelineEvent

# The timeline actions that accept a case (labels.py).
ACCEPT_ACTIONS = ("accept", "accept_pending", "handle_immediately", "deemed_accept")

ZERO = Value(0, output_field=IntegerField())


def accepted_as_of(as_of: dt.datetime, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """``cases`` (every case by default) limited to those accepted by ``as_of``."""
    day = local_date(as_of)
    accepted_by = TimelineEvent.objects.filter(
        case=OuterRef("pk"), action__in=ACCEPT_ACTIONS, at__lte=as_of
    )
    cases = Case.objects.all() if cases is None else cases
    return cases.filter(accepted_on__isnull=False, accepted_on__lte=day).filter(
        # Accepted on an earlier day means accepted by then — except a deemed
        # acceptance, dated back to the day of receipt by a later sweep: only for
        # those, and for the day of as_of itself, is the event's time looked up.
        Q(accepted_on__lt=day, deemed_accepted=False) | Exists(accepted_by)
    )


def _closed_by(as_of: dt.datetime) -> Q:
    return Q(closed_at__isnull=False, closed_at__lte=as_of)


def completed_as_of(as_of: dt.datetime) -> CaseWhen:
    return CaseWhen(
        When(_closed_by(as_of), then=F("completed_on")), default=None, output_field=DateField()
    )


def terminated_as_of(as_of: dt.datetime) -> CaseWhen:
    return CaseWhen(
        When(_closed_by(as_of), then=F("terminated_on")), default=None, output_field=DateField()
    )


def shift_as_of(as_of: dt.datetime) -> CaseWhen:
    """Working days to add to the acceptance date for the deadline as of ``as_of``."""
    extensions = (
        Extension.objects.filter(
            case=OuterRef("pk"), status=ExtensionStatus.APPROVED, decided_at__lte=as_of
        )
        .order_by()
        .values("case")
        .annotate(total=Sum("days"))
        .values("total")
    )
    suspended = (
        Suspension.objects.filter(case=OuterRef("pk"), ended_at__lte=as_of)
        .order_by()
        .values("case")
        .annotate(total=Sum("days"))
        .values("total")
    )
    return CaseWhen(
        When(handling_type=HandlingType.IMMEDIATE, then=ZERO),
        # The stored totals are zero for most cases, and only ever grow: a case with
        # none now had none at as_of either, and needs no look-up.
        default=F("limit_days")
        + CaseWhen(
            When(extension_days=0, then=ZERO),
            default=Coalesce(Subquery(extensions, output_field=IntegerField()), ZERO),
            output_field=IntegerField(),
        )
        + CaseWhen(
            When(suspended_days=0, then=ZERO),
            default=Coalesce(Subquery(suspended, output_field=IntegerField()), ZERO),
            output_field=IntegerField(),
        ),
        output_field=IntegerField(),
    )


def suspended_as_of(as_of: dt.datetime) -> Exists:
    running = Suspension.objects.filter(case=OuterRef("pk"), started_at__lte=as_of).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=as_of)
    )
    return Exists(running, output_field=BooleanField())
