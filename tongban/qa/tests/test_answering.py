"""The office side: the queue is scoped to the user's department, coloured by time
limit; the head assigns, the assignee answers, the asker gets an SMS, and the answer
appears on the portal only when the asker allowed it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.cases.testing import at
from tongban.core import clock
from tongban.core.errors import ActionNotAllowed, PermissionDenied
from tongban.notify.models import Channel, OutboxMessage
from tongban.qa import selectors, services
from tongban.qa.models import QuestionStatus

from .support import ask


def test_it_shows_the_queue_to_the_department_only(client, personas):
    market_q = ask(personas.org.market, at("2026-03-06"), title="食品许可问题")
    land_q = ask(personas.org.land, at("2026-03-06"), title="不动产登记问题", mobile="13900000009")

    page = log_in(client, personas.handler).get(reverse("qa:queue"))
    assert page.status_code == 200
    assert f'data-question="{market_q.pk}"' in page.text
    assert f'data-question="{land_q.pk}"' not in page.text
    assert client.get(reverse("qa:detail", args=[land_q.pk])).status_code == 404
    assert client.get(reverse("qa:detail", args=[999999])).status_code == 404

    page = log_in(client, personas.outsider).get(reverse("qa:queue"))
    assert f'data-question="{land_q.pk}"' in page.text
    assert f'data-question="{market_q.pk}"' not in page.text

    page = log_in(client, personas.supervisor).get(reverse("qa:queue"))
    assert f'data-question="{market_q.pk}"' in page.text
    assert f'data-question="{land_q.pk}"' in page.text

    # Administrators see no business data at all.
    assert log_in(client, personas.system_admin).get(reverse("qa:queue")).status_code == 403


def test_it_colours_overdue_questions_and_lists_them_under_overdue(client, personas):
    now = clock.now()
    late = ask(personas.org.market, now - dt.timedelta(days=30), title="早已超期的问题")
    fresh = ask(personas.org.market, now, title="今天的问题", mobile="13900000002")
    assert late.due_on < clock.local_date(now) < fresh.due_on

    log_in(client, personas.handler)
    page = client.get(reverse("qa:queue"), {"view": "overdue"})
    assert f'data-question="{late.pk}" data-colour="overdue"' in page.text
    assert f'data-question="{fresh.pk}"' not in page.text
    page = client.get(reverse("qa:queue"))
    assert f'data-question="{fresh.pk}" data-colour="normal"' in page.text
    assert selectors.queue_counts(personas.handler, at=now)["overdue"] == 1


def test_it_assigns_answers_and_publishes_with_consent(client, personas):
    question = ask(personas.org.market, at("2026-03-06"), title="营业执照多久能办好")

    log_in(client, personas.department_head)
    response = client.post(
        reverse("qa:assign", args=[question.pk]), {"assignee": personas.handler.pk}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.ASSIGNED
    assert question.assigned_to == personas.handler
    assert OutboxMessage.objects.filter(template="qa.assigned", recipient=personas.handler).exists()

    log_in(client, personas.handler)
    mine = client.get(reverse("qa:queue"), {"view": "mine"})
    assert f'data-question="{question.pk}"' in mine.text
    response = client.post(
        reverse("qa:answer", args=[question.pk]),
        {"answer": "材料齐全的，<b>当场</b>办结。", "publish": "on"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    assert question.published and question.answered_by == personas.handler
    sms = OutboxMessage.objects.get(template="qa.answered")
    assert sms.channel == Channel.SMS and sms.address == "13912345678"
    assert AuditRecord.objects.filter(action="question.answer", object_id=str(question.pk)).exists()

    listing = client.get(reverse("qa_public:list"))
    assert "营业执照多久能办好" in listing.text
    found = client.get(reverse("qa_public:list"), {"q": "当场"})
    assert f'data-question="{question.pk}"' in found.text
    assert [q.pk for q in selectors.search_public("营业执照")] == [question.pk]
    detail = client.get(reverse("qa_public:detail", args=[question.pk]))
    # The answer is plain text: markup typed into it is shown, never interpreted.
    assert "&lt;b&gt;当场&lt;/b&gt;" in detail.text
    # The asker's personal data is masked on public pages.
    assert "139****5678" in detail.text and "王*明" in detail.text
    assert "13912345678" not in detail.text and "王小明" not in detail.text
    assert "王小明" not in listing.text

    # The head takes it off the portal again.
    log_in(client, personas.department_head)
    client.post(reverse("qa:publish", args=[question.pk, "off"]))
    assert client.get(reverse("qa_public:detail", args=[question.pk])).status_code == 404
    assert selectors.public_questions("营业执照").count() == 0


def test_it_keeps_an_answer_private_when_the_asker_did_not_allow_publishing(personas):
    question = ask(personas.org.market, at("2026-03-06"), title="私密的问题", allow_public=False)
    services.answer_question(
        actor=personas.handler, question=question, answer="已电话答复。", at=at("2026-03-09")
    )
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and not question.published
    assert not selectors.public_questions().filter(pk=question.pk).exists()
    with pytest.raises(ActionNotAllowed):
        services.set_published(
            actor=personas.department_head, question=question, published=True, at=at("2026-03-09")
        )


def test_it_refuses_answers_from_outside_the_department_and_from_non_assignees(personas):
    question = ask(personas.org.market, at("2026-03-06"))
    with pytest.raises(PermissionDenied):
        services.answer_question(
            actor=personas.outsider, question=question, answer="不是我们的", at=at("2026-03-09")
        )
    services.assign_question(
        actor=personas.department_head,
        question=question,
        assignee=personas.section_head,
        at=at("2026-03-06", 11),
    )
    with pytest.raises(PermissionDenied):
        services.answer_question(
            actor=personas.handler, question=question, answer="抢答", at=at("2026-03-09")
        )
    with pytest.raises(PermissionDenied):
        services.assign_question(
            actor=personas.handler,
            question=question,
            assignee=personas.handler,
            at=at("2026-03-06", 12),
        )
    question.refresh_from_db()
    assert question.status == QuestionStatus.ASSIGNED and question.answer == ""


def test_it_names_the_empty_answer_on_the_page(client, personas):
    question = ask(personas.org.market, at("2026-03-06"))
    log_in(client, personas.handler)
    response = client.post(reverse("qa:answer", args=[question.pk]), {"answer": "  "})
    assert response.status_code == 422
    assert 'data-field-error="answer"' in response.text
    question.refresh_from_db()
    assert question.status == QuestionStatus.NEW


def test_it_rejects_spam_out_of_the_queue_and_off_the_portal(client, personas):
    question = ask(personas.org.market, at("2026-03-06"), title="发票代开加微信")
    log_in(client, personas.department_head)
    response = client.post(reverse("qa:end", args=[question.pk, "spam"]), {"note": "广告"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.REJECTED
    assert f'data-question="{question.pk}"' not in client.get(reverse("qa:queue")).text
    with pytest.raises(ActionNotAllowed):
        services.answer_question(
            actor=personas.department_head, question=question, answer="x", at=at("2026-03-09")
        )
    # Closing without an answer needs a reason, named on the form.
    other = ask(personas.org.market, at("2026-03-06"), mobile="13900000001")
    response = client.post(reverse("qa:end", args=[other.pk, "close"]), {"note": ""})
    assert response.status_code == 422
    assert 'data-field-error="note"' in response.text


@pytest.mark.parametrize("note", ["重复\x00提问", "说" * 201])
def test_a_refused_closing_note_is_named_and_the_question_still_waits(client, personas, note):
    question = ask(personas.org.market, at("2026-03-06"))
    log_in(client, personas.department_head)
    response = client.post(reverse("qa:end", args=[question.pk, "close"]), {"note": note})
    assert response.status_code == 422
    assert 'data-field-error="note"' in response.text
    question.refresh_from_db()
    assert question.status == QuestionStatus.NEW
