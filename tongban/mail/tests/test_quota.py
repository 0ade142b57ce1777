"""Quotas: sending is refused as a whole when the sender's or a recipient's mailbox
would overflow; the system administrator sets per-user quotas."""

from __future__ import annotations

import pytest

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.models import StoredFile
from tongban.mail import selectors, services
from tongban.mail.models import Mailbox, MailQuota, Message

from .conftest import AT, pdf_upload

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def _nothing_written():
    assert Message.objects.count() == 0
    assert Mailbox.objects.count() == 0
    assert StoredFile.objects.count() == 0


def test_it_refuses_when_the_senders_mailbox_would_overflow(personas, media):
    p = personas
    services.set_quota(actor=p.system_admin, at=AT, user=p.handler, limit_mb=1)
    with pytest.raises(ValidationFailed) as refused:
        services.send_message(
            actor=p.handler,
            at=AT,
            subject="大附件",
            to=[f"u:{p.outsider.pk}"],
            uploads=[pdf_upload(size=MB + 10)],
        )
    assert refused.value.code == "quota_exceeded"
    assert "您的邮箱空间不足" in refused.value.message
    _nothing_written()


def test_it_refuses_when_a_recipients_mailbox_would_overflow_naming_them(personas, media):
    p = personas
    services.set_quota(actor=p.system_admin, at=AT, user=p.outsider, limit_mb=1)
    with pytest.raises(ValidationFailed) as refused:
        services.send_message(
            actor=p.handler,
            at=AT,
            subject="大附件",
            to=[f"d:{p.org.land.pk}", f"u:{p.department_head.pk}"],
            uploads=[pdf_upload(size=MB + 10)],
        )
    assert refused.value.code == "quota_exceeded"
    assert "周外部" in refused.value.fields["to"][0]
    _nothing_written()
    # Nobody else got it either: the send is refused as a whole.
    assert not Mailbox.objects.filter(user=p.department_head).exists()


def test_it_counts_each_recipients_copy_and_frees_space_when_emptied(personas, media):
    p = personas
    services.set_quota(actor=p.system_admin, at=AT, user=p.outsider, limit_mb=2)
    services.send_message(
        actor=p.handler,
        at=AT,
        subject="第一封",
        to=[f"u:{p.outsider.pk}"],
        uploads=[pdf_upload(size=MB + 10)],
    )
    usage = selectors.mailbox_usage(p.outsider)
    assert usage.used > MB and usage.limit == 2 * MB and usage.overridden
    with pytest.raises(ValidationFailed):
        services.send_message(
            actor=p.handler,
            at=AT,
            subject="第二封",
            to=[f"u:{p.outsider.pk}"],
            uploads=[pdf_upload(size=MB + 10, marker=b"2")],
        )
    box = Mailbox.objects.get(user=p.outsider)
    services.move_to_trash(actor=p.outsider, at=AT, box_ids=[box.pk])
    services.empty_trash(actor=p.outsider, at=AT)
    assert selectors.mailbox_usage(p.outsider).used == 0
    services.send_message(
        actor=p.handler,
        at=AT,
        subject="第二封",
        to=[f"u:{p.outsider.pk}"],
        uploads=[pdf_upload(size=MB + 10, marker=b"2")],
    )


def test_only_the_system_administrator_sets_quotas_and_it_is_audited(personas):
    p = personas
    for actor in (p.handler, p.department_head, p.security_admin, p.supervisor):
        with pytest.raises(PermissionDenied):
            services.set_quota(actor=actor, at=AT, user=p.handler, limit_mb=500)
    with pytest.raises(ValidationFailed) as refused:
        services.set_quota(actor=p.system_admin, at=AT, user=p.handler, limit_mb=0)
    assert "limit_mb" in refused.value.fields

    services.set_quota(actor=p.system_admin, at=AT, user=p.handler, limit_mb=500)
    assert MailQuota.objects.get(user=p.handler).limit_bytes == 500 * MB
    services.set_quota(actor=p.system_admin, at=AT, user=p.handler, limit_mb=None)
    assert not MailQuota.objects.filter(user=p.handler).exists()
    assert selectors.mailbox_usage(p.handler).limit == 200 * MB
    records = AuditRecord.objects.filter(action="mail.quota").order_by("seq")
    assert [r.after["limit_bytes"] for r in records] == [500 * MB, None]


def test_the_quota_page_is_for_the_system_administrator(client, personas):
    p = personas
    log_in(client, p.handler)
    assert client.get("/office/mail/quotas/").status_code == 403
    assert (
        client.post(f"/office/mail/quotas/{p.handler.pk}/", {"limit_mb": "900"}).status_code == 403
    )
    assert not MailQuota.objects.exists()

    log_in(client, p.system_admin)
    page = client.get("/office/mail/quotas/", {"q": "李承办"})
    assert page.status_code == 200
    assert "李承办" in page.content.decode()
    response = client.post(f"/office/mail/quotas/{p.handler.pk}/", {"limit_mb": "abc"}, follow=True)
    assert "whole number of MB" in response.content.decode() or "整数" in response.content.decode()
    assert not MailQuota.objects.exists()
    client.post(f"/office/mail/quotas/{p.handler.pk}/", {"limit_mb": "300"})
    assert MailQuota.objects.get(user=p.handler).limit_mb == 300
