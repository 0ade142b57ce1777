"""Where the case engine tells the apps built on it that a case moved on: its cards
are cured and its alerts resolved by electronic supervision, which listens to
``cases.signals`` (the case engine does not import it).
"""

from __future__ import annotations

import datetime as dt

from .. import signals
from ..models import Case


def _cure(case: Case, at: dt.datetime) -> None:
    signals.case_closed.send(sender=Case, case=case, at=at)


def _resolve_alerts(case: Case, kind: str, at: dt.datetime) -> None:
    signals.case_alert_resolved.send(sender=Case, case=case, kind=kind, at=at)
