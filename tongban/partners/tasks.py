"""Background housekeeping of the partner API."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tongban.core import clock

from .services import purge_partner_records


@db_periodic_task(crontab(minute="*/10"))
def purge_partner_nonces_and_responses():
    """Nonces past the replay window and remembered responses past a day. Refusing a
    replay never depends on this running: an old nonce comes with a stale timestamp."""
    return purge_partner_records(at=clock.now())
