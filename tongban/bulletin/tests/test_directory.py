"""The phone directory: search by any field, kept in step with the accounts, export."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tongban.accounts import services as accounts
from tongban.accounts.testing import log_in, make_user
from tongban.audit.models import AuditRecord
from tongban.bulletin import selectors, services
from tongban.bulletin.models import DirectoryEntry
from tongban.core.errors import PermissionDenied

from .conftest import AT


@pytest.fixture
def duty_line(personas):
    return services.save_directory_entry(
        actor=personas.department_head,
        unit=personas.org.land,
        office="不动产登记窗口",
        name="值班电话",
        position="值班员",
        number="0938-8219999",
        at=AT,
    )


def _names(**kwargs):
    return sorted(e.name for e in selectors.directory_entries(**kwargs))


@pytest.mark.parametrize(
    "q",
    ["自然资源", "不动产登记", "值班电话", "值班员", "8219999"],
    ids=["unit", "office", "name", "position", "number"],
)
def test_it_finds_an_entry_by_each_field(personas, duty_line, q):
    names = _names(q=q)
    assert "值班电话" in names
    assert "李承办" not in names  # of another unit


def test_it_filters_by_unit_including_sub_units(personas, duty_line):
    names = _names(unit=personas.org.market)
    assert "李承办" in names and "值班电话" not in names


def test_accounts_appear_with_their_department_section_and_mobile(personas):
    entry = DirectoryEntry.objects.get(user=personas.handler)
    assert entry.unit == personas.org.market
    assert entry.office == personas.org.market_section.name
    assert entry.name == "李承办"
    assert entry.mobile == "13800000002"
    assert entry.number == personas.org.market.phone  # the unit's line to start with


def test_it_follows_a_rename_a_move_and_a_disable(personas):
    sysadmin, handler = personas.system_admin, personas.handler
    accounts.update_user(
        actor=sysadmin, user=handler, full_name="李新名", position="副科长", at=timezone.now()
    )
    entry = DirectoryEntry.objects.get(user=handler)
    assert (entry.name, entry.position) == ("李新名", "副科长")

    accounts.update_user(
        actor=sysadmin, user=handler, department=personas.org.land, section=None, at=timezone.now()
    )
    entry.refresh_from_db()
    assert (entry.unit, entry.office) == (personas.org.land, "")
    assert _names(q="李新名") == ["李新名"]

    accounts.set_user_active(
        actor=sysadmin, user=handler, active=False, reason="调离", at=timezone.now()
    )
    assert _names(q="李新名") == []
    accounts.set_user_active(actor=sysadmin, user=handler, active=True, at=timezone.now())
    assert _names(q="李新名") == ["李新名"]


def test_a_full_sync_repairs_missing_entries(personas):
    DirectoryEntry.objects.filter(user=personas.outsider).delete()
    counts = services.sync_directory_from_users(actor=None, at=AT)
    assert DirectoryEntry.objects.filter(user=personas.outsider, is_active=True).exists()
    assert counts["active"] >= 9
    assert AuditRecord.objects.filter(action="directory.sync").exists()


def test_manual_entries_need_the_bulletin_module(personas):
    nobody = make_user("nomodule", department=personas.org.market)
    with pytest.raises(PermissionDenied):
        services.save_directory_entry(
            actor=nobody, unit=personas.org.market, name="x", number="1234", at=AT
        )


def test_the_page_searches_and_masks_mobiles_for_readers_without_the_module(
    client, personas, duty_line
):
    reader = make_user("reader", department=personas.org.land, full_name="孙读者")
    log_in(client, reader)
    response = client.get("/office/bulletin/directory/", {"q": "李承办"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "138****0002" in html and "13800000002" not in html
    assert "值班电话" not in html
    log_in(client, personas.department_head)
    html = client.get("/office/bulletin/directory/", {"q": "李承办"}).content.decode()
    assert "13800000002" in html


def test_it_exports_the_search_to_excel_and_audits_it(client, personas, duty_line):
    log_in(client, personas.outsider)
    response = client.get("/office/bulletin/directory/", {"q": "值班", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:5] == (
        "天水市自然资源局",
        "不动产登记窗口",
        "值班电话",
        "值班员",
        "0938-8219999",
    )
    assert len(rows) == 2
    assert AuditRecord.objects.filter(
        action="directory.export", actor_id=personas.outsider.pk
    ).exists()


def test_a_bad_number_is_refused_naming_the_field(client, personas):
    log_in(client, personas.department_head)
    response = client.post(
        "/office/bulletin/directory/new/",
        {"unit": personas.org.land.pk, "name": "值班", "number": "=HYPERLINK(1)", "sort_order": 0},
    )
    assert response.status_code == 200
    assert "number" in response.context["form"].errors
    assert not DirectoryEntry.objects.filter(name="值班").exists()
