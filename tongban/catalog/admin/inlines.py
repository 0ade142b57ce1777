"""The item's inlines (process steps, assisting departments, materials with their
files, form fields, special procedures), each registered with the definition.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from tongban.accounts.admin_site import ModuleInline
from tongban.accounts.models import Department
from tongban.accounts.roles import Module
from tongban.core import files
from tongban.core.errors import ValidationFailed

from .. import services
from ..access import can_manage_department_items, catalogue_scope
from ..models import AssistingDepartment, FormField, ItemSpecialProcedure, Material, ProcessStep
from .definition import DefinitionFormSet

# --- inlines ------------------------------------------------------------------------------


class DefinitionInline(ModuleInline):
    module = Module.CATALOG
    formset = DefinitionFormSet
    kind = ""
    extra = 0

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and _may_edit(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and _may_edit(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and _may_edit(request, obj)


class MaterialForm(forms.ModelForm):
    blank_form_file = forms.FileField(
        label=_("upload blank form"), required=False, help_text=_("PDF, Word or Excel.")
    )
    blank_form_clear = forms.BooleanField(label=_("remove blank form"), required=False)
    example_file = forms.FileField(
        label=_("upload filled example"), required=False, help_text=_("PDF, Word or Excel.")
    )
    example_clear = forms.BooleanField(label=_("remove example"), required=False)

    class Meta:
        model = Material
        fields = ["order", "name", "required", "essential", "form", "copies", "notes"]

    def _checked(self, name: str):
        upload = self.cleaned_data.get(name)
        if upload:
            try:
                files.check_upload(upload, allowed=files.FORMS, field=name)
            except ValidationFailed as exc:
                raise forms.ValidationError(str(exc.message)) from exc
            upload.seek(0)
        return upload

    def clean_blank_form_file(self):
        return self._checked("blank_form_file")

    def clean_example_file(self):
        return self._checked("example_file")

    def _file_id(self, which: str, *, store: bool):
        upload = self.cleaned_data.get(f"{which}_file")
        if upload and store:
            upload.seek(0)
            return files.store_upload(upload, allowed=files.FORMS, field=f"{which}_file").pk
        if upload:
            return getattr(self.instance, f"{which}_id", None)
        if self.cleaned_data.get(f"{which}_clear"):
            return None
        return getattr(self.instance, f"{which}_id", None)

    def spec(self, *, store_files: bool) -> services.MaterialSpec:
        data = self.cleaned_data
        return services.MaterialSpec(
            name=data["name"].strip(),
            required=data.get("required", False),
            essential=data.get("essential", False),
            form=data["form"],
            copies=data["copies"],
            notes=data.get("notes") or "",
            blank_form_id=self._file_id("blank_form", store=store_files),
            example_id=self._file_id("example", store=store_files),
        )


class MaterialInline(DefinitionInline):
    model = Material
    form = MaterialForm
    kind = "materials"
    fields = [
        "order",
        "name",
        "required",
        "essential",
        "form",
        "copies",
        "notes",
        "files",
        "blank_form_file",
        "blank_form_clear",
        "example_file",
        "example_clear",
    ]
    readonly_fields = ["files"]

    @admin.display(description=_("current files"))
    def files(self, obj: Material) -> str:
        parts = [
            (
                label,
                reverse("admin:catalog_item_material_file", args=[obj.pk, which]),
                stored.original_name,
            )
            for which, label, stored in (
                ("blank_form", _("blank form"), obj.blank_form),
                ("example", _("example"), obj.example),
            )
            if stored is not None
        ]
        return format_html_join("", '<div>{}：<a href="{}">{}</a></div>', parts) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("blank_form", "example")


class FormFieldInline(DefinitionInline):
    model = FormField
    kind = "form_fields"
    fields = [
        "order",
        "key",
        "label",
        "field_type",
        "required",
        "help_text",
        "choices",
        "min_value",
        "max_value",
        "max_length",
        "pattern",
        "pattern_message",
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "choices":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 20})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ProcessStepInline(DefinitionInline):
    model = ProcessStep
    kind = "steps"
    fields = ["order", "name", "role", "department", "limit_days", "assigned_staff"]
    readonly_fields = ["assigned_staff"]
    verbose_name_plural = _("process (staff are assigned on the staff-assignment page)")

    @admin.display(description=_("assigned staff"))
    def assigned_staff(self, obj: ProcessStep) -> str:
        names = [a.user.display_name for a in obj.staff.all()]
        return "、".join(names) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("staff__user")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = Department.objects.active()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AssistingInline(DefinitionInline):
    model = AssistingDepartment
    kind = "assisting"
    fields = ["department", "limit_days", "task"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = Department.objects.active()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SpecialProcedureInline(DefinitionInline):
    model = ItemSpecialProcedure
    kind = "special_procedures"
    fields = ["kind", "limit_days"]


def _may_edit(request, obj) -> bool:
    if catalogue_scope(request.user).nothing:
        return False
    return obj is None or can_manage_department_items(request.user, obj.department)
