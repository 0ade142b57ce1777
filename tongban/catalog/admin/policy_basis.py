"""``PolicyBasisAdmin``: the shared list of laws and regulations, with their documents."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tongban.accounts.admin_site import ModuleAdmin
from tongban.accounts.roles import Module
from tongban.core import clock, files
from tongban.core.errors import DomainError, ValidationFailed

from .. import services
from ..access import catalogue_scope
from ..models import PolicyBasis

# --- policy bases --------------------------------------------------------------------------


BASIS_FIELDS = ["name", "issuing_body", "document_number", "clause", "effective_date"]


class PolicyBasisForm(forms.ModelForm):
    document_file = forms.FileField(
        label=_("upload document"), required=False, help_text=_("PDF, Word or OFD.")
    )
    document_clear = forms.BooleanField(label=_("remove document"), required=False)

    class Meta:
        model = PolicyBasis
        fields = BASIS_FIELDS

    def clean_document_file(self):
        upload = self.cleaned_data.get("document_file")
        if upload:
            try:
                files.check_upload(upload, allowed=files.DOCUMENTS, field="document_file")
            except ValidationFailed as exc:
                raise forms.ValidationError(str(exc.message)) from exc
            upload.seek(0)
        return upload


@admin.register(PolicyBasis)
class PolicyBasisAdmin(ModuleAdmin):
    """The shared list of laws and regulations (seed §1.8): anyone who maintains
    items maintains it; a basis still cited by an item cannot be deleted."""

    module = Module.CATALOG
    form = PolicyBasisForm
    list_display = ["name", "document_number", "issuing_body", "effective_date", "document_name"]
    search_fields = ["name", "document_number", "issuing_body", "clause"]
    list_filter = ["issuing_body"]
    ordering = ["name"]
    fields = [
        "name",
        "issuing_body",
        "document_number",
        "effective_date",
        "clause",
        "current_document",
        "document_file",
        "document_clear",
    ]
    readonly_fields = ["current_document"]
    actions = ["delete_selected_bases"]

    def _may_write(self, request) -> bool:
        return not catalogue_scope(request.user).nothing

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and self._may_write(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_write(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_write(request)

    @admin.display(description=_("document"))
    def document_name(self, obj: PolicyBasis) -> str:
        return obj.document.original_name if obj.document_id else "—"

    @admin.display(description=_("current document"))
    def current_document(self, obj: PolicyBasis) -> str:
        if not obj.pk or not obj.document_id:
            return "—"
        url = reverse("admin:catalog_policybasis_document", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.document.original_name)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in BASIS_FIELDS}
        upload = form.cleaned_data.get("document_file")
        if upload:
            data["document"] = files.store_upload(
                upload, allowed=files.DOCUMENTS, field="document_file"
            )
        elif form.cleaned_data.get("document_clear"):
            data["document"] = None
        if change:
            saved = services.save_policy_basis(
                actor=request.user, basis=obj, **data, at=clock.now()
            )
        else:
            saved = services.save_policy_basis(actor=request.user, **data, at=clock.now())
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.delete_policy_basis(actor=request.user, basis=obj, at=clock.now())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return redirect(reverse("admin:catalog_policybasis_change", args=[object_id]))

    @admin.action(description=_("Delete the selected bases"), permissions=["delete"])
    def delete_selected_bases(self, request, queryset):
        deleted = 0
        for basis in queryset:
            try:
                services.delete_policy_basis(actor=request.user, basis=basis, at=clock.now())
                deleted += 1
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
        if deleted:
            self.message_user(
                request,
                ngettext("%(count)d basis deleted.", "%(count)d bases deleted.", deleted)
                % {"count": deleted},
                messages.SUCCESS,
            )

    def get_urls(self):
        return [
            path(
                "<int:basis_id>/document/",
                self.admin_site.admin_view(self.document_view),
                name="catalog_policybasis_document",
            ),
            *super().get_urls(),
        ]

    def document_view(self, request, basis_id: int):
        if not self.has_view_permission(request):
            raise DjangoPermissionDenied
        basis = PolicyBasis.objects.select_related("document").filter(pk=basis_id).first()
        if basis is None or basis.document is None:
            raise Http404
        return files.file_response(basis.document)
