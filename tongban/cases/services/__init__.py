"""Every change to a case (the write path of DESIGN.md). Each use case is one
transaction that locks the case row, checks the actor's right and the state, changes
it, recomputes the deadline and ``next_check_on``, appends a timeline event and an
audit record, and writes the notifications to the outbox. A refusal raises a
``DomainError`` before anything is written, so a refused action changes nothing.

The clock is passed in (``at=``): histories can be simulated and tests need no
sleeping. Dates are local (Asia/Shanghai) dates of ``at``.

Two people acting on the same step at once: the case row lock serialises them; the
second finds the step already handled (or claimed) and gets a ``conflict`` error.

The package holds one module per verb; the shared write path is ``_write``, the
module at the bottom that imports none of the others. Callers import from here.
"""

from ._write import STEP_FIELDS, ApplicantData, Conflict, MaterialIn
from .clock_events import decide_extension, request_extension, resume_case, suspend_case
from .closing import complete_case, handle_immediately, terminate_case, withdraw_case
from .intake import QUERY_CODE_ALPHABET, missing_materials, submit_application
from .review import (
    accept_case,
    deem_accepted,
    reject_application,
    request_supplement,
    supplement_case,
    supply_pledged_materials,
)
from .urging import delete_opinion_template, save_opinion_template, urge_case
from .workflow import advance_step, assign_step, claim_step

__all__ = [
    "QUERY_CODE_ALPHABET",
    "STEP_FIELDS",
    "ApplicantData",
    "Conflict",
    "MaterialIn",
    "accept_case",
    "advance_step",
    "assign_step",
    "claim_step",
    "complete_case",
    "decide_extension",
    "deem_accepted",
    "delete_opinion_template",
    "handle_immediately",
    "missing_materials",
    "reject_application",
    "request_extension",
    "request_supplement",
    "resume_case",
    "save_opinion_template",
    "submit_application",
    "supplement_case",
    "supply_pledged_materials",
    "suspend_case",
    "terminate_case",
    "urge_case",
    "withdraw_case",
]
