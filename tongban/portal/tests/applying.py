"""Shared by the online-application tests: files of every kind, the item, a citizen
logged in on a test client, and a page post that fills in the whole form."""

from __future__ import annotations

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.cases.testing import PERSON_ID
from tongban.catalog.models import Item

from .catalogue import pdf_bytes


def pdf(name: str = "scan.pdf", text: str = "scan") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def png_bytes() -> bytes:
    """A real 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def exe_named_pdf() -> SimpleUploadedFile:
    # A Windows executable's header, renamed to look like a PDF.
    return SimpleUploadedFile("licence.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)


def png_named_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.pdf", png_bytes())


def materials(item: Item):
    return list(item.materials.order_by("order", "id"))


def form_post(item: Item, *, action: str = "save", key: str = "", **overrides) -> dict:
    """Everything the application page posts, valid unless overridden."""
    data = {
        "action": action,
        "applicant-kind": "person",
        "applicant-name": "张小三",
        "applicant-id_type": "resident_id",
        "applicant-id_number": PERSON_ID,
        "applicant-mobile": "13912341234",
        "applicant-address": "天水市秦州区民主西路1号",
        "applicant-contact_name": "",
        "schema-shop_name": "小三面馆",
        "schema-area": "35",
        "declaration": "1",
    }
    if key:
        data["idempotency_key"] = key
    for name, value in overrides.items():
        data[name.replace("__", "-")] = value
    return {k: v for k, v in data.items() if v is not None}
