"""The outbox: every notification a business action decides to send is written here
in the action's own transaction, and sent after commit by the dispatcher. Nothing is
sent for an action that rolled back, and nothing decided is lost if a channel is down.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.crypto import mask_mobile
from tongban.core.fields import EncryptedTextField


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    INTERNAL = "internal", _("Internal message")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    # The gateway has accepted the message; a delivery receipt may follow.
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    # The last attempt failed for a reason that may pass; it will be tried again.
    TEMPORARY_FAILURE = "temporary_failure", _("Temporary failure, retrying")
    FAILED = "failed", _("Failed")


# Statuses the dispatcher still has work for.
WAITING_STATUSES = (OutboxStatus.PENDING, OutboxStatus.TEMPORARY_FAILURE)


class FailureReason(models.TextChoices):
    # The recipient's side refused it (invalid number, mailbox does not exist).
    PERMANENT = "permanent_failure", _("Permanent failure")
    # Our side or the gateway could not send it (gave up after retries, template not
    # registered, misconfiguration): the system administrators are told.
    TECHNICAL = "technical_failure", _("Technical failure")
    # The network kept it until its validity ran out (phone off, out of coverage).
    TEMPORARY = "temporary_failure", _("Not delivered in time (phone off or unreachable)")


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, at):
        return self.filter(status__in=WAITING_STATUSES, next_attempt_at__lte=at)


class OutboxMessage(models.Model):
    """One notification to one recipient on one channel."""

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    template = models.CharField(
        _("template"), max_length=64, help_text=_("What kind of message this is.")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient (staff)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient_name = models.CharField(_("recipient"), max_length=100, blank=True)
    # Personal data at rest is encrypted (security.md); the admin shows it masked.
    address = EncryptedTextField(_("mobile number or address"), blank=True)
    # Keyed blind index of the address: the per-number daily SMS cap counts by it
    # without decrypting the table.
    address_index = models.CharField(max_length=128, blank=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    # Template parameters for gateways that take a registered template and its
    # values rather than free text (see SmsTemplate).
    params = models.JSONField(_("template parameters"), default=dict, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("written at"))
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # When the current run of failures began: the message gives up after
    # TONGBAN_NOTIFY_GIVE_UP_HOURS of failing.
    first_failed_at = models.DateTimeField(_("failing since"), null=True, blank=True)
    failure_reason = models.CharField(
        _("failure reason"), max_length=32, choices=FailureReason.choices, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    gateway_message_id = models.CharField(
        _("gateway message id"), max_length=100, blank=True, db_index=True
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The dispatcher reads only what is waiting.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_waiting_idx",
                condition=models.Q(status__in=["pending", "temporary_failure"]),
            ),
            # The daily SMS cap counts what went to one number since local midnight.
            models.Index(
                fields=["address_index", "sent_at"],
                name="outbox_sms_cap_idx",
                condition=models.Q(channel="sms"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_name or self.masked_address}"

    @property
    def masked_address(self) -> str:
        if self.channel == Channel.SMS:
            return mask_mobile(self.address or "")
        return self.address or ""


PLACEHOLDER = re.compile(r"\{(\w+)\}")
SIGNATURE = re.compile(r"^【[^【】]{2,12}】$")


def validate_placeholders(text: str) -> None:
    # Braces are only ever {name}; anything else is a typo the gateway would refuse.
    if PLACEHOLDER.sub("", text).count("{") or PLACEHOLDER.sub("", text).count("}"):
        raise ValidationError(_("Placeholders are written {name}, letters, digits and _ only."))


class SmsTemplate(models.Model):
    """An SMS template registered with the gateway (Chinese gateways send only
    registered templates, each under the sender's registered signature)."""

    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        help_text=_("The outbox template this applies to, e.g. case.accepted."),
    )
    gateway_template_id = models.CharField(
        _("gateway template id"),
        max_length=64,
        blank=True,
        help_text=_("The id the gateway gave the template when it was registered."),
    )
    text = models.TextField(
        _("text"),
        max_length=300,
        validators=[validate_placeholders],
        help_text=_("With {placeholders}; {content} stands for the notification's text."),
    )
    signature = models.CharField(
        _("signature"),
        max_length=16,
        help_text=_("The registered signature in square brackets, e.g. 【天水政务】."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        if self.signature and not SIGNATURE.match(self.signature):
            raise ValidationError(
                {"signature": _("Write the signature as 【name】, 2 to 12 characters.")}
            )

    @property
    def placeholders(self) -> list[str]:
        return PLACEHOLDER.findall(self.text)

    def render(self, params: dict) -> str:
        """The signature and the text with its placeholders filled; a missing value
        raises KeyError (the gateway would refuse the message)."""
        return self.signature + PLACEHOLDER.sub(lambda m: str(params[m.group(1)]), self.text)
