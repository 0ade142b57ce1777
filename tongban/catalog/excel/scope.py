"""Who may transfer which items (the import/export pages and what they cover)."""

from __future__ import annotations

from django.db import models

from tongban.accounts.models import User

from ..access import catalogue_scope, managed_items_filter
from ..models import Item

# --- who may transfer which items -------------------------------------------------------


def items_managed_by(user: User | None) -> models.QuerySet[Item]:
    """The items ``user`` may maintain (``access.catalogue_scope``; ``None`` is the
    system)."""
    condition = managed_items_filter(user)
    return Item.objects.all() if condition is None else Item.objects.filter(condition)


def may_transfer(user: User | None) -> bool:
    """Whether ``user`` may use the import/export pages at all: those who maintain
    some department's items."""
    return not catalogue_scope(user).nothing
