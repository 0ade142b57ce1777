"""Admin writes through services: a form whose change is made by a service during
validation, and a ModelAdmin that saves and deletes through services only, so that
changes made in the admin are validated, audited and transactional like every other.

Generic: who may see which admin page (the module-gated admin site, ``ModuleAdmin``,
and ``ServiceAdmin``, which combines both) is the accounts app's ``admin_site``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.shortcuts import redirect

from tongban.core.errors import DomainError


class ServiceForm(forms.ModelForm):
    """An admin form whose change is made by a service during validation.

    The service runs inside a savepoint in ``_post_clean``: a refusal becomes a form
    error on the field it names and nothing is written, exactly like bad input on a
    page. Subclasses implement ``apply(actor)`` and return the saved instance.
    """

    actor = None  # set by ServiceModelAdmin.get_form

    def apply(self, actor):  # pragma: no cover - abstract
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            with transaction.atomic():
                self.instance = self.apply(self.actor)
        except DomainError as exc:
            placed = False
            for field, messages_ in exc.fields.items():
                if field in self.fields:
                    self.add_error(field, list(messages_))
                    placed = True
            if not placed:
                self.add_error(None, str(exc.message))

    def save(self, commit=True):
        # The service has saved everything (including many-to-many relations).
        self.save_m2m = lambda: None
        return self.instance


class ServiceModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes go through services: forms are ``ServiceForm``s
    and deletion calls ``delete_through_service``. It grants nothing: the project's
    admins take their permissions from ``accounts.admin_site.ServiceAdmin``.

    Not for admins with inlines: the form's service call would be kept even when an
    inline row is invalid. Such admins validate the parent and its rows first and
    then save both with one service call (see ``workcalendar.admin.HolidayAdmin``).
    """

    def get_inline_instances(self, request, obj=None):
        if self.inlines:
            raise ImproperlyConfigured(
                f"{type(self).__name__}: ServiceAdmin does not support inlines"
            )
        return []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        pass  # done by the form's service call

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_through_service(self, request, obj):
        raise NotImplementedError

    def delete_model(self, request, obj):
        self.delete_through_service(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_through_service(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return redirect(request.path.rsplit("/delete/", 1)[0] + "/change/")

    def response_action(self, request, queryset):
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return redirect(request.get_full_path())
