"""三员分立: each administrator is refused the other two administrators' powers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from tongban.accounts import services
from tongban.accounts.models import Department, ModuleGrant, User
from tongban.accounts.roles import Module, RoleCode
from tongban.accounts.testing import PASSWORD, log_in
from tongban.audit.models import AuditRecord
from tongban.core.errors import ActionNotAllowed, PermissionDenied, ValidationFailed


def _state():
    """What a refused action must leave untouched."""
    return (
        User.objects.count(),
        Department.objects.count(),
        ModuleGrant.objects.count(),
        sorted(User.roles.through.objects.values_list("user_id", "role_id")),
        AuditRecord.objects.count(),
    )


def _refused(call):
    before = _state()
    with pytest.raises(PermissionDenied):
        call()
    assert _state() == before


def test_it_refuses_the_system_admin_roles_and_permissions(personas):
    admin, handler = personas.system_admin, personas.handler
    _refused(
        lambda: services.assign_roles(
            actor=admin, user=handler, roles=["department_head"], at=timezone.now()
        )
    )
    _refused(
        lambda: services.grant_module(
            actor=admin, module=Module.REPORTS, user=handler, at=timezone.now()
        )
    )
    _refused(lambda: services.create_group(actor=admin, name="统计员", at=timezone.now()))
    _refused(
        lambda: services.set_user_groups(actor=admin, user=handler, groups=[], at=timezone.now())
    )


def test_it_refuses_the_security_admin_accounts_and_departments(personas):
    admin, handler = personas.security_admin, personas.handler
    _refused(
        lambda: services.create_user(
            actor=admin, username="newbie", password=PASSWORD, at=timezone.now()
        )
    )
    _refused(
        lambda: services.update_user(actor=admin, user=handler, position="科长", at=timezone.now())
    )
    _refused(
        lambda: services.set_user_active(actor=admin, user=handler, active=False, at=timezone.now())
    )
    _refused(
        lambda: services.reset_password(
            actor=admin, user=handler, new_password=PASSWORD, at=timezone.now()
        )
    )
    _refused(
        lambda: services.create_department(
            actor=admin,
            code="NEW",
            name="新部门",
            kind="department",
            parent=personas.org.city,
            at=timezone.now(),
        )
    )


def test_it_refuses_the_audit_admin_everything_here(personas):
    admin, handler = personas.audit_admin, personas.handler
    _refused(
        lambda: services.create_user(
            actor=admin, username="x1", password=PASSWORD, at=timezone.now()
        )
    )
    _refused(
        lambda: services.update_user(actor=admin, user=handler, position="科长", at=timezone.now())
    )
    _refused(
        lambda: services.assign_roles(
            actor=admin, user=handler, roles=["supervisor"], at=timezone.now()
        )
    )
    _refused(
        lambda: services.grant_module(
            actor=admin, module=Module.REPORTS, user=handler, at=timezone.now()
        )
    )
    _refused(lambda: services.end_user_sessions(actor=admin, user=handler, at=timezone.now()))
    _refused(
        lambda: services.update_department(
            actor=admin, department=personas.org.market, name="改名", at=timezone.now()
        )
    )


def test_it_refuses_business_roles_any_administration(personas):
    for actor in (personas.department_head, personas.supervisor, personas.handler):
        _refused(
            lambda a=actor: services.create_user(
                actor=a, username="x2", password=PASSWORD, at=timezone.now()
            )
        )
        _refused(
            lambda a=actor: services.assign_roles(
                actor=a, user=personas.handler, roles=[], at=timezone.now()
            )
        )


def test_it_keeps_the_three_administrator_roles_disjoint(personas):
    before = _state()
    with pytest.raises(ValidationFailed) as exc:
        services.assign_roles(
            actor=personas.security_admin,
            user=personas.handler,
            roles=[RoleCode.SYSTEM_ADMIN, RoleCode.AUDIT_ADMIN],
            at=timezone.now(),
        )
    assert "roles" in exc.value.fields
    with pytest.raises(ValidationFailed):
        services.assign_roles(
            actor=personas.security_admin,
            user=personas.handler,
            roles=[RoleCode.AUDIT_ADMIN, RoleCode.HANDLER],
            at=timezone.now(),
        )
    assert _state() == before


def test_it_refuses_the_security_admin_its_own_roles_and_admin_modules(personas):
    admin = personas.security_admin
    before = _state()
    with pytest.raises(ActionNotAllowed):
        services.assign_roles(
            actor=admin, user=admin, roles=[RoleCode.SYSTEM_ADMIN], at=timezone.now()
        )
    for module in (Module.SYSTEM, Module.AUDIT, Module.SECURITY):
        with pytest.raises(ValidationFailed) as exc:
            services.grant_module(actor=admin, module=module, user=admin, at=timezone.now())
        assert "module" in exc.value.fields
    assert _state() == before


def test_it_lets_each_administrator_do_its_own_job(personas):
    user = services.create_user(
        actor=personas.system_admin,
        username="wang.xiaoming",
        password="Xiaoming#2026",
        full_name="王小明",
        department=personas.org.land,
        at=timezone.now(),
    )
    services.assign_roles(
        actor=personas.security_admin, user=user, roles=[RoleCode.HANDLER], at=timezone.now()
    )
    grant = services.grant_module(
        actor=personas.security_admin, module=Module.REPORTS, user=user, at=timezone.now()
    )
    user.refresh_from_db()
    assert user.has_role(RoleCode.HANDLER)
    assert grant.granted_by == personas.security_admin
    actions = list(
        AuditRecord.objects.filter(object_id=str(user.pk), object_type="accounts.user")
        .order_by("seq")
        .values_list("action", "actor_name")
    )
    assert actions == [("user.create", "sysadmin"), ("user.roles", "secadmin")]


# --- the same separation in system management pages --------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed", "forbidden"),
    [
        (
            "system_admin",
            ["/admin/accounts/user/", "/admin/accounts/department/"],
            [
                "/admin/accounts/userroleassignment/",
                "/admin/accounts/modulegrant/",
                "/admin/auth/group/",
                "/admin/accounts/role/",
            ],
        ),
        (
            "security_admin",
            [
                "/admin/accounts/userroleassignment/",
                "/admin/accounts/modulegrant/",
                "/admin/auth/group/",
                "/admin/accounts/role/",
            ],
            ["/admin/accounts/user/", "/admin/accounts/department/", "/admin/accounts/user/add/"],
        ),
        (
            "audit_admin",
            [],
            [
                "/admin/accounts/user/",
                "/admin/accounts/department/",
                "/admin/accounts/userroleassignment/",
                "/admin/accounts/modulegrant/",
            ],
        ),
    ],
)
def test_it_shows_each_administrator_only_its_own_admin_pages(
    client, personas, persona, allowed, forbidden
):
    log_in(client, getattr(personas, persona))
    for url in allowed:
        assert client.get(url).status_code == 200, url
    for url in forbidden:
        assert client.get(url).status_code == 403, url


def test_it_keeps_business_staff_out_of_system_management(client, personas):
    log_in(client, personas.handler)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 403


def test_it_lets_the_security_admin_assign_roles_in_the_admin(client, personas):
    log_in(client, personas.security_admin)
    handler = personas.handler
    head = Group.objects.create(name="统计员")
    from tongban.accounts.models import Role

    roles = Role.objects.filter(code__in=[RoleCode.HANDLER, RoleCode.SECTION_HEAD])
    response = client.post(
        f"/admin/accounts/userroleassignment/{handler.pk}/change/",
        {"roles": [r.pk for r in roles], "groups": [head.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    handler.refresh_from_db()
    handler.forget_cached_roles()
    assert handler.role_codes() == {RoleCode.HANDLER, RoleCode.SECTION_HEAD}
    assert list(handler.groups.values_list("name", flat=True)) == ["统计员"]


def test_it_shows_the_separation_rule_as_a_form_error(client, personas):
    log_in(client, personas.security_admin)
    from tongban.accounts.models import Role

    roles = Role.objects.filter(code__in=[RoleCode.SYSTEM_ADMIN, RoleCode.HANDLER])
    before = _state()
    response = client.post(
        f"/admin/accounts/userroleassignment/{personas.handler.pk}/change/",
        {"roles": [r.pk for r in roles]},
    )
    assert response.status_code == 200
    assert "不能再持有任何其他角色" in response.content.decode()
    assert _state() == before


def test_it_lets_the_security_admin_reset_a_lost_authenticator(client, personas):
    from tongban.accounts.models import TOTPDevice
    from tongban.accounts.security import enrol_totp

    enrol_totp(personas.supervisor, at=timezone.now())
    log_in(client, personas.security_admin)
    response = client.post(
        "/admin/accounts/userroleassignment/",
        {"action": "reset_second_factor", "_selected_action": [personas.supervisor.pk]},
        follow=True,
    )
    assert "已重置 1 个身份验证器" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=personas.supervisor).exists()
    assert AuditRecord.objects.filter(action="totp.reset").exists()


def test_it_sends_the_admins_password_link_to_the_audited_change_page(client, personas):
    log_in(client, personas.system_admin)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/"
