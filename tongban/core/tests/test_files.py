"""Checked uploads: type from content and extension, limits, one copy per content."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.core import files
from tongban.core.errors import ValidationFailed
from tongban.core.models import StoredFile


def minimal_pdf(pages: int = 2) -> bytes:
    """A small but well-formed PDF with ``pages`` empty pages."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>" for _ in range(pages)],
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "申请表"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def test_it_stores_a_pdf_once_with_its_page_count(db):
    first = files.store_upload(
        SimpleUploadedFile("营业执照.pdf", minimal_pdf(3)), allowed=files.DOCUMENTS
    )
    again = files.store_upload(
        SimpleUploadedFile("copy.pdf", minimal_pdf(3)), allowed=files.DOCUMENTS
    )
    assert first.pk == again.pk
    assert StoredFile.objects.count() == 1
    assert first.kind == "pdf" and first.pages == 3
    assert files.read_stored(first) == minimal_pdf(3)
    assert "营业执照" not in first.storage_name  # generated name, not the user's


def test_it_recognises_office_files_by_their_content(db):
    stored = files.store_upload(SimpleUploadedFile("表.xlsx", xlsx_bytes()), allowed=files.FORMS)
    assert stored.kind == "xlsx"
    book = openpyxl.load_workbook(files.open_stored(stored))
    assert book.active["A1"].value == "申请表"


@pytest.mark.parametrize(
    ("name", "content", "allowed", "message"),
    [
        ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100, files.MATERIALS, "内容是 PNG"),
        ("virus.exe", b"MZ\x90\x00" + b"0" * 100, files.MATERIALS, "不接受此类型"),
        ("image.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, files.DOCUMENTS, "不接受此类型"),
        ("empty.pdf", b"", files.DOCUMENTS, "文件为空"),
    ],
)
def test_it_refuses_files_whose_type_is_wrong_naming_the_field(db, name, content, allowed, message):
    with pytest.raises(ValidationFailed) as exc:
        files.store_upload(SimpleUploadedFile(name, content), allowed=allowed, field="doc")
    assert message in exc.value.fields["doc"][0]
    assert not StoredFile.objects.exists()


def test_it_refuses_oversized_files(db):
    with pytest.raises(ValidationFailed) as exc:
        files.store_upload(
            SimpleUploadedFile("big.pdf", minimal_pdf() + b"0" * 2_000_000),
            allowed=files.DOCUMENTS,
            max_size=1024 * 1024,
        )
    assert "1 MB" in exc.value.message


def test_it_refuses_zip_bombs_before_opening_them(db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (files.MAX_ARCHIVE_UNCOMPRESSED + 1))
    with pytest.raises(ValidationFailed) as exc:
        files.store_upload(SimpleUploadedFile("bomb.docx", buffer.getvalue()), allowed=files.FORMS)
    assert "超过" in exc.value.message


def test_it_serves_downloads_as_attachments_that_are_never_sniffed(db):
    stored = files.store_upload(
        SimpleUploadedFile('a"b<c>.pdf', minimal_pdf()), allowed=files.DOCUMENTS
    )
    response = files.file_response(stored)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert '"' not in response["Content-Disposition"].split("filename=")[1].strip('"')
    assert b"".join(response.streaming_content) == minimal_pdf()
