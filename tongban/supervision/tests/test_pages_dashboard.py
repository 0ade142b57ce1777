"""The supervision dashboard (监察首页): figures equal to independent counts from the
database, every figure linking to a list that shows the same number, charts fed
from a JSON blob, a constant number of queries."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.accounts.testing import log_in
from tongban.cases.models import OPEN_STATUSES, Case, CaseStatus
from tongban.cases.testing import accepted
from tongban.supervision.models import Card
from tongban.supervision.selectors import due_soon_limit

from .pages_support import History, make_history

URL = reverse("supervision:dashboard")


@pytest.fixture
def history(personas, items) -> History:
    return make_history(personas, items)


def _figures(body: str) -> dict[str, tuple[str, int]]:
    found = re.findall(r'href="([^"]+)" data-figure="(\w+)" data-count="(\d+)"', body)
    return {key: (url.replace("&amp;", "&"), int(count)) for url, key, count in found}


def _list_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_it_shows_the_open_cases_by_colour_as_counted_in_the_database(client, personas, history):
    log_in(client, personas.supervisor)
    response = client.get(URL)

    assert response.status_code == 200
    figures = _figures(response.content.decode())
    today = history.today
    running = Case.objects.filter(status=CaseStatus.IN_PROGRESS)
    expected = {
        "open": Case.objects.filter(status__in=OPEN_STATUSES).count(),
        "due_soon": running.filter(
            deadline__gte=today, deadline__lte=due_soon_limit(today)
        ).count(),
        "overdue": running.filter(deadline__lt=today).count(),
        "suspended": Case.objects.filter(status=CaseStatus.SUSPENDED).count(),
    }
    assert {key: count for key, (_url, count) in figures.items()} == expected
    assert expected["overdue"] >= 2 and expected["due_soon"] >= 1 and expected["suspended"] == 1


def test_every_figure_links_to_a_list_showing_the_same_number(client, personas, history):
    log_in(client, personas.supervisor)
    body = client.get(URL).content.decode()

    for _key, (url, count) in _figures(body).items():
        assert _list_count(client, url) == count, url
    links = re.findall(r'href="([^"]+)" data-(?:kind="\w+" data-)?count="(\d+)"', body)
    cards_links = [link for link in links if "/cards/" in link[0]]
    assert cards_links, "the cards of the month are listed per department"
    for url, count in links:
        assert _list_count(client, url.replace("&amp;", "&")) == int(count), url


def test_the_cards_of_the_month_per_department_match_the_database(client, personas, history):
    log_in(client, personas.supervisor)
    response = client.get(URL)

    first = history.today.replace(day=1)
    month = Card.objects.filter(issued_on__gte=first, issued_on__lte=history.today)
    rows = {row["code"]: row for row in response.context["departments"]}
    for code in ("SCJG", "ZRZY"):
        mine = month.filter(department__code=code)
        assert rows[code]["yellow"] == mine.filter(colour="yellow").count()
        assert rows[code]["red"] == mine.filter(colour="red").count() >= 1
        assert rows[code]["cured"] == mine.filter(cured_on__gte=first).count()
    chart = json.loads(
        re.search(
            r'<script id="supervision-chart" type="application/json">(.*?)</script>',
            response.content.decode(),
        ).group(1)
    )
    series = {s["key"]: s for s in chart["cards"]["series"]}
    assert sum(series["red"]["data"]) == month.filter(colour="red").count()
    assert len(chart["trend"]["months"]) == 12
    assert chart["trend"]["months"][-1] == history.today.strftime("%Y-%m")


def test_the_trend_and_the_top_overdue_items(client, personas, history):
    log_in(client, personas.supervisor)
    response = client.get(URL)

    trend = response.context["trend"]
    this_month = trend[-1]
    completed = Case.objects.filter(
        completed_on__gte=history.today.replace(day=1), completed_on__lte=history.today
    )
    assert this_month["completed"] == completed.count() >= 1
    on_time = completed.filter(completed_on__lte=F("deadline")).count()
    assert this_month["on_time"] == on_time
    top = response.context["top"]
    assert top[0]["code"] == "620500-SCJG-XK-101"
    assert (
        top[0]["count"]
        == Case.objects.filter(
            item__code=top[0]["code"], status=CaseStatus.IN_PROGRESS, deadline__lt=history.today
        ).count()
    )


def test_a_department_head_sees_their_department_only(client, personas, history):
    log_in(client, personas.department_head)
    response = client.get(URL)

    assert response.status_code == 200
    assert {row["code"] for row in response.context["departments"]} == {"SCJG"}
    figures = _figures(response.content.decode())
    assert (
        figures["open"][1]
        == Case.objects.filter(status__in=OPEN_STATUSES, department__code="SCJG").count()
    )


@pytest.mark.parametrize("persona", ["handler", "outsider", "window_clerk", "system_admin"])
def test_staff_without_supervision_are_refused(client, personas, persona):
    log_in(client, getattr(personas, persona))
    assert client.get(URL).status_code == 403


def test_it_costs_the_same_queries_with_few_and_many_cases(client, personas, items, history):
    log_in(client, personas.supervisor)
    client.get(URL)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    few = count()
    for _i in range(15):
        accepted(personas, items.promised, history.at)
    assert count() == few
