"""The SMS template register: seeded, edited by system administrators only, through
the admin with errors on the field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.notify.models import SmsTemplate
from tongban.notify.services import save_sms_template

from .conftest import T0

pytestmark = pytest.mark.django_db


def test_it_has_the_templates_the_code_writes_registered():
    codes = set(SmsTemplate.objects.values_list("code", flat=True))
    assert {"case.step_assigned", "case.completed", "case.urged", "supervision.red"} <= codes
    assert SmsTemplate.objects.get(code="case.completed").render({"content": "已办结"}) == (
        "【天水政务】办结通知：已办结"
    )


def test_it_refuses_a_bad_signature_or_placeholder_naming_the_field(people):
    with pytest.raises(ValidationFailed) as caught:
        save_sms_template(
            actor=people.system_admin, at=T0, code="x.y", text="好 {a.b}", signature="天水"
        )
    assert set(caught.value.fields) == {"text", "signature"}
    assert not SmsTemplate.objects.filter(code="x.y").exists()


def test_only_system_administrators_register_templates(people):
    with pytest.raises(PermissionDenied):
        save_sms_template(
            actor=people.handler, at=T0, code="x.y", text="{content}", signature="【天水政务】"
        )
    template = save_sms_template(
        actor=people.system_admin,
        at=T0,
        code="x.y",
        text="{content}",
        signature="【天水政务】",
        gateway_template_id="SMS_123",
    )
    assert AuditRecord.objects.filter(action="sms_template.create", object_id=str(template.pk))


def test_the_admin_form_shows_the_refusal_on_the_field(people, client):
    log_in(client, people.system_admin)
    url = reverse("admin:notify_smstemplate_add")
    response = client.post(
        url, {"code": "x.z", "gateway_template_id": "", "signature": "天水", "text": "{content}"}
    )
    assert response.status_code == 200
    assert "【" in response.context["adminform"].form.errors["signature"][0]
    response = client.post(
        url,
        {
            "code": "x.z",
            "gateway_template_id": "T1",
            "signature": "【天水政务】",
            "text": "{content}",
        },
    )
    assert response.status_code == 302
    assert SmsTemplate.objects.get(code="x.z").gateway_template_id == "T1"
