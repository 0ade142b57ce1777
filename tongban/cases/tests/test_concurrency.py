"""Two people acting at once, on real concurrent connections: the case row lock (and
the case counter's) serialises them, and the second gets a ``conflict``.

PostgreSQL only: SQLite serialises whole-database writes and has no row locks, so
these races cannot happen (nor be tested) there."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tongban.accounts.roles import RoleCode
from tongban.cases import services
from tongban.cases.models import Case, CaseStep, Channel, Decision, StepStatus
from tongban.cases.services import Conflict
from tongban.cases.testing import accepted, active_step, all_materials, at, person

from .support import market_user

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent writers need PostgreSQL",
    ),
    pytest.mark.postgres,
    # Committed data for the threads' own connections. pytest-django runs the
    # transactional tests last, so the flush after them (which also empties the
    # calendar a migration seeded) reaches only other transactional tests, and
    # these need no holidays. (serialized_rollback would restore the calendar, but
    # collides with the content types re-created by an earlier transactional
    # test's flush.)
    pytest.mark.django_db(transaction=True),
]


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread (its own database connection), all released
    together by a barrier; return each call's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the outcome under test, kept for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def split(results: list[Any]) -> tuple[list[Any], list[Exception]]:
    failed = [r for r in results if isinstance(r, Exception)]
    return [r for r in results if not isinstance(r, Exception)], failed


@pytest.fixture
def two_handlers(personas):
    return personas.handler, market_user(personas, "handler2", RoleCode.HANDLER, "13800000012")


def test_it_lets_one_of_two_handlers_claim_the_same_step(personas, items, two_handlers):
    case = accepted(personas, items.promised, at("2026-03-02"))
    step = active_step(case)
    assert step.assignee is None

    results = at_once(
        [
            lambda user=user: services.claim_step(
                actor=user, case=case, step_id=step.pk, at=at("2026-03-03")
            )
            for user in two_handlers
        ]
    )

    claimed, refused = split(results)
    assert len(claimed) == 1 and len(refused) == 1
    assert isinstance(refused[0], Conflict) and refused[0].code == "conflict"
    step.refresh_from_db()
    assert step.assignee_id == claimed[0].assignee_id
    assert case.timeline.filter(action="claim").count() == 1


def test_it_lets_one_of_two_handlers_advance_the_same_step(personas, items, two_handlers):
    case = accepted(personas, items.promised, at("2026-03-02"))
    step = active_step(case)

    results = at_once(
        [
            lambda user=user: services.advance_step(
                actor=user,
                case=case,
                step_id=step.pk,
                decision=Decision.AGREE,
                opinion="同意",
                at=at("2026-03-03"),
            )
            for user in two_handlers
        ]
    )

    advanced, refused = split(results)
    assert len(advanced) == 1 and len(refused) == 1
    assert isinstance(refused[0], Conflict)
    step.refresh_from_db()
    assert step.status == StepStatus.DONE
    assert CaseStep.objects.filter(case=case, name="审核").count() == 1
    assert active_step(case).name == "审核"
    assert case.timeline.filter(action="advance").count() == 1


def test_it_gives_concurrent_intakes_distinct_consecutive_numbers(personas, items):
    def submit(index: int):
        return services.submit_application(
            actor=personas.window_clerk,
            item=items.promised,
            applicant=person(name=f"申请人{index}"),
            form_data={"shop_name": f"面馆{index}"},
            materials=all_materials(items.promised),
            at=at("2026-03-02"),
        )

    results = at_once([lambda i=i: submit(i) for i in range(20)])

    created, failed = split(results)
    assert failed == []
    numbers = sorted(case.number for case in created)
    assert numbers == [f"TS-2026-SCJG-{n:06d}" for n in range(1, 21)]
    assert Case.objects.count() == 20


def test_it_makes_one_case_of_one_idempotency_key(personas, items):
    def submit():
        return services.submit_application(
            actor=None,
            item=items.promised,
            applicant=person(),
            form_data={"shop_name": "小三面馆"},
            materials=all_materials(items.promised),
            channel=Channel.ONLINE,
            at=at("2026-03-02"),
            idempotency_key="partner-req-42",
        )

    results = at_once([submit, submit])

    created, failed = split(results)
    assert failed == []
    assert created[0].pk == created[1].pk
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert case.number == "TS-2026-SCJG-000001"
    assert case.timeline.count() == 1
    assert case.outbox.count() == 1
