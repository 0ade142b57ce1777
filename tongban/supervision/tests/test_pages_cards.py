"""发牌记录 pages: scoping (a department head sees their department's cards, a
supervisor all, other staff nothing), the filters, the Excel export, and the
rectification note written by the head of the carded department."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tongban.accounts.roles import RoleCode
from tongban.accounts.testing import log_in, make_user
from tongban.audit.models import AuditRecord
from tongban.cases.testing import accepted
from tongban.supervision.excel import CARDS
from tongban.supervision.models import Card
from tongban.supervision.services import sweep

from .pages_support import DAY, History, make_history

URL = reverse("supervision:cards")


@pytest.fixture
def history(personas, items) -> History:
    return make_history(personas, items)


def _cards(response) -> list[int]:
    assert response.status_code == 200
    return [card.pk for card in response.context["page"].object_list]


def test_a_supervisor_sees_every_card_and_a_head_their_department_only(client, personas, history):
    market = set(Card.objects.filter(department__code="SCJG").values_list("pk", flat=True))
    land = set(Card.objects.filter(department__code="ZRZY").values_list("pk", flat=True))
    assert market and land

    log_in(client, personas.supervisor)
    assert set(_cards(client.get(URL))) == market | land
    log_in(client, personas.department_head)
    assert set(_cards(client.get(URL))) == market
    other = next(iter(land))
    assert client.get(reverse("supervision:card", args=[other])).status_code == 404


@pytest.mark.parametrize("persona", ["handler", "outsider", "section_head", "audit_admin"])
def test_other_staff_are_refused(client, personas, history, persona):
    log_in(client, getattr(personas, persona))
    assert client.get(URL).status_code == 403
    card = Card.objects.first()
    assert client.get(reverse("supervision:card", args=[card.pk])).status_code == 403


def test_it_filters_by_department_colour_cured_period_and_case(client, personas, history):
    log_in(client, personas.supervisor)
    land = set(Card.objects.filter(department__code="ZRZY").values_list("pk", flat=True))
    red = set(Card.objects.filter(colour="red").values_list("pk", flat=True))
    today = history.today.isoformat()
    recent = set(Card.objects.filter(issued_on=history.today).values_list("pk", flat=True))

    assert set(_cards(client.get(URL, {"department": "ZRZY"}))) == land
    assert set(_cards(client.get(URL, {"colour": "red"}))) == red
    assert set(_cards(client.get(URL, {"issued_from": today, "issued_to": today}))) == recent
    assert set(_cards(client.get(URL, {"number": history.old.number}))) == set(
        Card.objects.of("case", history.old.pk).values_list("pk", flat=True)
    )
    assert _cards(client.get(URL, {"cured": "yes"})) == []
    assert set(_cards(client.get(URL, {"cured": "no"}))) == set(
        Card.objects.values_list("pk", flat=True)
    )
    # The city government's subtree holds both departments; exactly, it has none.
    assert len(_cards(client.get(URL, {"department": "TS"}))) == Card.objects.count()
    assert _cards(client.get(URL, {"department": "TS", "exact": "on"})) == []
    # A malformed date is an error on the form, not an unfiltered list.
    response = client.get(URL, {"issued_from": "yesterday"})
    assert _cards(response) == [] and response.context["form"].errors


def test_it_sorts_and_costs_the_same_queries_for_any_number_of_cards(client, personas, history):
    log_in(client, personas.supervisor)
    days = [c.days_overdue for c in client.get(URL, {"order": "-days"}).context["page"].object_list]
    assert days == sorted(days, reverse=True)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    few, before = count(), Card.objects.count()
    for _i in range(6):
        accepted(personas, history.old.item, history.at - 90 * DAY)
    sweep(at=history.at + DAY)
    assert Card.objects.count() >= before + 6
    assert count() == few


def test_it_exports_the_filtered_cards_to_excel(client, personas, history):
    log_in(client, personas.supervisor)

    response = client.get(URL, {"department": "SCJG", "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    with translation.override("zh-hans"):
        assert rows[0] == tuple(title for title, _width in CARDS.columns())
    assert sheet.freeze_panes == "A2"
    expected = Card.objects.filter(department__code="SCJG")
    assert sorted(r[0] for r in rows[1:]) == sorted(c.subject_number for c in expected)
    assert AuditRecord.objects.filter(action="supervision.export").count() == 1


def test_the_head_writes_the_rectification_note(client, personas, history):
    card = Card.objects.filter(department__code="SCJG").first()
    log_in(client, personas.department_head)
    url = reverse("supervision:card", args=[card.pk])
    assert b'id="rectification-form"' in client.get(url).content

    response = client.post(url, {"note": "已约谈承办人，限期三日内办结"})

    assert response.status_code == 302
    card.refresh_from_db()
    assert card.rectification == "已约谈承办人，限期三日内办结"
    assert card.rectified_by == personas.department_head and card.rectified_at
    assert AuditRecord.objects.filter(action="card.rectify", object_id=str(card.pk)).count() == 1
    assert "已约谈承办人" in client.get(url).content.decode()


def test_an_empty_note_is_refused_on_the_form(client, personas, history):
    card = Card.objects.filter(department__code="SCJG").first()
    log_in(client, personas.department_head)

    response = client.post(reverse("supervision:card", args=[card.pk]), {"note": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    card.refresh_from_db()
    assert card.rectification == "" and card.rectified_by is None


def test_a_supervisor_and_a_handler_may_not_write_the_note(client, personas, history):
    card = Card.objects.filter(department__code="SCJG").first()
    url = reverse("supervision:card", args=[card.pk])
    audit = AuditRecord.objects.filter(action="card.rectify").count()

    log_in(client, personas.supervisor)
    response = client.post(url, {"note": "监察室代写"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert b'data-error-for="__all__"' in response.content
    log_in(client, personas.handler)
    assert client.post(url, {"note": "承办人自写"}).status_code == 403

    card.refresh_from_db()
    assert card.rectification == "" and card.rectified_by is None
    assert AuditRecord.objects.filter(action="card.rectify").count() == audit


def test_the_head_of_another_department_cannot_reach_the_card(client, personas, history):
    head = make_user("landhead", RoleCode.DEPARTMENT_HEAD, department=personas.org.land)
    card = Card.objects.filter(department__code="SCJG").first()
    log_in(client, head)

    response = client.post(reverse("supervision:card", args=[card.pk]), {"note": "越权"})

    assert response.status_code == 404
    card.refresh_from_db()
    assert card.rectification == ""
