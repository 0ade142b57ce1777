"""What the case engine tells the apps built on it, without importing them.

- ``case_closed(case, at)``: the case completed, was terminated or withdrawn, inside
  the engine's transaction (supervision cures its cards and alerts);
- ``case_alert_resolved(case, kind, at)``: the reason for an alert of ``kind`` went
  away — the pledged materials are in (``pledge_overdue``), the special procedure
  ended (``special_overrun``).

Receivers run in the sender's transaction: a receiver that fails fails the action.
"""

from __future__ import annotations

from django.dispatch import Signal

case_closed = Signal()
case_alert_resolved = Signal()
