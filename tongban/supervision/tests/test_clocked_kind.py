"""Issue 14, point 5: supervision watches any clocked thing. A kind that is not a
case — here work orders held in memory, the way the hotline's will plug in — is
carded, urged and alerted by the unchanged sweep once it implements the contract and
is registered; its cards are listed and cured like a case's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import pytest

from tongban.accounts.testing import log_in
from tongban.cases.testing import at
from tongban.supervision import clocked, curing
from tongban.supervision.clocked import (
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
from tongban.supervision.models import Alert, AlertKind, Card, CardColour, CardRule
from tongban.supervision.services import sweep

D = dt.date.fromisoformat


@dataclass
class Order:
    """A work order (工单) as the fake kind keeps it: nothing but Python objects."""

    pk: int
    number: str
    department: object
    handler: object
    state: ItemState
    deadline: dt.date | None
    step_due: dt.date | None = None
    sign_for_by: dt.date | None = None
    pledge_due: dt.date | None = None
    next_check_on: dt.date | None = dt.date(2026, 3, 1)
    urgings: list[tuple[int, dt.date]] = field(default_factory=list)


class WorkOrders(ClockedKind):
    key = "workorder"
    label = "work order"

    def __init__(self, orders: list[Order]) -> None:
        self.orders = {o.pk: o for o in orders}
        self.signed_for: list[int] = []

    def due(self, today, *, exclude, batch):
        rows = [o for o in self.orders.values() if o.next_check_on and o.next_check_on <= today]
        rows.sort(key=lambda o: (o.next_check_on, o.pk))
        return [o.pk for o in rows if o.pk not in exclude][:batch]

    def check(self, pk, at):
        o = self.orders[pk]
        step = StepFacts(
            id=pk * 10, name="处置", due_on=o.step_due, assignee=o.handler, department=o.department
        )
        alerts = ()
        if o.pledge_due is not None:
            alerts = (
                AlertCondition(
                    kind=AlertKind.PLEDGE_OVERDUE,
                    reference=f"reply:{o.pledge_due}",
                    due_on=o.pledge_due,
                    department=o.department,
                    text="Work order %(number)s: the reply was due on %(due)s.",
                ),
            )
        intake = None
        if o.state == ItemState.NOT_STARTED and o.sign_for_by is not None:
            intake = IntakeLimit(
                due_on=o.sign_for_by, department=o.department, handler=o.handler, step_name="签收"
            )
        return ClockFacts(
            kind=self.key,
            pk=pk,
            number=o.number,
            title="噪音扰民",
            department=o.department,
            lead_handler=o.handler,
            state=o.state,
            deadline=o.deadline,
            next_check_on=o.next_check_on,
            url=self.url(pk, o.number),
            intake=intake,
            steps=(step,) if o.state == ItemState.RUNNING else (),
            alerts=alerts,
        )

    def on_limit_passed(self, pk, at):
        self.signed_for.append(pk)  # deemed signed for: the clock starts
        self.orders[pk] = replace(self.orders[pk], state=ItemState.RUNNING)
        return self.check(pk, at)

    def store_next_check(self, pk, day):
        self.orders[pk].next_check_on = day

    def urge(self, item_pk, step_id, message, at):
        self.orders[item_pk].urgings.append((step_id, at.date()))

    def last_automatic_urgings(self, item_pk, step_ids):
        return {s: on for s, on in self.orders[item_pk].urgings if s in set(step_ids)}

    def url(self, pk, number):
        return f"/office/hotline/orders/{number}/"

    def urgings(self, user, *, automatic, order):
        return _Listed([])

    def urging_row(self, urging) -> UrgingRow:
        raise AssertionError("no urging rows in this test")

    def open_counts(self, user, today, due_soon_by) -> OpenCounts:
        return OpenCounts(open=len(self.orders))

    def completions(self, user, first, last) -> Mapping[dt.date, Completions]:
        return {}

    def top_overdue(self, user, today, limit):
        return []

    def list_url(self, figure, **params):
        return "/office/hotline/orders/"


class _Listed(list):
    def count(self) -> int:
        return len(self)

    def exists(self) -> bool:
        return bool(self)


@pytest.fixture
def orders(personas) -> Iterable[WorkOrders]:
    market = personas.org.market
    kind = WorkOrders(
        [
            # Due Tuesday 3 March; its step was due Monday 2 March; a reply pledged by 4 March.
            Order(
                1,
                "GD-2026-0001",
                market,
                personas.handler,
                ItemState.RUNNING,
                deadline=D("2026-03-03"),
                step_due=D("2026-03-02"),
                pledge_due=D("2026-03-04"),
            ),
            # Not signed for by Monday 2 March: deemed signed for, the desk carded.
            Order(
                2,
                "GD-2026-0002",
                market,
                personas.handler,
                ItemState.NOT_STARTED,
                deadline=D("2026-03-20"),
                sign_for_by=D("2026-03-02"),
            ),
            # Suspended: nothing is carded however late it is.
            Order(
                3, "GD-2026-0003", market, personas.handler, ItemState.SUSPENDED, D("2026-02-02")
            ),
        ]
    )
    clocked.register(kind)
    yield kind
    clocked.unregister(kind.key)


def test_the_sweep_cards_urges_and_alerts_a_kind_it_does_not_know(orders, personas):
    # Thursday 5 March: two full working days past the deadline of 3 March.
    result = sweep(at=at("2026-03-05", 0, 5))
    assert (result.yellow_cards, result.urgings, result.pledges_overdue) == (2, 1, 1)
    assert result.deemed_accepted == 1 and orders.signed_for == [2]

    late = Card.objects.of("workorder", 1).get()
    assert (late.colour, late.rule, late.subject_number) == (
        CardColour.YELLOW,
        CardRule.DEADLINE,
        "GD-2026-0001",
    )
    assert (late.step_id, late.step_name, late.handler) == (10, "处置", personas.handler)
    assert late.deadline == D("2026-03-03") and late.days_overdue == 2
    assert late.subject_url == "/office/hotline/orders/GD-2026-0001/"
    desk = Card.objects.of("workorder", 2).get()
    assert (desk.rule, desk.step_name, desk.deadline) == (
        CardRule.INTAKE_LIMIT,
        "签收",
        D("2026-03-02"),
    )
    assert not Card.objects.of("workorder", 3).exists()
    assert orders.orders[1].urgings == [(10, D("2026-03-05"))]
    alert = Alert.objects.of("workorder", 1).get()
    assert (alert.kind, alert.reference) == (AlertKind.PLEDGE_OVERDUE, "reply:2026-03-04")
    # The next check is the first day a rule can fire again: the next day's urging.
    assert orders.orders[1].next_check_on == D("2026-03-06")

    # Idempotent, like for cases; red three working days after the yellow card.
    again = sweep(at=at("2026-03-05", 0, 10))
    assert (again.yellow_cards, again.urgings, again.pledges_overdue) == (0, 0, 0)
    assert sweep(at=at("2026-03-10", 0, 5)).red_cards == 2
    red = Card.objects.of("workorder", 1).get(colour=CardColour.RED)
    assert red.yellow == late and red.step_name == "处置"

    # Closing the order cures its cards and resolves its alert, and only its own.
    assert curing.item_closed("workorder", 1, at("2026-03-10", 9)) == 2
    assert not Card.objects.of("workorder", 1).filter(cured_at__isnull=True).exists()
    assert Alert.objects.of("workorder", 1).get().resolved_at == at("2026-03-10", 9)
    assert Card.objects.of("workorder", 2).filter(cured_at__isnull=True).count() == 2


def test_its_cards_are_listed_with_a_link_to_the_item(client, orders, personas):
    sweep(at=at("2026-03-05", 0, 5))
    log_in(client, personas.supervisor)
    body = client.get("/office/supervision/cards/", {"number": "GD-2026"}).content.decode()
    assert 'href="/office/hotline/orders/GD-2026-0001/"' in body
    assert 'data-case="GD-2026-0002"' in body
    card = Card.objects.of("workorder", 1).get()
    page = client.get(f"/office/supervision/cards/{card.pk}/").content.decode()
    assert "GD-2026-0001" in page and "噪音扰民" in page
