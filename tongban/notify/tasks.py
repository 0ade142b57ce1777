from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import collect_receipts, dispatch_pending


@db_task()
def dispatch_outbox_task():
    return dispatch_pending(at=timezone.now())


@db_periodic_task(crontab(minute="*"))
def dispatch_outbox_periodically():
    """Retries and anything written while no worker was running."""
    return dispatch_pending(at=timezone.now())


@db_periodic_task(crontab(minute="*/5"))
def collect_receipts_periodically():
    """Delivery receipts an SMSC queued while no session was bound."""
    return collect_receipts(at=timezone.now())
