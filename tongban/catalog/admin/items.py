"""``ItemAdmin``: the item list and change form (scope, one definition saved by one
service call, publish / withdraw / delete, downloads of the material files).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.accounts.admin_site import ModuleAdmin
from tongban.accounts.models import Department
from tongban.accounts.roles import Module
from tongban.core import clock, files
from tongban.core.errors import DomainError

from .. import services
from ..access import catalogue_scope, managed_items_filter
from ..models import Item, Material
from .definition import ItemForm, _Definition
from .inlines import (
    AssistingInline,
    DefinitionInline,
    FormFieldInline,
    MaterialInline,
    ProcessStepInline,
    SpecialProcedureInline,
    _may_edit,
)

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
            actor=request.user, item=form.instance if change else None, **specs, at=clock.now()
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
            lambda item: services.publish_item(actor=request.user, item=item, at=clock.now()),
            gettext("%(count)d items published."),
        )

    @admin.action(description=_("Withdraw the selected items"), permissions=["change"])
    def withdraw_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda item: services.publish_item(
                actor=request.user, item=item, published=False, at=clock.now()
            ),
            gettext("%(count)d items withdrawn."),
        )

    @admin.action(description=_("Delete the selected draft items"), permissions=["delete"])
    def delete_selected_items(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda item: services.delete_item(actor=request.user, item=item, at=clock.now()),
            gettext("%(count)d items deleted."),
        )

    def delete_model(self, request, obj):
        services.delete_item(actor=request.user, item=obj, at=clock.now())

    def delete_queryset(self, request, queryset):
        for item in queryset:
            services.delete_item(actor=request.user, item=item, at=clock.now())

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
