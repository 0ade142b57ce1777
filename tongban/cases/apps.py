from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from tongban.audit.actions import register_action_labels

        from .labels import TIMELINE_LABELS

        # The case engine's actions are audited as ``case.<timeline code>``.
        register_action_labels({f"case.{code}": label for code, label in TIMELINE_LABELS.items()})
