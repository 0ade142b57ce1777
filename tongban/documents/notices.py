"""Notices (通知单): what a case can print, the plain data a notice shows, the signed
token of its QR code, and the four renderings (HTML, PDF, Word, Excel).

Safety (issue 6, item 6): an administrator's template is Jinja2 rendered in a
sandbox (``NOTICE_ENV``) with ``StrictUndefined`` — a name that is not one of the
fields (``{{ settings }}``) or an unsafe attribute (``().__class__``) is an error,
not an empty string — and its context holds only plain data (strings, numbers,
lists of dicts), so there is nothing in reach to read settings or run code with.
Every value written to the Excel notice is neutralised against formula injection.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import qrcode
import qrcode.image.svg
from django.core import signing
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, TemplateError
from jinja2.runtime import LoopContext
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from tongban.audit.export import neutralise
from tongban.cases.models import Case, CaseStatus
from tongban.core.errors import ActionNotAllowed, ValidationFailed

from .models import NoticeKind

logger = logging.getLogger(__name__)

TOKEN_SALT = "tongban.notice"  # noqa: S105 - a signing salt, not a secret
FORMATS = ("html", "pdf", "docx", "xlsx")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# The printed titles are part of the official document, not of the interface: they
# stay Chinese whatever the user's language (the wording is the administrator's to
# change, in the template).
TITLES = {
    NoticeKind.ACCEPTANCE: "受理通知书",
    NoticeKind.REJECTION: "不予受理通知书",
    NoticeKind.SUPPLEMENT: "补正告知书",
    NoticeKind.COMPLETION: "办结通知书",
}
STATEMENTS = {
    NoticeKind.ACCEPTANCE: "您提交的申请材料齐全、符合法定形式，本机关决定予以受理，"
    "将在承诺期限内作出决定。",
    NoticeKind.REJECTION: "经审查，您提交的申请不符合受理条件，本机关决定不予受理，理由如下。",
    NoticeKind.SUPPLEMENT: "经审查，您提交的申请材料不齐全或者不符合法定形式，"
    "请按下列要求一次性补正。",
    NoticeKind.COMPLETION: "您申请的事项已办理完毕，办理结果如下。",
}


# --- which notices a case can print ---------------------------------------------------


def _open_supplement(case: Case):
    return case.supplement_requests.filter(fulfilled_at__isnull=True).order_by("-requested_at")


def printable_kinds(case: Case) -> list[str]:
    """The kinds ``case`` can print in its current state."""
    kinds = []
    if case.accepted_on is not None:
        kinds.append(NoticeKind.ACCEPTANCE.value)
    if case.status == CaseStatus.REJECTED:
        kinds.append(NoticeKind.REJECTION.value)
    if case.is_open and _open_supplement(case).exists():
        kinds.append(NoticeKind.SUPPLEMENT.value)
    if case.status == CaseStatus.COMPLETED and case.completed_on is not None:
        kinds.append(NoticeKind.COMPLETION.value)
    return kinds


def check_printable(case: Case, kind: str, fmt: str = "html") -> None:
    if kind not in NoticeKind.values:
        message = _("Unknown notice kind.")
        raise ValidationFailed(message, fields={"kind": [message]})
    if fmt not in FORMATS:
        message = _("Choose one of the formats: html, pdf, docx, xlsx.")
        raise ValidationFailed(message, fields={"format": [message]})
    if kind in printable_kinds(case):
        return
    reasons = {
        NoticeKind.ACCEPTANCE: _("The case has not been accepted: no acceptance notice."),
        NoticeKind.REJECTION: _("The application was not rejected: no rejection notice."),
        NoticeKind.SUPPLEMENT: _("No supplement is awaited: no supplement notice."),
        NoticeKind.COMPLETION: _("The case is not completed: no completion notice."),
    }
    raise ActionNotAllowed(reasons[NoticeKind(kind)])


# --- the signed token of the QR code --------------------------------------------------


def make_token(number: str, kind: str, issued_on: dt.date) -> str:
    return signing.dumps(
        {"n": number, "k": kind, "d": issued_on.isoformat()}, salt=TOKEN_SALT, compress=True
    )


def read_token(token: str) -> dict[str, str] | None:
    """The payload of a genuine token, or ``None`` for a forged or altered one."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or not all(
        isinstance(payload.get(k), str) for k in ("n", "k", "d")
    ):
        return None
    return payload


def _qr(url: str, factory=None):
    code = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image(image_factory=factory)


def qr_svg_data_uri(url: str) -> str:
    buffer = io.BytesIO()
    _qr(url, qrcode.image.svg.SvgPathImage).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    _qr(url).save(buffer, format="PNG")
    return buffer.getvalue()


# --- the plain data of a notice --------------------------------------------------------

# (field, description) — shown to administrators beside the template editor.
FIELDS: list[tuple[str, str]] = [
    ("title", "通知书标题，如“受理通知书”"),
    ("kind", "类型：acceptance / rejection / supplement / completion"),
    ("statement", "该类通知书的标准说明文字"),
    ("case_number", "办件编号"),
    ("item_name", "事项名称"),
    ("item_code", "事项编码"),
    ("result_name", "办理结果名称（证照名称）"),
    ("applicant_name", "申请人姓名或名称（全称）"),
    ("applicant_id", "申请人证件号码（已脱敏）"),
    ("received_on", "收件日期 YYYY-MM-DD"),
    ("accepted_on", "受理日期（未受理为空）"),
    ("due_date", "承诺办结日期（含延期和暂停）"),
    ("limit_days", "承诺时限（工作日）"),
    ("department_name", "主办部门名称"),
    ("department_phone", "主办部门电话"),
    ("department_address", "主办部门地址"),
    ("materials", "材料清单：列表，每项有 name、pages、copies"),
    ("total_pages", "材料总页数"),
    ("supplement_items", "需补正的材料：字符串列表"),
    ("supplement_note", "补正说明"),
    ("rejection_reasons", "不予受理理由"),
    ("outcome", "办理结果：准予 / 不予"),
    ("certificate_number", "证照编号"),
    ("decision", "决定内容"),
    ("completed_on", "办结日期"),
    ("details", "与类型相关的事项：列表，每项有 label、value"),
    ("issued_on", "打印日期"),
    ("verify_url", "核验地址（二维码内容）"),
    ("qr", "二维码图片（data URI，用于 <img src>）"),
]

OUTCOME_LABELS = {"approved": "准予", "denied": "不予"}


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _details(kind: str, data: Mapping[str, Any]) -> list[dict[str, str]]:
    if kind == NoticeKind.REJECTION:
        return [{"label": "不予受理理由", "value": data["rejection_reasons"]}]
    if kind == NoticeKind.SUPPLEMENT:
        rows = [{"label": "需补正的材料", "value": "、".join(data["supplement_items"])}]
        if data["supplement_note"]:
            rows.append({"label": "补正说明", "value": data["supplement_note"]})
        return rows
    if kind == NoticeKind.COMPLETION:
        rows = [
            {"label": "办理结果", "value": data["outcome"]},
            {"label": "办结日期", "value": data["completed_on"]},
        ]
        if data["certificate_number"]:
            rows.append({"label": "证照编号", "value": data["certificate_number"]})
        if data["decision"]:
            rows.append({"label": "决定内容", "value": data["decision"]})
        return rows
    return [
        {"label": "受理日期", "value": data["accepted_on"]},
        {"label": "承诺办结日期", "value": data["due_date"]},
    ]


def _finish(kind: str, data: dict[str, Any], verify_url: str) -> dict[str, Any]:
    data["kind"] = kind
    data["title"] = TITLES[NoticeKind(kind)]
    data["statement"] = STATEMENTS[NoticeKind(kind)]
    data["total_pages"] = sum(m["pages"] or 0 for m in data["materials"])
    data["details"] = _details(kind, data)
    data["verify_url"] = verify_url
    data["qr"] = qr_svg_data_uri(verify_url)
    return data


def notice_context(case: Case, kind: str, *, issued_on: dt.date, base_url: str) -> dict[str, Any]:
    """The fields of ``case``'s notice of ``kind`` as plain data only."""
    supplement = _open_supplement(case).first() if kind == NoticeKind.SUPPLEMENT else None
    department = case.department
    data: dict[str, Any] = {
        "case_number": case.number,
        "item_name": case.item_name,
        "item_code": case.item.code,
        "result_name": case.item.result_name or "",
        # Handed to the applicant: the name in full, the ID number masked.
        "applicant_name": case.applicant_name,
        "applicant_id": case.masked_id_number,
        "received_on": _day(case.received_on),
        "accepted_on": _day(case.accepted_on),
        "due_date": _day(case.deadline),
        "limit_days": case.limit_days,
        "department_name": department.name,
        "department_phone": department.phone,
        "department_address": department.address,
        "materials": [
            {"name": m.name, "pages": m.pages or 0, "copies": m.copies}
            for m in case.materials.order_by("id")
        ],
        "supplement_items": [str(i) for i in supplement.items] if supplement else [],
        "supplement_note": supplement.note if supplement else "",
        "rejection_reasons": case.result_note if case.status == CaseStatus.REJECTED else "",
        "outcome": OUTCOME_LABELS.get(case.outcome, ""),
        "certificate_number": case.certificate_number,
        "decision": case.result_note if case.status == CaseStatus.COMPLETED else "",
        "completed_on": _day(case.completed_on),
        "issued_on": _day(issued_on),
    }
    token = make_token(case.number, kind, issued_on)
    return _finish(kind, data, verify_url(base_url, token))


def verify_url(base_url: str, token: str) -> str:
    from django.urls import reverse
    from django.utils.http import urlencode

    return base_url.rstrip("/") + reverse("portal:notice_verify") + "?" + urlencode({"t": token})


def sample_context(kind: str, base_url: str = "https://example.invalid") -> dict[str, Any]:
    """A fictitious case for the administrators' preview: the system administrator
    sees no case (三员分立), so the preview never shows a real applicant."""
    data: dict[str, Any] = {
        "case_number": "SCJG-2026-000001",
        "item_name": "食品经营许可",
        "item_code": "620500-SCJG-XK-101",
        "result_name": "食品经营许可证",
        "applicant_name": "张小三",
        "applicant_id": "6205**********1235",
        "received_on": "2026-03-02",
        "accepted_on": "2026-03-02",
        "due_date": "2026-03-23",
        "limit_days": 15,
        "department_name": "天水市市场监督管理局",
        "department_phone": "0938-8211234",
        "department_address": "天水市秦州区民主西路1号",
        "materials": [
            {"name": "食品经营许可申请书", "pages": 3, "copies": 1},
            {"name": "营业执照复印件", "pages": 1, "copies": 1},
        ],
        "supplement_items": ["营业执照复印件"],
        "supplement_note": "复印件须加盖公章",
        "rejection_reasons": "申请事项不属于本机关职权范围",
        "outcome": "准予",
        "certificate_number": "JY16205020001234",
        "decision": "准予许可",
        "completed_on": "2026-03-06",
        "issued_on": "2026-03-06",
    }
    token = make_token(data["case_number"], kind, dt.date(2026, 3, 6))
    return _finish(kind, data, verify_url(base_url, token))


# --- the sandboxed template environment -----------------------------------------------

# Plain data, and the ``loop`` variable of a for loop (``loop.index``).
_PLAIN = (str, int, float, bool, list, tuple, dict, type(None), Markup, LoopContext)


class NoticeEnvironment(SandboxedEnvironment):
    """The sandbox, narrowed further: attributes are read only on plain data, so even
    an object that slips into a context (docxtpl's image) exposes no method."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return isinstance(obj, _PLAIN) and super().is_safe_attribute(obj, attr, value)


def _environment() -> NoticeEnvironment:
    env = NoticeEnvironment(autoescape=True, undefined=StrictUndefined)
    # Only ``range`` is needed; the other default globals are one more thing in reach.
    env.globals = {"range": env.globals["range"]}
    return env


NOTICE_ENV = _environment()


class TemplateBroken(ValidationFailed):
    """The template does not render; ``message`` says where and why."""


def describe(exc: Exception) -> str:
    line = getattr(exc, "lineno", None)
    where = _("line %(line)s: ") % {"line": line} if line else ""
    return where + (str(exc) or type(exc).__name__)


def render_body(source: str, context: Mapping[str, Any]) -> str:
    """Render an HTML template source; any failure is a ``TemplateBroken``."""
    try:
        return NOTICE_ENV.from_string(source).render(dict(context))
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
        # TemplateError covers syntax errors, unknown filters, undefined names and the
        # sandbox's SecurityError; the others are a template computing nonsense.
        message = _("The template does not render: %(error)s") % {"error": describe(exc)}
        raise TemplateBroken(message, fields={"html": [message]}) from exc


# --- the built-in templates ------------------------------------------------------------

# The built-in HTML template, Jinja2 like the administrators' (not a Django template).
DEFAULT_HTML_PATH = Path(__file__).parent / "templates" / "documents" / "default_notice.jinja.html"


@lru_cache(maxsize=1)
def _default_html_source() -> str:
    return DEFAULT_HTML_PATH.read_text(encoding="utf-8")


def default_html(kind: str) -> str:
    """One layout serves every kind: ``title``, ``statement`` and ``details`` vary."""
    return _default_html_source()


@lru_cache(maxsize=1)
def default_docx() -> bytes:
    """The built-in Word template: built with python-docx at first use (no binary in
    the repository), with docxtpl placeholders for the same fields."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.font.size = Pt(11)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run("{{ title }}")
    run.bold = True
    run.font.size = Pt(18)
    number = document.add_paragraph("编号：{{ case_number }}")
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph("{{ applicant_name }}（证件号码：{{ applicant_id }}）：")
    document.add_paragraph("您于 {{ received_on }} 申请的“{{ item_name }}”事项，{{ statement }}")
    fields = document.add_table(rows=0, cols=2)
    fields.style = "Table Grid"
    for label, value in (
        ("事项名称", "{{ item_name }}（{{ item_code }}）"),
        ("受理日期", "{{ accepted_on }}"),
        ("承诺办结日期", "{{ due_date }}"),
        ("主办部门", "{{ department_name }}"),
        ("联系电话", "{{ department_phone }}"),
    ):
        cells = fields.add_row().cells
        cells[0].text, cells[1].text = label, value
    # docxtpl's row loop: the rows holding {%tr %} are removed, the middle one repeated.
    for label, value in (
        ("{%tr for d in details %}", ""),
        ("{{ d.label }}", "{{ d.value }}"),
        ("{%tr endfor %}", ""),
    ):
        cells = fields.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_paragraph("材料清单")
    materials = document.add_table(rows=1, cols=3)
    materials.style = "Table Grid"
    for cell, text in zip(materials.rows[0].cells, ("材料名称", "页数", "份数"), strict=True):
        cell.text = text
    for row in (
        ("{%tr for m in materials %}", "", ""),
        ("{{ m.name }}", "{{ m.pages }}", "{{ m.copies }}"),
        ("{%tr endfor %}", "", ""),
        ("合计", "{{ total_pages }}", ""),
    ):
        cells = materials.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    document.add_paragraph("{{ qr_image }}")
    document.add_paragraph("扫码核验真伪：{{ verify_url }}")
    sign = document.add_paragraph("{{ department_name }}\n{{ issued_on }}")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the renderings --------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    content: bytes
    content_type: str
    filename: str


def html_document(body: str, context: Mapping[str, Any], *, for_pdf: bool = False) -> str:
    """The rendered template inside the print layout (A4, CJK font)."""
    # ``body`` comes out of the autoescaping sandbox: its values are already escaped.
    safe_body = mark_safe(body)
    return render_to_string(
        "documents/notice.html",
        {"body": safe_body, "title": context["title"], "for_pdf": for_pdf},
    )


def pdf_bytes(document: str) -> bytes:
    import weasyprint

    # No base URL: the document embeds everything (QR as a data URI, CSS inline), so
    # WeasyPrint fetches nothing.
    return weasyprint.HTML(string=document).write_pdf()


def docx_bytes(template: bytes | None, context: Mapping[str, Any]) -> bytes:
    """Render a Word template (the administrator's or the built-in one)."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    tpl = DocxTemplate(io.BytesIO(template or default_docx()))
    data = dict(context)
    data["qr_image"] = InlineImage(tpl, io.BytesIO(qr_png(context["verify_url"])), width=Mm(30))
    try:
        tpl.render(data, jinja_env=NOTICE_ENV)
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
        message = _("The Word template does not render: %(error)s") % {"error": describe(exc)}
        raise TemplateBroken(message, fields={"docx_file": [message]}) from exc
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def xlsx_bytes(context: Mapping[str, Any]) -> bytes:
    """The Excel notice, generated: the same fields, every text neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = str(context["title"])[:31]
    sheet.append([_text(context["title"])])
    sheet["A1"].font = Font(bold=True, size=14)
    rows = [
        (_("Case number"), context["case_number"]),
        (_("Item"), context["item_name"]),
        (_("Item code"), context["item_code"]),
        (_("Applicant"), context["applicant_name"]),
        (_("ID number"), context["applicant_id"]),
        (_("Received on"), context["received_on"]),
        (_("Accepted on"), context["accepted_on"]),
        (_("Due date"), context["due_date"]),
        (_("Department"), context["department_name"]),
        (_("Phone"), context["department_phone"]),
        *[(d["label"], d["value"]) for d in context["details"]],
        (_("Printed on"), context["issued_on"]),
        (_("Verify at"), context["verify_url"]),
    ]
    for label, value in rows:
        sheet.append([_text(str(label)), _text(value)])
    sheet.append([])
    header = [_("Material"), _("Pages"), _("Copies")]
    sheet.append([_text(str(h)) for h in header])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for m in context["materials"]:
        sheet.append([_text(m["name"]), m["pages"], m["copies"]])
    sheet.append([_text(_("Total")), context["total_pages"], None])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["C"].width = 10
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
