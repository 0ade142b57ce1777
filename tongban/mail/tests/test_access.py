"""Only mailbox owners see a mail, its attachments and its inline images; everybody
else gets the same 404 as for a missing id."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.accounts.testing import log_in
from tongban.mail import services
from tongban.mail.models import Mailbox

from .conftest import AT, pdf_upload, png_bytes

pytestmark = pytest.mark.django_db


def test_a_non_recipient_gets_404_for_the_mail_its_attachment_and_image(client, personas, media):
    p = personas
    image = services.upload_image(
        actor=p.handler, at=AT, upload=SimpleUploadedFile("a.png", png_bytes())
    )
    mail = services.send_message(
        actor=p.handler,
        at=AT,
        subject="内部",
        body_html=f'<p><img src="/office/mail/images/{image.pk}/"></p>',
        to=[f"u:{p.outsider.pk}"],
        uploads=[pdf_upload()],
    )
    box = Mailbox.objects.get(user=p.outsider)
    attachment = mail.attachments.get()
    urls = [
        f"/office/mail/{box.pk}/",
        f"/office/mail/{box.pk}/attachments/{attachment.pk}/",
        f"/office/mail/images/{image.pk}/",
    ]

    log_in(client, p.outsider)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    download = client.get(urls[1])
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert client.get(urls[2])["Content-Type"] == "image/png"

    for other in (p.department_head, p.window_clerk):
        log_in(client, other)
        for url in urls:
            assert client.get(url).status_code == 404, (other, url)
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to the login page


def test_an_emptied_recipient_loses_access_to_the_image(client, personas, media):
    p = personas
    image = services.upload_image(
        actor=p.handler, at=AT, upload=SimpleUploadedFile("a.png", png_bytes())
    )
    services.send_message(
        actor=p.handler,
        at=AT,
        subject="图",
        body_html=f'<img src="/office/mail/images/{image.pk}/">',
        to=[f"u:{p.outsider.pk}"],
    )
    box = Mailbox.objects.get(user=p.outsider)
    services.move_to_trash(actor=p.outsider, at=AT, box_ids=[box.pk])
    services.empty_trash(actor=p.outsider, at=AT)
    log_in(client, p.outsider)
    assert client.get(f"/office/mail/images/{image.pk}/").status_code == 404


def test_compose_refusal_is_shown_on_the_form_naming_the_field(client, personas, media):
    log_in(client, personas.handler)
    response = client.post(
        "/office/mail/compose/",
        {"action": "send", "subject": "", "body": "hello", "to": [f"u:{personas.outsider.pk}"]},
    )
    assert response.status_code == 422
    assert 'id="subject-error"' in response.content.decode()
    assert not Mailbox.objects.exists()
    ok = client.post(
        "/office/mail/compose/",
        {
            "action": "send",
            "subject": "纯文本",
            "body": "第一行\n<b>第二行</b>",
            "to": [f"u:{personas.outsider.pk}"],
        },
    )
    assert ok.status_code == 302
    mail = Mailbox.objects.get(user=personas.outsider).message
    # Without the editor the text is kept as text, markup shown, not interpreted.
    assert "&lt;b&gt;第二行&lt;/b&gt;" in mail.body_html
