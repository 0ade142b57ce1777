"""Office pages of the case engine: the workbench panels, counter intake, the case
page with one view per action, opinion templates and the case query with its Excel
export. Thin: access, parse, call the service or selector, respond. A ``DomainError``
becomes form errors or an alert on the re-rendered page.

One module per page: ``workbench``, ``counter`` (intake), ``case_page``, ``actions``
(one view per action), ``opinion_templates`` and ``case_query``; who may open them is
``_access``. The URLconf and other apps import the views from here."""

from ._access import _case_or_404, case_staff_required, module_required
from .actions import (
    accept,
    advance,
    assign,
    claim,
    complete,
    decide_extension,
    handle_immediately,
    reject,
    request_extension,
    request_supplement,
    resume,
    supplement,
    supply_pledged,
    suspend,
    terminate,
    urge,
    withdraw,
)
from .case_page import case_detail, material_download, reveal
from .case_query import query
from .counter import intake, intake_form
from .opinion_templates import opinion_delete, opinion_edit, opinions
from .workbench import panel_list, workbench_context

__all__ = [
    "_case_or_404",
    "accept",
    "advance",
    "assign",
    "case_detail",
    "case_staff_required",
    "claim",
    "complete",
    "decide_extension",
    "handle_immediately",
    "intake",
    "intake_form",
    "material_download",
    "module_required",
    "opinion_delete",
    "opinion_edit",
    "opinions",
    "panel_list",
    "query",
    "reject",
    "request_extension",
    "request_supplement",
    "resume",
    "reveal",
    "supplement",
    "supply_pledged",
    "suspend",
    "terminate",
    "urge",
    "withdraw",
    "workbench_context",
]
