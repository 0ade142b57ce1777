"""The default channel: writes each message to the log and counts it as sent."""

from __future__ import annotations

import logging

from . import Backend

log = logging.getLogger("tongban.notify.console")


class ConsoleBackend(Backend):
    def send(self, message, *, template=None) -> str:
        log.info("[%s] to %s: %s", message.channel, message.recipient_name or "-", message.body)
        return ""
