"""Calendar changes (time-limits.md): an edit to the holiday dictionary first shows
which open cases' deadlines would move and by how much; when saved, those deadlines
are recomputed, each with a timeline event; cards already issued are never
rewritten."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.cases import services
from tongban.cases.models import CaseStatus, StepStatus
from tongban.cases.testing import accepted, at
from tongban.core import clock as core_clock
from tongban.supervision.kinds.cases.calendar import (
    affected_cases,
    apply_calendar_change,
    proposed_calendar,
)
from tongban.supervision.models import Card, CardRule
from tongban.supervision.services import sweep
from tongban.workcalendar import services as calendar_services
from tongban.workcalendar.calendar import HolidaySpan, invalidate_calendar
from tongban.workcalendar.models import Holiday

D = dt.date
ADD = "/admin/workcalendar/holiday/add/"
# A day off on Wednesday 11 March 2026, inside a case accepted on Monday 2 March
# (15 working days: deadline Monday 23 March, 承办 due Thursday 12 March).
DAY_OFF = HolidaySpan(None, 2026, "临时休假", D(2026, 3, 11), D(2026, 3, 11))


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # Holidays added by a test are rolled back behind the cached calendar's back.
    invalidate_calendar()
    yield
    invalidate_calendar()


def _form(first: str, last: str, name: str = "临时休假") -> dict[str, str]:
    return {
        "year": "2026",
        "name": name,
        "first_day": first,
        "last_day": last,
        "note": "",
        "adjusted_workdays-TOTAL_FORMS": "0",
        "adjusted_workdays-INITIAL_FORMS": "0",
        "adjusted_workdays-MIN_NUM_FORMS": "0",
        "adjusted_workdays-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture(autouse=True)
def _six_march(monkeypatch):
    # The recomputation after commit runs "now": Friday 6 March 2026, 17:00.
    monkeypatch.setattr(core_clock, "now", lambda: at("2026-03-06", 17))


def _add_day_off(personas, capture) -> Holiday:
    with capture(execute=True):
        return calendar_services.create_holiday(
            actor=personas.system_admin,
            year=2026,
            name="临时休假",
            first_day=D(2026, 3, 11),
            last_day=D(2026, 3, 11),
            at=at("2026-03-06", 16),
        )


def test_it_previews_the_cases_a_new_holiday_would_move(personas, items):
    running = accepted(personas, items.promised, at("2026-03-02"))
    later = accepted(personas, items.promised, at("2026-03-12"))  # counts from 12 March
    immediate = accepted(personas, items.immediate, at("2026-03-02"))

    moved = affected_cases(proposed_calendar(holiday=DAY_OFF))

    assert [(m.number, m.old_deadline, m.new_deadline, m.working_days) for m in moved] == [
        (running.number, D(2026, 3, 23), D(2026, 3, 24), 1)
    ]
    assert moved[0].calendar_days == 1 and moved[0].item_name == "食品经营许可"
    assert later.number not in {m.number for m in moved}
    assert immediate.number not in {m.number for m in moved}
    running.refresh_from_db()
    assert running.deadline == D(2026, 3, 23)  # a preview writes nothing


def test_the_preview_reads_the_cases_in_one_query(personas, items, django_assert_num_queries):
    for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
        accepted(personas, items.promised, at(day))
    calendar = proposed_calendar(holiday=DAY_OFF)

    with django_assert_num_queries(1):
        moved = affected_cases(calendar)
    assert len(moved) == 3


def test_saving_the_holiday_moves_the_deadline_with_a_timeline_event(
    personas, items, django_capture_on_commit_callbacks
):
    case = accepted(personas, items.promised, at("2026-03-02"))

    _add_day_off(personas, django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert case.deadline == D(2026, 3, 24)
    assert case.next_check_on == D(2026, 3, 16)  # the day after 承办's new due date
    step = case.steps.get(status=StepStatus.ACTIVE)
    assert step.due_on == D(2026, 3, 13)
    event = case.timeline.get(action="deadline_recomputed")
    assert event.detail["old_deadline"] == "2026-03-23"
    assert event.detail["new_deadline"] == "2026-03-24"
    record = AuditRecord.objects.get(action="case.deadline_recomputed", object_id=str(case.pk))
    assert record.before == {"deadline": "2026-03-23"}
    assert record.after == {"deadline": "2026-03-24"}

    # Nothing moves twice: applying again finds the deadlines already right.
    assert apply_calendar_change(at("2026-03-06", 17)) == []
    assert case.timeline.filter(action="deadline_recomputed").count() == 1


def test_a_closed_case_is_untouched(personas, items, django_capture_on_commit_callbacks):
    closed = accepted(personas, items.promised, at("2026-03-02"))
    services.terminate_case(
        actor=personas.department_head, case=closed, reason="申请人已注销", at=at("2026-03-03")
    )

    _add_day_off(personas, django_capture_on_commit_callbacks)

    closed.refresh_from_db()
    assert closed.status == CaseStatus.TERMINATED
    assert closed.deadline == D(2026, 3, 23)
    assert not closed.timeline.filter(action="deadline_recomputed").exists()


def test_an_issued_card_keeps_its_deadline(personas, items, django_capture_on_commit_callbacks):
    case = accepted(personas, items.promised, at("2026-03-02"))
    sweep(at=at("2026-03-24", 0, 5))
    card = Card.objects.of("case", case.pk).get(rule=CardRule.DEADLINE)
    assert card.deadline == D(2026, 3, 23)
    before = (card.days_overdue, card.issued_on, card.colour)

    _add_day_off(personas, django_capture_on_commit_callbacks)

    case.refresh_from_db()
    card.refresh_from_db()
    assert case.deadline == D(2026, 3, 24)
    assert card.deadline == D(2026, 3, 23)
    assert (card.days_overdue, card.issued_on, card.colour) == before


def test_the_holiday_admin_previews_then_saves(
    client, personas, items, django_capture_on_commit_callbacks
):
    case = accepted(personas, items.promised, at("2026-03-02"))
    log_in(client, personas.system_admin)
    holidays = Holiday.objects.count()

    # The change form offers the preview; the preview lists the case, saves nothing.
    assert 'id="preview-affected"' in client.get(ADD).content.decode()
    preview = client.post(ADD + "preview/", _form("2026-03-11", "2026-03-11"))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert f'data-case="{case.number}" data-working-days="1"' in html
    assert Holiday.objects.count() == holidays
    case.refresh_from_db()
    assert case.deadline == D(2026, 3, 23)

    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(ADD, _form("2026-03-11", "2026-03-11"))
    assert saved.status_code == 302
    case.refresh_from_db()
    assert case.deadline == D(2026, 3, 24)

    # Editing it: one more day off (12 March) would move the deadline once more.
    holiday = Holiday.objects.get(year=2026, name="临时休假")
    url = f"/admin/workcalendar/holiday/{holiday.pk}/change/preview/"
    html = client.post(url, _form("2026-03-11", "2026-03-12")).content.decode()
    assert f'data-case="{case.number}" data-working-days="1"' in html
    assert "2026-03-25" in html
    # A form error is shown, not computed.
    bad = client.post(ADD + "preview/", _form("2026-03-12", "2026-03-11", name="另一个"))
    assert 'id="preview-problems"' in bad.content.decode()


def test_the_preview_is_for_the_calendar_administrator_only(client, personas, items):
    log_in(client, personas.supervisor)

    response = client.post(ADD + "preview/", _form("2026-03-11", "2026-03-11"))

    assert response.status_code in (302, 403)
