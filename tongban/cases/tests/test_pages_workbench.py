"""The workbench (工作台) on /office/: to-do, department queue with claim, awaiting
review, extension requests, urgings; colour-coded rows; a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.accounts.roles import RoleCode
from tongban.accounts.testing import log_in, make_user
from tongban.cases import services
from tongban.cases.models import StepStatus
from tongban.cases.testing import accepted, active_step, at, receive
from tongban.core.clock import local_date, now
from tongban.workcalendar.calendar import get_calendar


def _accepted_today(personas, items, n: int):
    return [accepted(personas, items.promised, now()) for _i in range(n)]


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("site:office"))
    assert response.status_code == 200
    return len(captured)


def test_it_shows_my_todo_with_colour_badges(client, personas, items):
    on_time = accepted(personas, items.promised, now())
    overdue = accepted(personas, items.promised, at("2026-03-02"))
    log_in(client, personas.handler)

    response = client.get(reverse("site:office"))

    body = response.content.decode()
    assert response.status_code == 200
    todo = body.split('id="panel-todo"')[1].split('id="panel-')[0]
    assert on_time.number in todo and overdue.number in todo
    assert f'data-colour="normal" data-case="{on_time.number}"' in todo
    assert f'data-colour="overdue" data-case="{overdue.number}"' in todo
    assert 'id="panel-announcements"' in body and 'id="panel-mail"' in body


def test_it_marks_a_case_due_soon_in_orange(client, personas, items):
    calendar = get_calendar()
    today = local_date(now())
    # Accepted on the day whose 15-working-day deadline is the next working day.
    day = today
    while calendar.add(day, 15) > calendar.add(today, 1):
        day = day.fromordinal(day.toordinal() - 1)
    case = accepted(personas, items.promised, at(day.isoformat()))
    log_in(client, personas.handler)

    body = client.get(reverse("site:office")).content.decode()

    assert f'data-colour="due_soon" data-case="{case.number}"' in body


@pytest.mark.parametrize("who", ["handler2", "window_clerk"])
def test_it_issues_the_same_number_of_queries_for_3_and_30_cases(client, personas, items, who):
    second = make_user(
        "handler2",
        RoleCode.HANDLER,
        department=personas.org.market,
        section=personas.org.market_section,
    )
    # Two handlers: the first steps wait in the department queue.
    _accepted_today(personas, items, 2)
    receive(personas, items.promised, now())
    log_in(client, second if who == "handler2" else personas.window_clerk)
    client.get(reverse("site:office"))  # warm the calendar cache
    few = _queries(client)
    _accepted_today(personas, items, 27)
    for _i in range(3):
        receive(personas, items.promised, now())
    many = _queries(client)
    assert few == many


def test_the_clerk_sees_applications_awaiting_review(client, personas, items):
    case = receive(personas, items.promised, now())
    log_in(client, personas.window_clerk)

    body = client.get(reverse("site:office")).content.decode()

    review = body.split('id="panel-review"')[1].split('id="panel-')[0]
    assert case.number in review and 'data-colour="waiting"' in review


def test_it_claims_from_the_department_queue_with_htmx(client, personas, items):
    make_user(
        "handler2",
        RoleCode.HANDLER,
        department=personas.org.market,
        section=personas.org.market_section,
    )
    case = accepted(personas, items.promised, now())
    step = active_step(case)
    assert step.assignee is None
    log_in(client, personas.handler)
    body = client.get(reverse("site:office")).content.decode()
    queue = body.split('id="panel-queue"')[1].split('id="panel-')[0]
    assert f'data-claim="{step.pk}"' in queue

    response = client.post(
        reverse("cases:claim", args=[case.number]),
        {"claim-step_id": step.pk},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith("<tr")
    step.refresh_from_db()
    assert step.assignee == personas.handler and step.status == StepStatus.ACTIVE
    assert case.timeline.filter(action="claim", actor=personas.handler).exists()


def test_it_lists_extension_requests_and_urgings(client, personas, items):
    case = accepted(personas, items.promised, now())
    services.request_extension(
        actor=personas.handler, case=case, days=3, reason="需现场核查", at=now()
    )
    services.urge_case(actor=personas.supervisor, case=case, message="请尽快办理", at=now())
    log_in(client, personas.department_head)
    body = client.get(reverse("site:office")).content.decode()
    assert case.number in body.split('id="panel-extensions"')[1].split('id="panel-')[0]

    log_in(client, personas.handler)
    body = client.get(reverse("site:office")).content.decode()
    assert "请尽快办理" in body.split('id="panel-urgings"')[1].split('id="panel-')[0]


def test_the_full_list_behind_a_panel_is_paginated(client, personas, items):
    _accepted_today(personas, items, 12)
    log_in(client, personas.handler)

    office = client.get(reverse("site:office")).content.decode()
    assert reverse("cases:panel", args=["todo"]) in office
    response = client.get(reverse("cases:panel", args=["todo"]))

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 12
    assert client.get(reverse("cases:panel", args=["nothing"])).status_code == 404


@pytest.mark.parametrize("who", ["system_admin", "outsider"])
def test_administrators_get_no_workbench_and_outsiders_an_empty_one(client, personas, items, who):
    accepted(personas, items.promised, now())
    log_in(client, getattr(personas, who))
    response = client.get(reverse("site:office"))
    assert response.status_code == 200
    if who == "system_admin":
        assert response.context["workbench"] is None
    else:
        assert all(page.paginator.count == 0 for _p, page in response.context["workbench"])


def test_the_full_panel_list_sorts_by_deadline_and_exports_to_excel(client, personas, items):
    import io

    from openpyxl import load_workbook

    early = accepted(personas, items.promised, at("2026-03-02"))
    late = accepted(personas, items.promised, at("2026-04-01"))
    log_in(client, personas.handler)
    url = reverse("cases:panel", args=["todo"])

    ascending = client.get(url, {"order": "deadline"}).content.decode()
    descending = client.get(url, {"order": "-deadline"}).content.decode()

    assert ascending.index(early.number) < ascending.index(late.number)
    assert descending.index(late.number) < descending.index(early.number)

    export = client.get(url, {"order": "-deadline", "format": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert numbers == [late.number, early.number]
