"""The statistics.md case facts **as of an instant**, computed in the database.

``facts_queryset(as_of)`` annotates ``Case.objects`` with the as-of facts that
``tongban.cases.facts`` defines once (the raw-facts export uses the same; events after
``as_of`` are ignored):

- accepted: ``accepted_on ≤ date(as_of)`` and an acceptance event at or before
  ``as_of``;
- ``completed_as_of`` / ``terminated_as_of``: the stored dates, only if the case was
  closed at or before ``as_of``;
- ``deadline_as_of``: immediate → ``accepted_on``; else ``add(accepted_on, limit +
  extensions approved by as_of + days of suspensions ended by as_of)``, looked up in
  the working-day index (``reports.WorkdayIndex``);
- ``suspended_as_of``: a suspension started by ``as_of`` and not ended by then;
- ``ord_deadline`` / ``ord_completed``: the working-day ordinals, so that
  ``wd(completed, deadline) = ord_deadline − ord_completed``.

``facts_table`` gives the same facts as a derived table the reports aggregate over
with conditional counts: one statement, each case's facts computed once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, transaction
from django.db.models import Case as CaseWhen
from django.db.models import (
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from tongban.cases import facts as case_facts
from tongban.cases.models import Case
from tongban.workcalendar.calendar import WorkCalendar, current_version, get_calendar
from tongban.workcalendar.models import CalendarVersion

from .models import WorkdayIndex, WorkdayIndexState

logger = logging.getLogger("tongban.reports")

# --- the working-day index -----------------------------------------------------------------


def index_is_current() -> bool:
    """One query: was the index built from the calendar version now on file?"""
    version = Coalesce(
        Subquery(CalendarVersion.objects.filter(pk=1).values("value")[:1]),
        Value(0),
        output_field=IntegerField(),
    )
    return WorkdayIndexState.objects.filter(pk=1, calendar_version=version).exists()


def ensure_workday_index() -> None:
    """Build the index if it is missing or older than the calendar (lazily, so a fresh
    or flushed database and a calendar changed by another process are both covered)."""
    if not index_is_current():
        rebuild_workday_index()


def rebuild_workday_index() -> int:
    """Rebuild the whole index from the calendar (≈ 40,000 rows, bulk insert) under a
    lock on the state row, so that concurrent builders do the work once. Returns the
    number of rows written (0 when another builder got there first)."""
    with transaction.atomic():
        state, _ = WorkdayIndexState.objects.select_for_update().get_or_create(
            pk=1, defaults={"calendar_version": -1}
        )
        version = current_version()
        if state.calendar_version == version:
            return 0
        calendar = get_calendar()
        if calendar.version != version:
            calendar = WorkCalendar.from_database(version=version)
        rows = _index_rows(calendar)
        WorkdayIndex.objects.all().delete()
        WorkdayIndex.objects.bulk_create(rows, batch_size=5000)
        state.calendar_version = version
        state.save(update_fields=["calendar_version"])
    logger.info("Working-day index rebuilt for calendar version %s (%s days)", version, len(rows))
    return len(rows)


def _index_rows(calendar: WorkCalendar) -> list[WorkdayIndex]:
    # The calendar's own precomputed arrays: flags (working day or not) and their
    # running count, exactly what ``wd`` and ``add`` use, so the two cannot differ.
    first = calendar.first.toordinal()
    flags, cumulative = calendar._flags, calendar._cum
    return [
        WorkdayIndex(
            day=dt.date.fromordinal(first + i), ordinal=cumulative[i], workday=bool(flags[i])
        )
        for i in range(len(flags))
    ]


def calendar_changed(first: dt.date, last: dt.date) -> None:
    """Listener for ``workcalendar.services.on_calendar_changed``: rebuild after the
    change has committed (the lazy check covers other processes and rollbacks)."""
    transaction.on_commit(rebuild_workday_index)


# --- the facts as of an instant ------------------------------------------------------------


def facts_queryset(as_of: dt.datetime, *, deadline: bool = True) -> QuerySet[Case]:
    """``Case.objects`` limited to the cases accepted as of ``as_of`` and annotated with
    their facts at that instant (see the module docstring), for lists of cases: the
    reports themselves aggregate over ``facts_table``, which computes the same facts
    with each subquery evaluated once. ``deadline=False`` leaves out the deadline,
    ordinals and suspension."""
    cases = _base(as_of, clock=deadline)
    if not deadline:
        return cases
    ordinal_of = WorkdayIndex.objects.filter(day=OuterRef("accepted_on")).values("ordinal")[:1]
    target = WorkdayIndex.objects.filter(
        workday=True, ordinal=OuterRef("ord_accepted") + OuterRef("shift")
    ).values("day")[:1]
    completed_ordinal = WorkdayIndex.objects.filter(day=OuterRef("completed_as_of")).values(
        "ordinal"
    )[:1]
    return cases.annotate(ord_accepted=Subquery(ordinal_of, output_field=IntegerField())).annotate(
        deadline_as_of=CaseWhen(
            When(shift=0, then=F("accepted_on")),
            default=Subquery(target, output_field=DateField()),
            output_field=DateField(),
        ),
        # add() lands on a working day, so its ordinal is ord(accepted) + shift.
        ord_deadline=F("ord_accepted") + F("shift"),
        ord_completed=Subquery(completed_ordinal, output_field=IntegerField()),
    )


def _base(as_of: dt.datetime, *, clock: bool, suspension: bool = True) -> QuerySet[Case]:
    """The accepted-as-of cases with the facts that need no working-day arithmetic;
    with ``clock``, also ``shift`` (working days from acceptance to the deadline as of
    ``as_of``) and ``suspended_as_of`` — all as ``cases.facts`` defines them."""
    cases = (
        case_facts.accepted_as_of(as_of)
        .annotate(
            case_id=F("pk"),
            kind=F("handling_type"),
            dept_id=F("department_id"),
            dept_code=F("department__code"),
            accepted=F("accepted_on"),
            completed_as_of=case_facts.completed_as_of(as_of),
            terminated_as_of=case_facts.terminated_as_of(as_of),
        )
        .order_by()
    )
    if not clock:
        return cases
    cases = cases.annotate(shift=case_facts.shift_as_of(as_of))
    if not suspension:
        return cases
    return cases.annotate(suspended_as_of=case_facts.suspended_as_of(as_of))


FACT_COLUMNS = (
    "case_id",
    "kind",
    "dept_id",
    "dept_code",
    "accepted",
    "completed_as_of",
    "terminated_as_of",
)


def facts_table(
    as_of: dt.datetime, where: Q, *, deadline: bool = True, suspension: bool = True
) -> tuple[str, tuple]:
    """The SQL (and parameters) of a derived table ``(…)`` with one row per case
    accepted as of ``as_of`` and meeting ``where`` (a ``Q`` over ``Case``), with the
    columns ``FACT_COLUMNS`` and, with ``deadline``, ``shift``, ``suspended_as_of``,
    ``deadline_as_of``, ``ord_deadline`` and ``ord_completed``.

    The deadline is a join with the working-day index: ``add(accepted, shift)`` is the
    working day whose ordinal is ``ordinal(accepted) + shift``. ``OFFSET 0`` keeps the
    planner from pulling the inner query up into the outer one, which would evaluate
    its subqueries once per reference instead of once per case."""
    fence = "LIMIT -1 OFFSET 0" if connection.vendor == "sqlite" else "OFFSET 0"
    base = _base(as_of, clock=deadline, suspension=suspension).filter(where)
    if not deadline:
        sql, params = base.values(*FACT_COLUMNS).query.sql_with_params()
        return f"({sql} {fence})", tuple(params)
    # ``suspended_as_of`` (one look-up per case) only where a figure needs it.
    extra = ("shift", "suspended_as_of") if suspension else ("shift",)
    sql, params = base.values(*FACT_COLUMNS, *extra).query.sql_with_params()
    index = connection.ops.quote_name(WorkdayIndex._meta.db_table)
    return (
        "(SELECT b.*,"  # noqa: S608 - identifiers from the model, values are parameters
        " CASE WHEN b.shift = 0 THEN b.accepted ELSE wt.day END AS deadline_as_of,"
        " wa.ordinal + b.shift AS ord_deadline, wc.ordinal AS ord_completed"
        f" FROM ({sql} {fence}) b"
        f" LEFT JOIN {index} wa ON wa.day = b.accepted"
        f" LEFT JOIN {index} wt ON wt.ordinal = wa.ordinal + b.shift AND wt.workday = %s"
        f" LEFT JOIN {index} wc ON wc.day = b.completed_as_of)",
        (*params, True),
    )


def db_date(day: dt.date):
    """A date as a query parameter for this database."""
    return connection.ops.adapt_datefield_value(day)
