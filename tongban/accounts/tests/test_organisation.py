"""Departments, accounts, module permissions and department data scoping."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from tongban.accounts import services
from tongban.accounts.models import Department, DepartmentKind, User
from tongban.accounts.roles import Module, RoleCode
from tongban.accounts.scoping import department_scope
from tongban.accounts.selectors import can_use_module, user_modules
from tongban.accounts.testing import make_user
from tongban.audit.models import AuditRecord
from tongban.core.crypto import provider
from tongban.core.errors import ActionNotAllowed, ValidationFailed


def test_it_keeps_the_subtree_paths_when_a_department_moves(personas):
    org, admin = personas.org, personas.system_admin
    services.update_department(
        actor=admin, department=org.market, parent=org.county, at=timezone.now()
    )
    org.market_section.refresh_from_db()
    assert org.market_section.path == "/TS/QZQ/SCJG/SCJG-DJK/"
    assert set(Department.objects.subtree(org.county).values_list("code", flat=True)) == {
        "QZQ",
        "QZQ-ZWFW",
        "SCJG",
        "SCJG-DJK",
    }
    record = AuditRecord.objects.filter(action="department.update").latest("seq")
    assert record.before == {"parent_id": org.city.pk, "path": "/TS/SCJG/"}
    assert record.after == {"parent_id": org.county.pk, "path": "/TS/QZQ/SCJG/"}


def test_it_refuses_to_put_a_department_under_its_own_section(personas):
    org = personas.org
    with pytest.raises(ValidationFailed) as exc:
        services.update_department(
            actor=personas.system_admin,
            department=org.market,
            parent=org.market_section,
            at=timezone.now(),
        )
    assert "parent" in exc.value.fields
    org.market.refresh_from_db()
    assert org.market.parent == org.city


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "scjg lower"}, "code"),
        ({"code": "TS"}, "code"),
        ({"kind": DepartmentKind.SECTION, "parent": None}, "parent"),
    ],
)
def test_it_refuses_bad_departments_naming_the_field(personas, changes, field):
    data = {"code": "NEWDEPT", "name": "新部门", "kind": "department", "parent": personas.org.city}
    data.update(changes)
    count = Department.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.create_department(actor=personas.system_admin, at=timezone.now(), **data)
    assert field in exc.value.fields
    assert Department.objects.count() == count


def test_it_refuses_to_delete_a_department_with_staff(personas):
    with pytest.raises(ActionNotAllowed):
        services.delete_department(
            actor=personas.system_admin, department=personas.org.land, at=timezone.now()
        )
    assert Department.objects.filter(code="ZRZY").exists()


def test_it_refuses_weak_passwords_and_creates_nothing(personas):
    count = User.objects.count()
    for weak in ("short1A!", "alllowercaseletters", "zhangsan-Pass-1", "Password123"):
        with pytest.raises(ValidationFailed) as exc:
            services.create_user(
                actor=personas.system_admin, username="zhangsan", password=weak, at=timezone.now()
            )
        assert exc.value.fields["password"], weak
    assert User.objects.count() == count


def test_it_treats_usernames_case_insensitively(personas):
    with pytest.raises(ValidationFailed) as exc:
        services.create_user(
            actor=personas.system_admin,
            username="HANDLER",
            password="Another#Pass2026",
            at=timezone.now(),
        )
    assert "username" in str(exc.value.fields) or "__all__" in exc.value.fields
    assert User.objects.get_by_natural_key("HaNdLeR") == personas.handler


def test_it_refuses_a_section_of_another_department(personas):
    with pytest.raises(ValidationFailed) as exc:
        services.update_user(
            actor=personas.system_admin,
            user=personas.outsider,
            section=personas.org.market_section,
            at=timezone.now(),
        )
    assert "section" in exc.value.fields


def test_it_stores_mobile_numbers_encrypted_and_finds_them_by_blind_index(personas):
    handler = personas.handler
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM accounts_user WHERE id = %s", [handler.pk])
        stored = cursor.fetchone()[0]
    assert "13800000002" not in stored
    assert handler.mobile == "13800000002"
    assert handler.masked_mobile == "138****0002"
    found = User.objects.get(mobile_index=provider().blind_index("13800000002"))
    assert found == handler


def test_it_never_writes_personal_data_into_the_audit_log(personas):
    record = AuditRecord.objects.filter(action="user.create", object_id=str(personas.handler.pk))
    assert "13800000002" not in str(record.get().after)


def test_it_combines_role_user_group_and_department_grants(personas):
    handler, admin = personas.handler, personas.security_admin
    assert not can_use_module(handler, Module.REPORTS)
    assert can_use_module(handler, Module.CASES)  # from the handler role

    services.grant_module(
        actor=admin, module=Module.REPORTS, department=personas.org.city, at=timezone.now()
    )
    handler = User.objects.get(pk=handler.pk)
    assert can_use_module(handler, Module.REPORTS)  # inherited from the city subtree

    group = services.create_group(actor=admin, name="热线值班", at=timezone.now())
    services.set_group_members(actor=admin, group=group, users=[handler], at=timezone.now())
    services.grant_module(
        actor=admin, module=Module.HOTLINE, group=Group.objects.get(pk=group.pk), at=timezone.now()
    )
    services.grant_module(actor=admin, module=Module.CATALOG, user=handler, at=timezone.now())
    handler = User.objects.get(pk=handler.pk)
    assert {Module.REPORTS, Module.HOTLINE, Module.CATALOG} <= user_modules(handler)
    assert not can_use_module(personas.outsider, Module.HOTLINE)


def test_it_refuses_a_duplicate_grant(personas):
    admin = personas.security_admin
    services.grant_module(
        actor=admin, module=Module.REPORTS, user=personas.handler, at=timezone.now()
    )
    with pytest.raises(ValidationFailed):
        services.grant_module(
            actor=admin, module=Module.REPORTS, user=personas.handler, at=timezone.now()
        )


def test_it_scopes_department_data_by_role(personas):
    org = personas.org
    assert department_scope(personas.supervisor).everything
    assert department_scope(personas.department_head).root == org.market
    assert department_scope(personas.section_head).root == org.market_section
    assert department_scope(personas.handler).root == org.market
    for admin in (personas.system_admin, personas.security_admin, personas.audit_admin):
        assert department_scope(admin).nothing

    codes = set(
        Department.objects.visible_to(personas.department_head).values_list("code", flat=True)
    )
    assert codes == {"SCJG", "SCJG-DJK"}
    assert Department.objects.visible_to(personas.supervisor).count() == Department.objects.count()
    assert not Department.objects.visible_to(personas.audit_admin).exists()


def test_it_lists_only_visible_colleagues(personas):
    seen = set(User.objects.visible_to(personas.outsider).values_list("username", flat=True))
    assert seen == {"outsider"}
    head_sees = set(
        User.objects.visible_to(personas.department_head).values_list("username", flat=True)
    )
    assert {"clerk", "handler", "sectionhead", "head"} == head_sees


def test_it_ends_sessions_when_an_account_is_disabled(client, personas):
    handler = personas.handler
    client.post("/accounts/login/", {"username": "handler", "password": "Tongban-Test-2026!"})
    services.set_user_active(
        actor=personas.system_admin, user=handler, active=False, reason="离职", at=timezone.now()
    )
    handler.refresh_from_db()
    assert not handler.is_active
    assert handler.disabled_reason == "离职"
    assert not handler.sessions.exists()
    assert AuditRecord.objects.filter(action="user.disable", object_id=str(handler.pk)).exists()


def test_it_refuses_disabling_oneself(personas):
    with pytest.raises(ActionNotAllowed):
        services.set_user_active(
            actor=personas.system_admin, user=personas.system_admin, active=False, at=timezone.now()
        )


def test_it_refuses_roles_to_unknown_codes(personas):
    with pytest.raises(ValidationFailed) as exc:
        services.assign_roles(
            actor=personas.security_admin, user=personas.handler, roles=["mayor"], at=timezone.now()
        )
    assert "roles" in exc.value.fields
    assert make_user  # personas are built with the same helper
    assert personas.handler.has_role(RoleCode.HANDLER)
