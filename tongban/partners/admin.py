"""Partners and their signing keys in system management (security administrator:
keys are credentials). Every write goes through ``services``; keys are issued and
revoked, never edited or deleted (the audit log refers to them)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from tongban.accounts.admin_site import ServiceAdmin
from tongban.accounts.roles import Module
from tongban.core import clock
from tongban.core.admin import ServiceForm

from . import services
from .models import Partner, PartnerKey, Scope


class PartnerForm(ServiceForm):
    class Meta:
        model = Partner
        fields = ["code", "name", "active", "rate_limit_per_minute", "contact"]

    def apply(self, actor):
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        if self.instance.pk is None:
            return services.create_partner(actor=actor, at=clock.now(), **data)
        changes = {
            name: data[name] for name in self.changed_data if name in services.PARTNER_FIELDS
        }
        return services.update_partner(
            actor=actor, partner=self.instance, at=clock.now(), **changes
        )


@admin.register(Partner)
class PartnerAdmin(ServiceAdmin):
    module = Module.SECURITY
    form = PartnerForm
    list_display = ["code", "name", "active", "rate_limit_per_minute", "contact", "created_at"]
    list_filter = ["active"]
    search_fields = ["code", "name", "contact"]

    def get_readonly_fields(self, request, obj=None):
        # The code is what operators and logs name the partner by: fixed once created.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PartnerKeyForm(ServiceForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(
        label=_("valid for (days)"),
        min_value=1,
        max_value=services.MAX_KEY_DAYS,
        initial=services.DEFAULT_KEY_DAYS,
    )

    class Meta:
        model = PartnerKey
        fields = ["partner", "name", "scopes"]

    def apply(self, actor):
        key, secret = services.issue_key(
            actor=actor,
            partner=self.cleaned_data["partner"],
            scopes=self.cleaned_data["scopes"],
            days=self.cleaned_data["days"],
            name=self.cleaned_data["name"],
            at=clock.now(),
        )
        key.plain_secret = secret  # shown once by PartnerKeyAdmin.response_add
        return key


@admin.register(PartnerKey)
class PartnerKeyAdmin(ServiceAdmin):
    """Issue and revoke keys. The secret appears once, in the message after issuing;
    afterwards only the key id is shown."""

    module = Module.SECURITY
    form = PartnerKeyForm
    list_display = [
        "key_id",
        "partner",
        "name",
        "scope_list",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["partner", "revoked_at", "expires_at"]
    search_fields = ["key_id", "name", "partner__code", "partner__name"]
    list_select_related = ["partner"]
    fields = ["partner", "name", "scopes", "days"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return [
            "partner",
            "key_id",
            "name",
            "scope_list",
            "created_at",
            "created_by",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    @admin.display(description=_("scopes"))
    def scope_list(self, obj: PartnerKey) -> str:
        return " ".join(obj.scopes)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _(
                "Key %(key_id)s for %(partner)s, secret: %(secret)s — copy it now, "
                "it is not shown again."
            )
            % {"key_id": obj.key_id, "partner": obj.partner, "secret": obj.plain_secret},
            messages.WARNING,
        )
        return redirect("admin:partners_partnerkey_changelist")

    @admin.action(description=_("Revoke selected keys"))
    def revoke(self, request, queryset):
        for key in queryset:
            services.revoke_key(actor=request.user, key=key, at=clock.now())
        self.message_user(request, _("Keys revoked."), messages.SUCCESS)
