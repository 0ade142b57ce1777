"""Writing to the outbox (inside the caller's transaction) and dispatching it (after
commit, from the worker or the command line)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Channel, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

MAX_BODY = 500


def enqueue(
    *,
    channel: str,
    template: str,
    body: str,
    at: dt.datetime,
    recipient=None,
    address: str = "",
    recipient_name: str = "",
    subject: str = "",
    case=None,
) -> OutboxMessage | None:
    """Write one message. A staff ``recipient`` gives the address (their mobile for
    SMS) unless one is passed; a message with nowhere to go is not written."""
    if recipient is not None:
        recipient_name = recipient_name or recipient.display_name
        if not address and channel == Channel.SMS:
            address = recipient.mobile or ""
        if not address and channel == Channel.EMAIL:
            address = recipient.email or ""
    if channel in (Channel.SMS, Channel.EMAIL) and not address:
        return None
    if channel == Channel.INTERNAL and recipient is None:
        return None
    message = OutboxMessage.objects.create(
        channel=channel,
        template=template,
        recipient=recipient,
        recipient_name=recipient_name[:100],
        address=address,
        subject=subject[:200],
        body=body[:MAX_BODY],
        case=case,
        created_at=at,
        next_attempt_at=at,
    )
    transaction.on_commit(_schedule_dispatch)
    return message


def notify_staff(
    users: Iterable,
    *,
    template: str,
    body: str,
    at: dt.datetime,
    case=None,
    subject: str = "",
) -> list[OutboxMessage]:
    """An internal message and an SMS to each of ``users`` (each user once)."""
    written: list[OutboxMessage] = []
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        for channel in (Channel.INTERNAL, Channel.SMS):
            message = enqueue(
                channel=channel,
                template=template,
                body=body,
                subject=subject,
                at=at,
                recipient=user,
                case=case,
            )
            if message is not None:
                written.append(message)
    return written


def _schedule_dispatch() -> None:
    if getattr(settings, "TONGBAN_OUTBOX_EAGER", True):
        from .tasks import dispatch_outbox_task

        dispatch_outbox_task()


# --- dispatching ---------------------------------------------------------------------


def backend_for(channel: str):
    path = settings.TONGBAN_NOTIFY_BACKENDS.get(channel) or settings.TONGBAN_NOTIFY_BACKENDS["*"]
    return import_string(path)()


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff: 1, 2, 4 … minutes, at most an hour."""
    return dt.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def dispatch_pending(*, at: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send what is due. Each message is taken under a row lock (skipping rows
    another dispatcher holds), so two workers never send the same message twice."""
    at = at or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    max_attempts = settings.TONGBAN_NOTIFY_MAX_ATTEMPTS
    while True:
        with transaction.atomic():
            query = OutboxMessage.objects.due(at).order_by("next_attempt_at", "id")
            if connection.features.has_select_for_update_skip_locked:
                query = query.select_for_update(skip_locked=True)
            batch = list(query[:50])
            if not batch:
                return counts
            for message in batch:
                backend = backend_for(message.channel)
                message.attempts += 1
                try:
                    backend.send(message)
                except Exception as exc:  # a channel failure must not stop the others
                    message.last_error = str(exc)[:300]
                    if message.attempts >= max_attempts:
                        message.status = OutboxStatus.FAILED
                        counts["failed"] += 1
                    else:
                        message.next_attempt_at = at + retry_delay(message.attempts)
                        counts["retry"] += 1
                    log.warning("outbox %s: %s", message.pk, message.last_error)
                else:
                    message.status = OutboxStatus.SENT
                    message.sent_at = timezone.now()
                    counts["sent"] += 1
                message.save(
                    update_fields=["attempts", "status", "sent_at", "next_attempt_at", "last_error"]
                )
            if sum(counts.values()) >= limit:
                return counts
