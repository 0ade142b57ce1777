"""The sweep, scheduled: every five minutes, and just after local midnight — when the
day changes, deadlines pass — so the day's cards are out before the offices open."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .services import sweep


@db_periodic_task(crontab(minute="*/5"))
@lock_task("supervision-sweep")
def sweep_every_five_minutes():
    return sweep(at=timezone.now()).as_dict()


# Huey reads crontabs in UTC; 16:01 UTC is 00:01 in Asia/Shanghai (no daylight saving).
@db_periodic_task(crontab(minute="1", hour="16"))
@lock_task("supervision-sweep-midnight")
def sweep_after_midnight():
    return sweep(at=timezone.now()).as_dict()
