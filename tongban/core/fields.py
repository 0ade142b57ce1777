"""Model fields for personal data encrypted at rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from .crypto import provider

if TYPE_CHECKING:
    # Field generics are not subscriptable at run time; the plugin types the column.
    _TextField = models.TextField[str, str]
else:
    _TextField = models.TextField


class EncryptedTextField(_TextField):
    """Stores ``provider().encrypt(value)``; Python code sees the plain value.

    Not searchable: pair it with a blind-index column where lookups are needed.
    """

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value in (None, ""):
            return value
        return provider().decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return provider().encrypt(value)
