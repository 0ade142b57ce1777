"""The case-only supervision lists as Excel workbooks: the real-time lists of cases
and of special procedures, in the same shape as the other supervision sheets."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ...excel import Sheet, _local


def _case_row(case) -> list:
    return [
        case.number,
        case.item_name,
        case.masked_applicant_name,
        str(case.department),
        case.get_status_display(),
        _local(case.received_at),
        case.accepted_on,
        case.review_due_on,
        case.deadline,
    ]


REALTIME_CASES = Sheet(
    title=lambda: _("Real-time supervision"),
    columns=lambda: [
        (_("case number"), 26),
        (_("item"), 30),
        (_("applicant"), 14),
        (_("lead department"), 24),
        (_("status"), 10),
        (_("received at"), 18),
        (_("accepted on"), 12),
        (_("review due"), 12),
        (_("deadline"), 12),
    ],
    row=_case_row,
)


def _procedure_row(suspension) -> list:
    case = suspension.case
    return [
        case.number,
        case.item_name,
        str(case.department),
        suspension.get_procedure_display() or suspension.get_kind_display(),
        suspension.started_on,
        suspension.limit_days,
        suspension.due_on,
    ]


SPECIAL_PROCEDURES = Sheet(
    title=lambda: _("Special procedures"),
    columns=lambda: [
        (_("case number"), 26),
        (_("item"), 30),
        (_("lead department"), 24),
        (_("procedure"), 16),
        (_("started on"), 12),
        (_("limit (working days)"), 10),
        (_("procedure due"), 12),
    ],
    row=_procedure_row,
)
