"""Printing the four notices in the four formats, from the case page and the API."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord

KINDS = ("acceptance", "rejection", "supplement", "completion")


def _url(case, kind, fmt):
    return reverse("documents:notice", args=[case.number, kind, fmt])


def _docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _xlsx_values(content: bytes) -> list:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    return [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]


@pytest.mark.parametrize("kind", KINDS)
def test_it_prints_each_notice_as_html_with_the_qr_code(client, personas, notice_cases, kind):
    case = notice_cases[kind]
    log_in(client, personas.handler)
    response = client.get(_url(case, kind, "html"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert case.number in html and case.item_name in html
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', html)
    assert "0938-8211234" in html  # the department's phone
    assert "食品经营许可申请书" in html or "申请人身份证明" in html  # the material list
    assert AuditRecord.objects.filter(
        action="notice.print", object_id=str(case.pk), message=f"{kind} html"
    ).exists()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
@pytest.mark.parametrize("kind", KINDS)
def test_it_prints_each_notice_as_pdf_with_chinese_text(client, personas, notice_cases, kind):
    case = notice_cases[kind]
    log_in(client, personas.handler)
    response = client.get(_url(case, kind, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    # pdftotext may break a long line; compare without whitespace.
    flat = re.sub(r"\s+", "", text)
    assert case.item_name in flat
    assert case.number in flat


@pytest.mark.parametrize("kind", KINDS)
def test_it_prints_each_notice_as_word(client, personas, notice_cases, kind):
    case = notice_cases[kind]
    log_in(client, personas.handler)
    response = client.get(_url(case, kind, "docx"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = _docx_text(response.content)
    assert case.number in text and case.item_name in text
    assert case.received_on.isoformat() in text
    if case.accepted_on:
        assert case.accepted_on.isoformat() in text
    if case.deadline:
        assert case.deadline.isoformat() in text
    assert "{{" not in text and "{%" not in text  # every placeholder was filled


@pytest.mark.parametrize("kind", KINDS)
def test_it_prints_each_notice_as_excel(client, personas, notice_cases, kind):
    case = notice_cases[kind]
    log_in(client, personas.handler)
    response = client.get(_url(case, kind, "xlsx"))
    assert response.status_code == 200
    values = _xlsx_values(response.content)
    assert case.number in values and case.item_name in values
    assert "0938-8211234" in values


def test_it_puts_the_kind_specific_fields_on_the_notices(client, personas, notice_cases):
    log_in(client, personas.handler)
    rejected = client.get(_url(notice_cases["rejection"], "rejection", "docx"))
    assert "申请事项不属于本机关职权范围" in _docx_text(rejected.content)
    supplement = client.get(_url(notice_cases["supplement"], "supplement", "xlsx"))
    assert "营业执照复印件（加盖公章）" in _xlsx_values(supplement.content)
    completed = client.get(_url(notice_cases["completion"], "completion", "html"))
    assert "MC2026000123" in completed.content.decode()


def test_it_shows_the_printable_notices_on_the_case_page(client, personas, notice_cases):
    log_in(client, personas.handler)
    page = client.get(reverse("cases:detail", args=[notice_cases["acceptance"].number]))
    html = page.content.decode()
    assert 'data-notice="acceptance"' in html
    assert 'data-notice="completion"' not in html
    assert _url(notice_cases["acceptance"], "acceptance", "pdf") in html
    completed = client.get(reverse("cases:detail", args=[notice_cases["completion"].number]))
    assert 'data-notice="completion"' in completed.content.decode()


def test_it_refuses_a_notice_the_case_cannot_print(client, personas, notice_cases):
    case = notice_cases["acceptance"]
    log_in(client, personas.handler)
    page = client.get(_url(case, "completion", "pdf"))
    assert page.status_code == 302
    assert page["Location"] == reverse("cases:detail", args=[case.number])
    api = client.get(f"/api/v1/documents/cases/{case.number}/notices/completion?format=pdf")
    assert api.status_code == 409
    assert api.json()["code"] == "action_not_allowed"
    rejection = client.get(f"/api/v1/documents/cases/{case.number}/notices/rejection")
    assert rejection.status_code == 409
    assert not AuditRecord.objects.filter(action="notice.print").exists()


def test_it_hides_the_notices_of_a_case_out_of_scope(client, personas, notice_cases):
    case = notice_cases["acceptance"]
    log_in(client, personas.outsider)
    assert client.get(_url(case, "acceptance", "html")).status_code in (403, 404)
    api = client.get(f"/api/v1/documents/cases/{case.number}/notices/acceptance?format=html")
    assert api.status_code == 404
    assert not AuditRecord.objects.filter(action="notice.print").exists()


def test_it_prints_through_the_api(client, personas, notice_cases):
    case = notice_cases["supplement"]
    log_in(client, personas.window_clerk)
    listing = client.get(f"/api/v1/documents/cases/{case.number}/notices")
    assert listing.status_code == 200
    assert [n["kind"] for n in listing.json()] == ["supplement"]
    url = listing.json()[0]["formats"]["docx"]
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert case.number in _docx_text(response.content)
    record = AuditRecord.objects.get(action="notice.print", object_id=str(case.pk))
    assert record.actor_id == personas.window_clerk.pk
    assert record.message == "supplement docx"
