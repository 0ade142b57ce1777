"""``/api/v1/cases/opinion-templates``: each user keeps their own phrases (常用意见);
somebody else's is 404 like a missing one, and the path is not read as a case number."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongban.cases import services
from tongban.cases.models import OpinionTemplate
from tongban.cases.tests.apiclient import BASE, get, post, session_client, token_client

pytestmark = pytest.mark.django_db


def test_it_adds_lists_edits_and_deletes_my_phrases(personas):
    client = token_client(personas.handler)

    first = post(client, "/opinion-templates", {"text": "材料齐全，符合条件"})
    second = post(client, "/opinion-templates", {"text": "同意"})
    assert (first.status_code, second.status_code) == (201, 201)
    edited = client.put(
        f"{BASE}/opinion-templates/{second.json()['id']}",
        {"text": "同意办理"},
        content_type="application/json",
    )
    deleted = client.delete(f"{BASE}/opinion-templates/{first.json()['id']}")
    listed = get(client, "/opinion-templates")

    assert edited.status_code == 200 and deleted.status_code == 204
    assert listed.status_code == 200
    assert [(t["text"], t["order"]) for t in listed.json()] == [("同意办理", 1)]
    assert list(OpinionTemplate.objects.values_list("user", "text")) == [
        (personas.handler.pk, "同意办理")
    ]


def test_it_hides_another_users_phrase(personas):
    theirs = services.save_opinion_template(
        actor=personas.section_head, at=timezone.now(), text="请补充说明"
    )
    client = session_client(personas.handler)

    listed = get(client, "/opinion-templates")
    edit = client.put(
        f"{BASE}/opinion-templates/{theirs.pk}", {"text": "改掉"}, content_type="application/json"
    )
    delete = client.delete(f"{BASE}/opinion-templates/{theirs.pk}")

    assert listed.json() == []
    assert edit.status_code == delete.status_code == 404
    assert edit.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.text == "请补充说明"


def test_it_refuses_a_duplicate_or_empty_phrase_naming_the_field(personas):
    client = session_client(personas.handler)
    post(client, "/opinion-templates", {"text": "同意"})

    duplicate = post(client, "/opinion-templates", {"text": "同意"})
    empty = post(client, "/opinion-templates", {"text": "  "})

    assert duplicate.status_code == empty.status_code == 422
    assert list(duplicate.json()["fields"]) == list(empty.json()["fields"]) == ["text"]
    assert OpinionTemplate.objects.count() == 1


def test_a_nul_character_in_a_body_is_refused_naming_the_field(personas):
    # The API root's guard, for every router (not only the partner API's).
    client = token_client(personas.handler)

    refused = post(client, "/opinion-templates", {"text": "同意\x00办理"})

    assert refused.status_code == 422
    assert list(refused.json()["fields"]) == ["text"]
    assert not OpinionTemplate.objects.exists()
