"""Administrators' notice templates: saved only when they render in the sandbox, used
for printing, previewed against a sample case, and listed with their fields."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.core.errors import PermissionDenied
from tongban.documents import notices, services
from tongban.documents.models import NoticeTemplate

GOOD = "<h1>{{ title }}</h1><p id='custom'>定制 {{ case_number }} {{ item_name }}</p>"


def _html(client, case, kind="acceptance") -> str:
    url = reverse("documents:notice", args=[case.number, kind, "html"])
    return client.get(url).content.decode()


def test_it_prints_with_the_saved_template(client, personas, notice_cases):
    template = services.save_notice_template(
        actor=personas.system_admin, kind="acceptance", html=GOOD, at=timezone.now()
    )
    assert template.version == 1 and template.is_active
    assert AuditRecord.objects.filter(action="notice_template.save").exists()
    log_in(client, personas.handler)
    html = _html(client, notice_cases["acceptance"])
    assert "id='custom'" in html and notice_cases["acceptance"].number in html


@pytest.mark.parametrize(
    "broken",
    [
        "{{ settings }}",  # not a field: no way to read the settings
        "{{ settings.SECRET_KEY }}",
        "{{ ().__class__ }}",  # the sandbox refuses dunder attributes
        "{{ ().__class__.__base__.__subclasses__() }}",
        "{{ case_number|attr('__class__') }}",
        "{{ range.__globals__ }}",
        "{% for m in materials %}{{ m.name }}",  # syntax: unclosed block
        "{{ case_number|no_such_filter }}",
        "{{ item_name.format_map }}{{ lipsum() }}",
    ],
)
def test_it_refuses_a_broken_or_unsafe_template_and_keeps_the_previous(
    client, personas, notice_cases, broken
):
    services.save_notice_template(
        actor=personas.system_admin, kind="acceptance", html=GOOD, at=timezone.now()
    )
    with pytest.raises(notices.TemplateBroken) as refused:
        services.save_notice_template(
            actor=personas.system_admin, kind="acceptance", html=broken, at=timezone.now()
        )
    assert "html" in refused.value.fields
    assert str(refused.value.message)  # says why
    in_use = NoticeTemplate.objects.in_use("acceptance")
    assert in_use.version == 1 and in_use.html == GOOD
    assert NoticeTemplate.objects.count() == 1
    log_in(client, personas.handler)
    assert "id='custom'" in _html(client, notice_cases["acceptance"])


def test_it_escapes_values_in_the_html_template(db):
    context = notices.sample_context("acceptance")
    context["item_name"] = "<script>alert(1)</script>"
    body = notices.render_body("<p>{{ item_name }}</p>", context)
    assert "<script>" not in body and "&lt;script&gt;" in body


def test_it_lets_only_system_administrators_save_templates(personas):
    with pytest.raises(PermissionDenied):
        services.save_notice_template(
            actor=personas.handler, kind="acceptance", html=GOOD, at=timezone.now()
        )
    assert not NoticeTemplate.objects.exists()


def test_it_uses_an_uploaded_word_template(client, personas, notice_cases):
    from docx import Document

    source = Document()
    source.add_paragraph("自定义 Word：{{ case_number }} / {{ item_name }} / {{ due_date }}")
    buffer = io.BytesIO()
    source.save(buffer)
    services.save_notice_template(
        actor=personas.system_admin,
        kind="acceptance",
        html=GOOD,
        docx=buffer.getvalue(),
        docx_name="acceptance.docx",
        at=timezone.now(),
    )
    case = notice_cases["acceptance"]
    log_in(client, personas.handler)
    content = client.get(reverse("documents:notice", args=[case.number, "acceptance", "docx"]))
    text = "\n".join(p.text for p in Document(io.BytesIO(content.content)).paragraphs)
    assert f"自定义 Word：{case.number} / {case.item_name} / {case.deadline.isoformat()}" in text


@pytest.mark.parametrize(
    "placeholder",
    [
        "{{ settings }}",
        "{{ qr_image.__class__ }}",
        # The QR image is the one object in the Word context: none of its attributes
        # (its DocxTemplate, whose save() writes files) is reachable.
        "{{ qr_image.tpl }}",
        "{{ qr_image.tpl.save('/tmp/x.docx') }}",
        "{% if %}",
    ],
)
def test_it_refuses_an_unsafe_word_template(personas, placeholder):
    from docx import Document

    source = Document()
    source.add_paragraph(placeholder)
    buffer = io.BytesIO()
    source.save(buffer)
    with pytest.raises(notices.TemplateBroken) as refused:
        services.save_notice_template(
            actor=personas.system_admin,
            kind="acceptance",
            html=GOOD,
            docx=buffer.getvalue(),
            at=timezone.now(),
        )
    assert "docx_file" in refused.value.fields
    assert not NoticeTemplate.objects.exists()


def test_it_refuses_a_file_that_is_not_a_word_document(personas):
    with pytest.raises(Exception) as not_docx:
        services.save_notice_template(
            actor=personas.system_admin,
            kind="acceptance",
            html=GOOD,
            docx=b"not a zip",
            at=timezone.now(),
        )
    assert "docx_file" in not_docx.value.fields
    assert not NoticeTemplate.objects.exists()


def test_it_previews_a_template_against_the_sample_case(client, personas):
    log_in(client, personas.system_admin)
    url = reverse("admin:documents_noticetemplate_preview")
    ok = client.post(url, {"kind": "completion", "html": GOOD})
    assert ok.status_code == 200
    assert "SCJG-2026-000001" in ok.content.decode()
    broken = client.post(url, {"kind": "completion", "html": "{% if %}"})
    assert broken.status_code == 422
    assert 'id="preview-error"' in broken.content.decode()
    assert "line 1" in broken.content.decode() or "行" in broken.content.decode()
    unsafe = client.post(url, {"kind": "completion", "html": "{{ ().__class__ }}"})
    assert unsafe.status_code == 422
    assert "unsafe" in unsafe.content.decode()
    assert not NoticeTemplate.objects.exists()


def test_it_lists_the_fields_and_refuses_a_broken_template_in_the_admin(client, personas):
    log_in(client, personas.system_admin)
    add = reverse("admin:documents_noticetemplate_add")
    form = client.get(add)
    assert form.status_code == 200
    html = form.content.decode()
    assert 'id="notice-fields"' in html and "{{ department_phone }}" in html
    assert 'id="notice-preview"' in html
    saved = client.post(add, {"kind": "supplement", "html": GOOD})
    assert saved.status_code == 302
    refused = client.post(add, {"kind": "supplement", "html": "{{ settings }}"})
    assert refused.status_code == 200
    assert "errorlist" in refused.content.decode()
    assert list(NoticeTemplate.objects.values_list("kind", "version", "is_active")) == [
        ("supplement", 1, True)
    ]


def test_it_keeps_the_admin_away_from_other_staff(client, personas):
    log_in(client, personas.handler)
    url = reverse("admin:documents_noticetemplate_preview")
    assert client.post(url, {"kind": "acceptance", "html": GOOD}).status_code in (302, 403)


def test_it_restores_the_built_in_template(client, personas, notice_cases):
    services.save_notice_template(
        actor=personas.system_admin, kind="acceptance", html=GOOD, at=timezone.now()
    )
    services.restore_default(actor=personas.system_admin, kind="acceptance", at=timezone.now())
    assert NoticeTemplate.objects.in_use("acceptance") is None
    log_in(client, personas.handler)
    assert "id='custom'" not in _html(client, notice_cases["acceptance"])
