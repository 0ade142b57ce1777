"""通知单模板 in system management: edit a kind's HTML template and upload its Word
template, with a preview against a sample case and the list of available fields.

Each save is a new version made by ``services.save_notice_template``, which
test-renders first: a broken template is a form error and the version in use stays.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.accounts.admin_site import ServiceAdmin
from tongban.accounts.roles import Module
from tongban.core import clock
from tongban.core.admin import ServiceForm
from tongban.core.errors import DomainError

from . import notices, services
from .models import NoticeKind, NoticeTemplate


class NoticeTemplateForm(ServiceForm):
    docx_file = forms.FileField(
        label=gettext_lazy("Word template (.docx)"),
        required=False,
        help_text=gettext_lazy(
            "docxtpl placeholders such as {{ case_number }}; leave empty to keep the current one."
        ),
    )
    clear_docx = forms.BooleanField(
        label=gettext_lazy("Use the built-in Word template"), required=False
    )

    class Meta:
        model = NoticeTemplate
        fields = ["kind", "html"]
        widgets = {"html": forms.Textarea(attrs={"rows": 30, "class": "vLargeTextField"})}

    def apply(self, actor):
        upload = self.cleaned_data.get("docx_file")
        return services.save_notice_template(
            actor=actor,
            kind=self.cleaned_data["kind"],
            html=self.cleaned_data["html"],
            docx=upload.read() if upload else None,
            docx_name=upload.name if upload else "",
            keep_docx=not self.cleaned_data.get("clear_docx"),
            at=clock.now(),
        )


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(ServiceAdmin):
    module = Module.SYSTEM
    form = NoticeTemplateForm
    list_display = ["kind", "version", "is_active", "docx_name", "created_at", "created_by"]
    list_filter = ["kind", "is_active"]
    readonly_fields = ["available_fields"]
    fieldsets = [
        (None, {"fields": ["kind", "html", "docx_file", "clear_docx"]}),
        (gettext_lazy("Available fields"), {"fields": ["available_fields"]}),
    ]
    change_form_template = "documents/admin/change_form.html"
    actions = ["restore_default"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            # A new version starts from the built-in template of the kind asked for.
            kind = request.GET.get("kind", NoticeKind.ACCEPTANCE)
            form.base_fields["html"].initial = notices.default_html(kind)
        return form

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # versions are history; "restore default" stops using them

    @admin.display(description=gettext_lazy("fields"))
    def available_fields(self, obj=None) -> str:
        rows = format_html_join(
            "", "<tr><td><code>{{{{ {} }}}}</code></td><td>{}</td></tr>", notices.FIELDS
        )
        return format_html('<table id="notice-fields"><tbody>{}</tbody></table>', rows)

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="documents_noticetemplate_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """POST ``kind`` and ``html`` (the change form's "Preview" button): the template
        rendered against the sample case, or the error that stops it rendering."""
        if not self.has_view_permission(request):
            raise DjangoPermissionDenied
        if request.method != "POST":
            return HttpResponse(status=405)
        kind = request.POST.get("kind", "")
        if kind not in NoticeKind.values:
            kind = NoticeKind.ACCEPTANCE
        context = notices.sample_context(kind, request.build_absolute_uri("/"))
        try:
            body = notices.render_body(request.POST.get("html", ""), context)
        except DomainError as exc:
            return TemplateResponse(
                request,
                "documents/admin/preview_error.html",
                {**self.admin_site.each_context(request), "error": str(exc.message)},
                status=422,
            )
        return HttpResponse(notices.html_document(body, context))

    @admin.action(description=gettext_lazy("Use the built-in template for these kinds"))
    def restore_default(self, request, queryset):
        for kind in sorted(set(queryset.values_list("kind", flat=True))):
            services.restore_default(actor=request.user, kind=kind, at=clock.now())
        self.message_user(request, _("The built-in templates are in use."), messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def render_change_form(self, request, context, *args, **kwargs):
        context["preview_url"] = reverse("admin:documents_noticetemplate_preview")
        return super().render_change_form(request, context, *args, **kwargs)
