"""Register the SMS templates that the portal, Q&A, ratings and online supplements
write (the gateway refuses an unregistered template)."""

from django.db import migrations
from django.utils import timezone

SIGNATURE = "【天水政务】"

TEMPLATES = {
    "case.supplemented": "补正提醒：{content}",
    "citizen_verification": "验证码：{content}",
    "qa.assigned": "咨询待办：{content}",
    "qa.answered": "咨询答复：{content}",
    "rating.bad": "差评整改：{content}",
}


def register(apps, schema_editor):
    SmsTemplate = apps.get_model("notify", "SmsTemplate")
    now = timezone.now()
    for code, text in TEMPLATES.items():
        SmsTemplate.objects.get_or_create(
            code=code, defaults={"text": text, "signature": SIGNATURE, "updated_at": now}
        )


def unregister(apps, schema_editor):
    apps.get_model("notify", "SmsTemplate").objects.filter(code__in=TEMPLATES).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0003_seed_sms_templates")]

    operations = [migrations.RunPython(register, unregister)]
