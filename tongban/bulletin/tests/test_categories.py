"""公告信息类别 are maintained only with ``bulletin.manage_category``."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.bulletin import services
from tongban.bulletin.models import AnnouncementCategory
from tongban.core.errors import PermissionDenied

from .conftest import grant_category_permission


def test_a_publisher_without_the_permission_cannot_create_edit_or_delete(personas, categories):
    publisher = personas.department_head  # has the BULLETIN module, not the permission
    with pytest.raises(PermissionDenied):
        services.save_category(actor=publisher, code="x", name="X", at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.save_category(
            actor=publisher,
            category=categories["news"],
            code="news",
            name="改名",
            at=timezone.now(),
        )
    with pytest.raises(PermissionDenied):
        services.delete_category(actor=publisher, category=categories["meeting"], at=timezone.now())
    assert AnnouncementCategory.objects.count() == 3
    assert AnnouncementCategory.objects.get(code="news").name == "新闻动态"


def test_a_publisher_without_the_permission_gets_403_on_the_pages(client, personas, categories):
    log_in(client, personas.department_head)
    assert client.get("/office/bulletin/categories/").status_code == 403
    response = client.post("/office/bulletin/categories/", {"code": "x", "name": "X"})
    assert response.status_code == 403
    pk = categories["meeting"].pk
    assert client.post(f"/office/bulletin/categories/{pk}/delete/").status_code == 403
    assert AnnouncementCategory.objects.filter(pk=pk).exists()


def test_a_holder_of_the_permission_creates_edits_and_deletes(client, personas, categories):
    user = personas.handler
    grant_category_permission(user)
    log_in(client, user)
    response = client.post(
        "/office/bulletin/categories/",
        {"code": "policy", "name": "政策解读", "sort_order": 5, "is_active": "on"},
    )
    assert response.status_code == 302
    created = AnnouncementCategory.objects.get(code="policy")
    response = client.post(
        f"/office/bulletin/categories/{created.pk}/",
        {"code": "policy", "name": "政策解读与问答", "sort_order": 5, "is_active": "on"},
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.name == "政策解读与问答"
    assert client.post(f"/office/bulletin/categories/{created.pk}/delete/").status_code == 302
    assert not AnnouncementCategory.objects.filter(code="policy").exists()
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {
        "announcement_category.create",
        "announcement_category.update",
        "announcement_category.delete",
    } <= actions


def test_it_refuses_to_delete_a_category_in_use(client, personas, publish, categories):
    publish("用了类别", category="news")
    grant_category_permission(personas.handler)
    log_in(client, personas.handler)
    response = client.post(
        f"/office/bulletin/categories/{categories['news'].pk}/delete/", follow=True
    )
    assert AnnouncementCategory.objects.filter(code="news").exists()
    assert (
        "不能删除" in response.content.decode() or "cannot be deleted" in response.content.decode()
    )


def test_it_names_the_field_of_a_bad_code(client, personas, categories):
    grant_category_permission(personas.handler)
    log_in(client, personas.handler)
    response = client.post(
        "/office/bulletin/categories/", {"code": "新闻", "name": "X", "sort_order": 0}
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    response = client.post(
        "/office/bulletin/categories/", {"code": "news", "name": "重复", "sort_order": 0}
    )
    assert "code" in response.context["form"].errors


def test_the_security_administrator_grants_the_permission(personas):
    user = personas.window_clerk
    with pytest.raises(PermissionDenied):
        services.set_category_maintainer(
            actor=personas.system_admin, allowed=True, user=user, at=timezone.now()
        )
    services.set_category_maintainer(
        actor=personas.security_admin, allowed=True, user=user, at=timezone.now()
    )
    user = type(user).objects.get(pk=user.pk)  # fresh permission cache
    services.save_category(actor=user, code="hr", name="人事任免", at=timezone.now())
    assert AuditRecord.objects.filter(
        action="permission.grant", actor_id=personas.security_admin.pk
    ).exists()


def test_the_security_administrator_grants_and_takes_back_on_the_page(client, personas):
    clerk = personas.window_clerk
    page = "/office/bulletin/categories/maintainers/"

    log_in(client, personas.system_admin)
    assert client.get(page).status_code == 403  # not the security administrator's peer

    log_in(client, personas.security_admin)
    office = client.get("/office/").content.decode()
    assert page in office
    client.post(page, {"subject": f"u:{clerk.pk}", "allowed": "1"})
    listed = client.get(page).content.decode()
    assert f'data-holder="u:{clerk.pk}"' in listed
    assert type(clerk).objects.get(pk=clerk.pk).has_perm("bulletin.manage_category")

    client.post(page, {"subject": f"u:{clerk.pk}", "allowed": "0"})
    assert not type(clerk).objects.get(pk=clerk.pk).has_perm("bulletin.manage_category")
    assert AuditRecord.objects.filter(action="permission.revoke").exists()


def test_the_page_refuses_an_administrator_as_holder_naming_why(client, personas):
    log_in(client, personas.security_admin)
    response = client.post(
        "/office/bulletin/categories/maintainers/",
        {"subject": f"u:{personas.system_admin.pk}", "allowed": "1"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422
    assert "maintainer-error" in response.content.decode()
