"""实时监察: the four tabs, their counts per department (each linking to the list of
that department), the filters of the supplement tab, the Excel export."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tongban.accounts.testing import log_in
from tongban.cases.models import CaseStatus
from tongban.cases.testing import accepted

from .pages_support import DAY, History, make_history

URL = reverse("supervision:realtime")


@pytest.fixture
def history(personas, items) -> History:
    return make_history(personas, items)


def _numbers(response) -> list[str]:
    assert response.status_code == 200
    rows = response.context["page"].object_list
    return [getattr(row, "number", None) or row.case.number for row in rows]


def test_the_processing_tab_lists_overdue_and_due_soon_cases(client, personas, history):
    log_in(client, personas.supervisor)

    everything = set(_numbers(client.get(URL, {"tab": "processing"})))
    overdue = _numbers(client.get(URL, {"tab": "processing", "state": "overdue"}))
    soon = _numbers(client.get(URL, {"tab": "processing", "state": "due_soon"}))

    assert set(overdue) == {history.old.number, history.land.number}
    assert soon == [history.soon.number]
    assert everything == set(overdue) | set(soon)
    body = client.get(URL, {"tab": "processing"}).content.decode()
    assert f'data-colour="overdue" data-case="{history.old.number}"' in body
    assert f'data-colour="due_soon" data-case="{history.soon.number}"' in body


def test_each_count_per_department_links_to_that_departments_list(client, personas, history):
    log_in(client, personas.supervisor)
    for tab in ("supplement", "processing", "intake", "special"):
        response = client.get(URL, {"tab": tab})
        counts = response.context["counts"]
        assert sum(row["count"] for row in counts) == response.context["page"].paginator.count
        for row in counts:
            linked = client.get(URL + row["link"])
            assert linked.context["page"].paginator.count == row["count"], (tab, row)
            assert linked.context["tab"] == tab
    processing = client.get(URL, {"tab": "processing"}).context["counts"]
    assert {row["code"]: row["count"] for row in processing} == {"SCJG": 2, "ZRZY": 1}


def test_the_supplement_and_special_procedure_tabs(client, personas, history):
    log_in(client, personas.supervisor)

    assert _numbers(client.get(URL, {"tab": "supplement"})) == [history.waiting.number]
    assert _numbers(client.get(URL, {"tab": "supplement", "applicant": "无此人"})) == []
    assert _numbers(client.get(URL, {"number": history.waiting.number})) == [history.waiting.number]
    special = client.get(URL, {"tab": "special"})
    assert _numbers(special) == [history.special.number]
    assert f'data-case="{history.special.number}" data-over="yes"' in special.content.decode()
    assert history.special.status == CaseStatus.SUSPENDED


def test_a_department_head_sees_their_own_department(client, personas, history):
    log_in(client, personas.department_head)
    response = client.get(URL, {"tab": "processing"})
    assert set(_numbers(response)) == {history.old.number, history.soon.number}
    assert [row["code"] for row in response.context["counts"]] == ["SCJG"]
    log_in(client, personas.outsider)
    assert client.get(URL).status_code == 403


def test_it_exports_a_tab_to_excel(client, personas, history):
    log_in(client, personas.supervisor)
    response = client.get(URL, {"tab": "processing", "state": "overdue", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == {history.old.number, history.land.number}
    assert sheet.freeze_panes == "A2"
    special = client.get(URL, {"tab": "special", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(special.content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [history.special.number]


def test_a_page_costs_the_same_queries_for_few_and_many_cases(client, personas, items, history):
    log_in(client, personas.supervisor)
    params = {"tab": "processing"}
    client.get(URL, params)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, params).status_code == 200
        return len(captured)

    few = count()
    for _i in range(12):
        accepted(personas, items.promised, history.at - 60 * DAY)
    assert count() == few
