"""综合监察 and the urging and alert records: filters, scoping, links to the case
page, the Excel export."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.cases.models import Case, CaseStatus, Urging
from tongban.supervision.models import Alert, AlertKind

from .pages_support import History, make_history

QUERY = reverse("supervision:query")
URGINGS = reverse("supervision:urgings")
ALERTS = reverse("supervision:alerts")


@pytest.fixture
def history(personas, items) -> History:
    return make_history(personas, items)


def _rows(response) -> list:
    assert response.status_code == 200
    return response.context["page"].object_list


def _numbers(response) -> set[str]:
    return {row.number for row in _rows(response)}


def test_it_queries_by_department_item_status_hall_and_acceptor(client, personas, history):
    log_in(client, personas.supervisor)

    assert _numbers(client.get(QUERY, {"department": "ZRZY"})) == {history.land.number}
    assert _numbers(client.get(QUERY, {"status": "suspended"})) == {history.special.number}
    assert _numbers(client.get(QUERY, {"item": "个体工商户"})) == {history.done.number}
    assert _numbers(client.get(QUERY, {"handling_type": "immediate"})) == {history.done.number}
    assert _numbers(client.get(QUERY, {"received_by": "landclerk"})) == {history.land.number}
    assert _numbers(client.get(QUERY, {"number": history.old.number})) == {history.old.number}
    assert _numbers(client.get(QUERY, {"applicant": "赵土地"})) == {history.land.number}
    assert _numbers(client.get(QUERY, {"hall": "ZRZY"})) == {history.land.number}
    day = history.old.accepted_on.isoformat()
    assert history.old.number in _numbers(
        client.get(QUERY, {"accepted_from": day, "accepted_to": day})
    )
    assert _numbers(client.get(QUERY, {"item": "620500-SCJG-XK-101", "overdue": "on"})) == {
        history.old.number
    }
    assert _numbers(client.get(QUERY)) == set(Case.objects.values_list("number", flat=True))


def test_rows_link_to_the_case_page(client, personas, history):
    log_in(client, personas.supervisor)
    body = client.get(QUERY, {"number": history.old.number}).content.decode()
    assert reverse("cases:detail", args=[history.old.number]) in body
    assert reverse("supervision:diagram", args=[history.old.number]) in body
    assert f'data-colour="overdue" data-case="{history.old.number}"' in body


def test_a_department_head_queries_their_department_only(client, personas, history):
    log_in(client, personas.department_head)
    found = _numbers(client.get(QUERY))
    assert history.land.number not in found and history.old.number in found


def test_it_exports_the_query_to_excel(client, personas, history):
    log_in(client, personas.supervisor)
    response = client.get(QUERY, {"status": "open", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == set(
        Case.objects.exclude(status=CaseStatus.COMPLETED).values_list("number", flat=True)
    )
    assert AuditRecord.objects.filter(action="case.export").count() == 1


def test_the_urgings_automatic_and_manual(client, personas, history):
    log_in(client, personas.supervisor)

    everything = _rows(client.get(URGINGS))
    automatic = _rows(client.get(URGINGS, {"kind": "automatic"}))
    manual = _rows(client.get(URGINGS, {"kind": "manual"}))

    assert len(everything) == Urging.objects.count() == len(automatic) + len(manual)
    assert [u.number for u in manual] == [history.fresh.number]
    assert manual[0].urged_by == personas.supervisor
    assert automatic and all(u.urged_by is None for u in automatic)
    body = client.get(URGINGS).content.decode()
    assert "请加快办理" in body
    log_in(client, personas.department_head)
    mine = _rows(client.get(URGINGS))
    assert all(Urging.objects.get(pk=u.pk).case.department.code == "SCJG" for u in mine)
    assert len(mine) < len(everything)


def test_the_urgings_export(client, personas, history):
    log_in(client, personas.supervisor)
    response = client.get(URGINGS, {"kind": "manual", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [history.fresh.number]
    assert rows[1][-1] == "请加快办理"


def test_the_alerts_list_the_special_procedure_over_its_limit(client, personas, history):
    log_in(client, personas.supervisor)
    alerts = _rows(client.get(ALERTS))
    assert [(a.subject_number, a.kind) for a in alerts] == [
        (history.special.number, AlertKind.SPECIAL_OVERRUN)
    ]
    assert _rows(client.get(ALERTS, {"kind": AlertKind.PLEDGE_OVERDUE})) == []
    assert Alert.objects.count() == 1
    log_in(client, personas.handler)
    assert client.get(ALERTS).status_code == 403
