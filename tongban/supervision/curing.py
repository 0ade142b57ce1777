"""Curing, called by the owner of a clocked item in its own transaction: a card is
cured when its item ends (completed, terminated, withdrawn), an alert resolved when
its reason goes away. The kinds reach these through their own signals (for cases
``cases.signals``, connected in ``kinds.cases.register``)."""

from __future__ import annotations

import datetime as dt

from tongban.core.clock import local_date

from .models import Alert, Card


def item_closed(kind_key: str, pk: int, at: dt.datetime) -> int:
    """Cure the item's open cards and resolve its open alerts; the cards cured."""
    cured = (
        Card.objects.of(kind_key, pk)
        .filter(cured_at__isnull=True)
        .update(cured_at=at, cured_on=local_date(at))
    )
    Alert.objects.of(kind_key, pk).filter(resolved_at__isnull=True).update(resolved_at=at)
    return cured


def resolve_alerts(kind_key: str, pk: int, alert_kind: str, at: dt.datetime) -> int:
    """Resolve the item's open alerts of ``alert_kind``; how many."""
    return (
        Alert.objects.of(kind_key, pk)
        .filter(kind=alert_kind, resolved_at__isnull=True)
        .update(resolved_at=at)
    )
