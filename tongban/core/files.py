"""Checked uploads (security.md "Attachments").

- the type is sniffed from the content (magic bytes) AND taken from the extension;
  both must agree and be allowed for the purpose;
- sizes are capped; ZIP-based formats (DOCX, XLSX, OFD) are checked for entry count
  and uncompressed size before anything opens them (zip bombs);
- content is stored once, under a generated name outside any web root, keyed by its
  SHA-256 (the same attachment sent to a thousand recipients is one file);
- downloads are attachments with ``nosniff`` and a safe file name.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, NoReturn

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from .errors import ValidationFailed
from .models import StoredFile

MB = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    code: str
    extensions: tuple[str, ...]
    content_type: str


KINDS = {
    k.code: k
    for k in [
        FileKind("pdf", (".pdf",), "application/pdf"),
        FileKind("jpeg", (".jpg", ".jpeg"), "image/jpeg"),
        FileKind("png", (".png",), "image/png"),
        FileKind("ofd", (".ofd",), "application/ofd"),
        FileKind(
            "docx",
            (".docx",),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        FileKind(
            "xlsx",
            (".xlsx",),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        FileKind("doc", (".doc", ".xls"), "application/msword"),
    ]
}

# Purposes and the kinds they accept.
DOCUMENTS = frozenset({"pdf", "docx", "doc", "ofd"})
FORMS = frozenset({"pdf", "docx", "xlsx", "doc", "ofd"})
MATERIALS = frozenset({"pdf", "jpeg", "png", "ofd", "docx", "xlsx"})

MAX_ARCHIVE_ENTRIES = 2000
MAX_ARCHIVE_UNCOMPRESSED = 200 * MB


def sniff(head: bytes, data_for_zip: BinaryIO | None = None) -> str | None:
    """The kind of a file from its first bytes (and, for ZIP containers, its
    directory). ``None`` when unknown."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith(b"PK\x03\x04") and data_for_zip is not None:
        return _zip_kind(data_for_zip)
    return None


def _zip_kind(fileobj: BinaryIO) -> str | None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ARCHIVE_ENTRIES:
                raise ValidationFailed(
                    _("The file contains too many parts to be opened safely."),
                    fields={"file": [_("The file contains too many parts to be opened safely.")]},
                )
            if sum(i.file_size for i in infos) > MAX_ARCHIVE_UNCOMPRESSED:
                raise ValidationFailed(
                    _("The file expands to more than is allowed."),
                    fields={"file": [_("The file expands to more than is allowed.")]},
                )
            names = {i.filename for i in infos}
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return None


def check_upload(
    upload: IO[bytes], *, allowed: frozenset[str], max_size: int = 20 * MB, field: str = "file"
) -> tuple[str, bytes]:
    """Validate an uploaded file; return its kind and content, or raise
    ``ValidationFailed`` naming ``field`` with a message a citizen understands."""

    def refuse(message: str) -> NoReturn:
        raise ValidationFailed(message, fields={field: [message]})

    name = getattr(upload, "name", "") or ""
    size = getattr(upload, "size", None)
    if size is not None and size > max_size:
        refuse(_("The file is larger than %(max)d MB.") % {"max": max_size // MB})
    data = upload.read(max_size + 1)
    if len(data) > max_size:
        refuse(_("The file is larger than %(max)d MB.") % {"max": max_size // MB})
    if not data:
        refuse(_("The file is empty."))
    try:
        kind = sniff(data[:16], io.BytesIO(data))
    except ValidationFailed as exc:
        refuse(str(exc.message))
    allowed_exts = sorted(ext for code in allowed for ext in KINDS[code].extensions)
    if kind is None or kind not in allowed:
        refuse(
            _("This type of file is not accepted. Allowed: %(types)s.")
            % {"types": ", ".join(allowed_exts)}
        )
    extension = Path(name).suffix.lower()
    if extension not in KINDS[kind].extensions:
        refuse(
            _("The file name ends in “%(ext)s” but its content is %(kind)s.")
            % {"ext": extension or "—", "kind": kind.upper()}
        )
    return kind, data


def store_upload(
    upload: IO[bytes], *, allowed: frozenset[str], max_size: int = 20 * MB, field: str = "file"
) -> StoredFile:
    """Check and store an upload; identical content is stored once."""
    kind, data = check_upload(upload, allowed=allowed, max_size=max_size, field=field)
    return store_bytes(data, kind=kind, original_name=getattr(upload, "name", "") or "file")


def store_bytes(data: bytes, *, kind: str, original_name: str) -> StoredFile:
    digest = hashlib.sha256(data).hexdigest()
    existing = StoredFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    storage_name = f"{digest[:2]}/{digest}"
    path = Path(settings.MEDIA_ROOT) / storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    try:
        with transaction.atomic():
            return StoredFile.objects.create(
                sha256=digest,
                size=len(data),
                kind=kind,
                content_type=KINDS[kind].content_type,
                storage_name=storage_name,
                original_name=safe_filename(original_name),
                pages=count_pages(kind, data),
            )
    except IntegrityError:
        # A concurrent upload of the same content won the race; use its row.
        return StoredFile.objects.get(sha256=digest)


def count_pages(kind: str, data: bytes) -> int | None:
    """Page count for PDFs (from the page tree's /Count); images are one page."""
    if kind in {"jpeg", "png"}:
        return 1
    if kind == "pdf":
        counts = [int(m) for m in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
        counts += [int(m) for m in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
        return max(counts) if counts else None
    return None


def open_stored(stored: StoredFile) -> BinaryIO:
    return (Path(settings.MEDIA_ROOT) / stored.storage_name).open("rb")


def read_stored(stored: StoredFile) -> bytes:
    with open_stored(stored) as handle:
        return handle.read()


def file_response(stored: StoredFile, *, filename: str | None = None) -> FileResponse:
    """Serve a stored file as a download (never rendered inline by the browser)."""
    response = FileResponse(
        open_stored(stored),
        as_attachment=True,
        filename=safe_filename(filename or stored.original_name),
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


_UNSAFE = re.compile(r'[\x00-\x1f\\/:*?"<>|]+')


def safe_filename(name: str) -> str:
    name = _UNSAFE.sub("_", Path(name).name).strip(" .") or "file"
    stem, ext = Path(name).stem[:120], Path(name).suffix[:10]
    return f"{stem}{ext}"
