"""Admin writes through services: a form whose change is made by a service during
validation, and a ModelAdmin that saves and deletes through services only, so that
changes made in the admin are validated, audited and transactional like every other.

Generic: who may see which admin page (the module-gated admin site, ``ModuleAdmin``,
and ``ServiceAdmin``, which combines both) is the accounts app's ``admin_site``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tongban.core.errors import DomainError

if TYPE_CHECKING:
    # Django's admin classes are not subscriptable at run time (no django_stubs_ext
    # monkeypatch in production); each subclass names its own model, so here it is Any.
    from tongban.core.services import RoleHolder

    _ModelForm = forms.ModelForm[Any]
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelForm = forms.ModelForm
    _ModelAdmin = admin.ModelAdmin


class ServiceForm(_ModelForm):
    """An admin form whose change is made by a service during validation.

    The service runs inside a savepoint in ``_post_clean``: a refusal becomes a form
    error on the field it names and nothing is written, exactly like bad input on a
    page. Subclasses implement ``apply(actor)`` and return the saved instance.
    """

    actor: RoleHolder | None = None  # set by ServiceModelAdmin.get_form

    def apply(self, actor: RoleHolder | None) -> models.Model:  # pragma: no cover - abstract
        raise NotImplementedError

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # private hook, absent from django-stubs
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

    def save(self, commit: bool = True) -> models.Model:
        # The service has saved everything (including many-to-many relations).
        self.save_m2m = lambda: None  # type: ignore[method-assign]  # Django's own idiom
        instance: models.Model = self.instance
        return instance


class ServiceModelAdmin(_ModelAdmin):
    """A ModelAdmin whose writes go through services: forms are ``ServiceForm``s
    and deletion calls ``delete_through_service``. It grants nothing: the project's
    admins take their permissions from ``accounts.admin_site.ServiceAdmin``.

    Not for admins with inlines: the form's service call would be kept even when an
    inline row is invalid. Such admins validate the parent and its rows first and
    then save both with one service call (see ``workcalendar.admin.HolidayAdmin``).
    """

    def get_inline_instances(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> list[admin.options.InlineModelAdmin[Any, Any]]:
        if self.inlines:
            raise ImproperlyConfigured(
                f"{type(self).__name__}: ServiceAdmin does not support inlines"
            )
        return []

    def get_form(
        self,
        request: HttpRequest,
        obj: models.Model | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[Any]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: Any) -> None:
        pass  # done by the form's service call

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: Any) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_through_service(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self.delete_through_service(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_through_service(request, obj)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return redirect(request.path.rsplit("/delete/", 1)[0] + "/change/")

    def response_action(  # type: ignore[override]  # django-stubs adds Django 6's action_location
        self, request: HttpRequest, queryset: models.QuerySet[Any]
    ) -> HttpResponse | None:
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return redirect(request.get_full_path())
