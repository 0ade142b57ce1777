"""Reading the dictionaries."""

from __future__ import annotations

from typing import TypeVar, cast

from django.db.models import Q, QuerySet

from .models import DictionaryEntry

Entry = TypeVar("Entry", bound=DictionaryEntry)


def search_dictionary(
    model: type[Entry], q: str = "", *, active_only: bool = False
) -> QuerySet[Entry]:
    """Entries of ``model`` whose name, code or description contains ``q`` (any case),
    in display order. ``active_only`` for choices offered to users."""
    # The manager is declared on the abstract base: django-stubs types it for the base.
    entries = model.objects.all()
    if active_only:
        entries = entries.active()
    for word in q.split():
        entries = entries.filter(
            Q(name__icontains=word) | Q(code__icontains=word) | Q(description__icontains=word)
        )
    return cast("QuerySet[Entry]", entries.order_by(*(model._meta.ordering or ())))
