"""Reads of electronic supervision over every kind of clocked item: cards, urgings,
alerts, the dashboard figures. Scoped like everything else: a supervisor sees every
department, a department's staff their subtree (``Card.objects.visible_to``, and for
the items' own rows the kind's scope). Every figure is computed in the database, and
every list is something the caller paginates: a QuerySet, or ``Rows`` over the kinds'
QuerySets.

The lists that show an item's own columns (the real-time lists of cases, the
comprehensive query) are the kind's: ``kinds.cases.lists``.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from tongban.accounts.selectors import department_path
from tongban.core.errors import NotFound
from tongban.workcalendar.calendar import get_calendar

from . import clocked
from .clocked import Completions, OpenCounts, RowSource, UrgingRow
from .models import Alert, Card

if TYPE_CHECKING:
    from tongban.accounts.models import User

# --- cards, urgings, alerts -------------------------------------------------------------


@dataclass
class CardFilters:
    department: str = ""  # code: that subtree
    colour: str = ""  # yellow / red
    cured: bool | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    case_number: str = ""  # part of the item's number


def cards(user: User, filters: CardFilters | None = None) -> QuerySet[Card]:
    f = filters or CardFilters()
    query: QuerySet[Card] = Card.objects.visible_to(user).select_related(
        "department", "handler", "rectified_by"
    )
    if f.department:
        query = query.filter(department__path__startswith=department_path(f.department))
    if f.colour:
        query = query.filter(colour=f.colour)
    if f.cured is not None:
        query = query.filter(cured_at__isnull=not f.cured)
    if f.issued_from:
        query = query.filter(issued_on__gte=f.issued_from)
    if f.issued_to:
        query = query.filter(issued_on__lte=f.issued_to)
    if f.case_number:
        query = query.filter(subject_number__icontains=f.case_number.strip())
    return query.order_by("-issued_at", "-id")


def get_card_for(user: User, pk: int) -> Card:
    card = cards(user).filter(pk=pk).first()
    if card is None:
        raise NotFound()
    return card


class Rows(Sequence[UrgingRow]):
    """The rows of several kinds' lists (QuerySets), each already sorted the same way,
    as one sorted sequence a paginator can read: ``count()`` adds the counts, a slice
    takes the first ``stop`` rows of each list and merges them (one query per kind).
    With one kind it is that kind's list, row by row."""

    def __init__(
        self,
        sources: list[tuple[RowSource, Callable[[Any], UrgingRow]]],
        key: Callable[[UrgingRow], Any],
        descending: bool,
    ) -> None:
        self.sources = sources
        self.key = key
        self.descending = descending
        self._count: int | None = None

    # Django's Paginator counts with count(), not Sequence.count(value).
    def count(self) -> int:  # type: ignore[override]
        if self._count is None:
            self._count = sum(query.count() for query, _shape in self.sources)
        return self._count

    def exists(self) -> bool:
        return any(query.exists() for query, _shape in self.sources)

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> UrgingRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[UrgingRow]: ...
    def __getitem__(self, index: int | slice) -> UrgingRow | list[UrgingRow]:
        if isinstance(index, int):
            rows = self[index : index + 1]
            if not rows:
                raise IndexError(index)
            return rows[0]
        start, stop = index.start or 0, index.stop
        if len(self.sources) == 1:
            query, shape = self.sources[0]
            return [shape(row) for row in query[start:stop]]
        if stop is None:
            stop = self.count()
        merged = heapq.merge(
            *([shape(row) for row in query[:stop]] for query, shape in self.sources),
            key=self.key,
            reverse=self.descending,
        )
        return list(merged)[start:stop]

    def __iter__(self) -> Iterator[UrgingRow]:
        return iter(self[0 : self.count()])


URGING_KEYS: dict[str, Callable[[UrgingRow], Any]] = {
    "at": lambda row: (row.at, row.pk),
    "number": lambda row: (row.number, row.pk),
}


def urgings(user: User, *, automatic: bool | None = None, order: str = "-at") -> Rows:
    """催办记录 of the items ``user`` may see, of every kind, sorted by ``order``
    (``at`` or ``number``, ``-`` descending)."""
    field = order.lstrip("-")
    if field not in URGING_KEYS:
        order, field = "-at", "at"
    sources: list[tuple[RowSource, Callable[[Any], UrgingRow]]] = [
        (kind.urgings(user, automatic=automatic, order=order), kind.urging_row)
        for kind in clocked.kinds()
    ]
    return Rows(sources, URGING_KEYS[field], descending=order.startswith("-"))


def alerts(user: User, *, kind: str = "", open_only: bool = True) -> QuerySet[Alert]:
    query: QuerySet[Alert] = Alert.objects.visible_to(user).select_related("department")
    if kind:
        query = query.filter(kind=kind)
    if open_only:
        query = query.filter(resolved_at__isnull=True)
    return query.order_by("-issued_at", "-id")


# --- the colours of the clock ---------------------------------------------------------------


def due_soon_limit(today: dt.date) -> dt.date:
    """``wd(t, deadline) ≤ warn_days`` ⇔ ``deadline ≤ add(t, warn_days)`` (for a
    deadline on or after t)."""
    return get_calendar().add(today, settings.TONGBAN_WARN_DAYS)


# --- the dashboard -------------------------------------------------------------------------


def open_counts(user: User, today: dt.date) -> dict[str, int]:
    """Open items by time-limit colour, every kind added up (one query per kind)."""
    soon = due_soon_limit(today)
    total = OpenCounts()
    for kind in clocked.kinds():
        total = total + kind.open_counts(user, today, soon)
    return {
        "open": total.open,
        "due_soon": total.due_soon,
        "overdue": total.overdue,
        "suspended": total.suspended,
    }


def cards_by_department(user: User, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Cards issued and cured between ``first`` and ``last``, per department."""
    issued = (
        Card.objects.visible_to(user)
        .filter(issued_on__range=(first, last))
        .values(code=F("department__code"), name=F("department__name"))
        .annotate(
            yellow=Count("pk", filter=Q(colour="yellow")),
            red=Count("pk", filter=Q(colour="red")),
            cured=Count("pk", filter=Q(cured_on__range=(first, last))),
        )
        .order_by("code")
    )
    return list(issued)


def on_time_trend(user: User, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Per month of completion: items completed and how many by their deadline."""
    months: dict[dt.date, Completions] = {}
    for kind in clocked.kinds():
        for month, found in kind.completions(user, first, last).items():
            total = months.setdefault(month, Completions())
            total.completed += found.completed
            total.on_time += found.on_time
    return [
        {
            "month": month.strftime("%Y-%m"),
            "completed": row.completed,
            "on_time": row.on_time,
            "rate": round(100 * row.on_time / row.completed, 2) if row.completed else None,
        }
        for month, row in sorted(months.items())
    ]


def top_overdue_items(user: User, today: dt.date, limit: int = 10) -> list[dict[str, Any]]:
    """The categories (for cases: the items) with the most running items past their
    deadline."""
    rows = [row for kind in clocked.kinds() for row in kind.top_overdue(user, today, limit)]
    return sorted(rows, key=lambda row: (-row["count"], row["code"]))[:limit]


# --- for the supervision pages (the lists behind the dashboard's figures) -----------------


def of_department(rows: QuerySet[Any], code: str, field: str = "department") -> QuerySet[Any]:
    """Rows of exactly the department ``code``, not its subtree: the per-department
    figures group by the department itself, and the list behind one must match it."""
    return rows.filter(**{f"{field}__code": code.strip()})


def cards_cured_between(rows: QuerySet[Card], first: dt.date, last: dt.date) -> QuerySet[Card]:
    return rows.filter(cured_on__range=(first, last))
