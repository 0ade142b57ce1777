"""``tongban supervise [--as-of ISO] [--json]``."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tongban.cases.testing import accepted, at, receive
from tongban.supervision.models import Card

KEYS = ["checked", "deemed_accepted", "yellow_cards", "red_cards", "urgings", "special_overruns"]


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("supervise", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_one_json_object_with_the_counts(personas, items):
    accepted(personas, items.promised, at("2026-03-02"))  # deadline 23 March
    receive(personas, items.promised, at("2026-03-02"))  # review due 9 March

    out, _err = _run("--as-of", "2026-03-24", "--json")

    result = json.loads(out)
    assert isinstance(result, dict)
    assert all(type(result[key]) is int for key in KEYS)
    assert {key: result[key] for key in KEYS} == {
        "checked": 2,
        "deemed_accepted": 1,
        "yellow_cards": 3,
        "red_cards": 0,
        "urgings": 1,
        "special_overruns": 0,
    }
    # A bare date means the end of that local day.
    assert set(Card.objects.values_list("issued_at", flat=True)) == {
        dt.datetime(2026, 3, 24, 23, 59, 59, tzinfo=at("2026-03-24").tzinfo)
    }

    again, _err = _run("--as-of", "2026-03-24", "--json")
    assert {key: json.loads(again)[key] for key in KEYS} == dict.fromkeys(KEYS, 0)


def test_it_takes_a_date_time_and_prints_a_sentence_without_json(personas, items):
    accepted(personas, items.promised, at("2026-03-02"))
    out, _err = _run("--as-of", "2026-03-24T00:05:00+08:00")
    assert "1" in out and not out.lstrip().startswith("{")
    card = Card.objects.get()
    assert card.issued_at == at("2026-03-24", 0, 5) and card.issued_on == dt.date(2026, 3, 24)


def test_it_warns_about_a_year_with_no_arrangement(personas):
    # 2027 has no arrangement on file yet (the State Council publishes it late in 2026).
    out, err = _run("--as-of", "2026-12-01", "--json")
    assert json.loads(out)["missing_years"] == [2027]
    assert err == ""  # the JSON form keeps stdout machine-readable and says it there
    _out, err = _run("--as-of", "2026-12-01")
    assert "2027" in err


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "2026-02-30", "24/03/2026"])
def test_it_refuses_an_unreadable_as_of(db, bad):
    with pytest.raises(CommandError):
        _run("--as-of", bad, "--json")
