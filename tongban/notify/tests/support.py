from __future__ import annotations

import datetime as dt

from tongban.notify.models import Channel, OutboxMessage
from tongban.notify.services import dispatch_pending, enqueue

MINUTE = dt.timedelta(minutes=1)


def citizen_sms(at: dt.datetime, mobile: str, text: str = "您的申请已受理。", **kwargs):
    return enqueue(
        channel=Channel.SMS,
        template=kwargs.pop("template", "case.accepted"),
        body=text,
        at=at,
        address=mobile,
        recipient_name="张三",
        **kwargs,
    )


def run_clock(start: dt.datetime, end: dt.datetime, step: dt.timedelta = MINUTE) -> None:
    """The worker's periodic dispatch, once a ``step`` from ``start`` to ``end``."""
    at = start
    while at <= end:
        dispatch_pending(at=at)
        at += step


def reload(message: OutboxMessage) -> OutboxMessage:
    message.refresh_from_db()
    return message


SEED_MIGRATIONS = ("0003_seed_sms_templates", "0004_register_portal_templates")


def registered_templates() -> dict[str, str]:
    """The templates the data migrations register (code → text)."""
    from importlib import import_module

    templates: dict[str, str] = {}
    for name in SEED_MIGRATIONS:
        templates.update(import_module(f"tongban.notify.migrations.{name}").TEMPLATES)
    return templates


def ensure_registered_templates() -> None:
    """Put back the register the migrations seed: a transactional test elsewhere in
    the run flushes the tables, seeded rows included."""
    from django.utils import timezone

    from tongban.notify.models import SmsTemplate

    for code, text in registered_templates().items():
        SmsTemplate.objects.get_or_create(
            code=code,
            defaults={"text": text, "signature": "【天水政务】", "updated_at": timezone.now()},
        )
