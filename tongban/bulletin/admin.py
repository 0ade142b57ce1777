"""Read-only lists in system management (portal content holders). Categories and
announcements are changed on the office pages, through the services."""

from __future__ import annotations

from django.contrib import admin

from tongban.accounts.admin_site import ModuleAdmin
from tongban.accounts.roles import Module

from .models import Announcement, AnnouncementCategory


@admin.register(AnnouncementCategory)
class AnnouncementCategoryAdmin(ModuleAdmin):
    module = Module.PORTAL
    read_only = True
    list_display = ["name", "code", "sort_order", "is_public", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Announcement)
class AnnouncementAdmin(ModuleAdmin):
    module = Module.PORTAL
    read_only = True
    list_display = ["title", "category", "audience", "pinned", "publish_from", "withdrawn_at"]
    list_filter = ["category", "audience", "pinned"]
    search_fields = ["title"]
    list_select_related = ["category"]
    exclude = ["body"]
