"""Register the SMS templates the code writes today, and index the addresses of SMS
already in the outbox (the daily cap counts by the index)."""

from django.db import migrations
from django.utils import timezone

SIGNATURE = "【天水政务】"

# code → text; {content} is the notification's text as the code writes it.
TEMPLATES = {
    "case.step_assigned": "待办提醒：{content}",
    "case.received": "办件通知：{content}",
    "case.accepted": "办件通知：{content}",
    "case.rejected": "办件通知：{content}",
    "case.supplement_requested": "补正通知：{content}",
    "case.suspended": "办件通知：{content}",
    "case.extended": "办件通知：{content}",
    "case.completed": "办结通知：{content}",
    "case.withdraw": "办件通知：{content}",
    "case.terminate": "办件通知：{content}",
    "case.extension_requested": "延期审批：{content}",
    "case.extension_decided": "延期审批：{content}",
    "case.urged": "催办提醒：{content}",
    "supervision.yellow": "效能监察：{content}",
    "supervision.red": "效能监察：{content}",
    "supervision.special_overrun": "监察预警：{content}",
    "supervision.pledge_overdue": "监察预警：{content}",
}


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("notify", "SmsTemplate")
    now = timezone.now()
    for code, text in TEMPLATES.items():
        SmsTemplate.objects.get_or_create(
            code=code, defaults={"text": text, "signature": SIGNATURE, "updated_at": now}
        )


def index_addresses(apps, schema_editor):
    from tongban.core.crypto import provider

    OutboxMessage = apps.get_model("notify", "OutboxMessage")
    for message in OutboxMessage.objects.filter(channel="sms", address_index="").iterator():
        if message.address:
            message.address_index = provider().blind_index(message.address.strip())
            message.save(update_fields=["address_index"])


class Migration(migrations.Migration):
    dependencies = [("notify", "0002_delivery_status")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(index_addresses, migrations.RunPython.noop),
    ]
