"""The demo loader (``tongban load_demo``, also run by ``tongban demo``)."""

from __future__ import annotations

import io

import pyotp
import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.accounts.demo.people import DEMO_PASSWORD, USERS
from tongban.accounts.models import Department, DepartmentKind, User
from tongban.accounts.roles import SECOND_FACTOR_ROLES, RoleCode
from tongban.audit.models import AuditRecord
from tongban.cases.simulation import BASE_STEPS
from tongban.core.errors import ActionNotAllowed
from tongban.site.demo import STEPS, load_demo_data
from tongban.workcalendar.models import AdjustedWorkday, Holiday

COUNTIES = {
    "QZQ": "秦州区",
    "MJQ": "麦积区",
    "GGX": "甘谷县",
    "WSX": "武山县",
    "QAX": "秦安县",
    "QSX": "清水县",
    "ZJC": "张家川回族自治县",
}


def _counts() -> dict[str, int]:
    return {
        "departments": Department.objects.count(),
        "users": User.objects.count(),
        "holidays": Holiday.objects.count(),
        "workdays": AdjustedWorkday.objects.count(),
        "audit": AuditRecord.objects.count(),
    }


@pytest.mark.django_db
def test_it_creates_the_seven_counties_each_with_its_service_hall():
    load_demo_data()

    city = Department.objects.get(code="TS")
    counties = Department.objects.filter(kind=DepartmentKind.COUNTY)
    assert {c.code: c.name for c in counties} == {
        code: f"{area}人民政府" for code, area in COUNTIES.items()
    }
    for county in counties:
        assert county.parent == city
        hall = Department.objects.get(code=f"{county.code}-ZWFW")
        assert hall.kind == DepartmentKind.HALL
        assert hall.parent == county
        assert hall.name == f"{COUNTIES[county.code]}政务服务中心"
        assert hall.address.startswith("天水市")


@pytest.mark.django_db
def test_it_creates_a_dozen_city_departments_with_sections_phones_and_addresses():
    load_demo_data()

    city = Department.objects.get(code="TS")
    departments = Department.objects.filter(
        parent=city, kind__in=[DepartmentKind.DEPARTMENT, DepartmentKind.HALL]
    )
    assert departments.count() >= 12
    for department in departments:
        sections = department.children.filter(kind=DepartmentKind.SECTION)
        assert sections.count() >= 2, department.code
        assert all(s.code.startswith(f"{department.code}-") for s in sections)
        assert department.phone.startswith("0938-"), department.code
        assert department.address.startswith("天水市"), department.code
    assert Department.objects.get(code="SCJG-DJK").name == "登记注册科"
    assert Department.objects.get(code="ZWFW").kind == DepartmentKind.HALL
    assert Department.objects.get(code="ZWFW-DZJC").name == "电子监察室"


@pytest.mark.django_db
def test_it_creates_demo_accounts_for_every_role_that_sign_in_with_the_demo_password():
    load_demo_data()

    for role in RoleCode:
        assert User.objects.with_role(role).filter(is_demo=True).exists(), role
    users = User.objects.filter(username__in=[u.username for u in USERS])
    assert users.count() == len(USERS)
    for user in users:
        assert user.is_demo
        assert not user.must_change_password
        assert user.full_name and user.position and user.department_id
        assert len(user.mobile) == 11 and user.mobile.startswith("1")
        assert authenticate(username=user.username, password=DEMO_PASSWORD) == user
    for prefix in ("scjg", "zrzy", "zjj", "wjw", "qzq"):
        for suffix, role in [
            ("head", RoleCode.DEPARTMENT_HEAD),
            ("sectionhead", RoleCode.SECTION_HEAD),
            ("handler1", RoleCode.HANDLER),
            ("handler2", RoleCode.HANDLER),
            ("clerk", RoleCode.WINDOW_CLERK),
        ]:
            assert User.objects.get(username=f"{prefix}.{suffix}").role_codes() == {role}
    assert User.objects.get(username="qzq.clerk").department.code == "QZQ-ZWFW"


@pytest.mark.django_db
def test_it_enrols_the_published_totp_secret_for_the_administrators_and_the_supervisor():
    load_demo_data()

    for demo in USERS:
        user = User.objects.get(username=demo.username)
        if demo.role in SECOND_FACTOR_ROLES:
            device = user.totp_device
            assert device.is_confirmed, demo.username
            assert device.secret == demo.totp_secret
            assert pyotp.TOTP(device.secret).verify(pyotp.TOTP(demo.totp_secret).now())
        else:
            assert not hasattr(user, "totp_device"), demo.username


@pytest.mark.django_db
def test_it_loads_the_official_holidays():
    load_demo_data()

    assert Holiday.objects.filter(first_day__year=2026).exists()
    assert AdjustedWorkday.objects.exists()


@pytest.mark.django_db
def test_it_changes_nothing_when_run_a_second_time():
    first = load_demo_data()
    after_first = _counts()

    second = load_demo_data()

    assert first.created > 0
    assert second.created == 0
    assert _counts() == after_first
    assert [c.total for c in second.counts] == [c.total for c in first.counts]


@pytest.mark.django_db
def test_it_keeps_an_existing_account_of_the_same_username_whatever_the_case():
    existing = accounts.create_user(
        actor=None,
        username="SCJG.Head",
        password="Another-Pass-2026",
        full_name="原有账号",
        at=timezone.now(),
    )

    load_demo_data()

    assert User.objects.filter(username__iexact="scjg.head").get() == existing
    existing.refresh_from_db()
    assert existing.full_name == "原有账号"
    assert not existing.is_demo
    assert User.objects.filter(is_demo=True).count() == len(USERS) - 1


def test_a_simulation_on_an_empty_database_loads_the_loaders_first_steps():
    # ``tongban simulate`` names those steps itself: cases cannot import the loader.
    assert STEPS[: len(BASE_STEPS)] == list(BASE_STEPS)


def test_it_uses_a_demo_password_that_passes_the_password_rules():
    for demo in USERS:
        validate_password(DEMO_PASSWORD, User(username=demo.username))


@pytest.mark.django_db
@override_settings(PRODUCTION=True)
def test_it_refuses_to_load_demo_accounts_in_production_mode():
    with pytest.raises(ActionNotAllowed):
        load_demo_data()
    with pytest.raises(CommandError, match="生产模式下不能加载演示数据"):
        call_command("load_demo", stdout=io.StringIO())

    assert not User.objects.filter(is_demo=True).exists()


@pytest.mark.django_db
def test_it_prints_the_counts_and_the_logins_table():
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    printed = out.getvalue()
    assert DEMO_PASSWORD in printed
    for demo in USERS:
        assert demo.username in printed
    assert "张国华" in printed
    assert "天水市市场监督管理局" in printed
    assert "totp_code" in printed
