"""The public progress query (办件查询, PRODUCT.md B.4): anyone with a case number and
a verifier — the last four digits of the applicant's mobile number, or the query code
printed on the notice — sees the case's status, dates and steps, with the applicant's
personal data masked.

A wrong verifier and a missing case give the same answer (None), after the same work
(one query and the same constant-time comparisons), so the query cannot be used to
find out which case numbers exist. One SQL query: the case with its department and
its steps, written out in ``_sql`` for speed (the public page answers anybody, so it
is the hot path).

The partner API (无线城市) serves ``progress_as_dict`` of the same ``lookup``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection

from tongban.cases.models import (
    ApplicantKind,
    Case,
    CaseStatus,
    CaseStep,
    Outcome,
    StepStatus,
)
from tongban.core.crypto import mask_id_number, mask_mobile, mask_name, provider

NUMBER_MAX = 40
VERIFIER_MAX = 32
# Compared against when there is no case, so that a missing case costs the same.
_NO_MOBILE_TAIL = "\x00\x00\x00\x00"
_NO_QUERY_CODE = "\x00" * 8


@dataclass(frozen=True)
class ProgressStep:
    name: str
    department: str
    status: str
    status_label: str
    started_on: dt.date | None
    finished_on: dt.date | None


@dataclass(frozen=True)
class Progress:
    """What the public may know about a case: no identifier beyond the number, no
    personal data unmasked, no handler's name, no opinion."""

    number: str
    item: str
    department: str
    status: str
    status_label: str
    outcome: str
    outcome_label: str
    received_on: dt.date
    accepted_on: dt.date | None
    deadline: dt.date | None
    completed_on: dt.date | None
    terminated_on: dt.date | None
    applicant_name: str
    applicant_mobile: str
    applicant_id_number: str
    steps: tuple[ProgressStep, ...]

    @property
    def is_closed(self) -> bool:
        return self.status in (
            CaseStatus.COMPLETED,
            CaseStatus.REJECTED,
            CaseStatus.WITHDRAWN,
            CaseStatus.TERMINATED,
        )


def normalise_number(number: str) -> str:
    return "".join((number or "").split()).upper()[:NUMBER_MAX]


def normalise_verifier(verifier: str) -> str:
    return "".join((verifier or "").split()).upper()[:VERIFIER_MAX]


def _verifier_matches(verifier: str, mobile_tail: str, query_code: str) -> bool:
    # Both comparisons always run (constant time each, and no short cut between them).
    by_mobile = hmac.compare_digest(verifier.encode(), mobile_tail.encode())
    by_code = hmac.compare_digest(verifier.encode(), query_code.upper().encode())
    return (len(verifier) == 4 and verifier.isdigit() and by_mobile) or (
        len(verifier) > 4 and by_code
    )


@functools.cache
def _sql() -> str:
    """The one statement of ``lookup``: the case, its department and its steps (one
    row per step, or one row with empty step columns), written out once.

    Raw SQL because the ORM's work per query (building the query, compiling it,
    making model instances) was most of the lookup's time: 2.7 ms for the two ORM
    queries against 0.5 ms for the same two written out, and one statement saves a
    round trip to the database, which counts on a busy server (docs/portal.md,
    "Benchmark"). The table and column names come from the models' ``_meta``, so a
    renamed table or column follows; the values are always parameters. Plain SQL
    that PostgreSQL and SQLite both accept.
    """
    cases, steps = Case._meta, CaseStep._meta
    departments = cases.get_field("department").related_model._meta
    quote = connection.ops.quote_name

    def col(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    case_columns = ", ".join(f"c.{col(cases, f)}" for f in _CASE_COLUMNS)
    step_columns = ", ".join(f"s.{col(steps, f)}" for f in _STEP_COLUMNS)
    name, dept_id = col(departments, "name"), col(departments, "id")
    # The identifiers come from the models (S608 silenced), the values are parameters.
    return (
        f"SELECT {case_columns}, d.{name}, {step_columns}, sd.{name}"  # noqa: S608
        f" FROM {quote(cases.db_table)} c"
        f" INNER JOIN {quote(departments.db_table)} d"
        f" ON d.{dept_id} = c.{col(cases, 'department')}"
        f" LEFT OUTER JOIN {quote(steps.db_table)} s"
        f" ON s.{col(steps, 'case')} = c.{col(cases, 'id')}"
        f" AND s.{col(steps, 'status')} <> %s"
        f" LEFT OUTER JOIN {quote(departments.db_table)} sd"
        f" ON sd.{dept_id} = s.{col(steps, 'department')}"
        f" WHERE c.{col(cases, 'number')} = %s"
        f" ORDER BY s.{col(steps, 'order')}, s.{col(steps, 'id')}"
    )


_CASE_COLUMNS = (
    "number",
    "item_name",
    "status",
    "outcome",
    "received_on",
    "accepted_on",
    "deadline",
    "completed_on",
    "terminated_on",
    "applicant_kind",
    "applicant_name",
    "applicant_mobile",
    "applicant_id_number",
    "query_code",
)
_STEP_COLUMNS = ("name", "status", "started_on", "finished_on")
_STEPS_AT = len(_CASE_COLUMNS) + 1  # the case's columns, then its department's name


def _date(value: dt.date | str | None) -> dt.date | None:
    # PostgreSQL's driver gives dates; SQLite's raw cursor gives ISO strings.
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _decrypt(token: str | None) -> str:
    # The encrypted columns as ``EncryptedTextField.from_db_value`` reads them.
    return provider().decrypt(token) if token else ""


def lookup(number: str, verifier: str, *, at: dt.datetime) -> Progress | None:
    """The progress of case ``number`` if ``verifier`` matches it, else None (for a
    missing case and for a wrong verifier alike). ``at`` is the instant of the
    query (kept for the partner API's signature; the answer shows stored dates)."""
    number, verifier = normalise_number(number), normalise_verifier(verifier)
    rows = []
    if number and verifier:
        with connection.cursor() as cursor:
            cursor.execute(_sql(), [StepStatus.CANCELLED.value, number])
            rows = cursor.fetchall()  # ``number`` is unique: one case or none
    if not rows:
        _verifier_matches(verifier, _NO_MOBILE_TAIL, _NO_QUERY_CODE)
        return None
    (
        number,
        item_name,
        status,
        outcome,
        received_on,
        accepted_on,
        deadline,
        completed_on,
        terminated_on,
        applicant_kind,
        applicant_name,
        mobile_token,
        id_number_token,
        query_code,
        department,
    ) = rows[0][:_STEPS_AT]
    # Only the mobile number is needed to check; the ID number is decrypted once the
    # verifier matched (it is shown masked, never compared). The steps came with the
    # case (one round trip) and are dropped unread when the verifier is wrong.
    mobile = _decrypt(mobile_token)
    tail = mobile[-4:] if len(mobile) >= 4 else _NO_MOBILE_TAIL
    if not _verifier_matches(verifier, tail, query_code or _NO_QUERY_CODE):
        return None
    step_rows = [row[_STEPS_AT:] for row in rows if row[_STEPS_AT] is not None]
    return Progress(
        number=number,
        item=item_name,
        department=department,
        status=status,
        status_label=str(CaseStatus(status).label),
        outcome=outcome,
        outcome_label=str(Outcome(outcome).label) if outcome else "",
        received_on=_date(received_on),
        accepted_on=_date(accepted_on),
        deadline=_date(deadline),
        completed_on=_date(completed_on),
        terminated_on=_date(terminated_on),
        applicant_name=(
            applicant_name
            if applicant_kind == ApplicantKind.ORGANISATION
            else mask_name(applicant_name)
        ),
        applicant_mobile=mask_mobile(mobile),
        applicant_id_number=mask_id_number(_decrypt(id_number_token)),
        steps=tuple(
            ProgressStep(
                name=name,
                department=step_department,
                status=step_status,
                status_label=str(StepStatus(step_status).label),
                started_on=_date(started_on),
                finished_on=_date(finished_on),
            )
            for name, step_status, started_on, finished_on, step_department in step_rows
        ),
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def progress_as_dict(p: Progress) -> dict:
    """The JSON answer of the partner API (dates as ISO strings, labels in the
    active language)."""
    return {
        "number": p.number,
        "item": p.item,
        "department": p.department,
        "status": p.status,
        "status_label": p.status_label,
        "outcome": p.outcome or None,
        "received_on": _iso(p.received_on),
        "accepted_on": _iso(p.accepted_on),
        "deadline": _iso(p.deadline),
        "completed_on": _iso(p.completed_on),
        "terminated_on": _iso(p.terminated_on),
        "applicant": {
            "name": p.applicant_name,
            "mobile": p.applicant_mobile,
            "id_number": p.applicant_id_number,
        },
        "steps": [
            {
                "name": s.name,
                "department": s.department,
                "status": s.status,
                "status_label": s.status_label,
                "started_on": _iso(s.started_on),
                "finished_on": _iso(s.finished_on),
            }
            for s in p.steps
        ],
    }


# --- rate limit -------------------------------------------------------------------------


def allow_query(ip: str | None, *, at: dt.datetime, limit: int, window: int) -> bool:
    """Count one query from ``ip`` in the current fixed window (Django's cache:
    Redis when configured, so shared by every server process); False once the limit
    is passed. ``limit`` 0 turns the limit off."""
    if not limit:
        return True
    slot = int(at.timestamp()) // window
    key = f"tongban:progress-rate:{ip or 'unknown'}:{slot}"
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window * 2)
        count = 1
    return count <= limit
