"""Background housekeeping of internal mail."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tongban.core import clock

from .services import purge_unused_images


@db_periodic_task(crontab(minute="17"))
def purge_unused_mail_images():
    """Editor images that no mail or draft shows a day after their upload."""
    return purge_unused_images(at=clock.now())
