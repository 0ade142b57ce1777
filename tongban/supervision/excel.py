"""The supervision lists as Excel workbooks (the case-only lists:
``kinds.cases.excel``): the same rows as the page, a Chinese header kept in view,
values a spreadsheet would read as a formula neutralised (security.md "Data"),
applicant data masked, and every export audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.roles import RoleCode
from tongban.audit.export import neutralise
from tongban.audit.services import record_event
from tongban.core.clock import LOCAL_TZ
from tongban.core.excel import table_workbook

from .clocked import UrgingRow


def _local(value: dt.datetime | None) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


def _name(user) -> str:
    return user.display_name if user is not None else ""


def recipients_text(recipients: list[dict]) -> str:
    """``[{"name", "role"}]`` → ``李承办（承办人）、张局长（部门负责人）``."""
    parts = []
    for person in recipients or []:
        role = person.get("role", "")
        label = RoleCode(role).label if role in RoleCode.values else role
        parts.append(f"{person.get('name', '')}（{label}）")
    return "、".join(parts)


@dataclass(frozen=True)
class Sheet:
    """One list's columns: (header msgid, width) and how a row becomes cells."""

    title: Callable[[], str]
    columns: Callable[[], list[tuple[str, int]]]
    row: Callable[[Any], list]


def _card_row(card) -> list:
    return [
        card.subject_number,
        card.subject_title,
        card.get_colour_display(),
        card.get_rule_display(),
        card.step_name,
        _name(card.handler),
        str(card.department),
        card.deadline,
        card.days_overdue,
        _local(card.issued_at),
        recipients_text(card.recipients),
        _local(card.cured_at),
        card.rectification,
    ]


CARDS = Sheet(
    title=lambda: _("Cards"),
    columns=lambda: [
        (_("case number"), 26),
        (_("item"), 30),
        (_("colour"), 8),
        (_("rule"), 22),
        (_("step"), 12),
        (_("handler"), 12),
        (_("department"), 24),
        (_("deadline"), 12),
        (_("working days overdue"), 10),
        (_("issued at"), 18),
        (_("sent to"), 40),
        (_("cured at"), 18),
        (_("rectification note"), 40),
    ],
    row=_card_row,
)


def _urging_row(urging: UrgingRow) -> list:
    return [
        urging.number,
        urging.title,
        _("Automatic") if urging.automatic else _("Manual"),
        _name(urging.urged_by) if urging.urged_by is not None else _("System"),
        _name(urging.urged_user) or str(urging.department),
        _local(urging.at),
        urging.step_name or "",
        urging.message,
    ]


URGINGS = Sheet(
    title=lambda: _("Urgings"),
    columns=lambda: [
        (_("case number"), 26),
        (_("item"), 30),
        (_("kind"), 8),
        (_("urged by"), 12),
        (_("urged"), 20),
        (_("at"), 18),
        (_("step"), 12),
        (_("message"), 50),
    ],
    row=_urging_row,
)


def _alert_row(alert) -> list:
    return [
        alert.subject_number,
        alert.subject_title,
        alert.get_kind_display(),
        str(alert.department),
        alert.due_on,
        _local(alert.issued_at),
        _local(alert.resolved_at),
    ]


ALERTS = Sheet(
    title=lambda: _("Alerts"),
    columns=lambda: [
        (_("case number"), 26),
        (_("item"), 30),
        (_("kind"), 20),
        (_("department"), 24),
        (_("was due"), 12),
        (_("raised at"), 18),
        (_("resolved at"), 18),
    ],
    row=_alert_row,
)


def _cell(value):
    if value is None or isinstance(value, int | dt.date):
        return value
    return neutralise(str(value))


def workbook(sheet_def: Sheet, rows: Iterable[Any]) -> tuple[bytes, int]:
    return table_workbook(
        sheet_def.title(),
        sheet_def.columns(),
        ([_cell(v) for v in sheet_def.row(row)] for row in rows),
    )


def export(*, actor, sheet: Sheet, rows: Iterable[Any], at: dt.datetime) -> bytes:
    """The workbook of ``rows`` (already scoped to ``actor``), with one audit record
    of the export (security.md: every export is audited)."""
    data, count = workbook(sheet, rows)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="supervision.export",
            object_type="supervision",
            at=at,
            message=_("%(count)d rows of %(list)s exported to Excel.")
            % {"count": count, "list": sheet.title()},
            after={"count": count, "list": str(sheet.title())},
        )
    return data
