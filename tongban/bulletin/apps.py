from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

# Account fields the phone directory follows; saves touching only others (the last
# login, the password) leave the directory alone.
DIRECTORY_USER_FIELDS = frozenset(
    {"username", "full_name", "department", "section", "position", "mobile", "is_active"}
)


def _user_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    """Keep the account's directory entry in step (the rule is in the service)."""
    if raw or (update_fields is not None and not (set(update_fields) & DIRECTORY_USER_FIELDS)):
        return
    from django.db import transaction

    from .services import sync_directory_entry

    with transaction.atomic():
        sync_directory_entry(instance)


class BulletinConfig(AppConfig):
    name = "tongban.bulletin"
    label = "bulletin"
    verbose_name = _("Public information")

    def ready(self) -> None:
        from django.conf import settings

        post_save.connect(
            _user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="bulletin.directory_sync"
        )
