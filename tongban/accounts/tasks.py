"""Periodic account housekeeping run by the Huey worker."""

from __future__ import annotations

import datetime as dt

from huey.contrib.djhuey import HUEY, db_periodic_task

from tongban.core import clock

from . import security


def daily_at(hour: int, minute: int = 0):
    """A Huey schedule: every day at ``hour:minute`` Asia/Shanghai time. Huey hands
    the validator naive UTC when ``utc`` is on (its default), else naive local time."""

    def validate(timestamp: dt.datetime) -> bool:
        tz = dt.UTC if HUEY.utc else clock.LOCAL_TZ
        local = timestamp.replace(tzinfo=tz).astimezone(clock.LOCAL_TZ)
        return local.hour == hour and local.minute == minute

    return validate


@db_periodic_task(daily_at(2, 0))
def disable_dormant_accounts_daily() -> list[str]:
    """Disable dormant accounts (security.md) and clear stale login records."""
    at = clock.now()
    disabled = security.disable_dormant_accounts(at=at)
    security.purge_login_records(at=at)
    return disabled
