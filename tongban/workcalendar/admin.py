"""节假日维护 in system management: the holiday dictionary with its adjusted working
days inline, a warning for years without an arrangement, and Excel import/export.

Writes go through the services. A holiday and its adjusted days are validated
together by the forms (the model rules see the holiday's new, unsaved days), so a bad
input is a form error on the field it concerns; the one service call that saves them
runs afterwards, inside the admin's transaction.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.accounts.admin_site import ModuleAdmin
from tongban.accounts.roles import Module
from tongban.core import clock
from tongban.core.clock import local_date
from tongban.core.errors import DomainError, ValidationFailed

from . import services
from .excel import COLUMNS, export_holidays
from .models import AdjustedWorkday, Holiday
from .selectors import years_without_arrangement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOLIDAY_FIELDS = ["year", "name", "first_day", "last_day", "note"]


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = HOLIDAY_FIELDS


class AdjustedWorkdayInline(admin.TabularInline):
    model = AdjustedWorkday
    fields = ["date"]
    extra = 1
    verbose_name = _("adjusted working day")
    verbose_name_plural = _("adjusted working days (weekend days worked as part of this holiday)")

    # Inline permissions follow the module, like ModuleAdmin's.
    def _allowed(self, request) -> bool:
        from tongban.accounts.selectors import user_modules

        return request.user.is_active and Module.SYSTEM in user_modules(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("Columns: %(columns)s.") % {
            "columns": "、".join(COLUMNS)
        }


@admin.register(Holiday)
class HolidayAdmin(ModuleAdmin):
    module = Module.SYSTEM
    form = HolidayForm
    inlines = [AdjustedWorkdayInline]
    list_display = ["year", "name", "first_day", "last_day", "days", "adjusted_days"]
    list_display_links = ["year", "name"]
    list_filter = ["year"]
    search_fields = ["name"]
    date_hierarchy = "first_day"
    ordering = ["-first_day"]
    list_per_page = 50
    actions = ["export_selected", "delete_selected"]
    change_list_template = "admin/workcalendar/holiday/change_list.html"

    @admin.display(description=_("days"))
    def days(self, obj: Holiday) -> int:
        return obj.day_count

    @admin.display(description=_("adjusted working days"))
    def adjusted_days(self, obj: Holiday) -> str:
        return "、".join(a.date.isoformat() for a in obj.adjusted_workdays.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("adjusted_workdays")

    # --- writes through the services ----------------------------------------------------

    def save_model(self, request, obj, form, change):
        pass  # saved with its adjusted days in save_related, by one service call

    def save_related(self, request, form, formsets, change):
        dates = []
        for formset in formsets:
            formset.save(commit=False)  # only fills the lists the change message reads
            for inline_form in formset.forms:
                if formset.can_delete and formset._should_delete_form(inline_form):
                    continue
                day = getattr(inline_form, "cleaned_data", {}).get("date")
                if day is not None:
                    dates.append(day)
        data = {name: form.cleaned_data[name] for name in HOLIDAY_FIELDS}
        if change:
            changes = {name: data[name] for name in form.changed_data if name in data}
            services.update_holiday(
                actor=request.user,
                holiday=form.instance,
                adjusted_workdays=dates,
                at=timezone.now(),
                **changes,
            )
        else:
            holiday = services.create_holiday(
                actor=request.user, adjusted_workdays=dates, at=timezone.now(), **data
            )
            form.instance.pk = holiday.pk
            form.instance._state.adding = False
            form.instance._state.db = holiday._state.db

    def delete_model(self, request, obj):
        services.delete_holiday(actor=request.user, holiday=obj, at=timezone.now())

    def delete_queryset(self, request, queryset):
        for holiday in queryset:
            services.delete_holiday(actor=request.user, holiday=holiday, at=timezone.now())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            # The forms ran the same rules first; this is a concurrent change or a
            # permission refused by the service. The transaction has been rolled back.
            self.message_user(request, str(exc.message), messages.ERROR)
            return redirect(request.get_full_path())

    # --- the list: missing-year warning, import and export ------------------------------

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            year = local_date(clock.now()).year
            missing = years_without_arrangement(year, year + 1)
            if missing:
                self.message_user(
                    request,
                    gettext(
                        "No holiday arrangement on file for %(years)s: dates in those years "
                        "are counted Monday to Friday. Add the State Council arrangement "
                        "when it is published."
                    )
                    % {"years": "、".join(str(y) for y in missing)},
                    messages.WARNING,
                )
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            # The change form's "preview" button posts the unsaved form here.
            path(
                "add/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="{}_{}_preview_add".format(*info),
            ),
            path(
                "<path:object_id>/change/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="{}_{}_preview".format(*info),
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Export selected holidays to Excel"))
    def export_selected(self, request, queryset):
        return self._xlsx(queryset.order_by("first_day"))

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise DjangoPermissionDenied
        return self._xlsx(self.get_queryset(request).order_by("first_day"))

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise DjangoPermissionDenied
        problems: list[str] = []
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    result = services.import_holidays(
                        actor=request.user, file=form.cleaned_data["file"], at=timezone.now()
                    )
                except ValidationFailed as exc:
                    form.add_error(None, str(exc.message))
                    problems = [str(m) for m in exc.fields.get("file", [])]
                else:
                    self.message_user(
                        request,
                        gettext(
                            "Imported: %(created)s created, %(updated)s updated, "
                            "%(unchanged)s unchanged."
                        )
                        % {
                            "created": result.created,
                            "updated": result.updated,
                            "unchanged": result.unchanged,
                        },
                        messages.SUCCESS,
                    )
                    return redirect(reverse("admin:workcalendar_holiday_changelist"))
        else:
            form = ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import holidays from Excel"),
            "form": form,
            "problems": problems,
            "columns": COLUMNS,
        }
        return TemplateResponse(request, "admin/workcalendar/holiday/import.html", context)

    def preview_view(self, request, object_id=None):
        """Which open cases' deadlines the submitted (unsaved) holiday would move, and
        by how much (time-limits.md, "Calendar changes"). Nothing is written."""
        from django.contrib.admin.utils import unquote

        from tongban.workcalendar.calendar import HolidaySpan
        from tongban.workcalendar.changes import preview_change, proposed_calendar

        holiday = self.get_object(request, unquote(object_id)) if object_id else None
        allowed = (
            self.has_change_permission(request, holiday)
            if object_id
            else self.has_add_permission(request)
        )
        if (object_id and holiday is None) or not allowed:
            raise DjangoPermissionDenied
        if request.method != "POST":
            return redirect(request.path.rsplit("preview/", 1)[0])
        # The holiday as stored (for an edit), before the form writes into it.
        replacing = (holiday.year, holiday.name) if holiday else None
        old_days = [holiday.first_day, holiday.last_day] if holiday else []
        old_days += [a.date for a in holiday.adjusted_workdays.all()] if holiday else []
        form = HolidayForm(request.POST, instance=holiday or Holiday())
        dates, problems = _posted_adjusted_days(request.POST)
        moved = None
        if form.is_valid() and not problems:
            data = form.cleaned_data
            span = HolidaySpan(
                holiday.pk if holiday else None,
                data["year"],
                data["name"],
                data["first_day"],
                data["last_day"],
            )
            days = [*old_days, span.first_day, span.last_day, *dates]
            moved = preview_change(
                proposed_calendar(replacing=replacing, holiday=span, adjusted=dates),
                first=min(days),
                last=max(days),
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Deadlines this change would move"),
            "form": form,
            "problems": problems,
            "moved": moved,
            "holiday": holiday,
        }
        return TemplateResponse(request, "admin/workcalendar/holiday/preview.html", context)

    def _xlsx(self, holidays) -> HttpResponse:
        response = HttpResponse(export_holidays(holidays), content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename="节假日安排.xlsx"
        )
        return response


def _posted_adjusted_days(data) -> tuple[list, list[str]]:
    """The adjusted working days of the inline as submitted (rows marked for deletion
    left out); the preview needs their dates only."""
    prefix = "adjusted_workdays"
    field = forms.DateField(required=False)
    dates, problems = [], []
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except ValueError:
        total = 0
    for i in range(min(total, 1000)):
        if data.get(f"{prefix}-{i}-DELETE"):
            continue
        try:
            day = field.clean(data.get(f"{prefix}-{i}-date", ""))
        except forms.ValidationError as exc:
            problems.extend(exc.messages)
            continue
        if day is not None:
            dates.append(day)
    return dates, problems
