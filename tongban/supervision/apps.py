from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "tongban.supervision"
    label = "supervision"
    verbose_name = _("Electronic supervision")

    def ready(self) -> None:
        # Cases are the first clocked item (supervision.clocked): registering them
        # also connects the case engine's signals and the recompute of their
        # deadlines after a calendar change (time-limits.md, "Calendar changes").
        from .kinds import cases

        cases.register()
