"""The tamper-evident audit log (security.md "Audit")."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """One append-only audit record. ``hash`` = H(prev_hash ‖ canonical content), so
    an edited, removed, inserted or reordered row breaks the chain at that row.

    The actor is kept as plain id and name (no foreign key): deleting a user must
    never touch the audit log.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.PositiveBigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    success = models.BooleanField(_("success"), default=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """The single row locked by every append: it serialises the chain. The verifier
    also compares it with the last record (a cut tail or a record appended behind the
    writer's back shows as a disagreement)."""

    last_seq = models.PositiveBigIntegerField(_("last sequence"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class CheckpointKind(models.TextChoices):
    CHECKPOINT = "checkpoint", _("checkpoint")
    PURGE = "purge", _("purge anchor")


class AuditCheckpoint(models.Model):
    """A signed statement "the chain had reached ``seq`` with ``hash``" (HMAC with
    ``TONGBAN_AUDIT_KEY``, see ``chain.sign_checkpoint``).

    - ``checkpoint``: written periodically and every N records. A signed checkpoint
      beyond the last record proves a cut tail; one whose hash differs from its record
      proves the chain up to it was rewritten.
    - ``purge``: written by the purge before it deletes records up to ``seq``; the
      verifier starts from it, so the purged prefix is not mistaken for removed rows.
    """

    kind = models.CharField(
        _("kind"), max_length=16, choices=CheckpointKind.choices, default=CheckpointKind.CHECKPOINT
    )
    seq = models.PositiveBigIntegerField(_("sequence"))
    hash = models.CharField(_("hash"), max_length=64)
    at = models.DateTimeField(_("time"))
    signature = models.CharField(_("signature"), max_length=128)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["-seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "seq"],
                name="audit_checkpoint_kind_seq_unique",
                violation_error_message=_("There is already a checkpoint of this kind here."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.seq}"
