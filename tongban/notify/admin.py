from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongban.accounts.roles import Module
from tongban.core.admin import ModuleAdmin

from .models import OutboxMessage


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
        "attempts",
        "sent_at",
    ]
    list_filter = ["channel", "status", "template"]
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
        "last_error",
    ]
    exclude = ["address"]
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
