"""Dictionaries in system management (system administrator). Every write goes through
``services`` (validated, audited); the form shows their messages on the fields."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tongban.accounts.admin_site import ModuleAdmin
from tongban.accounts.roles import Module
from tongban.core.errors import DomainError, ValidationFailed

from . import services
from .models import ApplicationCategory, ItemCategory, ItemType


class DictionaryEntryForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        candidate = type(self.instance)(pk=self.instance.pk)
        for name in services.FIELDS[type(self.instance)]:
            if name in cleaned:
                setattr(candidate, name, cleaned[name])
        try:
            services.check_dictionary_entry(candidate)
        except ValidationFailed as exc:
            for field, messages_ in exc.fields.items():
                for message in messages_:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned


class DictionaryAdmin(ModuleAdmin):
    module = Module.SYSTEM
    form = DictionaryEntryForm
    list_display = ["name", "code", "sort_order", "is_active"]
    list_display_links = ["name"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "description"]
    ordering = ["sort_order", "name"]
    fields = ["name", "code", "description", "sort_order", "is_active"]
    actions = ["activate", "deactivate", "delete_entries"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Replaced by delete_entries, which goes through the service and reports
        # entries still in use instead of failing the whole batch.
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        if change:
            changes = {f: form.cleaned_data[f] for f in form.changed_data if f in self.fields}
            saved = services.update_dictionary_entry(
                actor=request.user, entry=obj, at=timezone.now(), **changes
            )
        else:
            values = {f: form.cleaned_data[f] for f in self.fields if f in form.cleaned_data}
            saved = services.create_dictionary_entry(
                actor=request.user, model=self.model, at=timezone.now(), **values
            )
        # The admin's log entry and redirect use ``obj``.
        obj.pk = saved.pk
        obj.name = saved.name
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.delete_dictionary_entry(actor=request.user, entry=obj, at=timezone.now())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            opts = self.model._meta
            return redirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            )

    @admin.action(description=_("Activate the selected entries"), permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description=_("Deactivate the selected entries"), permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description=_("Delete the selected entries"), permissions=["delete"])
    def delete_entries(self, request, queryset):
        deleted = 0
        for entry in queryset:
            try:
                services.delete_dictionary_entry(actor=request.user, entry=entry, at=timezone.now())
                deleted += 1
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
        if deleted:
            self.message_user(
                request,
                ngettext("%(count)d entry deleted.", "%(count)d entries deleted.", deleted)
                % {"count": deleted},
                messages.SUCCESS,
            )

    def _set_active(self, request, queryset, active: bool) -> None:
        changed = 0
        for entry in queryset.filter(is_active=not active):
            services.update_dictionary_entry(
                actor=request.user, entry=entry, is_active=active, at=timezone.now()
            )
            changed += 1
        self.message_user(
            request, gettext("%(count)d entries changed.") % {"count": changed}, messages.SUCCESS
        )


@admin.register(ItemCategory)
class ItemCategoryAdmin(DictionaryAdmin):
    pass


@admin.register(ItemType)
class ItemTypeAdmin(DictionaryAdmin):
    pass


@admin.register(ApplicationCategory)
class ApplicationCategoryAdmin(DictionaryAdmin):
    list_display = ["name", "type", "code", "sort_order", "is_active"]
    list_filter = ["type", "is_active"]
    fields = ["name", "type", "code", "description", "sort_order", "is_active"]
