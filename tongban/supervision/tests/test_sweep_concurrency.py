"""Two sweeps at the same instant (the five-minute job and the midnight job, or two
workers): each card, urging and deemed acceptance happens once. The case row lock
(taken with SKIP LOCKED) keeps a second sweep off a case being checked, and the
unique constraint on cards backs it up.

PostgreSQL only: SQLite serialises whole-database writes and has no row locks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tongban.cases.models import Case, CaseStatus, TimelineEvent, Urging
from tongban.cases.testing import accepted, at, person, receive
from tongban.notify.models import OutboxMessage
from tongban.supervision.models import Card, CardColour, CardRule
from tongban.supervision.services import check_case, sweep

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent writers need PostgreSQL",
    ),
    pytest.mark.postgres,
    # Committed data for the threads' own connections. The flush after a
    # transactional test empties the seeded calendar for later transactional tests:
    # these dates (March 2026) need no holidays.
    pytest.mark.django_db(transaction=True),
]

KEYS = ["deemed_accepted", "yellow_cards", "red_cards", "urgings", "special_overruns"]


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Each call in its own thread (its own connection), released together."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # kept for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_it_issues_each_card_once_when_two_sweeps_run_together(personas, items):
    late = [
        accepted(personas, items.promised, at("2026-03-02", 9, i)) for i in range(6)
    ]  # deadline 23 March, 承办 due 12 March
    unreviewed = [
        receive(personas, items.promised, at("2026-03-02", 11, i), applicant=person(f"王{i}"))
        for i in range(3)
    ]  # review due 9 March
    instant = at("2026-03-24", 0, 5)

    results = _at_once([lambda: sweep(at=instant), lambda: sweep(at=instant)])

    assert not [r for r in results if isinstance(r, Exception)], results
    total = {key: sum(getattr(r, key) for r in results) for key in KEYS}
    # Nine overdue cases carded once each, three intake desks carded, three deemed
    # acceptances, six urgings (the deemed cases' steps only started today).
    assert total == {
        "deemed_accepted": 3,
        "yellow_cards": 12,
        "red_cards": 0,
        "urgings": 6,
        "special_overruns": 0,
    }
    assert results[0].checked + results[1].checked >= 9
    for case in late:
        assert Card.objects.of("case", case.pk).count() == 1
        assert Urging.objects.filter(case=case).count() == 1
    for case in unreviewed:
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PROGRESS
        assert sorted(Card.objects.of("case", case.pk).values_list("rule", flat=True)) == [
            CardRule.DEADLINE,
            CardRule.INTAKE_LIMIT,
        ]
        assert TimelineEvent.objects.filter(case=case, action="deemed_accept").count() == 1
    assert OutboxMessage.objects.filter(template="supervision.yellow").count() == 12 * (
        OutboxMessage.objects.filter(template="supervision.yellow", case=late[0]).count()
    )
    assert Case.objects.filter(next_check_on__lte="2026-03-24").count() == 0


def test_it_checks_one_case_once_when_two_checks_race(personas, items):
    case = accepted(personas, items.promised, at("2026-03-06"))  # deadline 27 March
    instant = at("2026-03-30", 0, 5)

    results = _at_once([lambda: check_case(case.pk, at=instant) for _ in range(2)])

    assert not [r for r in results if isinstance(r, Exception)], results
    # The second either skipped the locked row (None) or found everything done.
    issued = sum(r["yellow_cards"] for r in results if r is not None)
    assert issued == 1
    assert Card.objects.of("case", case.pk).filter(colour=CardColour.YELLOW).count() == 1
    assert Urging.objects.filter(case=case).count() == 1
