from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "tongban.reports"
    label = "reports"
    verbose_name = _("Statistics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A committed change to the holiday dictionary rebuilds the working-day index
        # the reports join against; a stale or missing index is also rebuilt lazily.
        from tongban.workcalendar.services import on_calendar_changed

        from .facts import calendar_changed

        on_calendar_changed(calendar_changed)
