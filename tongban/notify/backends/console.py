"""The default channel: writes each message to the log and counts it as sent. Real
SMS gateways and SMTP come with the office communication capability."""

from __future__ import annotations

import logging

log = logging.getLogger("tongban.notify.console")


class ConsoleBackend:
    def send(self, message) -> None:
        log.info("[%s] to %s: %s", message.channel, message.recipient_name or "-", message.body)
