"""Dictionaries in system management: the system administrator only, writes through
the services."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tongban.audit.models import AuditRecord
from tongban.dictionaries import services
from tongban.dictionaries.models import ApplicationCategory, ItemCategory, ItemType

from .conftest import admin_client


@pytest.mark.parametrize("model", ["itemcategory", "itemtype", "applicationcategory"])
def test_it_shows_the_lists_to_the_system_admin_only(client, personas, model):
    url = reverse(f"admin:dictionaries_{model}_changelist")

    system = admin_client(client, personas.system_admin).get(url)
    assert system.status_code == 200
    client.logout()
    for persona in ("security_admin", "audit_admin"):
        assert admin_client(client, getattr(personas, persona)).get(url).status_code == 403
        client.logout()


def test_it_lists_searches_and_filters_in_chinese(client, personas):
    browser = admin_client(client, personas.system_admin)
    url = reverse("admin:dictionaries_applicationcategory_changelist")

    page = browser.get(url).content.decode()
    found = browser.get(url, {"q": "户籍"}).content.decode()
    legal = browser.get(url, {"type__exact": "legal_person"}).content.decode()

    assert "申报名称" in page and "申报类型" in page
    assert "户籍办理" in found and "设立变更" not in found
    assert "设立变更" in legal and "户籍办理" not in legal


def test_it_creates_through_the_form_with_an_audit_record(client, personas):
    browser = admin_client(client, personas.system_admin)

    response = browser.post(
        reverse("admin:dictionaries_itemtype_add"),
        {
            "name": " 行政 备案 ",
            "code": "ba",
            "description": "",
            "sort_order": 90,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    entry = ItemType.objects.get(name="行政 备案")
    assert entry.code == "BA"
    record = AuditRecord.objects.get(action="dictionary.create", object_id=str(entry.pk))
    assert record.actor_id == personas.system_admin.pk


def test_it_shows_a_duplicate_name_on_the_field(client, personas):
    browser = admin_client(client, personas.system_admin)
    before = ItemCategory.objects.count()

    response = browser.post(
        reverse("admin:dictionaries_itemcategory_add"),
        {"name": "投资 建设", "code": "", "description": "", "sort_order": 0, "is_active": "on"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"][0].startswith("名称“投资 建设”已被")
    assert ItemCategory.objects.count() == before


def test_it_edits_and_deletes_through_the_services(client, personas):
    entry = services.create_application_category(
        actor=personas.system_admin, name="出入境证件", type="personal", at=timezone.now()
    )
    browser = admin_client(client, personas.system_admin)

    browser.post(
        reverse("admin:dictionaries_applicationcategory_change", args=[entry.pk]),
        {
            "name": "出入境证件",
            "type": "other",
            "code": "",
            "description": "",
            "sort_order": 0,
            "is_active": "on",
        },
    )
    entry.refresh_from_db()
    assert entry.type == "other"
    update = AuditRecord.objects.get(action="dictionary.update", object_id=str(entry.pk))
    assert (update.before, update.after) == ({"type": "personal"}, {"type": "other"})

    browser.post(
        reverse("admin:dictionaries_applicationcategory_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert not ApplicationCategory.objects.filter(pk=entry.pk).exists()
    assert AuditRecord.objects.filter(action="dictionary.delete", object_id=str(entry.pk)).exists()


def test_it_deactivates_in_bulk(client, personas):
    first = services.create_item_category(actor=personas.system_admin, name="甲", at=timezone.now())
    second = services.create_item_category(
        actor=personas.system_admin, name="乙", at=timezone.now()
    )
    browser = admin_client(client, personas.system_admin)

    browser.post(
        reverse("admin:dictionaries_itemcategory_changelist"),
        {"action": "deactivate", "_selected_action": [first.pk, second.pk]},
    )

    assert not ItemCategory.objects.filter(pk__in=[first.pk, second.pk], is_active=True).exists()
    assert AuditRecord.objects.filter(action="dictionary.update").count() == 2
