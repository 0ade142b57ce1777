"""Helpers shared by every app's services."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from .errors import PermissionDenied, ValidationFailed


class RoleHolder(Protocol):
    """What ``require_role`` needs of an actor (the accounts app's ``User``; core may
    not import it)."""

    @property
    def is_authenticated(self) -> bool: ...

    is_active: bool

    def has_role(self, *codes: str) -> bool: ...


def full_clean_or_raise(
    instance: models.Model, *, exclude: Collection[str] | None = None, validate_unique: bool = True
) -> None:
    """Run model validation and re-raise as a ``ValidationFailed`` with field messages."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=validate_unique)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc


def require_role(actor: RoleHolder | None, *codes: str) -> None:
    """``actor`` None is the system itself (CLI, migrations, the worker); anyone else
    must hold one of ``codes``."""
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied()
    if not actor.has_role(*codes):
        raise PermissionDenied()


def refuse_nul(value: str, field: str) -> None:
    """PostgreSQL text and JSON cannot hold a NUL character: refuse it as bad input
    naming ``field``, before anything is written (query strings, addresses and API
    bodies are checked earlier, by the middleware and the API root)."""
    if "\x00" in value:
        message = _("The text contains a character that is not allowed.")
        raise ValidationFailed(message, fields={field: [message]})
