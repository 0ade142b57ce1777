"""Partner systems calling the partner API (无线城市, later the hotline): partners,
their signing keys, the nonces already seen, and remembered write responses."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.fields import EncryptedTextField


class Scope(models.TextChoices):
    """What a key may do; each endpoint needs exactly one of these."""

    CATALOG_READ = "catalog:read", _("Read the service catalogue")
    PROGRESS_READ = "progress:read", _("Query case progress")
    QA_READ = "qa:read", _("Read public questions")
    QA_WRITE = "qa:write", _("Ask questions")
    APPLICATIONS_WRITE = "applications:write", _("Submit applications")


class Partner(models.Model):
    """A system that calls the partner API. Deactivating it refuses all its keys at
    once without revoking them."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9-]{1,31}$",
                _("Lower-case letters, digits and hyphens, starting with a letter."),
            )
        ],
    )
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests per minute per key"),
        default=120,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PartnerKeyQuerySet(models.QuerySet):
    def active_at(self, at: dt.datetime) -> PartnerKeyQuerySet:
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at)
        )


class PartnerKey(models.Model):
    """A signing key. ``key_id`` is public (sent in every request); the secret is
    kept encrypted at rest rather than hashed because verifying an HMAC needs the
    secret itself. At most two active keys per partner, so a partner can roll over
    to a new key without a moment in which neither works."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="keys", verbose_name=_("partner")
    )
    key_id = models.CharField(_("key id"), max_length=40, unique=True)
    secret = EncryptedTextField(_("secret"))
    scopes = models.JSONField(_("scopes"), default=list)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = PartnerKeyQuerySet.as_manager()

    class Meta:
        ordering = ["partner__code", "created_at"]
        verbose_name = _("partner key")
        verbose_name_plural = _("partner keys")

    def __str__(self) -> str:
        return self.key_id

    def is_active_at(self, at: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)


class Nonce(models.Model):
    """A nonce already used with a key. The unique constraint makes "seen before?"
    and "remember it" one atomic insert, on PostgreSQL and SQLite alike, shared by
    every process and node without Redis. Rows older than the replay window are
    purged (``purge_partner_records``)."""

    key = models.ForeignKey(PartnerKey, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "nonce"], name="partners_nonce_unique")
        ]

    def __str__(self) -> str:
        return self.nonce


class IdempotencyRecord(models.Model):
    """The first successful response to a write carrying an ``Idempotency-Key``,
    replayed for a repeat of the same request. ``request_hash`` covers method,
    path, query and body: the same key with anything else is a conflict. Keyed by
    partner, not by signing key, so a retry signed with the partner's new key
    during a rotation still finds the first answer."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.CharField(max_length=64)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "idempotency_key"], name="partners_idempotency_unique"
            )
        ]

    def __str__(self) -> str:
        return self.idempotency_key
