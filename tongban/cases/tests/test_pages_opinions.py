"""Opinion templates (常用意见): a user's own phrases, added, edited, deleted, and
offered for one-click insertion on the case page."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from tongban.accounts.testing import log_in
from tongban.cases import services
from tongban.cases.models import OpinionTemplate
from tongban.cases.testing import accepted
from tongban.core.clock import now


def test_it_adds_edits_and_deletes_own_phrases(client, personas):
    log_in(client, personas.handler)

    response = client.post(reverse("cases:opinions"), {"text": "材料齐全，符合法定形式"})
    assert response.status_code == 302
    template = OpinionTemplate.objects.get(user=personas.handler)

    client.post(reverse("cases:opinion_edit", args=[template.pk]), {"text": "同意受理"})
    template.refresh_from_db()
    assert template.text == "同意受理"

    client.post(reverse("cases:opinion_delete", args=[template.pk]))
    assert not OpinionTemplate.objects.exists()


def test_a_duplicate_phrase_is_a_field_error(client, personas):
    services.save_opinion_template(actor=personas.handler, at=timezone.now(), text="同意")
    log_in(client, personas.handler)

    response = client.post(reverse("cases:opinions"), {"text": "同意"})

    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    assert OpinionTemplate.objects.count() == 1


def test_someone_elses_phrase_is_not_found(client, personas):
    template = services.save_opinion_template(
        actor=personas.handler, at=timezone.now(), text="同意"
    )
    log_in(client, personas.section_head)

    assert (
        client.post(reverse("cases:opinion_edit", args=[template.pk]), {"text": "x"}).status_code
        == 404
    )
    assert client.post(reverse("cases:opinion_delete", args=[template.pk])).status_code == 404
    template.refresh_from_db()
    assert template.text == "同意"
    assert b"\xe5\x90\x8c\xe6\x84\x8f" not in client.get(reverse("cases:opinions")).content


def test_the_case_page_offers_the_phrases_next_to_the_opinion(client, personas, items):
    services.save_opinion_template(
        actor=personas.handler, at=timezone.now(), text="材料齐全，符合条件"
    )
    case = accepted(personas, items.promised, now())
    log_in(client, personas.handler)

    body = client.get(reverse("cases:detail", args=[case.number])).content.decode()

    assert 'data-opinion-insert="材料齐全，符合条件" data-target="id_advance-opinion"' in body
    assert "cases/cases.js" in body
