"""Writing to the outbox (inside the caller's transaction) and dispatching it (after
commit, from the worker or the command line). Policy in docs/notifications.md."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tongban.audit.services import record_event
from tongban.core.clock import LOCAL_TZ, start_of_local_day
from tongban.core.crypto import provider
from tongban.core.errors import PermissionDenied
from tongban.core.services import full_clean_or_raise

from .backends import (
    DELIVERED,
    Backend,
    GatewayUnavailable,
    PermanentFailure,
    Receipt,
    TemporaryFailure,
)
from .models import Channel, FailureReason, OutboxMessage, OutboxStatus, SmsTemplate

if TYPE_CHECKING:
    # Only named in annotations: the outbox points at a case, it does not use cases.
    from tongban.accounts.models import User
    from tongban.cases.models import Case

log = logging.getLogger(__name__)

MAX_BODY = 500
# The alert to the system administrators when a message fails for good.
FAILURE_ALERT_TEMPLATE = "notify.failed"


def address_index(address: str) -> str:
    return provider().blind_index(address.strip()) if address else ""


def enqueue(
    *,
    channel: str,
    template: str,
    body: str,
    at: dt.datetime,
    recipient: User | None = None,
    address: str = "",
    recipient_name: str = "",
    subject: str = "",
    case: Case | None = None,
    params: dict[str, Any] | None = None,
) -> OutboxMessage | None:
    """Write one message. A staff ``recipient`` gives the address (their mobile for
    SMS) unless one is passed; a message with nowhere to go is not written.
    ``params`` are the values of the registered SMS template, for gateways that
    take them (the text is always there too, as ``{content}``)."""
    message = _write(
        channel=channel,
        template=template,
        body=body,
        at=at,
        recipient=recipient,
        address=address,
        recipient_name=recipient_name,
        subject=subject,
        case=case,
        params=params,
    )
    if message is not None:
        transaction.on_commit(_schedule_dispatch)
    return message


def _write(
    *,
    channel: str,
    template: str,
    body: str,
    at: dt.datetime,
    recipient: User | None = None,
    address: str = "",
    recipient_name: str = "",
    subject: str = "",
    case: Case | None = None,
    params: dict[str, Any] | None = None,
) -> OutboxMessage | None:
    if recipient is not None:
        recipient_name = recipient_name or recipient.display_name
        if not address and channel == Channel.SMS:
            address = recipient.mobile or ""
        if not address and channel == Channel.EMAIL:
            address = recipient.email or ""
    address = (address or "").strip()
    if channel in (Channel.SMS, Channel.EMAIL) and not address:
        return None
    if channel == Channel.INTERNAL and recipient is None:
        return None
    next_attempt_at = at
    if channel == Channel.SMS and recipient is None and not _quiet_exempt(template):
        # A citizen's SMS written at night waits for the morning.
        next_attempt_at = quiet_hours_end(at) or at
    return OutboxMessage.objects.create(
        channel=channel,
        template=template,
        recipient=recipient,
        recipient_name=recipient_name[:100],
        address=address,
        address_index=address_index(address) if channel == Channel.SMS else "",
        subject=subject[:200],
        body=body[:MAX_BODY],
        params=params or {},
        case=case,
        created_at=at,
        next_attempt_at=next_attempt_at,
    )


def notify_staff(
    users: Iterable[User | None],
    *,
    template: str,
    body: str,
    at: dt.datetime,
    case: Case | None = None,
    subject: str = "",
) -> list[OutboxMessage]:
    """An internal message and an SMS to each of ``users`` (each user once), and an
    e-mail to those with an address (TONGBAN_NOTIFY_EMAIL)."""
    channels = [Channel.INTERNAL, Channel.SMS]
    if settings.TONGBAN_NOTIFY_EMAIL:
        channels.append(Channel.EMAIL)
    written: list[OutboxMessage] = []
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        for channel in channels:
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


# The queue's task that dispatches the outbox; ``NotifyConfig.ready`` sets it, because
# the task module builds on this one (tasks -> services, never back).
_dispatch_task: Callable[[], object] | None = None


def set_dispatch_task(task: Callable[[], object]) -> None:
    global _dispatch_task
    _dispatch_task = task


def _schedule_dispatch() -> None:
    if getattr(settings, "TONGBAN_OUTBOX_EAGER", True) and _dispatch_task is not None:
        _dispatch_task()


# --- quiet hours and the daily cap ---------------------------------------------------


def _quiet_window() -> tuple[dt.time, dt.time] | None:
    text = (settings.TONGBAN_SMS_QUIET_HOURS or "").strip()
    if not text:
        return None
    start, _sep, end = text.partition("-")
    return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())


def _quiet_exempt(template: str) -> bool:
    return template in settings.TONGBAN_SMS_QUIET_EXEMPT


def quiet_hours_end(at: dt.datetime) -> dt.datetime | None:
    """The end of the quiet hours ``at`` falls in (local time), or None outside them."""
    window = _quiet_window()
    if window is None:
        return None
    start, end = window
    local = at.astimezone(LOCAL_TZ)
    now = local.time()
    quiet = (now >= start or now < end) if start > end else (start <= now < end)
    if not quiet:
        return None
    until = dt.datetime.combine(local.date(), end, tzinfo=LOCAL_TZ)
    if until <= local:
        until += dt.timedelta(days=1)
    return until


def _next_morning(at: dt.datetime) -> dt.datetime:
    window = _quiet_window()
    morning = window[1] if window else dt.time(0, 0)
    tomorrow = at.astimezone(LOCAL_TZ).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, morning, tzinfo=LOCAL_TZ)


def _sms_hold_until(message: OutboxMessage, at: dt.datetime) -> dt.datetime | None:
    """When an SMS due now must wait: quiet hours (citizens only; staff notices are
    work and go at once) and the per-number daily cap (everyone)."""
    if message.recipient_id is None and not _quiet_exempt(message.template):
        until = quiet_hours_end(at)
        if until is not None:
            return until
    cap = settings.TONGBAN_SMS_DAILY_CAP
    if cap and message.address_index:
        if connection.vendor == "postgresql":
            # Two dispatchers must not both send the 20th message to one number.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))",
                    ["tongban.sms_cap." + message.address_index],
                )
        sent_today = OutboxMessage.objects.filter(
            channel=Channel.SMS,
            address_index=message.address_index,
            sent_at__gte=start_of_local_day(at.astimezone(LOCAL_TZ).date()),
        ).count()
        if sent_today >= cap:
            return _next_morning(at)
    return None


# --- dispatching ---------------------------------------------------------------------


def backend_for(channel: str) -> Backend:
    path = settings.TONGBAN_NOTIFY_BACKENDS.get(channel) or settings.TONGBAN_NOTIFY_BACKENDS["*"]
    backend: Backend = import_string(path)()
    return backend


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff: 1, 2, 4 … minutes, at most TONGBAN_NOTIFY_BACKOFF_CAP_MINUTES."""
    cap = settings.TONGBAN_NOTIFY_BACKOFF_CAP_MINUTES
    return dt.timedelta(minutes=min(cap, 2 ** min(20, max(0, attempts - 1))))


def _sms_template(message: OutboxMessage, backend: Backend) -> SmsTemplate | None:
    if message.channel != Channel.SMS or not backend.needs_registered_template:
        return None
    template = SmsTemplate.objects.filter(code=message.template, active=True).first()
    if template is None:
        raise PermanentFailure(
            _("SMS template %(code)s is not registered with the gateway.")
            % {"code": message.template},
            reason=FailureReason.TECHNICAL,
        )
    return template


class _Run:
    """One dispatcher run: its backends (one connection per channel) and the
    channels found unreachable, which are not knocked on again in this run."""

    def __init__(self) -> None:
        self.backends: dict[str, Backend] = {}
        self.down: dict[str, GatewayUnavailable] = {}

    def backend(self, channel: str) -> Backend:
        if channel not in self.backends:
            self.backends[channel] = backend_for(channel)
        return self.backends[channel]

    def receipts(self) -> list[Receipt]:
        return [r for backend in self.backends.values() for r in backend.take_receipts()]

    def close(self) -> list[Receipt]:
        for backend in self.backends.values():
            try:
                backend.close()
            except Exception:  # closing must not lose the receipts
                log.exception("closing a notify backend")
        return self.receipts()


def dispatch_pending(*, at: dt.datetime, limit: int = 200) -> dict[str, int]:
    """Send what is due. Each message is taken alone under a row lock (skipping rows
    another dispatcher holds), sent, and marked in the same transaction, so two
    workers never send one message twice and a crash repeats at most the one
    message that was on the wire (docs/notifications.md)."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "deferred": 0}
    run = _Run()
    try:
        while sum(counts.values()) < limit:
            outcome = _dispatch_one(run, at)
            if outcome is None:
                break
            counts[outcome] += 1
            _record_receipts(run.receipts(), at)
    finally:
        _record_receipts(run.close(), at)
    return counts


def _dispatch_one(run: _Run, at: dt.datetime) -> str | None:
    with transaction.atomic():
        query = OutboxMessage.objects.due(at).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True, of=("self",))
        message = query.first()
        if message is None:
            return None
        if message.channel == Channel.SMS:
            until = _sms_hold_until(message, at)
            if until is not None:
                message.next_attempt_at = until
                message.save(update_fields=["next_attempt_at"])
                return "deferred"
        message.attempts += 1
        outcome = "sent"
        try:
            backend = run.backend(message.channel)
            template = _sms_template(message, backend)
            if message.channel in run.down:
                raise run.down[message.channel]
            gateway_id = backend.send(message, template=template)
        except GatewayUnavailable as exc:
            run.down[message.channel] = exc
            outcome = _retry_or_give_up(message, at, exc.message)
        except TemporaryFailure as exc:
            outcome = _retry_or_give_up(message, at, exc.message)
        except PermanentFailure as exc:
            _fail(message, at, exc.reason, exc.message)
            outcome = "failed"
        except Exception as exc:  # a channel's bug must not stop the others
            log.exception("outbox %s", message.pk)
            outcome = _retry_or_give_up(message, at, f"{type(exc).__name__}: {exc}")
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = at
            message.gateway_message_id = gateway_id or ""
            message.first_failed_at = None
            message.last_error = ""
        message.save(
            update_fields=[
                "attempts",
                "status",
                "sent_at",
                "next_attempt_at",
                "first_failed_at",
                "failure_reason",
                "last_error",
                "gateway_message_id",
            ]
        )
        if outcome == "failed":
            _after_final_failure(message, at)
        return outcome


def _retry_or_give_up(message: OutboxMessage, at: dt.datetime, error: str) -> str:
    log.warning("outbox %s attempt %s: %s", message.pk, message.attempts, error)
    message.first_failed_at = message.first_failed_at or at
    give_up_after = dt.timedelta(hours=settings.TONGBAN_NOTIFY_GIVE_UP_HOURS)
    if (
        at - message.first_failed_at >= give_up_after
        or message.attempts >= settings.TONGBAN_NOTIFY_MAX_ATTEMPTS
    ):
        _fail(message, at, FailureReason.TECHNICAL, error)
        return "failed"
    message.status = OutboxStatus.TEMPORARY_FAILURE
    message.last_error = error[:300]
    message.next_attempt_at = at + retry_delay(message.attempts)
    return "retry"


def _fail(message: OutboxMessage, at: dt.datetime, reason: str, error: str) -> None:
    message.status = OutboxStatus.FAILED
    message.failure_reason = reason
    message.last_error = error[:300]
    message.first_failed_at = message.first_failed_at or at


def _after_final_failure(message: OutboxMessage, at: dt.datetime) -> None:
    """Audit the loss; a technical failure (ours or the gateway's, not the
    recipient's) also tells the system administrators — internally only, so a dead
    SMS gateway cannot loop."""
    record_event(
        actor=None,
        action="outbox.failed",
        obj=message,
        object_repr=f"{message.get_channel_display()} {message.template}",
        success=False,
        message=message.last_error,
        after={"reason": message.failure_reason, "attempts": message.attempts},
        at=at,
    )
    if message.failure_reason != FailureReason.TECHNICAL:
        return
    if message.channel == Channel.INTERNAL or message.template == FAILURE_ALERT_TEMPLATE:
        return
    from tongban.accounts.models import User
    from tongban.accounts.roles import RoleCode

    admins = User.objects.filter(is_active=True, roles__code=RoleCode.SYSTEM_ADMIN).distinct()
    body = _(
        "A notification could not be sent: %(channel)s “%(template)s” to %(recipient)s, "
        "%(attempts)d attempts since %(since)s. Last error: %(error)s"
    ) % {
        "channel": message.get_channel_display(),
        "template": message.template,
        "recipient": message.recipient_name or message.masked_address,
        "attempts": message.attempts,
        "since": timezone.localtime(message.first_failed_at or at).strftime("%Y-%m-%d %H:%M"),
        "error": message.last_error,
    }
    for admin in admins.order_by("pk"):
        # Written directly: this run (or the next) delivers it; no nested dispatch.
        _write(
            channel=Channel.INTERNAL,
            template=FAILURE_ALERT_TEMPLATE,
            subject=_("Notification failed"),
            body=body,
            at=at,
            recipient=admin,
            case=message.case,
        )


# --- delivery receipts -------------------------------------------------------------------


def record_delivery_receipt(
    *, gateway_message_id: str, status: str, at: dt.datetime, detail: str = ""
) -> OutboxMessage | None:
    """The gateway's report on a message it accepted: delivered, or failed with a
    reason. Only a message still ``sent`` changes, so repeated receipts are harmless."""
    if not gateway_message_id:
        return None
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(gateway_message_id=gateway_message_id, status=OutboxStatus.SENT)
            .order_by("-id")
            .first()
        )
        if message is None:
            return None
        if status == DELIVERED:
            message.status = OutboxStatus.DELIVERED
            message.delivered_at = at
            message.save(update_fields=["status", "delivered_at"])
            return message
        if status not in FailureReason.values:
            return None
        _fail(message, at, status, detail or status)
        message.save(update_fields=["status", "failure_reason", "last_error", "first_failed_at"])
        _after_final_failure(message, at)
        return message


def _record_receipts(receipts: list[Receipt], at: dt.datetime) -> None:
    for receipt in receipts:
        record_delivery_receipt(
            gateway_message_id=receipt.gateway_message_id,
            status=receipt.status,
            at=at,
            detail=receipt.detail,
        )


def collect_receipts(*, at: dt.datetime) -> int:
    """Ask a receipt-queueing gateway (SMPP) for the receipts of messages still
    waiting for one (sent in the last three days)."""
    waiting = OutboxMessage.objects.filter(
        channel=Channel.SMS, status=OutboxStatus.SENT, sent_at__gte=at - dt.timedelta(days=3)
    ).exclude(gateway_message_id="")
    if not waiting.exists():
        return 0
    backend = backend_for(Channel.SMS)
    collect = getattr(backend, "collect_receipts", None)
    if collect is None:
        return 0
    try:
        receipts = collect()
    except TemporaryFailure as exc:
        log.warning("collecting SMS receipts: %s", exc.message)
        return 0
    _record_receipts(receipts, at)
    return len(receipts)


# --- the SMS template register ------------------------------------------------------------


def _require_system(actor: User | None) -> None:
    if actor is None:
        return  # the system itself (migrations, set-up)
    from tongban.accounts.roles import Module
    from tongban.accounts.selectors import user_modules

    if not (actor.is_active and Module.SYSTEM in user_modules(actor)):
        raise PermissionDenied()


def save_sms_template(
    *,
    actor: User | None,
    at: dt.datetime,
    code: str,
    text: str,
    signature: str,
    gateway_template_id: str = "",
    active: bool = True,
    template: SmsTemplate | None = None,
) -> SmsTemplate:
    """Register an SMS template or change one (system administrators)."""
    _require_system(actor)
    with transaction.atomic():
        if template is not None:
            template = SmsTemplate.objects.select_for_update().get(pk=template.pk)
            before = {
                "code": template.code,
                "gateway_template_id": template.gateway_template_id,
                "text": template.text,
                "signature": template.signature,
                "active": template.active,
            }
        else:
            template = SmsTemplate()
            before = None
        template.code = (code or "").strip()
        template.gateway_template_id = (gateway_template_id or "").strip()
        template.text = (text or "").strip()
        template.signature = (signature or "").strip()
        template.active = active
        template.updated_at = at
        full_clean_or_raise(template)
        template.save()
        after = {
            "code": template.code,
            "gateway_template_id": template.gateway_template_id,
            "text": template.text,
            "signature": template.signature,
            "active": template.active,
        }
        record_event(
            actor=actor,
            action="sms_template.update" if before else "sms_template.create",
            obj=template,
            before=before,
            after=after,
            at=at,
        )
    return template
