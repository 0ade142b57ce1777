"""``--as-of`` replay: sweeping day by day from the first acceptance to a later day
issues the same cards as one sweep at that later day — the sweep's outcome does not
depend on how often it ran (up to the red cards' notice period, see the test). It
cannot for cases closed in between, or whose deadline moved after a card: a sweep
sees the present, not the history; the scenario keeps every case open and moves
deadlines only before they pass."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from tongban.cases import services as cases
from tongban.cases.models import Case
from tongban.cases.testing import at, person, receive
from tongban.supervision.models import Card, CardColour
from tongban.supervision.services import sweep
from tongban.workcalendar.calendar import get_calendar

D = dt.date.fromisoformat
DAY = dt.timedelta(days=1)


class _Rollback(Exception):
    pass


def _events(personas, items) -> list[tuple[str, Callable[[], object]]]:
    """What happens to the cases, by day (at 10:00)."""
    named: dict[str, Case] = {}

    def take_in(name: str, item, day: str, *, accept: bool = True) -> Callable[[], object]:
        def run():
            case = receive(personas, item, at(day), applicant=person(name))
            if accept:
                case = cases.accept_case(actor=personas.window_clerk, case=case, at=at(day))
            named[name] = case

        return run

    def suspend(name: str, day: str) -> Callable[[], object]:
        return lambda: cases.suspend_case(
            actor=personas.handler,
            case=named[name],
            procedure="onsite_check",
            reason="现场核查",
            at=at(day),
        )

    def resume(name: str, day: str) -> Callable[[], object]:
        return lambda: cases.resume_case(actor=personas.handler, case=named[name], at=at(day))

    return [
        ("2026-03-02", take_in("甲", items.promised, "2026-03-02")),  # deadline 23 March
        ("2026-03-02", take_in("乙", items.promised, "2026-03-02", accept=False)),  # deemed
        ("2026-03-06", take_in("丙", items.promised, "2026-03-06")),  # Friday 27 March
        ("2026-03-24", take_in("丁", items.joint, "2026-03-24")),  # joint, 22 April
        ("2026-04-09", take_in("戊", items.promised, "2026-04-09")),  # 30 April
        ("2026-04-21", take_in("己", items.immediate, "2026-04-21")),  # immediate, same day
        # 戊: on-site check from 28 April, resumed 12 May (8 working days): 14 May.
        ("2026-04-28", suspend("戊", "2026-04-28")),
        ("2026-05-12", resume("戊", "2026-05-12")),
    ]


def _cards() -> set[tuple]:
    names = dict(Case.objects.values_list("pk", "applicant_name"))
    rows = Card.objects.values_list("subject_id", "colour", "rule", "deadline")
    return {(names[subject], *rest) for subject, *rest in rows}


def _day_by_day(events, first: dt.date, last: dt.date, final: dt.date) -> list[set[tuple]]:
    seen = []
    day = first
    while day <= final:
        sweep(at=at(day.isoformat(), 0, 5))
        if day in (last, final):
            seen.append(_cards())
        for _when, event in [e for e in events if e[0] == day.isoformat()]:
            event()
        day += DAY
    return seen


def _at_once(events, last: dt.date, final: dt.date) -> list[set[tuple]]:
    for _when, event in events:
        event()
    seen = []
    for day in (last, final):
        sweep(at=at(day.isoformat(), 0, 5))
        seen.append(_cards())
    return seen


def _in_a_world_of_its_own(run: Callable[[], list[set[tuple]]]) -> list[set[tuple]]:
    result: list[set[tuple]] = []
    try:
        with transaction.atomic():
            result = run()
            raise _Rollback
    except _Rollback:
        pass
    assert not Case.objects.exists()
    return result


def _yellow(cards: set[tuple]) -> set[tuple]:
    return {c for c in cards if c[1] == CardColour.YELLOW}


def test_it_issues_the_same_cards_day_by_day_as_in_one_sweep(personas, items, settings):
    events = _events(personas, items)
    first, last = D("2026-03-02"), D("2026-05-20")
    # A red card counts its working days from the yellow card's issue, i.e. from
    # when the people at fault were told (time-limits.md: wd(yellow_on, t)); a sweep
    # that first finds a case late issues the yellow card now and the red one
    # ``red_after_days`` later. So compare the yellow cards at ``last``, and all the
    # cards once that notice has run out for the late sweep's yellow cards too.
    final = get_calendar().add(last, settings.TONGBAN_RED_AFTER_DAYS)
    assert final == D("2026-05-25")
    daily_last, daily_final = _in_a_world_of_its_own(
        lambda: _day_by_day(events, first, last, final)
    )
    once_last, once_final = _in_a_world_of_its_own(lambda: _at_once(events, last, final))

    assert _yellow(daily_last) == once_last
    assert daily_final == daily_last  # nothing more became due for the daily sweeps
    assert once_final == daily_final
    # And what they are, checked by hand: 甲 late since 24 March, red since 27 March;
    # 乙 deemed accepted on 10 March (card to the desk, red three working days on)
    # and, accepted from 2 March, as late as 甲; 丙 carded Monday 30 March, red
    # Thursday 2 April; 丁 (joint, 20 days) late since 23 April; 己 (immediate,
    # due the day it was accepted) late since 22 April; 戊 due 14 May, yellow on
    # Friday 15 May, red on Wednesday 20 May.
    assert sorted((n, c, d.isoformat()) for n, c, _r, d in daily_last) == sorted(
        [
            ("甲", "yellow", "2026-03-23"),
            ("甲", "red", "2026-03-23"),
            ("乙", "yellow", "2026-03-09"),
            ("乙", "red", "2026-03-09"),
            ("乙", "yellow", "2026-03-23"),
            ("乙", "red", "2026-03-23"),
            ("丙", "yellow", "2026-03-27"),
            ("丙", "red", "2026-03-27"),
            ("丁", "yellow", "2026-04-22"),
            ("丁", "red", "2026-04-22"),
            ("己", "yellow", "2026-04-21"),
            ("己", "red", "2026-04-21"),
            ("戊", "yellow", "2026-05-14"),
            ("戊", "red", "2026-05-14"),
        ]
    )
