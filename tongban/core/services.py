"""Helpers shared by every app's services."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .errors import PermissionDenied, ValidationFailed


def full_clean_or_raise(instance, *, exclude=None, validate_unique: bool = True) -> None:
    """Run model validation and re-raise as a ``ValidationFailed`` with field messages."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=validate_unique)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc


def require_role(actor, *codes: str) -> None:
    """``actor`` None is the system itself (CLI, migrations, the worker); anyone else
    must hold one of ``codes``."""
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied()
    if not actor.has_role(*codes):
        raise PermissionDenied()
