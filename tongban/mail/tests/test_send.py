"""Sending: a mail to a department reaches each member once, however often they are
addressed, with one stored copy of each attachment."""

from __future__ import annotations

import pytest

from tongban.accounts.models import Role
from tongban.accounts.roles import RoleCode
from tongban.audit.models import AuditRecord
from tongban.core.errors import ValidationFailed
from tongban.core.models import StoredFile
from tongban.mail import services
from tongban.mail.models import BoxKind, Folder, Mailbox, Message, MessageAttachment

from .conftest import AT, pdf_upload

pytestmark = pytest.mark.django_db


def test_it_reaches_each_department_member_once_with_one_stored_copy(personas, media):
    p = personas
    handler_role = Role.objects.get(code=RoleCode.HANDLER)
    mail = services.send_message(
        actor=p.supervisor,
        at=AT,
        subject="关于报送一季度办件情况的通知",
        body_html="<p>请各位于三月底前报送。</p>",
        # The handler is addressed three ways: by department, directly and by role;
        # the section head also in Cc.
        to=[f"d:{p.org.market.pk}", f"u:{p.handler.pk}", f"r:{handler_role.pk}"],
        cc=[f"u:{p.section_head.pk}"],
        uploads=[pdf_upload("附件一.pdf"), pdf_upload("附件二.pdf", marker=b"second")],
    )

    inbox = Mailbox.objects.filter(message=mail, folder=Folder.INBOX)
    reached = sorted(inbox.values_list("user__username", flat=True))
    # Every market member (sections included) and, through the role, the other
    # department's handler — each exactly once.
    assert reached == ["clerk", "handler", "head", "outsider", "sectionhead"]
    assert inbox.get(user=p.section_head).kind == BoxKind.TO  # To wins over Cc
    assert Message.objects.count() == 1
    assert MessageAttachment.objects.filter(message=mail).count() == 2
    assert StoredFile.objects.count() == 2
    sent = Mailbox.objects.get(message=mail, user=p.supervisor)
    assert (sent.kind, sent.folder) == (BoxKind.SENDER, Folder.SENT)
    record = AuditRecord.objects.get(action="mail.send")
    assert record.after["recipients"] == 5

    # The same file sent again is still one stored file.
    services.send_message(
        actor=p.handler,
        at=AT,
        subject="转发",
        to=[f"u:{p.department_head.pk}"],
        uploads=[pdf_upload("again.pdf")],
    )
    assert StoredFile.objects.count() == 2
    assert MessageAttachment.objects.count() == 3


def test_it_refuses_a_mail_without_recipient_or_subject_naming_the_field(personas, media):
    with pytest.raises(ValidationFailed) as refused:
        services.send_message(actor=personas.handler, at=AT, subject="无收件人", to=[])
    assert "to" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        services.send_message(
            actor=personas.handler, at=AT, subject=" ", to=[f"u:{personas.outsider.pk}"]
        )
    assert "subject" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        services.send_message(actor=personas.handler, at=AT, subject="x", to=["u:999999"])
    assert "to" in refused.value.fields
    assert Message.objects.count() == 0


def test_it_refuses_a_disallowed_attachment_type(personas, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("run.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationFailed) as refused:
        services.send_message(
            actor=personas.handler,
            at=AT,
            subject="x",
            to=[f"u:{personas.outsider.pk}"],
            uploads=[fake],
        )
    assert "attachments" in refused.value.fields
    assert Message.objects.count() == 0


def test_it_keeps_a_draft_and_sends_it_later(personas, media):
    p = personas
    draft = services.save_draft(
        actor=p.handler,
        at=AT,
        subject="草稿",
        body_html="<p>未完成</p>",
        to=[f"u:{p.outsider.pk}"],
        uploads=[pdf_upload()],
    )
    box = Mailbox.objects.get(message=draft)
    assert box.folder == Folder.DRAFTS and draft.sent_at is None
    assert not Mailbox.objects.filter(user=p.outsider).exists()

    attachment = draft.attachments.get()
    services.send_message(
        actor=p.handler,
        at=AT,
        subject="定稿",
        body_html="<p>完成</p>",
        to=[f"u:{p.outsider.pk}"],
        draft=draft,
        remove_attachments=[attachment.pk],
    )
    draft.refresh_from_db()
    box.refresh_from_db()
    assert draft.subject == "定稿" and draft.sent_at == AT
    assert box.folder == Folder.SENT
    assert draft.attachments.count() == 0
    assert Mailbox.objects.get(user=p.outsider).message == draft
