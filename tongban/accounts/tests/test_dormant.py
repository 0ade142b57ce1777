"""Dormant accounts: 90 days without a login → disabled automatically, daily at 02:00."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tongban.accounts import security
from tongban.accounts import services as accounts
from tongban.accounts.models import User
from tongban.accounts.tasks import disable_dormant_accounts_daily
from tongban.accounts.testing import PASSWORD
from tongban.audit.models import AuditRecord
from tongban.core import clock

from .conftest import post_login


def test_it_disables_accounts_without_a_login_for_ninety_days(client, personas):
    now = clock.now()
    # The handler logged in 60 days from now; nobody else ever did.
    security.authenticate_staff(
        username="handler", password=PASSWORD, ip="10.6.0.1", at=now + dt.timedelta(days=60)
    )

    assert security.disable_dormant_accounts(at=now + dt.timedelta(days=89)) == []
    disabled = security.disable_dormant_accounts(at=now + dt.timedelta(days=91))

    assert "handler" not in disabled
    assert set(disabled) == {
        "clerk",
        "sectionhead",
        "head",
        "supervisor",
        "sysadmin",
        "secadmin",
        "auditadmin",
        "outsider",
    }
    clerk = User.objects.get(username="clerk")
    assert clerk.is_active is False
    assert clerk.disabled_reason == "90天未登录自动停用"
    record = AuditRecord.objects.filter(action="user.disable", object_id=str(clerk.pk)).get()
    assert record.actor_id is None and record.message == "90天未登录自动停用"
    assert User.objects.get(username="handler").is_active

    # 90 days after the handler's login it is their turn.
    later = security.disable_dormant_accounts(at=now + dt.timedelta(days=151))
    assert later == ["handler"]


def test_it_ends_the_sessions_of_an_account_it_disables(client, personas):
    post_login(client, "handler")
    security.disable_dormant_accounts(at=clock.now() + dt.timedelta(days=91))
    assert client.get("/office/").status_code == 302


def test_it_leaves_demo_accounts_alone(personas):
    accounts.create_user(
        actor=None, username="demo-clerk", password=PASSWORD, is_demo=True, at=timezone.now()
    )
    disabled = security.disable_dormant_accounts(at=clock.now() + dt.timedelta(days=365))
    assert "demo-clerk" not in disabled
    assert User.objects.get(username="demo-clerk").is_active


def test_it_has_a_command(personas, capsys):
    day = (clock.now() + dt.timedelta(days=100)).date().isoformat()
    call_command("disable_dormant", "--at", day)
    out = capsys.readouterr().out
    assert "disabled clerk" in out
    assert "9 dormant account(s) disabled." in out
    assert not User.objects.filter(is_active=True).exists()


def test_it_runs_every_day_at_two_in_the_morning_local_time(personas):
    def scheduled(utc_hour: int, minute: int = 0) -> bool:
        moment = dt.datetime(2026, 3, 2, utc_hour, minute)
        if not HUEY.utc:
            moment = moment.replace(tzinfo=dt.UTC).astimezone(clock.LOCAL_TZ)
            moment = moment.replace(tzinfo=None)
        return disable_dormant_accounts_daily.task_class in {
            type(task) for task in HUEY.read_periodic(moment)
        }

    assert scheduled(18, 0)  # 02:00 in Asia/Shanghai
    assert not scheduled(18, 1)
    assert not scheduled(2, 0)  # 02:00 UTC is 10:00 in Tianshui

    assert disable_dormant_accounts_daily.call_local() == []
