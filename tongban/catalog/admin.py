"""事项管理 in system management: items with their materials, form, process, assisting
departments and special procedures; the policy bases and the themes.

Writes go through the services. An item and its inline rows are one definition: the
parent form and every inline formset are validated first, then the whole resulting
definition is checked with ``services.item_definition_errors`` (the rules of
``rules.py`` and the form schema), and every violation is shown beside the field or
the inline it concerns. Only then does one ``services.save_item_definition`` call
save everything, inside the admin's transaction (see ``workcalendar.admin`` for the
same pattern; ``ServiceAdmin`` refuses inlines for this reason).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tongban.accounts.admin_site import ModuleAdmin, ModuleInline
from tongban.accounts.models import Department
from tongban.accounts.roles import Module
from tongban.core import files
from tongban.core.errors import DomainError, ValidationFailed

from . import services
from .access import (
    can_manage_department_items,
    catalogue_covers_everything,
    catalogue_scope,
    managed_items_filter,
)
from .models import (
    AssistingDepartment,
    FormField,
    Item,
    ItemSpecialProcedure,
    Material,
    PolicyBasis,
    ProcessStep,
    Theme,
)
from .rules import AssistingSpec, StepSpec

# --- the definition being edited: parent form + inline formsets ----------------------------


class _Definition:
    """The formsets of one change form, so the parent form can check the whole
    definition once every part has been validated on its own."""

    def __init__(self, actor):
        self.actor = actor
        self.formsets: dict[str, BaseInlineFormSet] = {}

    def rows(self, kind: str) -> list[forms.Form] | None:
        """The forms of ``kind`` that count (filled, not deleted), in their order;
        ``None`` when the user has no such inline."""
        formset = self.formsets.get(kind)
        if formset is None:
            return None
        kept = [
            (index, form)
            for index, form in enumerate(formset.forms)
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        if "order" in formset.form.base_fields:
            kept.sort(key=lambda pair: (pair[1].cleaned_data.get("order") or 0, pair[0]))
        return [form for _index, form in kept]

    def specs(self, form: forms.ModelForm, *, store_files: bool = False) -> dict:
        """``save_item_definition`` keyword arguments from the validated forms."""
        data = form.cleaned_data
        kwargs: dict = {
            "fields": {name: data[name] for name in services.ITEM_FIELDS if name in form.fields}
        }
        for name in ("basis", "themes", "application_categories"):
            if name in form.fields:
                kwargs[name] = list(data[name])
        steps = self.rows("steps")
        if steps is not None:
            kwargs["steps"] = [
                StepSpec(
                    name=f.cleaned_data["name"].strip(),
                    role=f.cleaned_data["role"],
                    limit_days=f.cleaned_data.get("limit_days"),
                    department_id=getattr(f.cleaned_data.get("department"), "pk", None),
                )
                for f in steps
            ]
        assisting = self.rows("assisting")
        if assisting is not None:
            kwargs["assisting"] = [
                AssistingSpec(
                    department_id=f.cleaned_data["department"].pk,
                    limit_days=f.cleaned_data["limit_days"],
                    task=f.cleaned_data.get("task") or "",
                )
                for f in assisting
            ]
        materials = self.rows("materials")
        if materials is not None:
            kwargs["materials"] = [f.spec(store_files=store_files) for f in materials]
        form_fields = self.rows("form_fields")
        if form_fields is not None:
            kwargs["form_fields"] = [
                services.FieldSpec(
                    key=f.cleaned_data["key"],
                    label=f.cleaned_data["label"],
                    field_type=f.cleaned_data["field_type"],
                    required=f.cleaned_data.get("required", False),
                    help_text=f.cleaned_data.get("help_text") or "",
                    choices=tuple(
                        line.strip()
                        for line in (f.cleaned_data.get("choices") or "").splitlines()
                        if line.strip()
                    ),
                    min_value=f.cleaned_data.get("min_value"),
                    max_value=f.cleaned_data.get("max_value"),
                    max_length=f.cleaned_data.get("max_length"),
                    pattern=f.cleaned_data.get("pattern") or "",
                    pattern_message=f.cleaned_data.get("pattern_message") or "",
                )
                for f in form_fields
            ]
        special = self.rows("special_procedures")
        if special is not None:
            kwargs["special_procedures"] = {
                f.cleaned_data["kind"]: f.cleaned_data["limit_days"] for f in special
            }
        return kwargs

    def place(self, form: forms.ModelForm, errors: dict[str, list[str]]) -> None:
        """Put each message beside what it concerns."""
        for key, messages_ in errors.items():
            kind, _dot, rest = key.partition(".")
            kind = {"fields": "form_fields"}.get(kind, kind)
            formset = self.formsets.get(kind)
            if formset is not None and kind in INLINE_KINDS:
                index, _dot, attribute = rest.partition(".")
                if index.isdecimal():
                    rows = self.rows(kind) or []
                    if int(index) < len(rows):
                        row = rows[int(index)]
                        field = attribute if attribute in row.fields else None
                        row.add_error(field, list(messages_))
                        continue
                formset.non_form_errors().extend(messages_)
            elif key in form.fields:
                form.add_error(key, list(messages_))
            else:
                form.add_error(None, list(messages_))


INLINE_KINDS = ("steps", "assisting", "materials", "form_fields", "special_procedures")


class DefinitionFormSet(BaseInlineFormSet):
    """An inline formset that registers itself with the item's definition."""

    def __init__(self, *args, definition: _Definition | None = None, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if definition is not None:
            definition.formsets[kind] = self


class ItemForm(forms.ModelForm):
    definition: _Definition | None = None  # set by ItemAdmin.get_form

    class Meta:
        model = Item
        fields = [*services.ITEM_FIELDS, "basis", "themes", "application_categories"]

    def _post_clean(self):
        super()._post_clean()
        if self.definition is None:
            return
        # The model's check constraints repeat the rules without naming the field;
        # when the rest of the form is fine, the rules' own messages replace them.
        constraint_messages = {str(c.violation_error_message) for c in Item._meta.constraints}
        general = self._errors.get(NON_FIELD_ERRORS, []) if self._errors else []
        others = [m for m in general if m not in constraint_messages]
        field_errors = [k for k in (self._errors or {}) if k != NON_FIELD_ERRORS]
        if field_errors or others:
            return
        self._errors.pop(NON_FIELD_ERRORS, None)
        self._check_definition()

    def _check_definition(self) -> None:
        formsets = self.definition.formsets.values()
        if not all([formset.is_valid() for formset in formsets]):  # noqa: C419 - validate all
            return
        try:
            errors = services.item_definition_errors(
                actor=self.definition.actor,
                item=self.instance if self.instance.pk else None,
                **self.definition.specs(self),
            )
        except DomainError as exc:
            errors = exc.fields or {NON_FIELD_ERRORS: [str(exc.message)]}
        self.definition.place(self, errors)


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


# --- items --------------------------------------------------------------------------------


@admin.register(Item)
class ItemAdmin(ModuleAdmin):
    module = Module.CATALOG
    form = ItemForm
    inlines = [
        ProcessStepInline,
        AssistingInline,
        MaterialInline,
        FormFieldInline,
        SpecialProcedureInline,
    ]
    list_display = [
        "code",
        "name",
        "department",
        "handling_type",
        "limits",
        "online_allowed",
        "is_published",
    ]
    list_display_links = ["code", "name"]
    list_filter = [
        "handling_type",
        "item_type",
        "category",
        ("department", admin.RelatedOnlyFieldListFilter),
        "is_published",
        "online_allowed",
    ]
    list_select_related = ["department"]
    search_fields = ["code", "name", "short_name"]
    ordering = ["code"]
    list_per_page = 50
    autocomplete_fields = ["basis"]
    filter_horizontal = ["themes", "application_categories"]
    actions = ["publish_selected", "withdraw_selected", "delete_selected_items"]
    fieldsets = [
        (None, {"fields": ["code", "name", "short_name", "item_type", "category", "department"]}),
        (
            _("Handling and limits"),
            {
                "fields": [
                    "handling_type",
                    "promised_limit",
                    "statutory_limit",
                    "max_extension",
                    "special_procedures_allowed",
                ],
                "description": _(
                    "Working days (Administrative Licensing Law Art. 82). Promised limit ≤ "
                    "statutory limit; immediate items 0; joint items at most 45 (Art. 26); "
                    "extension at most 10, joint items 15 (Art. 42, 26). The step limits, plus "
                    "the longest assisting department, must fit inside the promised limit."
                ),
            },
        ),
        (
            _("Service guide"),
            {
                "fields": [
                    "conditions",
                    "procedure_description",
                    "result_name",
                    "fee",
                    "fee_basis",
                    "application_place",
                    "application_hours",
                    "contact_phone",
                    "complaint_phone",
                ],
                "classes": ["collapse"],
            },
        ),
        (
            _("Publication"),
            {"fields": ["online_allowed", "is_published", "valid_from", "valid_to"]},
        ),
        (_("Links"), {"fields": ["basis", "themes", "application_categories"]}),
    ]

    @admin.display(description=_("promised / statutory limit"), ordering="promised_limit")
    def limits(self, obj: Item) -> str:
        return f"{obj.promised_limit} / {obj.statutory_limit}"

    # --- scope ---

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        condition = managed_items_filter(request.user)
        return queryset if condition is None else queryset.filter(condition)

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and _may_edit(request, None)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and _may_edit(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and _may_edit(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["is_published"]
        return ["code", "is_published", "staff_assignment"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Staff assignment"), {"fields": ["staff_assignment"]})]

    @admin.display(description=_("who may handle each step"))
    def staff_assignment(self, obj: Item) -> str:
        url = reverse("catalog:staff") + "?" + urlencode({"q": obj.code})
        return format_html(
            '<a href="{}">{}</a>', url, gettext("Open the staff assignment of this item")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            scope = catalogue_scope(request.user)
            departments = Department.objects.active()
            if scope.root is not None:
                departments = departments.subtree(scope.root)
            elif not scope.everything:
                departments = departments.none()
            kwargs["queryset"] = departments
        elif db_field.name in ("item_type", "category"):
            kwargs["queryset"] = db_field.related_model.objects.active()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "application_categories":
            kwargs["queryset"] = db_field.related_model.objects.active()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- one definition, validated together ---

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        definition = _Definition(request.user)
        request._catalog_definition = definition
        return type(form.__name__, (form,), {"definition": definition})

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        definition = getattr(request, "_catalog_definition", None)
        if definition is not None and isinstance(inline, DefinitionInline):
            kwargs.update(definition=definition, kind=inline.kind)
        return kwargs

    def save_model(self, request, obj, form, change):
        pass  # saved with its rows in save_related, by one service call

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            formset.save(commit=False)  # only fills the lists the change message reads
        specs = form.definition.specs(form, store_files=True)
        item = services.save_item_definition(
            actor=request.user, item=form.instance if change else None, **specs
        )
        form.instance.pk = item.pk
        form.instance._state.adding = False
        form.instance._state.db = item._state.db

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            # The forms ran the same rules first; this is a concurrent change or a
            # permission refused by the service. The transaction has been rolled back.
            self.message_user(request, str(exc.message), messages.ERROR)
            return redirect(request.get_full_path())

    # --- publish, withdraw, delete ---

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced: deletion goes through the service
        return actions

    def _each(self, request, queryset, call, done_message: str) -> None:
        done = 0
        for item in queryset:
            try:
                call(item)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{item.code}：{exc.message}", messages.ERROR)
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected items"), permissions=["change"])
    def publish_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda item: services.publish_item(actor=request.user, item=item),
            gettext("%(count)d items published."),
        )

    @admin.action(description=_("Withdraw the selected items"), permissions=["change"])
    def withdraw_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda item: services.publish_item(actor=request.user, item=item, published=False),
            gettext("%(count)d items withdrawn."),
        )

    @admin.action(description=_("Delete the selected draft items"), permissions=["delete"])
    def delete_selected_items(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda item: services.delete_item(actor=request.user, item=item),
            gettext("%(count)d items deleted."),
        )

    def delete_model(self, request, obj):
        services.delete_item(actor=request.user, item=obj)

    def delete_queryset(self, request, queryset):
        for item in queryset:
            services.delete_item(actor=request.user, item=item)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return redirect(reverse("admin:catalog_item_change", args=[object_id]))

    # --- downloads of the blank forms and examples (staff who maintain the item) ---

    def get_urls(self):
        return [
            path(
                "material/<int:material_id>/<str:which>/",
                self.admin_site.admin_view(self.material_file),
                name="catalog_item_material_file",
            ),
            *super().get_urls(),
        ]

    def material_file(self, request, material_id: int, which: str):
        material = (
            Material.objects.filter(pk=material_id, item__in=self.get_queryset(request))
            .select_related("blank_form", "example")
            .first()
        )
        stored = getattr(material, which, None) if which in ("blank_form", "example") else None
        if stored is None:
            raise Http404
        return files.file_response(stored)


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
            saved = services.save_policy_basis(actor=request.user, basis=obj, **data)
        else:
            saved = services.save_policy_basis(actor=request.user, **data)
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.delete_policy_basis(actor=request.user, basis=obj)

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
                services.delete_policy_basis(actor=request.user, basis=basis)
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


# --- themes --------------------------------------------------------------------------------


@admin.register(Theme)
class ThemeAdmin(ModuleAdmin):
    """Themes and life events of the portal's catalogue: city-wide, kept by the
    city's service centre."""

    module = Module.CATALOG
    list_display = ["name", "kind", "sort_order", "item_count"]
    list_filter = ["kind"]
    search_fields = ["name"]
    ordering = ["kind", "sort_order", "name"]
    fields = ["kind", "name", "sort_order"]

    def _may_write(self, request) -> bool:
        return (
            catalogue_covers_everything(request.user) and catalogue_scope(request.user).everything
        )

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and self._may_write(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_write(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_write(request)

    @admin.display(description=_("items"), ordering="item_count")
    def item_count(self, obj: Theme) -> int:
        return obj.item_count

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"))

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in self.fields}
        saved = (
            services.save_theme(actor=request.user, theme=obj, **data)
            if change
            else services.save_theme(actor=request.user, **data)
        )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.delete_theme(actor=request.user, theme=obj)

    def delete_queryset(self, request, queryset):
        for theme in queryset:
            services.delete_theme(actor=request.user, theme=theme)
