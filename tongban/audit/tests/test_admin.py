"""The audit log in system management: the audit administrator browses, filters,
verifies and exports it; nobody changes it; no other role sees it."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from tongban.audit.models import AuditRecord
from tongban.audit.services import record_event, write_checkpoint

from .conftest import admin_client, write_records

LIST = reverse("admin:audit_auditrecord_changelist")
VERIFY = reverse("admin:audit_auditrecord_verify")
EXPORT = reverse("admin:audit_auditrecord_export")
CHECKPOINTS = reverse("admin:audit_auditcheckpoint_changelist")


def test_it_lists_records_in_chinese_for_the_audit_admin(client, personas):
    write_records(3)
    browser = admin_client(client, personas.audit_admin)

    response = browser.get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    for column in ["序号", "时间", "操作人", "IP地址", "操作", "对象", "成功"]:
        assert column in page
    assert "TS-2026-1002" in page
    assert "新增用户" in page or "用户已创建" in page  # the personas' user.create records


def test_it_filters_and_searches(client, personas):
    write_records(3)
    record_event(
        actor=None, actor_name="mallory", action="login.failure", success=False, at=timezone.now()
    )
    browser = admin_client(client, personas.audit_admin)

    failed = browser.get(LIST, {"success__exact": "0"}).content.decode()
    by_action = browser.get(LIST, {"action": "case.accept"}).content.decode()
    by_actor = browser.get(LIST, {"q": "mallory"}).content.decode()
    by_object_id = browser.get(LIST, {"q": "1001"}).content.decode()

    assert "mallory" in failed and "TS-2026-1000" not in failed
    assert "TS-2026-1000" in by_action and "mallory" not in by_action
    assert "mallory" in by_actor and "TS-2026-1000" not in by_actor
    assert "TS-2026-1001" in by_object_id and "TS-2026-1002" not in by_object_id


def test_it_shows_before_and_after_as_readable_json(client, personas):
    record = write_records(1)[0]
    browser = admin_client(client, personas.audit_admin)

    page = browser.get(reverse("admin:audit_auditrecord_change", args=[record.pk])).content.decode()

    assert "&quot;status&quot;: &quot;accepted&quot;" in page
    assert "<pre" in page
    assert 'name="_save"' not in page  # read-only: no save button


def test_it_offers_no_way_to_add_change_or_delete(client, personas):
    record = write_records(1)[0]
    browser = admin_client(client, personas.audit_admin)

    assert browser.get(reverse("admin:audit_auditrecord_add")).status_code == 403
    delete = reverse("admin:audit_auditrecord_delete", args=[record.pk])
    assert browser.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:audit_auditrecord_change", args=[record.pk])
    browser.post(change, {"actor_name": "someone else"})
    record.refresh_from_db()
    assert record.actor_name == "clerk0"


def test_it_verifies_the_chain_on_request_and_records_that(client, personas):
    write_records(2)
    browser = admin_client(client, personas.audit_admin)

    assert browser.get(VERIFY).status_code == 200
    page = browser.post(VERIFY).content.decode()

    assert 'id="verify-result"' in page
    assert "校验通过" in page
    event = AuditRecord.objects.get(action="audit.verify")
    assert event.actor_id == personas.audit_admin.pk
    assert event.after["ok"] is True


def test_it_shows_the_first_bad_record(client, personas, tamper):
    records = write_records(3)
    tamper.update(records[1].seq, object_repr="changed")
    browser = admin_client(client, personas.audit_admin)

    page = browser.post(VERIFY).content.decode()

    assert f"#{records[1].seq}" in page
    assert "被篡改" in page


def test_it_exports_the_filtered_list_as_csv(client, personas):
    write_records(2)
    record_event(
        actor=None, actor_name="=cmd|' /C calc'!A0", action="login.failure", at=timezone.now()
    )
    browser = admin_client(client, personas.audit_admin)

    response = browser.post(f"{EXPORT}?action=login.failure")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][3] == "'=cmd|' /C calc'!A0"
    export = AuditRecord.objects.get(action="audit.export")
    assert export.after["rows"] == 1
    assert export.actor_id == personas.audit_admin.pk


def test_it_exports_selected_records_with_the_action(client, personas):
    records = write_records(3)
    browser = admin_client(client, personas.audit_admin)

    response = browser.post(
        LIST,
        {"action": "export_selected", "_selected_action": [records[0].pk, records[2].pk]},
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [str(records[0].seq), str(records[2].seq)]


def test_it_lists_checkpoints_with_their_signature_state(client, personas):
    write_records(1)
    write_checkpoint(at=timezone.now())
    browser = admin_client(client, personas.audit_admin)

    page = browser.get(CHECKPOINTS).content.decode()

    assert "签名有效" in page
    assert 'alt="True"' in page


@pytest.mark.parametrize(
    "persona", ["system_admin", "security_admin", "handler", "supervisor", "department_head"]
)
def test_it_forbids_every_other_role(client, personas, persona):
    record = write_records(1)[0]
    browser = admin_client(client, getattr(personas, persona))

    urls = [LIST, VERIFY, CHECKPOINTS, reverse("admin:audit_auditrecord_change", args=[record.pk])]
    for url in urls:
        response = browser.get(url)
        # Roles without any admin module are sent to the login page; the others get 403.
        assert response.status_code in (302, 403), url
        if persona in ("system_admin", "security_admin"):
            assert response.status_code == 403, url
    assert browser.post(VERIFY).status_code in (302, 403)
    assert browser.post(EXPORT).status_code in (302, 403)
    assert not AuditRecord.objects.filter(action__in=["audit.verify", "audit.export"]).exists()
