"""Attachments: checked, stored once by content, downloaded only through access."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.accounts.testing import log_in
from tongban.bulletin.models import AudienceKind
from tongban.core.errors import ValidationFailed
from tongban.core.models import StoredFile

PDF = b"%PDF-1.4\n1 0 obj<</Type/Pages/Count 1>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name="方案.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_it_stores_the_same_file_once_and_serves_it_with_nosniff(client, personas, publish):
    first = publish("一", attachments=[_pdf()])
    publish("二", attachments=[_pdf("副本.pdf")])
    assert StoredFile.objects.count() == 1
    attachment = first.attachments.get()
    log_in(client, personas.outsider)
    response = client.get(f"/office/bulletin/{first.pk}/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_it_refuses_a_file_whose_content_is_not_what_its_name_says(publish):
    fake = SimpleUploadedFile("通知.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationFailed) as caught:
        publish("坏附件", attachments=[fake])
    assert "attachments" in caught.value.fields
    from tongban.bulletin.models import Announcement

    assert not Announcement.objects.filter(title="坏附件").exists()


def test_it_hides_attachments_from_staff_outside_the_audience(client, personas, publish):
    announcement = publish(
        "市场局内部",
        audience=AudienceKind.DEPARTMENTS,
        departments=[personas.org.market],
        attachments=[_pdf()],
    )
    attachment = announcement.attachments.get()
    log_in(client, personas.outsider)
    assert (
        client.get(f"/office/bulletin/{announcement.pk}/files/{attachment.pk}/").status_code == 404
    )
    assert client.get(f"/office/bulletin/{announcement.pk}/").status_code == 404
    client.logout()
    response = client.get(f"/office/bulletin/{announcement.pk}/files/{attachment.pk}/")
    assert response.status_code == 302  # to the login page
    # not public either
    assert client.get(f"/portal/news/{announcement.pk}/files/{attachment.pk}/").status_code == 404


def test_public_attachments_download_on_the_portal(client, publish):
    announcement = publish(
        "公开附件", category="public", audience=AudienceKind.PUBLIC, attachments=[_pdf()]
    )
    attachment = announcement.attachments.get()
    response = client.get(f"/portal/news/{announcement.pk}/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
