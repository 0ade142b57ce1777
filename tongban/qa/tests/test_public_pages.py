"""The portal's ask form works without JavaScript: errors in Chinese next to the field
named, nothing stored on error, a receipt on success, and a per-IP brake."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from tongban.qa.models import Question

FORM = {
    "title": "办理食品经营许可要多久",
    "content": "请问需要几个工作日？",
    "contact_name": "赵市民",
    "contact_mobile": "13912340001",
    "allow_public": "on",
}


def test_it_takes_a_question_from_the_form_and_shows_a_receipt(client, personas):
    data = {**FORM, "department": personas.org.market.pk}
    response = client.post(reverse("qa_public:ask"), data, follow=True)
    assert response.status_code == 200
    assert "办理食品经营许可要多久" in response.text
    question = Question.objects.get()
    assert question.allow_public and question.source == "portal"
    assert question.due_on.isoformat() in response.text


def test_it_names_the_fields_in_chinese_and_stores_nothing(client, personas):
    data = {**FORM, "title": "", "contact_mobile": "12345", "department": ""}
    response = client.post(reverse("qa_public:ask"), data)
    assert response.status_code == 422
    assert 'data-field-error="title"' in response.text
    assert "这个字段是必填项" in response.text
    assert Question.objects.count() == 0
    # The department is checked by the service once the form itself is complete.
    response = client.post(reverse("qa_public:ask"), {**FORM, "department": ""})
    assert response.status_code == 422
    assert 'data-field-error="department"' in response.text
    assert Question.objects.count() == 0


def test_it_brakes_one_address_asking_too_often(client, personas):
    data = {**FORM, "department": personas.org.market.pk}
    with override_settings(TONGBAN_QA_IP_HOURLY_LIMIT=2):
        for n in range(2):
            mobile = f"1391234000{n}"
            assert (
                client.post(
                    reverse("qa_public:ask"), {**data, "contact_mobile": mobile}
                ).status_code
                == 302
            )
        response = client.post(reverse("qa_public:ask"), {**data, "contact_mobile": "13912349999"})
    assert response.status_code == 429
    assert Question.objects.count() == 2


def test_it_lists_nothing_unpublished_and_404s_unknown_questions(client, personas):
    client.post(reverse("qa_public:ask"), {**FORM, "department": personas.org.market.pk})
    question = Question.objects.get()
    listing = client.get(reverse("qa_public:list"))
    assert FORM["title"] not in listing.text
    assert client.get(reverse("qa_public:detail", args=[question.pk])).status_code == 404
