"""Registration with an SMS code: through the pages (code read from the outbox), and
the code's rules through the service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tongban.audit.models import AuditRecord
from tongban.citizens import services
from tongban.citizens.models import Citizen, CodePurpose, VerificationCode
from tongban.core.errors import ActionNotAllowed, ValidationFailed
from tongban.notify.models import OutboxMessage

from .support import MOBILE, PASSWORD, T0, register, sms_code, zh

pytestmark = pytest.mark.django_db

URL = "/portal/account/register/"


def _form(**overrides):
    data = {
        "mobile": MOBILE,
        "name": "张小三",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "code": "",
        "action": "register",
    }
    data.update(overrides)
    return data


def test_it_registers_a_citizen_with_the_code_sent_by_sms_and_logs_them_in(client):
    response = client.post(URL, {"mobile": "139 1234 5678", "action": "send"})
    assert response.status_code == 200
    assert (
        zh(
            "A verification code was sent by SMS to the number you entered. "
            "It is valid for %(minutes)d minutes."
        )
        % {"minutes": 10}
        in response.text
    )
    # What was typed comes back; no "required" errors for fields not reached yet.
    assert 'value="139 1234 5678"' in response.text
    assert "is-invalid" not in response.text
    sms = OutboxMessage.objects.get(template="citizen_verification")
    assert sms.channel == "sms" and sms.address == MOBILE

    response = client.post(URL, _form(code=sms_code(MOBILE), next="/portal/guide/"))

    assert response.status_code == 302 and response.url == "/portal/guide/"
    citizen = Citizen.objects.get()
    assert citizen.name == "张小三" and citizen.mobile == MOBILE
    assert citizen.password.startswith(("argon2", "md5"))  # hashed, never stored plain
    assert client.session["_citizen_id"] == citizen.pk
    page = client.get(reverse("citizens:account"))
    assert "张小三" in page.text  # their own account page shows their own name
    assert "139****5678" in page.text
    actions = list(AuditRecord.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["citizen.code", "citizen.register", "citizen.login"]
    assert MOBILE not in "".join(AuditRecord.objects.values_list("object_repr", flat=True))


def test_it_refuses_a_wrong_code_on_the_code_field_and_keeps_the_form(client):
    client.post(URL, {"mobile": MOBILE, "action": "send"})
    right = sms_code(MOBILE)
    wrong = "000000" if right != "000000" else "111111"

    response = client.post(URL, _form(code=wrong))

    assert response.status_code == 200
    assert zh("The verification code is wrong.") in response.text
    assert 'id="id_code-error"' in response.text
    assert 'value="张小三"' in response.text
    assert not Citizen.objects.exists()
    assert VerificationCode.objects.get().attempts == 1
    # The right code still works afterwards.
    assert client.post(URL, _form(code=right)).status_code == 302


def test_it_names_the_weak_password_and_keeps_the_code_usable(client):
    client.post(URL, {"mobile": MOBILE, "action": "send"})
    code = sms_code(MOBILE)

    response = client.post(URL, _form(code=code, password1="abcdefghij", password2="abcdefghij"))

    assert response.status_code == 200
    assert 'id="id_password1-error"' in response.text
    assert not Citizen.objects.exists()
    assert VerificationCode.objects.get().used_at is None
    mismatch = client.post(URL, _form(code=code, password2=PASSWORD + "x"))
    assert zh("The two passwords do not match.") in mismatch.text
    assert client.post(URL, _form(code=code)).status_code == 302


def test_it_refuses_an_expired_code():
    services.send_code(mobile=MOBILE, purpose=CodePurpose.REGISTER, ip=None, at=T0)
    with pytest.raises(ValidationFailed) as refused:
        services.register_citizen(
            mobile=MOBILE,
            name="张小三",
            password=PASSWORD,
            code=sms_code(MOBILE),
            ip=None,
            at=T0 + dt.timedelta(minutes=10, seconds=1),
        )
    assert refused.value.fields == {
        "code": [
            zh("The verification code has expired or was not requested. Please get a new one.")
        ]
    }
    assert not Citizen.objects.exists()


def test_it_refuses_a_code_used_a_second_time():
    citizen = register()
    code = sms_code(MOBILE)
    with pytest.raises(ValidationFailed) as refused:
        services.register_citizen(
            mobile=MOBILE, name="李四", password=PASSWORD, code=code, ip=None, at=T0
        )
    assert "code" in refused.value.fields
    assert list(Citizen.objects.all()) == [citizen]


def test_it_kills_a_code_after_five_wrong_guesses():
    services.send_code(mobile=MOBILE, purpose=CodePurpose.REGISTER, ip=None, at=T0)
    right = sms_code(MOBILE)
    wrong = "000000" if right != "000000" else "111111"
    for _i in range(5):
        with pytest.raises(ValidationFailed):
            services.register_citizen(
                mobile=MOBILE, name="张小三", password=PASSWORD, code=wrong, ip=None, at=T0
            )
    with pytest.raises(ValidationFailed) as refused:
        services.register_citizen(
            mobile=MOBILE, name="张小三", password=PASSWORD, code=right, ip=None, at=T0
        )
    assert refused.value.fields["code"] == [zh("Too many wrong codes. Please get a new one.")]


def test_it_refuses_a_new_code_within_a_minute_and_beyond_the_daily_limit(settings):
    services.send_code(mobile=MOBILE, purpose=CodePurpose.REGISTER, ip="10.0.0.9", at=T0)
    with pytest.raises(ActionNotAllowed):
        services.send_code(
            mobile=MOBILE,
            purpose=CodePurpose.REGISTER,
            ip="10.0.0.9",
            at=T0 + dt.timedelta(seconds=59),
        )
    settings.TONGBAN_CITIZEN_CODES_PER_MOBILE_DAY = 3
    for minute in (1, 2):
        services.send_code(
            mobile=MOBILE,
            purpose=CodePurpose.REGISTER,
            ip="10.0.0.9",
            at=T0 + dt.timedelta(minutes=minute),
        )
    with pytest.raises(ActionNotAllowed):
        services.send_code(
            mobile=MOBILE,
            purpose=CodePurpose.REGISTER,
            ip="10.0.0.9",
            at=T0 + dt.timedelta(minutes=3),
        )
    assert OutboxMessage.objects.filter(template="citizen_verification").count() == 3
    # Per IP as well: another number from the same address.
    settings.TONGBAN_CITIZEN_CODES_PER_IP_DAY = 3
    with pytest.raises(ActionNotAllowed):
        services.send_code(
            mobile="13700000000",
            purpose=CodePurpose.REGISTER,
            ip="10.0.0.9",
            at=T0 + dt.timedelta(minutes=4),
        )


def test_it_refuses_a_malformed_mobile_number_on_the_mobile_field(client):
    response = client.post(URL, {"mobile": "1234", "action": "send"})
    assert zh("Enter a valid 11-digit mobile number.") in response.text
    assert 'id="id_mobile-error"' in response.text
    assert not OutboxMessage.objects.exists()


def test_it_tells_only_the_holder_of_the_phone_that_the_number_is_registered(client):
    register()
    # The "send code" step answers as for any number …
    response = client.post(URL, {"mobile": MOBILE, "action": "send"})
    assert "alert-success" in response.text
    assert zh("This mobile number is already registered. Log in, or reset your password.") not in (
        response.text
    )
    # … and only with the code from that phone does the page say so.
    response = client.post(URL, _form(code=sms_code(MOBILE)))
    assert response.status_code == 200
    assert (
        zh("This mobile number is already registered. Log in, or reset your password.")
        in response.text
    )
    assert Citizen.objects.count() == 1
