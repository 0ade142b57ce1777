"""Cases (办件) as a clocked item: the one place where supervision knows the case
engine. ``kind`` implements the contract (``supervision.clocked``); the case-only
supervision pages live here too: the real-time lists of the intake and suspension
clocks (``lists``, ``views``, ``api``), the process diagram (``diagram``) and the
recompute of deadlines after a calendar change (``calendar``).

``register`` is called from ``SupervisionConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tongban.cases import signals
from tongban.cases.models import Case

from ... import clocked, curing


def _on_closed(sender: Any, *, case: Case, at: dt.datetime, **kwargs: Any) -> None:
    curing.item_closed("case", case.pk, at)


def _on_alert_resolved(
    sender: Any, *, case: Case, kind: str, at: dt.datetime, **kwargs: Any
) -> None:
    curing.resolve_alerts("case", case.pk, kind, at)


def register() -> None:
    from . import calendar
    from .kind import CaseKind

    clocked.register(CaseKind())
    calendar.connect()
    # The case engine tells supervision that a case ended or that the reason for an
    # alert went away; it does not import supervision to do so.
    signals.case_closed.connect(_on_closed, dispatch_uid="supervision.case_closed")
    signals.case_alert_resolved.connect(
        _on_alert_resolved, dispatch_uid="supervision.case_alert_resolved"
    )
    # A simulated history of cases (``tongban simulate``, the demo) has its nightly sweep.
    from tongban.cases.simulation import on_simulated_night

    from ... import services

    on_simulated_night(services.simulated_night, logger=services.__name__)
