"""Writes of the documents app: saving a notice template (test-rendered first, so a
broken one never replaces the version in use) and printing a notice (audited)."""

from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.accounts.roles import Module
from tongban.audit.services import record_event
from tongban.cases.models import Case
from tongban.core.clock import local_date
from tongban.core.errors import PermissionDenied, ValidationFailed

from . import notices
from .models import NoticeKind, NoticeTemplate

logger = logging.getLogger(__name__)

MAX_HTML = 100_000
MAX_DOCX = 2 * 1024 * 1024


def _require_system(actor: User | None) -> None:
    if actor is None:
        return  # the system itself (migrations, demo data)
    from tongban.accounts.selectors import user_modules

    if not (actor.is_active and Module.SYSTEM in user_modules(actor)):
        raise PermissionDenied()


def _check_docx(data: bytes) -> None:
    if len(data) > MAX_DOCX:
        message = _("The Word template is larger than 2 MB.")
        raise ValidationFailed(message, fields={"docx_file": [message]})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError) as exc:
        message = _("This is not a Word (.docx) document.")
        raise ValidationFailed(message, fields={"docx_file": [message]}) from exc


@transaction.atomic
def save_notice_template(
    *,
    actor: User | None,
    kind: str,
    html: str,
    docx: bytes | None = None,
    docx_name: str = "",
    keep_docx: bool = True,
    at: dt.datetime,
) -> NoticeTemplate:
    """Save a new version of ``kind``'s template and put it in use.

    Both templates are rendered against the sample case first: a syntax error, an
    unknown filter or field, or a sandbox violation is refused with the message of
    the error, and nothing is written — the previous version stays in use.
    ``docx=None`` with ``keep_docx`` carries the current Word template over."""
    _require_system(actor)
    if kind not in NoticeKind.values:
        message = _("Unknown notice kind.")
        raise ValidationFailed(message, fields={"kind": [message]})
    html = (html or "").strip()
    if not html:
        message = _("The HTML template is empty.")
        raise ValidationFailed(message, fields={"html": [message]})
    if len(html) > MAX_HTML:
        message = _("The HTML template is too long.")
        raise ValidationFailed(message, fields={"html": [message]})
    current = NoticeTemplate.objects.in_use(kind)
    if docx is None and keep_docx and current is not None and current.docx:
        docx, docx_name = bytes(current.docx), current.docx_name
    sample = notices.sample_context(kind)
    notices.render_body(html, sample)
    if docx:
        _check_docx(docx)
        notices.docx_bytes(docx, sample)
    # Lock the kind's rows: two administrators saving at once get consecutive versions.
    rows = NoticeTemplate.objects.select_for_update().filter(kind=kind)
    last = rows.aggregate(last=Max("version"))["last"] or 0
    rows.filter(is_active=True).update(is_active=False)
    template = NoticeTemplate.objects.create(
        kind=kind,
        html=html,
        docx=docx or None,
        docx_name=docx_name[:200] if docx else "",
        version=last + 1,
        is_active=True,
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="notice_template.save",
        obj=template,
        after={"kind": kind, "version": template.version, "docx": bool(docx)},
        at=at,
    )
    return template


@transaction.atomic
def restore_default(*, actor: User | None, kind: str, at: dt.datetime) -> None:
    """Stop using the administrators' versions of ``kind``: the built-in one applies."""
    _require_system(actor)
    changed = NoticeTemplate.objects.filter(kind=kind, is_active=True).update(is_active=False)
    record_event(
        actor=actor,
        action="notice_template.restore_default",
        object_type="documents.noticetemplate",
        object_id=kind,
        after={"kind": kind, "deactivated": changed},
        at=at,
    )


def _body(kind: str, context: Mapping[str, Any]) -> str:
    """The HTML body from the template in use. Test-rendering at save time cannot
    foresee every case's data; a version that fails on a real case falls back to the
    built-in template (and says so in the log) rather than leave the applicant
    without a notice."""
    template = NoticeTemplate.objects.in_use(kind)
    if template is not None:
        try:
            return notices.render_body(template.html, context)
        except notices.TemplateBroken as exc:
            logger.warning("notice template %s failed, using the default: %s", template, exc)
    return notices.render_body(notices.default_html(kind), context)


def _docx(kind: str, context: Mapping[str, Any]) -> bytes:
    template = NoticeTemplate.objects.in_use(kind)
    if template is not None and template.docx:
        try:
            return notices.docx_bytes(bytes(template.docx), context)
        except notices.TemplateBroken as exc:
            logger.warning("Word template %s failed, using the default: %s", template, exc)
    return notices.docx_bytes(None, context)


def render_notice(
    case: Case, kind: str, fmt: str, *, issued_on: dt.date, base_url: str
) -> notices.Rendered:
    """The notice in ``fmt``; refuses a kind the case cannot print (no audit)."""
    notices.check_printable(case, kind, fmt)
    context = notices.notice_context(case, kind, issued_on=issued_on, base_url=base_url)
    filename = f"{case.number}-{kind}.{fmt}"
    if fmt == "docx":
        content = _docx(kind, context)
    elif fmt == "xlsx":
        content = notices.xlsx_bytes(context)
    else:
        document = notices.html_document(_body(kind, context), context, for_pdf=fmt == "pdf")
        content = notices.pdf_bytes(document) if fmt == "pdf" else document.encode("utf-8")
    return notices.Rendered(content, notices.CONTENT_TYPES[fmt], filename)


def print_notice(
    *, actor: User, case: Case, kind: str, fmt: str, at: dt.datetime, base_url: str
) -> notices.Rendered:
    """Print ``case``'s notice of ``kind``: rendered, and recorded in the audit log
    (who printed which notice of which case, in which format)."""
    rendered = render_notice(case, kind, fmt, issued_on=local_date(at), base_url=base_url)
    record_event(
        actor=actor,
        action="notice.print",
        obj=case,
        at=at,
        message=f"{kind} {fmt}",
        after={"kind": kind, "format": fmt},
    )
    return rendered
