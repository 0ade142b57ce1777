"""Channel backends: each turns one outbox message into one delivery attempt.

A backend's ``send(message, template=...)`` returns the gateway's message id (or "")
when the gateway accepted the message, or raises one of the errors below, which the
dispatcher turns into a retry or a final failure (docs/notifications.md). Backends
never touch the database: receipts they read are handed back through
``take_receipts()`` and recorded by the dispatcher after its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import FailureReason


class DeliveryError(Exception):
    def __init__(self, message: str):
        self.message = str(message)
        super().__init__(self.message)


class TemporaryFailure(DeliveryError):
    """May pass (throttled, queue full, server error): the message is tried again."""


class GatewayUnavailable(TemporaryFailure):
    """The peer cannot be reached at all: the rest of this run's messages on the
    channel are counted as failed attempts without knocking on its door again."""


class PermanentFailure(DeliveryError):
    """Trying again cannot help: the message fails at once with ``reason``."""

    def __init__(self, message: str, *, reason: str = FailureReason.PERMANENT):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Receipt:
    """A delivery report from the gateway: ``status`` is ``delivered`` or one of the
    ``FailureReason`` values."""

    gateway_message_id: str
    status: str
    detail: str = ""


DELIVERED = "delivered"


class Backend:
    # Chinese SMS gateways send only templates registered with them (SmsTemplate).
    needs_registered_template = False

    def send(self, message, *, template=None) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def take_receipts(self) -> list[Receipt]:
        return []

    def close(self) -> None:
        pass


def sms_params(message) -> dict[str, str]:
    """The template values: the message's own ``params``, and its text as
    ``{content}`` for callers that wrote only a text."""
    return {"content": message.body, **{k: str(v) for k, v in (message.params or {}).items()}}


def render_sms(message, template) -> str:
    """Signature + the registered template filled with the message's values."""
    try:
        return template.render(sms_params(message))
    except KeyError as exc:
        raise PermanentFailure(
            _("SMS template %(code)s needs the value %(name)s.")
            % {"code": template.code, "name": exc.args[0]},
            reason=FailureReason.TECHNICAL,
        ) from exc
