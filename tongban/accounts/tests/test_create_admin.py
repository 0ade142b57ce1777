import io

import pytest
from django.core.management import CommandError, call_command

from tongban.accounts.models import User
from tongban.audit.models import AuditRecord


def test_it_creates_an_administrator_from_the_shell(org, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Strong#Admin2026\n"))
    out = io.StringIO()
    call_command(
        "create_admin",
        "Li.Admin",
        "--role",
        "audit_admin",
        "--department",
        "TS",
        "--password-stdin",
        stdout=out,
    )
    user = User.objects.get(username="Li.Admin")
    assert user.has_role("audit_admin")
    assert user.check_password("Strong#Admin2026")
    assert "created Li.Admin" in out.getvalue()
    assert AuditRecord.objects.filter(action="user.roles", object_id=str(user.pk)).exists()


def test_it_refuses_a_weak_password_and_creates_nothing(org, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("password\n"))
    with pytest.raises(CommandError) as exc:
        call_command("create_admin", "weak", "--role", "system_admin", "--password-stdin")
    assert "password" in str(exc.value)
    assert not User.objects.filter(username="weak").exists()
