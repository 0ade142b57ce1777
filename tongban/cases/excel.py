"""The case query as an Excel workbook (审批结果导出): the same filtered list as the
page, applicant data masked, values that a spreadsheet would read as a formula
neutralised (security.md "Data"), and the export audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.audit.export import neutralise
from tongban.audit.services import record_event
from tongban.core.clock import LOCAL_TZ
from tongban.core.excel import table_workbook

from .models import Case


def columns() -> list[tuple[str, int]]:
    """(Chinese header through the catalogue of messages, column width)."""
    return [
        (_("case number"), 26),
        (_("item"), 30),
        (_("lead department"), 24),
        (_("applicant"), 14),
        (_("ID number"), 22),
        (_("mobile number"), 14),
        (_("channel"), 10),
        (_("handling type"), 10),
        (_("status"), 10),
        (_("received at"), 18),
        (_("accepted on"), 12),
        (_("deadline"), 12),
        (_("completed on"), 12),
        (_("outcome"), 10),
    ]


def _cell(value):
    if value is None or isinstance(value, int | dt.date):
        return value
    return neutralise(str(value))


def _row(case: Case) -> list:
    received = case.received_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    return [
        _cell(v)
        for v in (
            case.number,
            case.item_name,
            str(case.department),
            case.masked_applicant_name,
            case.masked_id_number,
            case.masked_mobile,
            case.get_channel_display(),
            case.get_handling_type_display(),
            case.get_status_display(),
            received,
            case.accepted_on,
            case.deadline,
            case.completed_on,
            case.get_outcome_display() if case.outcome else "",
        )
    ]


def cases_workbook(cases: Iterable[Case]) -> tuple[bytes, int]:
    return table_workbook(_("cases"), columns(), (_row(case) for case in cases))


def export_cases(*, actor, cases: Iterable[Case], at: dt.datetime) -> bytes:
    """The workbook of ``cases`` (already scoped to ``actor`` by the query), with one
    audit record of the export (security.md: every export is audited)."""
    data, count = cases_workbook(cases)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="case.export",
            object_type="cases.case",
            at=at,
            message=_("%(count)d cases exported to Excel.") % {"count": count},
            after={"count": count},
        )
    return data
