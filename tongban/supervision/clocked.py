"""The clocked-item contract (issue 14, point 5): what electronic supervision needs of
anything that runs against a working-day clock, and the registry of those kinds.

Supervision does not know cases, work orders or whatever comes next. A *kind* of
clocked item — cases are the first, the hotline's work orders the next — implements
``ClockedKind`` and is registered once (``register``, from its app's or
supervision's ``ready``). The sweep (``services.sweep``) then asks every registered
kind which of its items are due today, takes a typed snapshot of each one under its
row lock (``ClockFacts``), applies the rules of time-limits.md to the snapshot — once,
for every kind — and stores the item's next check through the kind. Cards and alerts
name their item by kind key and id (``Card.subject_kind``/``subject_id``), so the
lists, the card page and the API show them whatever kind they belong to.

This module holds no query and imports no domain app: a kind's module imports it,
never the other way round.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.urls import URLPattern
    from ninja import Router

    from tongban.accounts.models import Department, User


class ItemState(StrEnum):
    """Where an item's clock stands, as the rules read it."""

    NOT_STARTED = "not_started"  # received, its own clock not yet running
    RUNNING = "running"  # the deadline clock runs: cards and urgings apply
    SUSPENDED = "suspended"  # the clock stands still: neither due soon, overdue nor carded
    CLOSED = "closed"  # done: nothing fires, open cards are cured


@dataclass(frozen=True)
class StepFacts:
    """One open step of an item: a reference (id and name), its own due date, who
    holds it and in which department. ``lead``: the step of the lead department (a
    deadline card names the lead's step before an assisting one)."""

    id: int
    name: str
    due_on: dt.date | None
    assignee: User | None
    department: Department
    lead: bool = True


@dataclass(frozen=True)
class IntakeLimit:
    """An intake or sign-for limit (补正告知时限 for a case): the item must be taken up
    by ``due_on``; when that day has passed, the kind's ``on_limit_passed`` applies
    its effect (a case is deemed accepted) and supervision cards the desk yellow,
    naming ``step_name`` and ``handler``."""

    due_on: dt.date
    department: Department  # the desk that should have acted
    handler: User | None
    step_name: str


@dataclass(frozen=True)
class AlertCondition:
    """A supervised condition that is an alert, not a card: raised once per
    ``(kind, reference)`` when ``due_on`` has passed, to the heads of
    ``department``, with ``text`` as the message (``%(number)s`` and ``%(due)s`` are
    filled in). The kind lists a condition only while it applies."""

    kind: str  # an AlertKind value
    reference: str  # what it is about, e.g. "pledge:2026-03-06", "suspension:12"
    due_on: dt.date
    department: Department
    text: str


@dataclass(frozen=True)
class ClockFacts:
    """What the rules read of one item, taken under its row lock: a plain snapshot,
    so that the rules are written once for every kind."""

    kind: str
    pk: int
    number: str
    title: str  # what the item is about (the case's item name)
    department: Department  # the responsible (lead) department
    lead_handler: User | None  # who answers for it when no step is named
    state: ItemState
    deadline: dt.date | None
    next_check_on: dt.date | None  # as stored, so that an unchanged day is not rewritten
    url: str
    intake: IntakeLimit | None = None
    steps: tuple[StepFacts, ...] = ()
    alerts: tuple[AlertCondition, ...] = ()


@dataclass(frozen=True)
class UrgingRow:
    """One urging record (催办记录) as the supervision lists show it, whatever kind
    wrote it."""

    pk: int
    kind: str
    number: str
    title: str
    url: str
    step_name: str | None
    automatic: bool
    urged_by: User | None
    urged_user: User | None
    department: Department
    message: str
    at: dt.datetime
    on: dt.date
    read_at: dt.datetime | None


@dataclass
class OpenCounts:
    """Open items by time-limit colour (the dashboard's first figures)."""

    open: int = 0
    due_soon: int = 0
    overdue: int = 0
    suspended: int = 0

    def __add__(self, other: OpenCounts) -> OpenCounts:
        return OpenCounts(
            self.open + other.open,
            self.due_soon + other.due_soon,
            self.overdue + other.overdue,
            self.suspended + other.suspended,
        )


@dataclass
class Completions:
    """Items completed in one month and how many by their deadline."""

    completed: int = 0
    on_time: int = 0


class RowSource(Protocol):
    """What supervision reads of a kind's list (a QuerySet is one): its size, whether
    it is empty, and a slice of its rows."""

    def count(self) -> int: ...

    def exists(self) -> bool: ...

    def __getitem__(self, index: slice, /) -> Any: ...


class ClockedKind(abc.ABC):
    """A kind of clocked item. Subclass it, implement every abstract member, and
    ``register`` one instance. Every method is called by supervision only."""

    #: The kind's key, stored on cards and alerts (``"case"``). Never change it.
    key: str
    #: What one item is called in messages (``办件`` for a case): lazily translated.
    label: str | Promise

    # --- the sweep ------------------------------------------------------------------

    @abc.abstractmethod
    def due(self, today: dt.date, *, exclude: Collection[int], batch: int) -> list[int]:
        """Ids of up to ``batch`` items whose stored ``next_check_on`` ≤ ``today``,
        ordered by that day then id, leaving out ``exclude`` (those this sweep has
        seen: an item it could not lock stays due). Read by index."""

    @abc.abstractmethod
    def check(self, pk: int, at: dt.datetime) -> ClockFacts | None:
        """Lock the item's row (``SKIP LOCKED`` where the database has it) within the
        caller's transaction and return its facts as of ``at``; None when another
        transaction holds it (that sweep checks it) or it is gone."""

    @abc.abstractmethod
    def on_limit_passed(self, pk: int, at: dt.datetime) -> ClockFacts:
        """The effect of a passed intake limit (a case is deemed accepted), through
        the kind's own service, in the caller's transaction; the facts afterwards."""

    @abc.abstractmethod
    def store_next_check(self, pk: int, day: dt.date | None) -> None:
        """Store the day of the item's next check (the column ``due`` reads)."""

    @abc.abstractmethod
    def urge(self, item_pk: int, step_id: int, message: str, at: dt.datetime) -> None:
        """An automatic urging (actor: nobody) of one open step, through the kind's
        own service: its record and its message to the step's handler."""

    @abc.abstractmethod
    def last_automatic_urgings(self, item_pk: int, step_ids: Iterable[int]) -> dict[int, dt.date]:
        """For each of ``step_ids`` urged automatically before: the last day it was."""

    def notify(
        self, pk: int, users: Iterable[User], *, template: str, body: str, at: dt.datetime
    ) -> None:
        """Send a card's or an alert's message to ``users`` (internal message and SMS);
        a kind whose messages link to the item overrides this."""
        from tongban.notify.services import notify_staff

        notify_staff(users, template=template, body=body, at=at)

    def audit_object(self, pk: int) -> tuple[str, str]:
        """``(object_type, object_id)`` of the item in the audit log (an alert's
        record is about the item)."""
        return self.key, str(pk)

    # --- links and lists --------------------------------------------------------------

    def urls(self) -> list[URLPattern]:
        """The kind's own supervision pages (lists in the item's own columns),
        mounted with supervision's under ``/office/supervision/`` and the
        ``supervision`` namespace."""
        return []

    def api_router(self) -> Router | None:
        """The kind's own endpoints under ``/api/v1/supervision/``."""
        return None

    @abc.abstractmethod
    def url(self, pk: int, number: str) -> str:
        """The item's page for staff (``number`` as stored on the card, so that a list
        of cards needs no query per row)."""

    @abc.abstractmethod
    def urgings(self, user: User, *, automatic: bool | None, order: str) -> RowSource:
        """The urging records (automatic, manual or both) of the items ``user`` may
        see, sorted by ``order``: ``at`` or ``number``, ``-`` for descending, ties by
        id the same way. Each row becomes an ``UrgingRow`` through ``urging_row``."""

    @abc.abstractmethod
    def urging_row(self, urging: Any) -> UrgingRow:
        """One row of ``urgings`` as supervision shows it."""

    @abc.abstractmethod
    def open_counts(self, user: User, today: dt.date, due_soon_by: dt.date) -> OpenCounts:
        """Open items by colour: running and overdue (deadline before ``today``), due
        soon (deadline from ``today`` to ``due_soon_by``), suspended."""

    @abc.abstractmethod
    def completions(
        self, user: User, first: dt.date, last: dt.date
    ) -> Mapping[dt.date, Completions]:
        """Items completed in [first, last], per month (the month's first day)."""

    @abc.abstractmethod
    def top_overdue(self, user: User, today: dt.date, limit: int) -> list[dict[str, Any]]:
        """The categories (for cases: catalogue items) with the most running items
        past their deadline: ``[{"code", "name", "count"}]``, largest first."""

    @abc.abstractmethod
    def list_url(self, figure: str, **params: str) -> str:
        """The kind's list behind a dashboard figure, filtered to show the same
        number: ``open``, ``due_soon``, ``overdue``, ``suspended`` (open items),
        ``completed``, ``on_time`` (with ``completed_from``/``completed_to``),
        ``overdue_category`` (with ``item``: the category's code)."""


_kinds: dict[str, ClockedKind] = {}


def register(kind: ClockedKind) -> ClockedKind:
    """Register ``kind`` (once per key: registering the same key again replaces it,
    so a test can swap a kind and put the original back)."""
    if not kind.key or len(kind.key) > 16:
        raise ValueError("A clocked kind's key is 1 to 16 characters.")
    _kinds[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    _kinds.pop(key, None)


def kinds() -> list[ClockedKind]:
    """The registered kinds, in the order they were registered."""
    return list(_kinds.values())


def kind(key: str) -> ClockedKind:
    """The kind registered under ``key`` (KeyError when none is)."""
    return _kinds[key]
