from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "tongban.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import services, tasks

        services.set_dispatch_task(tasks.dispatch_outbox_task)
