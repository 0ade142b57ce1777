"""The clock. Services take a required ``at=``; the top level (views, the admin, the
API, tasks, commands) reads ``now()`` and passes it in. Local dates live here too.

All dates in the domain are local dates in Asia/Shanghai (statistics.md).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return timezone.now()


def local_date(at: dt.datetime) -> dt.date:
    """The Asia/Shanghai calendar date of an aware instant."""
    if timezone.is_naive(at):
        raise ValueError("naive datetime passed where an aware instant is required")
    return at.astimezone(LOCAL_TZ).date()


def parse_instant(text: str) -> dt.datetime:
    """Parse an ISO date or datetime; a bare date or naive time is read as local time."""
    text = text.strip()
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LOCAL_TZ)
    value = dt.datetime.fromisoformat(text)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=LOCAL_TZ)
    return value


def start_of_local_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)
