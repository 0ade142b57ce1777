"""The outbox: every notification a business action decides to send is written here
in the action's own transaction, and sent after commit by the dispatcher. Nothing is
sent for an action that rolled back, and nothing decided is lost if a channel is down.
"""

from __future__ import annotations

from django.conf import settings
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
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, at):
        return self.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=at)


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
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("written at"))
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The dispatcher reads only what is waiting.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_pending_idx",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_name or self.masked_address}"

    @property
    def masked_address(self) -> str:
        if self.channel == Channel.SMS:
            return mask_mobile(self.address or "")
        return self.address or ""
