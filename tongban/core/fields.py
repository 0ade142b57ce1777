"""Model fields for personal data encrypted at rest."""

from __future__ import annotations

from django.db import models

from .crypto import provider


class EncryptedTextField(models.TextField):
    """Stores ``provider().encrypt(value)``; Python code sees the plain value.

    Not searchable: pair it with a blind-index column where lookups are needed.
    """

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return provider().decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return provider().encrypt(value)
