"""The audit administrator's acts on the audit log (审计管理员): verifying the chain and
exporting records, each itself audited. They live with the three administrators
(accounts) because the audit log sits below accounts and knows no role; the log
itself, its chain and its purge are ``tongban.audit``'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TextIO

from tongban.audit.export import write_csv
from tongban.audit.models import AuditRecord
from tongban.audit.services import record_event, records_between
from tongban.audit.verify import VerifyResult, verify_chain
from tongban.core.services import require_role

from .models import User
from .roles import RoleCode


def verify_audit_log(*, actor: User | None, at: dt.datetime) -> VerifyResult:
    """Verify the whole chain on behalf of the audit administrator, and record that
    they did (with the outcome). The command line calls ``verify_chain`` directly."""
    require_role(actor, RoleCode.AUDIT_ADMIN)
    result = verify_chain()
    record_event(
        actor=actor,
        action="audit.verify",
        object_type="audit.auditrecord",
        success=result.ok,
        message=result.summary()[:500],
        after={"ok": result.ok, "records": result.records, "kind": result.kind, "seq": result.seq},
        at=at,
    )
    return result


def export_audit_log(
    *,
    actor: User | None,
    out: TextIO,
    records: Iterable[AuditRecord] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    description: str = "",
    actor_name: str = "",
    at: dt.datetime,
) -> int:
    """Write records as CSV to ``out`` and record the export (an export of the log is
    itself audited). Either ``records`` (e.g. the admin's filtered list) or a range of
    local dates (inclusive; either end open) is exported, in sequence order."""
    require_role(actor, RoleCode.AUDIT_ADMIN)
    if records is None:
        records = records_between(date_from, date_to).iterator(chunk_size=2000)
    count = write_csv(records, out)
    record_event(
        actor=actor,
        actor_name=actor_name,
        action="audit.export",
        object_type="audit.auditrecord",
        object_repr=description[:200],
        after={
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
            "rows": count,
            "filter": description or None,
        },
        at=at,
    )
    return count
