"""The partner API (``/api/v1/partner/...``) for the Wireless City app (无线城市) and
later the hotline: every request signed (``auth.PartnerSignature``), every
endpoint behind one scope, writes behind an ``Idempotency-Key``.

The handlers only check the scope, parse, and call what the portal itself calls:
the public catalogue, the progress query, the public Q&A and online application.
Partners see nothing the public portal does not show.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from functools import wraps

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from ninja import Header, Query, Router

from tongban.accounts.models import Department
from tongban.cases.models import Channel
from tongban.cases.services import ApplicantData, MaterialIn
from tongban.catalog import api as catalog_api
from tongban.catalog.models import Item
from tongban.catalog.schemas import ItemDetailOut, ItemListOut, ItemListQuery
from tongban.core.clock import local_date
from tongban.core.errors import NotFound, ValidationFailed
from tongban.portal import applications
from tongban.portal import progress as public_progress
from tongban.qa import access as qa_access
from tongban.qa import selectors as qa_selectors
from tongban.qa import services as qa_services
from tongban.qa.models import QuestionSource

from . import idempotency
from .auth import PartnerCall, PartnerSignature, require_scope
from .models import Scope
from .schemas import (
    MAX_MATERIAL_BASE64,
    MAX_MATERIAL_MB,
    ApplicationIn,
    ApplicationOut,
    ErrorOut,
    ProgressOut,
    ProgressQuery,
    PublicQuestionOut,
    QuestionAskedOut,
    QuestionIn,
    QuestionListOut,
    QuestionListQuery,
    UploadIn,
)

router = Router(auth=PartnerSignature(), tags=["partner"])

# Documented on every operation; the bodies come from the shared error handlers.
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def partner_headers(run):
    """Headers the shared error handler cannot add: ``Retry-After`` on 429,
    ``WWW-Authenticate`` on 401, and ``no-store``: answers hold citizens' case
    details and must not sit in a proxy's cache."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        response = run(request, *args, **kwargs)
        retry_after = getattr(request, "partner_retry_after", None)
        if response.status_code == 429 and retry_after:
            response["Retry-After"] = str(retry_after)
        if response.status_code == 401:
            response["WWW-Authenticate"] = 'Tongban-HMAC-SHA256 realm="partner"'
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


router.add_decorator(partner_headers, mode="view")


IDEM_HELP = (
    "Required. 8-64 characters of A-Z a-z 0-9 . _ : ~ -, new for every new request (a UUID); "
    "remembered for 24 hours."
)


# --- catalogue (catalog:read) ------------------------------------------------------------


@router.get(
    "/catalog/items",
    response={200: ItemListOut, **ERRORS},
    summary="List published service items",
    operation_id="partner_list_items",
    description="Scope `catalog:read`. The same list, filters and pages as `GET /api/v1/items`.",
)
def list_items(request, filters: Query[ItemListQuery]):
    require_scope(request, Scope.CATALOG_READ)
    return catalog_api.list_items(request, filters)


@router.get(
    "/catalog/items/{code}",
    response={200: ItemDetailOut, **ERRORS},
    summary="The service guide of a published item",
    operation_id="partner_get_item",
    description="Scope `catalog:read`. The same guide as `GET /api/v1/items/{code}`; "
    "404 `not_found` for a missing, draft or expired item.",
)
def get_item(request, code: str):
    require_scope(request, Scope.CATALOG_READ)
    return catalog_api.get_item(request, code)


# --- progress (progress:read) -----------------------------------------------------------


@router.get(
    "/progress",
    response={200: ProgressOut, **ERRORS},
    summary="The progress of a case",
    operation_id="partner_progress",
    description="Scope `progress:read`. The same answer as the portal's progress "
    "query, personal data masked. A wrong verifier and a missing case are the same "
    "404 `not_found`.",
)
def progress(request, query: Query[ProgressQuery]):
    call = require_scope(request, Scope.PROGRESS_READ)
    found = public_progress.lookup(query.number, query.verifier, at=call.at)
    if found is None:
        raise NotFound(_("No case matches this number and verifier."))
    return public_progress.progress_as_dict(found)


# --- questions (qa:read, qa:write) -------------------------------------------------------


def _named(obj) -> dict | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


def _public_question(question) -> dict:
    return {
        "id": question.id,
        "title": question.title,
        "content": question.content,
        "department": _named(question.department),
        "item": _named(question.item),
        "asker": question.masked_name,
        "asked_at": question.asked_at,
        "answer": question.answer,
        "answered_at": question.answered_at,
    }


@router.get(
    "/questions",
    response={200: QuestionListOut, **ERRORS},
    summary="Answered public questions",
    operation_id="partner_list_questions",
    description="Scope `qa:read`. Questions answered and published, newest answer "
    "first; the asker's name masked, no contact data.",
)
def list_questions(request, filters: Query[QuestionListQuery]):
    require_scope(request, Scope.QA_READ)
    rows = qa_selectors.public_questions(filters.q, filters.department or None)
    start = (filters.page - 1) * filters.page_size
    return {
        "count": rows.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [_public_question(q) for q in rows[start : start + filters.page_size]],
    }


@router.get(
    "/questions/{question_id}",
    response={200: PublicQuestionOut, **ERRORS},
    summary="One answered public question",
    operation_id="partner_get_question",
    description="Scope `qa:read`. 404 `not_found` for a question that is missing or "
    "not public (unanswered, unpublished, or the asker did not allow it).",
)
def get_question(request, question_id: int):
    require_scope(request, Scope.QA_READ)
    return _public_question(qa_access.get_public_question(question_id))


def _published_item(code: str, field: str, at) -> Item | None:
    if not code:
        return None
    item = Item.objects.published(local_date(at)).filter(code=code.strip()).first()
    if item is None:
        message = _("There is no published item with the code “%(code)s”.") % {"code": code}
        raise ValidationFailed(message, fields={field: [message]})
    return item


def _department(code: str) -> Department | None:
    if not code:
        return None
    department = Department.objects.filter(code=code.strip().upper(), is_active=True).first()
    if department is None:
        message = _("There is no department with the code “%(code)s”.") % {"code": code}
        raise ValidationFailed(message, fields={"department": [message]})
    return department


@router.post(
    "/questions",
    response={201: QuestionAskedOut, 409: ErrorOut, **ERRORS},
    summary="Ask a question",
    operation_id="partner_ask_question",
    description="Scope `qa:write`; `Idempotency-Key` required (a repeat of the same "
    "request gets the first answer again, with `Idempotent-Replayed: true`; the same "
    "key with another request is 409 `idempotency_conflict`). The department answers "
    "within its time limit; the answer is public only if `allow_public`.",
)
def ask_question(
    request,
    payload: QuestionIn,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER, description=IDEM_HELP),
):
    call = require_scope(request, Scope.QA_WRITE)
    idempotency_key = idempotency.checked_key(idempotency_key)

    def write() -> tuple[int, dict]:
        question = qa_services.ask_question(
            title=payload.title,
            content=payload.content,
            contact_name=payload.contact_name,
            contact_mobile=payload.contact_mobile,
            allow_public=payload.allow_public,
            at=call.at,
            item=_published_item(payload.item, "item", call.at),
            department=_department(payload.department),
            source=QuestionSource.PARTNER,
        )
        body = {
            "id": question.id,
            "status": question.status,
            "department": _named(question.department),
            "item": _named(question.item),
            "asked_at": question.asked_at,
            "due_on": question.due_on,
        }
        return 201, QuestionAskedOut.model_validate(body).model_dump(mode="json")

    return idempotency.run_once(request, call=call, idempotency_key=idempotency_key, write=write)


# --- applications (applications:write) ---------------------------------------------------


def _decode_materials(uploads: list[UploadIn]) -> list[MaterialIn]:
    materials = []
    for index, upload in enumerate(uploads):
        field = f"materials.{index}.content_base64"
        if len(upload.content_base64) > MAX_MATERIAL_BASE64:
            message = _("A file may be at most %(n)d MB.") % {"n": MAX_MATERIAL_MB}
            raise ValidationFailed(message, fields={field: [message]})
        try:
            data = base64.b64decode(upload.content_base64, validate=True)
        except (binascii.Error, ValueError):
            message = _("Not valid base64.")
            raise ValidationFailed(message, fields={field: [message]}) from None
        if not data:
            message = _("The file is empty.")
            raise ValidationFailed(message, fields={field: [message]})
        materials.append(
            MaterialIn(
                material_id=upload.material_id,
                name=upload.name,
                upload=SimpleUploadedFile(upload.filename, data),
            )
        )
    return materials


def _case_key(call: PartnerCall, idempotency_key: str) -> str:
    # Cases' idempotency keys are one namespace for every channel: a partner's key
    # is made its own (and fits the case's 64 characters).
    digest = hashlib.sha256(f"{call.partner.pk}:{idempotency_key}".encode()).hexdigest()
    return f"partner-{digest[:48]}"


@router.post(
    "/applications",
    response={201: ApplicationOut, 409: ErrorOut, 413: ErrorOut, **ERRORS},
    summary="Submit an online application",
    operation_id="partner_submit_application",
    description="Scope `applications:write`; `Idempotency-Key` required (see "
    "`partner_ask_question`). Every required material must be uploaded (base64). "
    "Errors name `item`, `applicant.<field>`, `form.<key>`, `materials.<index>...` "
    "and `material.<id>` (a required material missing). The case starts in "
    "preliminary review; `number` and `query_code` let the applicant follow it.",
)
def submit_application(
    request,
    payload: ApplicationIn,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER, description=IDEM_HELP),
):
    call = require_scope(request, Scope.APPLICATIONS_WRITE)
    idempotency_key = idempotency.checked_key(idempotency_key)

    def write() -> tuple[int, dict]:
        item = _published_item(payload.item, "item", call.at)
        case = applications.submit_online(
            item=item,
            applicant=ApplicantData(**payload.applicant.model_dump()),
            form_data=payload.form_data,
            materials=_decode_materials(payload.materials),
            at=call.at,
            idempotency_key=_case_key(call, idempotency_key),
            channel=Channel.PARTNER,
        )
        body = {
            "number": case.number,
            "query_code": case.query_code,
            "item": _named(case.item),
            "status": case.status,
            "status_label": str(case.get_status_display()),
            "received_at": case.received_at,
        }
        return 201, ApplicationOut.model_validate(body).model_dump(mode="json")

    return idempotency.run_once(request, call=call, idempotency_key=idempotency_key, write=write)
