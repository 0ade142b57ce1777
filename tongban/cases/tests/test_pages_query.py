"""The case query (审批结果): filters, tabs, sorting, pagination with a constant
number of queries, and the Excel export of the same list."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.cases import services
from tongban.cases.excel import columns as excel_columns
from tongban.cases.testing import PERSON_ID, accepted, at, person, receive
from tongban.core.clock import now

URL = reverse("cases:query")


def _numbers(response) -> list[str]:
    return [c.number for c in response.context["page"].object_list]


@pytest.fixture
def three(personas, items):
    old = accepted(personas, items.promised, at("2026-03-02"))  # long overdue
    fresh = accepted(personas, items.promised, now())
    other = receive(
        personas, items.immediate, now(), applicant=person("李四", mobile="13700001111")
    )
    return old, fresh, other


def test_it_filters_by_mobile_exactly_and_by_status(client, personas, three):
    old, fresh, other = three
    log_in(client, personas.handler)

    assert _numbers(client.get(URL, {"mobile": "13700001111"})) == [other.number]
    assert _numbers(client.get(URL, {"status": "received"})) == [other.number]
    assert set(_numbers(client.get(URL, {"status": "open"}))) == {
        old.number,
        fresh.number,
        other.number,
    }


def test_the_tabs_overdue_exact_and_mine(client, personas, three):
    old, fresh, other = three
    log_in(client, personas.window_clerk)

    assert _numbers(client.get(URL, {"tab": "overdue"})) == [old.number]
    assert _numbers(client.get(URL, {"tab": "exact"})) == []
    assert len(_numbers(client.get(URL, {"tab": "exact", "id_number": PERSON_ID}))) == 3
    assert set(_numbers(client.get(URL, {"tab": "mine"}))) == {
        old.number,
        fresh.number,
        other.number,
    }
    log_in(client, personas.section_head)
    assert _numbers(client.get(URL, {"tab": "mine"})) == []


def test_it_sorts_by_a_column_and_marks_colours(client, personas, three):
    old, fresh, _other = three
    log_in(client, personas.handler)

    ascending = client.get(URL, {"order": "deadline", "status": "in_progress"})
    descending = client.get(URL, {"order": "-deadline", "status": "in_progress"})

    assert _numbers(ascending) == [old.number, fresh.number]
    assert _numbers(descending) == [fresh.number, old.number]
    body = ascending.content.decode()
    assert f'data-colour="overdue" data-case="{old.number}"' in body
    assert f'data-colour="normal" data-case="{fresh.number}"' in body


def test_an_outsider_finds_nothing(client, personas, three):
    log_in(client, personas.outsider)
    assert _numbers(client.get(URL)) == []


def test_a_page_costs_the_same_queries_for_3_and_30_cases(client, personas, items, three):
    log_in(client, personas.handler)
    client.get(URL)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    few = count()
    for _i in range(27):
        receive(personas, items.promised, now())
    assert count() == few


def test_it_exports_the_filtered_list_to_excel(client, personas, items, three):
    old, _fresh, other = three
    services.submit_application(
        actor=personas.window_clerk,
        item=items.promised,
        applicant=person("=HYPERLINK(1)"),
        form_data={"shop_name": "x"},
        materials=[],
        at=now(),
    )
    log_in(client, personas.handler)

    response = client.get(URL, {"status": "open", "order": "number", "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    with translation.override("zh-hans"):
        assert rows[0] == tuple(title for title, _width in excel_columns())
    assert len(rows[0]) == 14
    assert sheet.freeze_panes == "A2"
    numbers = [r[0] for r in rows[1:]]
    assert numbers == sorted(numbers) and len(numbers) == 4
    assert old.number in numbers and other.number in numbers
    masked = {r[4] for r in rows[1:]}
    assert PERSON_ID not in masked and old.masked_id_number in masked
    assert "13912341234" not in {r[5] for r in rows[1:]}
    # A name starting with "=" stays text.
    assert all(not str(r[3]).startswith("=") for r in rows[1:])
    assert AuditRecord.objects.filter(action="case.export").count() == 1


def test_the_three_administrators_may_not_query(client, personas):
    log_in(client, personas.system_admin)
    assert client.get(URL).status_code == 403
