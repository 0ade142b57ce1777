"""``ThemeAdmin``: themes and life events of the portal's catalogue (the city centre's)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tongban.accounts.admin_site import ModuleAdmin
from tongban.accounts.roles import Module
from tongban.core import clock

from .. import services
from ..access import catalogue_covers_everything, catalogue_scope
from ..models import Theme

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
            services.save_theme(actor=request.user, theme=obj, **data, at=clock.now())
            if change
            else services.save_theme(actor=request.user, **data, at=clock.now())
        )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.delete_theme(actor=request.user, theme=obj, at=clock.now())

    def delete_queryset(self, request, queryset):
        for theme in queryset:
            services.delete_theme(actor=request.user, theme=theme, at=clock.now())
