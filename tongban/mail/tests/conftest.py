from __future__ import annotations

import datetime as dt
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def pdf_upload(name: str = "通知.pdf", size: int = 0, marker: bytes = b"") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 1 >> endobj\n" + marker
    body += b"%" + b"x" * max(0, size - len(body) - 7) + b"\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png_bytes(width: int = 4, height: int = 3, rgb: tuple = (200, 30, 30)) -> bytes:
    """A real (decodable) PNG, so a browser can show it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT
