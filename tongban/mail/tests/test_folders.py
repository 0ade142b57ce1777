"""Folders: read state, trash, restore, emptying the trash, search."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.accounts.testing import log_in
from tongban.core.models import StoredFile
from tongban.mail import selectors, services
from tongban.mail.models import Folder, InlineImage, Mailbox, Message

from .conftest import AT, pdf_upload, png_bytes

pytestmark = pytest.mark.django_db


def _send(p, subject="例会通知", body="<p>周一上午九点开会</p>", **kwargs):
    return services.send_message(
        actor=p.handler, at=AT, subject=subject, body_html=body, to=[f"u:{p.outsider.pk}"], **kwargs
    )


def test_it_marks_mail_read_when_opened_and_unread_on_request(client, personas, media):
    p = personas
    _send(p)
    box = Mailbox.objects.get(user=p.outsider)
    assert selectors.folder_counts(p.outsider)["inbox"] == 1
    assert selectors.workbench_mail(p.outsider)["unread"] == 1

    log_in(client, p.outsider)
    page = client.get(f"/office/mail/{box.pk}/")
    assert "周一上午九点开会" in page.content.decode()
    box.refresh_from_db()
    assert box.read_at is not None
    assert selectors.workbench_mail(p.outsider) == {"unread": 0, "latest": []}

    client.post(f"/office/mail/{box.pk}/unread/")
    box.refresh_from_db()
    assert box.read_at is None


def test_it_moves_to_trash_restores_and_empties(client, personas, media):
    p = personas
    mail = _send(p, uploads=[pdf_upload()])
    box = Mailbox.objects.get(user=p.outsider)
    log_in(client, p.outsider)

    client.post("/office/mail/bulk/", {"op": "trash", "box": [box.pk]})
    box.refresh_from_db()
    assert (box.folder, box.previous_folder) == (Folder.TRASH, Folder.INBOX)
    assert not selectors.folder_rows(p.outsider, Folder.INBOX).exists()
    trash = client.get("/office/mail/folder/trash/").content.decode()
    assert "例会通知" in trash

    client.post("/office/mail/bulk/", {"op": "restore", "box": [box.pk]})
    box.refresh_from_db()
    assert box.folder == Folder.INBOX

    client.post(f"/office/mail/{box.pk}/trash/")
    client.post("/office/mail/trash/empty/")
    box.refresh_from_db()
    assert box.deleted_at is not None
    assert client.get(f"/office/mail/{box.pk}/").status_code == 404
    # The sender still has the mail and its attachment.
    assert Message.objects.filter(pk=mail.pk).exists()
    assert StoredFile.objects.count() == 1

    # When the sender empties it too, the mail is gone, and so is a file nothing else uses.
    sent = Mailbox.objects.get(user=p.handler, message=mail)
    services.move_to_trash(actor=p.handler, at=AT, box_ids=[sent.pk])
    services.empty_trash(actor=p.handler, at=AT)
    assert not Message.objects.filter(pk=mail.pk).exists()
    assert StoredFile.objects.count() == 0


def test_emptying_keeps_a_file_another_mail_still_uses(personas, media):
    p = personas
    first = _send(p, subject="一", uploads=[pdf_upload()])
    _send(p, subject="二", uploads=[pdf_upload("同一文件.pdf")])
    for user in (p.handler, p.outsider):
        rows = Mailbox.objects.filter(user=user, message=first)
        services.move_to_trash(actor=user, at=AT, box_ids=rows.values_list("pk", flat=True))
        services.empty_trash(actor=user, at=AT)
    assert not Message.objects.filter(pk=first.pk).exists()
    assert StoredFile.objects.count() == 1


def test_it_searches_subject_body_and_sender(client, personas, media):
    p = personas
    _send(p, subject="安全生产检查", body="<p>请准备台账</p>")
    services.send_message(
        actor=p.department_head,
        at=AT,
        subject="周报",
        body_html="<p>无</p>",
        to=[f"u:{p.outsider.pk}"],
    )
    inbox = lambda q: [  # noqa: E731
        r.message.subject for r in selectors.folder_rows(p.outsider, Folder.INBOX, q)
    ]
    assert inbox("安全") == ["安全生产检查"]
    assert inbox("台账") == ["安全生产检查"]
    assert inbox("张局长") == ["周报"]
    assert inbox("不存在") == []
    log_in(client, p.outsider)
    page = client.get("/office/mail/", {"q": "台账"}).content.decode()
    assert "安全生产检查" in page and "周报" not in page


def test_the_workbench_card_shows_unread_mail(personas, media, rf):
    from django.template.loader import render_to_string

    p = personas
    _send(p, subject="请阅：会议纪要")
    html = render_to_string(
        "mail/_workbench_panel.html", {"mail": selectors.workbench_mail(p.outsider)}
    )
    assert 'id="panel-mail"' in html and "请阅：会议纪要" in html


def test_images_no_mail_shows_are_removed_a_day_later_with_their_files(
    personas, media, django_capture_on_commit_callbacks
):
    p = personas
    used = services.upload_image(
        actor=p.handler, at=AT, upload=SimpleUploadedFile("used.png", png_bytes(rgb=(9, 9, 9)))
    )
    dropped = services.upload_image(
        actor=p.handler, at=AT, upload=SimpleUploadedFile("gone.png", png_bytes(rgb=(7, 7, 7)))
    )
    services.send_message(
        actor=p.handler,
        at=AT,
        subject="附图",
        body_html=f'<p><img src="/office/mail/images/{used.pk}/"></p>',
        to=[f"u:{p.outsider.pk}"],
    )
    dropped_file = Path(django_settings.MEDIA_ROOT) / dropped.file.storage_name

    assert services.purge_unused_images(at=AT + dt.timedelta(hours=23)) == 0  # still fresh
    with django_capture_on_commit_callbacks(execute=True):  # the file goes after commit
        assert services.purge_unused_images(at=AT + dt.timedelta(days=1, minutes=1)) == 1

    assert list(InlineImage.objects.all()) == [used]
    assert not StoredFile.objects.filter(pk=dropped.file_id).exists()
    assert not dropped_file.exists()
    assert StoredFile.objects.filter(pk=used.file_id).exists()
