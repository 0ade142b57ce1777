"""time-limits.md, "Sweeps are idempotent": the same instant twice changes nothing;
a later instant issues only what became due since."""

from __future__ import annotations

import datetime as dt

from tongban.audit.models import AuditRecord
from tongban.cases import services as cases
from tongban.cases.models import Case, TimelineEvent, Urging
from tongban.cases.testing import accepted, at, receive
from tongban.notify.models import OutboxMessage
from tongban.supervision.models import Alert, Card, CardColour, CardRule
from tongban.supervision.services import sweep

D = dt.date.fromisoformat

NOTHING = {
    "deemed_accepted": 0,
    "yellow_cards": 0,
    "red_cards": 0,
    "urgings": 0,
    "special_overruns": 0,
    "pledges_overdue": 0,
    "failed": 0,
}


def _everything() -> dict:
    """Every row a sweep can write or touch."""
    return {
        "cards": list(Card.objects.order_by("pk").values()),
        "alerts": list(Alert.objects.order_by("pk").values()),
        "urgings": Urging.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "timeline": TimelineEvent.objects.count(),
        "audit": AuditRecord.objects.count(),
        "cases": list(
            Case.objects.order_by("pk").values_list(
                "pk", "status", "accepted_on", "deadline", "next_check_on", "version"
            )
        ),
    }


def _busy_world(personas, items) -> dict[str, Case]:
    """Something of everything due on Tuesday 24 March 2026."""
    late = accepted(personas, items.promised, at("2026-03-02"))  # deadline 23 March
    unreviewed = receive(personas, items.promised, at("2026-03-13"))  # review due 20 March
    overrun = accepted(personas, items.promised, at("2026-03-10"))
    cases.suspend_case(
        actor=personas.handler,
        case=overrun,
        procedure="onsite_check",
        reason="现场核查",
        at=at("2026-03-11"),
    )  # due 18 March
    return {"late": late, "unreviewed": unreviewed, "overrun": overrun}


def test_it_changes_nothing_when_swept_twice_for_the_same_instant(personas, items):
    _busy_world(personas, items)
    instant = at("2026-03-24", 0, 5)
    first = sweep(at=instant)
    assert first.checked == 3
    assert (first.deemed_accepted, first.yellow_cards, first.special_overruns) == (1, 2, 1)
    assert first.urgings == 1  # 承办 of the late case, due 12 March
    before = _everything()

    second = sweep(at=instant)
    assert second.as_dict() | {"checked": 0, "missing_years": []} == {
        "checked": 0,
        **NOTHING,
        "missing_years": [],
    }
    assert _everything() == before

    # Checking each case again by hand (as a concurrent sweep might) changes nothing
    # either: the rules themselves are idempotent, not only the next-check index.
    from tongban.supervision.services import check_case

    for pk in Case.objects.values_list("pk", flat=True):
        assert sum(check_case(pk, at=instant).values()) == 0
    assert _everything() == before


def test_it_issues_at_a_later_instant_only_what_became_due_since(personas, items):
    world = _busy_world(personas, items)
    sweep(at=at("2026-03-24", 0, 5))
    issued = set(Card.objects.values_list("pk", flat=True))
    urgings = Urging.objects.count()

    # Wednesday 25: the late case's step is urged again (daily); nothing else is due.
    wednesday = sweep(at=at("2026-03-25", 0, 5))
    assert wednesday.as_dict() | {"checked": 0, "missing_years": []} == {
        "checked": 0,
        **NOTHING,
        "urgings": 1,
        "missing_years": [],
    }
    assert set(Card.objects.values_list("pk", flat=True)) == issued

    # Friday 27: three working days after the yellow cards of Tuesday — both turn red;
    # the two urgings of Thursday and Friday were missed, and only one is made up.
    friday = sweep(at=at("2026-03-27", 0, 5))
    assert (friday.red_cards, friday.yellow_cards, friday.urgings) == (2, 0, 1)
    new = Card.objects.exclude(pk__in=issued)
    assert sorted(new.values_list("subject_number", "colour", "rule")) == sorted(
        [
            (world["late"].number, CardColour.RED, CardRule.NOT_CURED),
            (world["unreviewed"].number, CardColour.RED, CardRule.NOT_CURED),
        ]
    )
    assert Urging.objects.count() == urgings + 2
