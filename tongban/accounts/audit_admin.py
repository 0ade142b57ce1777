"""The audit log in system management: for the audit administrator only (the AUDIT
module comes only with that role), and read-only for everyone — nobody adds, changes
or deletes a record through any screen. The audit administrator browses, filters,
verifies the chain and exports the filtered list; the last two are audited."""

from __future__ import annotations

import io
import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tongban.audit.actions import action_label
from tongban.audit.chain import checkpoint_signature_ok
from tongban.audit.models import AuditCheckpoint, AuditRecord
from tongban.core.errors import DomainError
from tongban.core.errors import PermissionDenied as DomainPermissionDenied

from .admin_site import ModuleAdmin
from .auditing import export_audit_log, verify_audit_log
from .roles import Module

# An export from the browser is built in memory; larger ones go through
# `tongban audit export`, which streams to a file.
EXPORT_MAX_ROWS = 50_000


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = AuditRecord.objects.order_by("action").values_list("action", flat=True).distinct()
        return [(code, f"{action_label(code)} ({code})") for code in codes]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


@admin.register(AuditRecord)
class AuditRecordAdmin(ModuleAdmin):
    module = Module.AUDIT
    read_only = True
    change_list_template = "admin/audit/auditrecord/change_list.html"
    list_display = ["seq", "at", "actor_name", "ip", "action_display", "object_repr", "success"]
    list_display_links = ["seq"]
    list_filter = [ActionFilter, "success", ("at", admin.DateFieldListFilter), "object_type"]
    date_hierarchy = "at"
    search_fields = ["actor_name", "object_repr", "=object_id", "ip"]
    search_help_text = _("Search by actor, object, object id (exact) or IP address.")
    ordering = ["-seq"]
    list_per_page = 50
    show_full_result_count = False  # no second COUNT(*) over the whole log
    actions = ["export_selected"]
    fields = [
        "seq",
        "at",
        "actor_name",
        "actor_id",
        "ip",
        "action_display",
        "object_type",
        "object_id",
        "object_repr",
        "success",
        "message",
        "before_display",
        "after_display",
        "prev_hash",
        "hash",
    ]
    readonly_fields = fields

    @admin.display(description=_("action"), ordering="action")
    def action_display(self, record: AuditRecord) -> str:
        label = action_label(record.action)
        return label if label == record.action else f"{label} ({record.action})"

    @admin.display(description=_("before"))
    def before_display(self, record: AuditRecord) -> str:
        return _pretty_json(record.before)

    @admin.display(description=_("after"))
    def after_display(self, record: AuditRecord) -> str:
        return _pretty_json(record.after)

    # --- verify and export ---------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("verify/", wrap(self.verify_view), name="audit_auditrecord_verify"),
            path("export/", wrap(require_POST(self.export_view)), name="audit_auditrecord_export"),
            *super().get_urls(),
        ]

    def verify_view(self, request):
        """GET shows the button; POST verifies the chain (audited) and shows the result."""
        if not self.has_view_permission(request):
            raise DjangoPermissionDenied
        result = None
        if request.method == "POST":
            try:
                result = verify_audit_log(actor=request.user, at=timezone.now())
            except DomainPermissionDenied as exc:
                raise DjangoPermissionDenied from exc
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Verify the audit chain"),
            "result": result,
        }
        return TemplateResponse(request, "admin/audit/auditrecord/verify.html", context)

    def export_view(self, request):
        """Export the list as filtered and searched on the page (same query string)."""
        if not self.has_view_permission(request):
            raise DjangoPermissionDenied
        changelist = self.get_changelist_instance(request)
        records = changelist.get_queryset(request).order_by("seq")
        return self._export(request, records, description=request.GET.urlencode())

    @admin.action(description=_("Export the selected records as CSV"))
    def export_selected(self, request, queryset):
        return self._export(request, queryset.order_by("seq"), description="selected")

    def _export(self, request, records, *, description: str):
        if records.count() > EXPORT_MAX_ROWS:
            self.message_user(
                request,
                gettext(
                    "More than %(limit)d records: narrow the filter, or export with "
                    "`tongban audit export` on the server."
                )
                % {"limit": EXPORT_MAX_ROWS},
                messages.ERROR,
            )
            return redirect(reverse("admin:audit_auditrecord_changelist"))
        buffer = io.StringIO()
        try:
            export_audit_log(
                actor=request.user,
                out=buffer,
                records=records.iterator(chunk_size=2000),
                description=description,
                at=timezone.now(),
            )
        except DomainPermissionDenied as exc:
            raise DjangoPermissionDenied from exc
        except DomainError as exc:  # pragma: no cover - nothing else is raised today
            self.message_user(request, str(exc.message), messages.ERROR)
            return redirect(reverse("admin:audit_auditrecord_changelist"))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return response


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ModuleAdmin):
    module = Module.AUDIT
    read_only = True
    list_display = ["seq", "kind", "at", "short_hash", "signature_valid"]
    list_filter = ["kind", ("at", admin.DateFieldListFilter)]
    ordering = ["-seq", "kind"]
    fields = ["kind", "seq", "at", "hash", "signature", "signature_valid"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("hash"))
    def short_hash(self, checkpoint: AuditCheckpoint) -> str:
        return checkpoint.hash[:16] + "…"

    @admin.display(description=_("signature valid"), boolean=True)
    def signature_valid(self, checkpoint: AuditCheckpoint) -> bool:
        return checkpoint_signature_ok(checkpoint)


def _pretty_json(value) -> str:
    if value is None:
        return "—"
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    return format_html('<pre style="margin:0;white-space:pre-wrap">{}</pre>', text)
