from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "tongban.supervision"
    label = "supervision"
    verbose_name = _("Electronic supervision")

    def ready(self) -> None:
        from tongban.cases.simulation import on_simulated_night

        from . import services
        from .calendar_changes import connect

        # A saved change to the holiday dictionary recomputes the open cases'
        # deadlines once it has committed (time-limits.md, "Calendar changes").
        connect()
        # A simulated history (``tongban simulate``, the demo) has its nightly sweep.
        on_simulated_night(services.simulated_night, logger=services.__name__)
