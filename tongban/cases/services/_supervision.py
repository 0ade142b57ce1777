"""Where the case engine calls back into electronic supervision: its cards are
cured and its alerts resolved when the case moves on. Imported inside the functions
because supervision builds on the case engine (a cycle, kept in this one place).
"""

from __future__ import annotations

import datetime as dt

from ..models import Case


def _cure(case: Case, at: dt.datetime) -> None:
    # Supervision builds on the case engine; its cards are cured when the case ends.
    from tongban.supervision.services import cure_cards

    cure_cards(case, at)


def _resolve_alerts(case: Case, kind: str, at: dt.datetime) -> None:
    from tongban.supervision.services import resolve_alerts

    resolve_alerts(case, kind, at)
