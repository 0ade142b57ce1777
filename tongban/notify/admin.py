from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.accounts.admin_site import ModuleAdmin, ServiceAdmin
from tongban.accounts.roles import Module
from tongban.core.admin import ServiceForm

from . import services
from .models import OutboxMessage, SmsTemplate


class SmsTemplateForm(ServiceForm):
    class Meta:
        model = SmsTemplate
        fields = ["code", "gateway_template_id", "signature", "text", "active"]

    def apply(self, actor):
        return services.save_sms_template(
            actor=actor,
            at=timezone.now(),
            template=self.instance if self.instance.pk else None,
            code=self.cleaned_data["code"],
            gateway_template_id=self.cleaned_data["gateway_template_id"],
            signature=self.cleaned_data["signature"],
            text=self.cleaned_data["text"],
            active=self.cleaned_data["active"],
        )


@admin.register(SmsTemplate)
class SmsTemplateAdmin(ServiceAdmin):
    """The register of SMS templates approved by the gateway. Templates are switched
    off rather than deleted: the outbox keeps naming them."""

    module = Module.SYSTEM
    form = SmsTemplateForm
    list_display = ["code", "gateway_template_id", "signature", "text", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["code", "gateway_template_id", "text"]
    readonly_fields = ["updated_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ModuleAdmin):
    """Read-only: the outbox is written by business actions and the dispatcher."""

    module = Module.SYSTEM
    list_display = [
        "created_at",
        "channel",
        "template",
        "recipient_name",
        "shown_address",
        "status",
        "failure_reason",
        "attempts",
        "sent_at",
        "delivered_at",
    ]
    list_filter = ["channel", "status", "failure_reason", "template"]
    search_fields = ["recipient_name", "body", "case__number"]
    readonly_fields = [
        "channel",
        "template",
        "recipient",
        "recipient_name",
        "shown_address",
        "subject",
        "body",
        "case",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "first_failed_at",
        "failure_reason",
        "last_error",
        "gateway_message_id",
        "delivered_at",
        "params",
    ]
    exclude = ["address", "address_index"]
    list_select_related = ["case"]

    @admin.display(description=_("mobile number or address"))
    def shown_address(self, obj):
        return obj.masked_address

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
