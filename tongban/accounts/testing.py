"""Test personas (house-style.md): built through the real services.

The organisation used by tests: the city government ``TS`` with two departments,
market supervision ``SCJG`` (with section ``SCJG-DJK``) and natural resources
``ZRZY``, and the county ``QZQ`` with its service hall.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.accounts.models import Department, DepartmentKind, Role, User
from tongban.accounts.roles import RoleCode

PASSWORD = "Tongban-Test-2026!"

BUILTIN_ROLES = [(code.value, str(code.label)) for code in RoleCode]


def ensure_builtin_roles() -> None:
    """Re-create the built-in roles after a flush (transactional tests)."""
    for code, name in BUILTIN_ROLES:
        Role.objects.get_or_create(code=code, defaults={"name": name, "builtin": True})


@dataclass
class Org:
    city: Department
    market: Department
    market_section: Department
    land: Department
    county: Department
    county_hall: Department


def make_org() -> Org:
    city = accounts.create_department(
        actor=None,
        code="TS",
        name="天水市人民政府",
        kind=DepartmentKind.GOVERNMENT,
        at=timezone.now(),
    )
    market = accounts.create_department(
        actor=None,
        code="SCJG",
        name="天水市市场监督管理局",
        kind=DepartmentKind.DEPARTMENT,
        parent=city,
        phone="0938-8211234",
        at=timezone.now(),
    )
    section = accounts.create_department(
        actor=None,
        code="SCJG-DJK",
        name="登记注册科",
        kind=DepartmentKind.SECTION,
        parent=market,
        at=timezone.now(),
    )
    land = accounts.create_department(
        actor=None,
        code="ZRZY",
        name="天水市自然资源局",
        kind=DepartmentKind.DEPARTMENT,
        parent=city,
        at=timezone.now(),
    )
    county = accounts.create_department(
        actor=None,
        code="QZQ",
        name="秦州区人民政府",
        kind=DepartmentKind.COUNTY,
        parent=city,
        at=timezone.now(),
    )
    hall = accounts.create_department(
        actor=None,
        code="QZQ-ZWFW",
        name="秦州区政务服务中心",
        kind=DepartmentKind.HALL,
        parent=county,
        at=timezone.now(),
    )
    return Org(city, market, section, land, county, hall)


def make_user(
    username: str,
    *roles: str,
    department: Department | None = None,
    section: Department | None = None,
    full_name: str = "",
    mobile: str = "",
    password: str = PASSWORD,
) -> User:
    user = accounts.create_user(
        actor=None,
        username=username,
        password=password,
        full_name=full_name or username,
        department=department,
        section=section,
        mobile=mobile,
        must_change_password=False,
        at=timezone.now(),
    )
    if roles:
        accounts.assign_roles(actor=None, user=user, roles=roles, at=timezone.now())
    user.refresh_from_db()
    return user


@dataclass
class Personas:
    org: Org
    window_clerk: User
    handler: User
    section_head: User
    department_head: User
    supervisor: User
    system_admin: User
    security_admin: User
    audit_admin: User
    outsider: User  # a handler of another department


def make_personas() -> Personas:
    ensure_builtin_roles()
    org = make_org()
    return Personas(
        org=org,
        window_clerk=make_user(
            "clerk",
            RoleCode.WINDOW_CLERK,
            department=org.market,
            full_name="王窗口",
            mobile="13800000001",
        ),
        handler=make_user(
            "handler",
            RoleCode.HANDLER,
            department=org.market,
            section=org.market_section,
            full_name="李承办",
            mobile="13800000002",
        ),
        section_head=make_user(
            "sectionhead",
            RoleCode.SECTION_HEAD,
            department=org.market,
            section=org.market_section,
            full_name="赵科长",
            mobile="13800000003",
        ),
        department_head=make_user(
            "head",
            RoleCode.DEPARTMENT_HEAD,
            department=org.market,
            full_name="张局长",
            mobile="13800000004",
        ),
        supervisor=make_user(
            "supervisor",
            RoleCode.SUPERVISOR,
            department=org.city,
            full_name="陈监察",
            mobile="13800000005",
        ),
        system_admin=make_user("sysadmin", RoleCode.SYSTEM_ADMIN, department=org.city),
        security_admin=make_user("secadmin", RoleCode.SECURITY_ADMIN, department=org.city),
        audit_admin=make_user("auditadmin", RoleCode.AUDIT_ADMIN, department=org.city),
        outsider=make_user(
            "outsider",
            RoleCode.HANDLER,
            department=org.land,
            full_name="周外部",
            mobile="13800000009",
        ),
    )


def log_in(client, user: User):
    """Log ``user`` in on a Django test client as a fully verified session (password
    and, where required, second factor) — for tests that are not about logging in."""
    from tongban.accounts.security import SESSION_VERIFIED

    client.force_login(user)
    session = client.session
    session[SESSION_VERIFIED] = True
    session.save()
    return client
