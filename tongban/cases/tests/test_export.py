"""``tongban export cases``: the raw facts behind the statistics, as of an instant
(statistics.md, "The raw facts…")."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.audit.models import AuditRecord
from tongban.cases import services
from tongban.cases.export import COLUMNS, case_facts
from tongban.cases.models import ApplicantKind, IdType, Outcome
from tongban.cases.testing import COMPANY_CODE, accepted, at, receive
from tongban.core.clock import parse_instant
from tongban.workcalendar.calendar import get_calendar

STATISTICS_COLUMNS = [
    "number",
    "item_code",
    "type",
    "department",
    "accepted_on",
    "deadline",
    "completed_on",
    "terminated_on",
]


def facts(as_of: str, **kwargs) -> dict[str, dict]:
    return {row["number"]: row for row in case_facts(parse_instant(as_of), **kwargs)}


def export_csv(*args: str) -> list[list[str]]:
    out = io.StringIO()
    call_command("export", "cases", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def run_to_completion(personas, case, when: str) -> None:
    """承办 → 审核 → 批准 by the personas, then 办结, all on ``when``."""
    for hour in (9, 10, 11):
        step = case.steps.filter(status="active").get()
        actor = {
            "handler": personas.handler,
            "section_head": personas.section_head,
            "department_head": personas.department_head,
        }[step.role]
        services.advance_step(
            actor=actor, case=case, step_id=step.pk, decision="agree", at=at(when, hour)
        )
    final = case.steps.filter(status="active").get()
    services.complete_case(
        actor=personas.handler,
        case=case,
        step_id=final.pk,
        outcome=Outcome.APPROVED,
        at=at(when, 15),
    )


def test_it_writes_the_statistics_columns_first_in_their_order(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))

    rows = export_csv("--as-of", "2026-03-02T23:00", "--format", "csv")

    assert rows[0][:8] == STATISTICS_COLUMNS
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    calendar = get_calendar()
    assert row == {
        "number": case.number,
        "item_code": "620500-SCJG-XK-101",
        "type": "promised",
        "department": "SCJG",
        "accepted_on": "2026-03-02",
        "deadline": calendar.add(dt.date(2026, 3, 2), 15).isoformat(),
        "completed_on": "",
        "terminated_on": "",
        "status": "in_progress",
        "channel": "counter",
        "outcome": "",
        "applicant": "张*三",
    }


def test_it_shows_completion_only_from_the_day_it_happened(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    run_to_completion(personas, case, "2026-03-06")

    before = facts("2026-03-06T14:00")[case.number]
    after = facts("2026-03-06T16:00")[case.number]

    assert before["completed_on"] is None and before["status"] == "in_progress"
    assert before["outcome"] == ""
    assert after["completed_on"] == dt.date(2026, 3, 6) and after["status"] == "completed"
    assert after["outcome"] == "approved"


def test_it_gives_the_earlier_deadline_before_an_approved_extension(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    extension = services.request_extension(
        actor=personas.department_head, case=case, days=5, reason="案情复杂", at=at("2026-03-09")
    )
    services.decide_extension(
        actor=personas.department_head,
        case=case,
        extension_id=extension.pk,
        approve=True,
        at=at("2026-03-10", 11),
    )
    calendar = get_calendar()

    # Requested but not yet approved: the deadline has not moved.
    assert facts("2026-03-10T10:00")[case.number]["deadline"] == calendar.add(
        dt.date(2026, 3, 2), 15
    )
    assert facts("2026-03-10T12:00")[case.number]["deadline"] == calendar.add(
        dt.date(2026, 3, 2), 20
    )
    case.refresh_from_db()
    assert case.deadline == calendar.add(dt.date(2026, 3, 2), 20)


def test_it_counts_a_suspension_only_once_it_has_ended(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    services.suspend_case(
        actor=personas.department_head,
        case=case,
        procedure="onsite_check",
        reason="需现场核查",
        at=at("2026-03-04"),
    )
    services.resume_case(actor=personas.department_head, case=case, at=at("2026-03-09"))
    calendar = get_calendar()
    days = calendar.wd(dt.date(2026, 3, 4), dt.date(2026, 3, 9))

    during = facts("2026-03-05")[case.number]
    resumed = facts("2026-03-09T12:00")[case.number]

    assert during["status"] == "suspended"
    assert during["deadline"] == calendar.add(dt.date(2026, 3, 2), 15)
    assert resumed["status"] == "in_progress"
    assert resumed["deadline"] == calendar.add(dt.date(2026, 3, 2), 15 + days)


def test_it_leaves_out_cases_not_yet_accepted_as_of_the_instant(personas, items):
    early = accepted(personas, items.promised, at("2026-03-02"))
    later = accepted(personas, items.promised, at("2026-03-05"))
    same_day_later = receive(personas, items.promised, at("2026-03-03", 9))
    services.accept_case(actor=personas.window_clerk, case=same_day_later, at=at("2026-03-03", 16))
    never = receive(personas, items.promised, at("2026-03-03"))

    shown = facts("2026-03-03T12:00")

    assert set(shown) == {early.number}
    assert later.number not in facts("2026-03-04") and never.number not in facts("2026-03-31")
    assert same_day_later.number in facts("2026-03-03T16:00")


def test_it_dates_termination_and_keeps_immediate_deadlines_on_the_day(personas, items):
    withdrawn = accepted(personas, items.promised, at("2026-03-02"))
    services.withdraw_case(
        actor=personas.window_clerk, case=withdrawn, reason="申请人撤回", at=at("2026-03-04")
    )
    on_the_spot = receive(personas, items.immediate, at("2026-03-03"))
    services.handle_immediately(
        actor=personas.window_clerk,
        case=on_the_spot,
        outcome=Outcome.APPROVED,
        at=at("2026-03-03", 10, 20),
    )

    before, after = facts("2026-03-03T23:00"), facts("2026-03-04T23:00")

    assert before[withdrawn.number]["terminated_on"] is None
    assert after[withdrawn.number]["terminated_on"] == dt.date(2026, 3, 4)
    assert after[withdrawn.number]["status"] == "withdrawn"
    assert after[withdrawn.number]["completed_on"] is None
    immediate = before[on_the_spot.number]
    assert immediate["type"] == "immediate"
    assert immediate["deadline"] == immediate["accepted_on"] == immediate["completed_on"]


def test_it_neutralises_values_a_spreadsheet_would_run_as_formulas(personas, items):
    applicant = services.ApplicantData(
        kind=ApplicantKind.ORGANISATION,
        name="=HYPERLINK(1)商贸有限公司",
        id_type=IdType.CREDIT_CODE,
        id_number=COMPANY_CODE,
        mobile="13912341234",
    )
    case = receive(personas, items.promised, at("2026-03-02"), applicant=applicant)
    services.accept_case(actor=personas.window_clerk, case=case, at=at("2026-03-02"))

    rows = export_csv("--as-of", "2026-03-02T23:00")

    assert rows[1][COLUMNS.index("applicant")] == "'=HYPERLINK(1)商贸有限公司"


def test_it_limits_to_a_department_subtree(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))

    assert set(facts("2026-03-03", department="SCJG")) == {case.number}
    assert facts("2026-03-03", department="ZRZY") == {}
    with pytest.raises(CommandError):
        export_csv("--as-of", "2026-03-03", "--department", "NOPE")


def test_it_reads_the_facts_in_a_fixed_number_of_queries(
    personas, items, django_assert_max_num_queries
):
    for day in ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"):
        accepted(personas, items.promised, at(day))
    get_calendar()  # loaded once per process, not per export

    with django_assert_max_num_queries(2):
        rows = list(case_facts(parse_instant("2026-03-31")))

    assert len(rows) == 4


def test_it_writes_a_file_and_records_the_export_in_the_audit_log(personas, items, tmp_path):
    case = accepted(personas, items.promised, at("2026-03-02"))
    target = tmp_path / "cases.csv"

    call_command(
        "export", "cases", "--as-of", "2026-03-31", "-o", str(target), stderr=io.StringIO()
    )

    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[1][0] == case.number
    record = AuditRecord.objects.get(action="case.export")
    assert "rows=1" in record.message
