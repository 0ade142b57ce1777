"""Shapes of the partner API, as documented in the OpenAPI at ``/api/v1/docs``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from tongban.cases.schemas import ApplicantIn

MAX_PAGE_SIZE = 50
MAX_MATERIALS = 20
# Decoded size of one uploaded material. The whole request body is capped by
# DATA_UPLOAD_MAX_MEMORY_SIZE (10 MB) anyway; larger files go through the portal.
MAX_MATERIAL_MB = 5
MAX_MATERIAL_BASE64 = (MAX_MATERIAL_MB * 1024 * 1024 + 2) // 3 * 4


class ErrorOut(Schema):
    """Every refusal: a machine-readable ``code``, a readable ``message`` and the
    messages per field (empty when no one field is at fault)."""

    code: str = Field(description="e.g. bad_signature, insufficient_scope, not_found.")
    message: str
    fields: dict[str, list[str]]


# --- questions -----------------------------------------------------------------------


class QuestionListQuery(Schema):
    q: str = Field("", max_length=50, description="Words in the title, question or answer.")
    department: str = Field(
        "", max_length=32, description="Department code; its sub-departments are included."
    )
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        20, ge=1, le=MAX_PAGE_SIZE, description=f"At most {MAX_PAGE_SIZE} (larger is refused)."
    )


class NamedOut(Schema):
    code: str
    name: str


class PublicQuestionOut(Schema):
    id: int
    title: str
    content: str
    department: NamedOut
    item: NamedOut | None
    asker: str = Field(description="The asker's name, masked (张*三).")
    asked_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


class QuestionListOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[PublicQuestionOut]


class QuestionIn(Schema):
    """A citizen's question, asked through the partner app. Lengths are checked by
    the Q&A service with a message naming the field; the bounds here only keep
    absurd payloads out."""

    title: str = Field(max_length=1000, description="At most 100 characters.")
    content: str = Field(max_length=20000, description="At most 2000 characters.")
    contact_name: str = Field(max_length=500, description="The asker's name.")
    contact_mobile: str = Field(max_length=40, description="The asker's mobile number.")
    allow_public: bool = Field(False, description="The answer may be published.")
    item: str = Field("", max_length=40, description="Code of a published item asked about.")
    department: str = Field(
        "", max_length=32, description="Code of the department asked (or give the item)."
    )


class QuestionAskedOut(Schema):
    id: int
    status: str
    department: NamedOut
    item: NamedOut | None
    asked_at: dt.datetime
    due_on: dt.date = Field(description="The day the answer is due (working days).")


# --- applications --------------------------------------------------------------------


class UploadIn(Schema):
    material_id: int | None = Field(
        None, description="Id from the item's material list (or give `name` for an extra one)."
    )
    name: str = Field("", max_length=200, description="Name of an extra document.")
    filename: str = Field(max_length=200, description="File name with its extension.")
    content_base64: str = Field(
        description=f"The file, standard base64; at most {MAX_MATERIAL_MB} MB decoded.",
    )


class ApplicationIn(Schema):
    item: str = Field(max_length=40, description="Code of a published item open online.")
    applicant: ApplicantIn
    form_data: dict[str, Any] = Field(
        default_factory=dict, description="Answers to the item's form (see its JSON Schema)."
    )
    materials: list[UploadIn] = Field(default_factory=list, max_length=MAX_MATERIALS)


class ApplicationOut(Schema):
    number: str = Field(description="The case number.")
    query_code: str = Field(description="With the number, lets the applicant query progress.")
    item: NamedOut
    status: str
    status_label: str
    received_at: dt.datetime


# --- progress ------------------------------------------------------------------------


class ProgressQuery(Schema):
    number: str = Field(min_length=1, max_length=40, description="The case number.")
    verifier: str = Field(
        min_length=1,
        max_length=32,
        description="The last four digits of the applicant's mobile number, or the "
        "query code printed on the notice.",
    )


class ProgressApplicantOut(Schema):
    name: str = Field(description="Masked for a person (张*三), in full for an organisation.")
    mobile: str = Field(description="Masked (138****1234).")
    id_number: str = Field(description="Masked (6205**********1234).")


class ProgressStepOut(Schema):
    name: str
    department: str
    status: str
    status_label: str
    started_on: dt.date | None
    finished_on: dt.date | None


class ProgressOut(Schema):
    number: str
    item: str
    department: str
    status: str
    status_label: str
    outcome: str | None
    received_on: dt.date
    accepted_on: dt.date | None
    deadline: dt.date | None = Field(description="The legal deadline, once accepted.")
    completed_on: dt.date | None
    terminated_on: dt.date | None
    applicant: ProgressApplicantOut
    steps: list[ProgressStepOut]
