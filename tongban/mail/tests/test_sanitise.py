"""Mail bodies are sanitised on the server: scripts, event handlers and javascript:
links are removed; images are only our own, checked inline images."""

from __future__ import annotations

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.accounts.testing import log_in
from tongban.mail import services
from tongban.mail.models import InlineImage, Mailbox

from .conftest import AT, png_bytes

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<p>你好<script>alert("x")</script></p>'
    '<img src="x" onerror="alert(1)">'
    '<p onclick="steal()"><a href="javascript:alert(2)">点这里</a>'
    '<a href="https://www.tianshui.gov.cn/">市政府</a></p>'
    '<img src="https://evil.example/track.png">'
    '<iframe src="https://evil.example/"></iframe>'
)


def test_it_removes_scripts_event_handlers_and_javascript_links(client, personas, media):
    p = personas
    mail = services.send_message(
        actor=p.handler, at=AT, subject="检查", body_html=HOSTILE, to=[f"u:{p.outsider.pk}"]
    )
    body = mail.body_html
    for bad in ("<script", "alert", "onerror", "onclick", "javascript:", "evil.example", "iframe"):
        assert bad not in body
    assert "你好" in body and 'href="https://www.tianshui.gov.cn/"' in body

    log_in(client, p.outsider)
    box = Mailbox.objects.get(user=p.outsider)
    page = client.get(f"/office/mail/{box.pk}/").content.decode()
    assert 'onerror="alert(1)"' not in page and "javascript:alert" not in page
    assert "市政府" in page


def test_it_stores_pasted_data_images_and_drops_foreign_ones(personas, media):
    p = personas
    # An image of somebody else's that the writer has never seen cannot be used.
    foreign = services.upload_image(
        actor=p.department_head,
        at=AT,
        upload=SimpleUploadedFile("a.png", png_bytes(rgb=(1, 2, 3))),
    )
    data_url = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    mail = services.send_message(
        actor=p.handler,
        at=AT,
        subject="图片",
        body_html=(
            f'<p><img src="{data_url}"></p>'
            f'<p><img src="/office/mail/images/{foreign.pk}/"></p>'
            '<p><img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="></p>'
        ),
        to=[f"u:{p.outsider.pk}"],
    )
    stored = InlineImage.objects.get(uploaded_by=p.handler)
    assert f'src="/office/mail/images/{stored.pk}/"' in mail.body_html
    assert str(foreign.pk) not in mail.body_html
    assert "data:" not in mail.body_html
    assert list(mail.images.all()) == [stored]
    # The image weighs on the quota like an attachment.
    assert mail.size_bytes >= len(png_bytes())


def test_the_image_upload_accepts_png_and_jpeg_only(client, personas, media):
    log_in(client, personas.handler)
    ok = client.post("/office/mail/images/", {"image": SimpleUploadedFile("a.png", png_bytes())})
    assert ok.status_code == 201
    assert ok.json()["url"].startswith("/office/mail/images/")
    refused = client.post(
        "/office/mail/images/",
        {"image": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")},
    )
    assert refused.status_code == 422
    assert refused.json()["fields"]["image"]
