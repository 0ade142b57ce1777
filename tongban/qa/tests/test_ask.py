"""Asking a question: the fields are checked and named, the answer is due N working
days later, the asker's contact is encrypted, and each mobile number / citizen account
may ask only so many questions a day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings

from tongban.audit.models import AuditRecord
from tongban.cases.testing import at
from tongban.core.errors import ValidationFailed
from tongban.qa.models import Question, QuestionStatus

from .support import ask, make_citizen


def _refusal(**kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        ask(**kwargs)
    return caught.value


def test_it_takes_a_question_due_five_working_days_later(personas):
    # Friday 6 March 2026 + 5 working days = Friday 13 March.
    question = ask(personas.org.market, at("2026-03-06", 16))

    question.refresh_from_db()
    assert question.status == QuestionStatus.NEW
    assert question.due_on == dt.date(2026, 3, 13)
    assert question.department == personas.org.market
    record = AuditRecord.objects.get(action="question.ask")
    assert record.object_id == str(question.pk)
    assert "13912345678" not in str(record.after)


def test_it_honours_the_time_limit_setting_across_a_holiday(personas):
    # Asked on 30 September 2026: the National Day holiday (1–7 October) does not count.
    with override_settings(TONGBAN_QA_LIMIT_DAYS=2):
        question = ask(personas.org.market, at("2026-09-30"))
    assert question.due_on == dt.date(2026, 10, 9)


def test_it_stores_the_mobile_number_encrypted(personas):
    question = ask(personas.org.market, at("2026-03-06"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_mobile FROM qa_question WHERE id = %s", [question.pk])
        (stored,) = cursor.fetchone()
    assert "13912345678" not in stored
    assert Question.objects.get(pk=question.pk).contact_mobile == "13912345678"


def test_it_names_each_missing_or_bad_field(personas):
    market = personas.org.market
    when = at("2026-03-06")
    assert "title" in _refusal(department=market, when=when, title="  ").fields
    assert "content" in _refusal(department=market, when=when, content="").fields
    assert "content" in _refusal(department=market, when=when, content="问" * 2001).fields
    assert "contact_name" in _refusal(department=market, when=when, name="").fields
    bad_mobile = _refusal(department=market, when=when, mobile="1234")
    assert "contact_mobile" in bad_mobile.fields
    assert "11" in bad_mobile.fields["contact_mobile"][0]
    assert "department" in _refusal(department=None, when=when).fields
    assert Question.objects.count() == 0


def test_it_sends_a_question_about_an_item_to_the_items_department(personas, items):
    question = ask(None, at("2026-03-06"), item=items.promised)
    assert question.department == personas.org.market

    refused = _refusal(department=personas.org.land, when=at("2026-03-06"), item=items.promised)
    assert "department" in refused.fields


def test_it_limits_questions_per_mobile_number_per_day(personas):
    market = personas.org.market
    for hour in range(9, 14):
        ask(market, at("2026-03-06", hour))

    refused = _refusal(department=market, when=at("2026-03-06", 15))
    assert "contact_mobile" in refused.fields
    assert "5" in refused.fields["contact_mobile"][0]
    assert Question.objects.count() == 5

    # Another number the same day, and the same number the next day, are fine.
    ask(market, at("2026-03-06", 15), mobile="13912340000")
    ask(market, at("2026-03-07", 0, 5))
    assert Question.objects.count() == 7


def test_it_limits_questions_per_citizen_account_whatever_the_number(personas):
    citizen = make_citizen()
    market = personas.org.market
    with override_settings(TONGBAN_QA_DAILY_LIMIT=2):
        ask(market, at("2026-03-06", 9), mobile="13900000001", citizen=citizen)
        ask(market, at("2026-03-06", 10), mobile="13900000002", citizen=citizen)
        refused = _refusal(
            department=market, when=at("2026-03-06", 11), mobile="13900000003", citizen=citizen
        )
    assert "contact_mobile" in refused.fields
    assert Question.objects.filter(citizen=citizen).count() == 2
