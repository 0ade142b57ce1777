"""Shared by the citizen tests: the clock, the code from the SMS in the outbox (the
real flow), a registered citizen, and the Chinese text a visitor sees."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import translation
from django.utils.translation import gettext

from tongban.citizens import services
from tongban.citizens.models import Citizen, CodePurpose
from tongban.core.clock import LOCAL_TZ
from tongban.notify.models import OutboxMessage

MOBILE = "13912345678"
OTHER_MOBILE = "13698765432"
PASSWORD = "Qinzhou-2026!ok"
NEW_PASSWORD = "Maiji-Shan#2027"
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL_TZ)


def zh(msgid: str) -> str:
    """What a visitor with a Chinese browser reads for ``msgid`` (the catalogue's
    translation once merged; the English text until then)."""
    with translation.override("zh-hans"):
        return gettext(msgid)


def sms_code(mobile: str) -> str:
    """The code in the last SMS written to ``mobile``."""
    # Compared in Python: the outbox may keep addresses encrypted.
    messages = OutboxMessage.objects.filter(channel="sms", template="citizen_verification")
    message = next((m for m in messages.order_by("-id") if m.address == mobile), None)
    assert message is not None, f"no verification SMS to {mobile}"
    return re.search(r"\d{6}", message.body).group(0)


def register(mobile: str = MOBILE, name: str = "张小三", *, at: dt.datetime = T0) -> Citizen:
    """A citizen registered through the services (code read from the outbox)."""
    services.send_code(mobile=mobile, purpose=CodePurpose.REGISTER, ip="10.0.0.1", at=at)
    return services.register_citizen(
        mobile=mobile,
        name=name,
        password=PASSWORD,
        code=sms_code(mobile),
        ip="10.0.0.1",
        at=at + dt.timedelta(minutes=1),
    )
