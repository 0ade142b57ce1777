"""CSV export of audit records (security.md "Data": values that a spreadsheet would
read as a formula are neutralised and written as text)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from django.utils.translation import gettext as _

from tongban.core.clock import LOCAL_TZ

from .actions import action_label
from .models import AuditRecord

# A leading = + - @ makes Excel and LibreOffice evaluate the cell; a leading tab,
# carriage return or NUL can hide such a character from a naive check.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise(value: str) -> str:
    """``=SUM(A1)`` → ``'=SUM(A1)``: the quote makes the spreadsheet keep it as text."""
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _columns() -> list[str]:
    return [
        _("sequence"),
        _("time"),
        _("actor id"),
        _("actor"),
        _("IP address"),
        _("action"),
        _("action name"),
        _("object type"),
        _("object id"),
        _("object"),
        _("success"),
        _("message"),
        _("before"),
        _("after"),
        _("previous hash"),
        _("hash"),
    ]


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def write_csv(records: Iterable[AuditRecord], out: TextIO) -> int:
    """Write ``records`` to ``out`` (opened with ``newline=""``); returns the row count.
    Times are local (Asia/Shanghai). The hashes are included so that an exported file
    can be checked against the chain."""
    writer = csv.writer(out)
    writer.writerow(_columns())
    count = 0
    for r in records:
        row = [
            r.seq,
            r.at.astimezone(LOCAL_TZ).isoformat(timespec="seconds"),
            "" if r.actor_id is None else r.actor_id,
            r.actor_name,
            r.ip or "",
            r.action,
            action_label(r.action),
            r.object_type,
            r.object_id,
            r.object_repr,
            _("yes") if r.success else _("no"),
            r.message,
            _json(r.before),
            _json(r.after),
            r.prev_hash,
            r.hash,
        ]
        writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])
        count += 1
    return count
