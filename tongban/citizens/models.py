"""Citizen accounts of the public portal (门户网站). Citizens are not staff: they have
their own table and their own session key, so no staff permission, role or admin
page can ever apply to them, and a citizen sees only the cases linked to them."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.crypto import mask_mobile, mask_name, provider
from tongban.core.fields import EncryptedTextField


class Citizen(models.Model):
    """A registered citizen: logs in with a mobile number (verified by an SMS code at
    registration) and a password."""

    mobile = EncryptedTextField(_("mobile number"))
    # Exact lookups by mobile go through the keyed blind index (security.md "Data").
    mobile_index = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    password = models.CharField(_("password"), max_length=128)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered at"))
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{mask_name(self.name)} ({self.masked_mobile})"

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile or "")

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    def set_mobile(self, mobile: str) -> None:
        self.mobile = mobile
        self.mobile_index = index_mobile(mobile)

    def set_password(self, raw_password: str) -> None:
        self.password = make_password(raw_password)

    def check_password(self, raw_password: str) -> bool:
        return check_password(raw_password, self.password)


def index_mobile(mobile: str) -> str:
    return provider().blind_index(mobile.strip())


class CodePurpose(models.TextChoices):
    REGISTER = "register", _("Registration")
    RESET = "reset", _("Password reset")


class VerificationCode(models.Model):
    """A one-time code sent by SMS to prove that a person holds a mobile number.

    Only a keyed hash of the code is stored. A code is valid for
    ``TONGBAN_CITIZEN_CODE_MINUTES`` (10), allows ``TONGBAN_CITIZEN_CODE_ATTEMPTS``
    (5) wrong guesses and is used once; a newer code for the same mobile and purpose
    replaces older ones (only the latest unused one is checked)."""

    mobile_index = models.CharField(max_length=64, editable=False)
    purpose = models.CharField(_("purpose"), max_length=16, choices=CodePurpose.choices)
    code_hash = models.CharField(max_length=64, editable=False)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["mobile_index", "created_at"], name="citizen_code_mobile_idx"),
            models.Index(fields=["ip", "created_at"], name="citizen_code_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
