from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "tongban.supervision"
    label = "supervision"
    verbose_name = _("Electronic supervision")

    def ready(self) -> None:
        # A saved change to the holiday dictionary recomputes the open cases'
        # deadlines once it has committed (time-limits.md, "Calendar changes").
        from .calendar_changes import connect

        connect()
