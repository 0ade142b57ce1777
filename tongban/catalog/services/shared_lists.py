"""The shared lists items link to: policy bases (anyone who maintains items) and
themes / life events (the city centre).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.audit.services import diff, model_snapshot, record_event
from tongban.core.errors import ActionNotAllowed, PermissionDenied
from tongban.core.services import full_clean_or_raise

from ..access import catalogue_covers_everything, catalogue_scope
from ..models import Item, PolicyBasis, Theme

# --- policy basis and themes (shared lists) -------------------------------------------------


def _require_catalogue_module(actor: User | None) -> None:
    if catalogue_scope(actor).nothing:
        raise PermissionDenied()


# One of the shared lists (both plain models with the default manager).
_Entry = TypeVar("_Entry", PolicyBasis, Theme)


def _save_shared_entry(
    model: type[_Entry],
    instance: _Entry | None,
    *,
    actor: User | None,
    action: str,
    at: dt.datetime,
    fields: dict[str, Any],
) -> _Entry:
    """Create (``instance`` None) or change one row of a shared list (policy basis,
    theme): validate, lock, save only what changed, audit."""
    if instance is None:
        instance = model(**fields)
        full_clean_or_raise(instance)
        instance.save(force_insert=True)
        record_event(
            actor=actor,
            action=f"{action}.create",
            obj=instance,
            at=at,
            after=model_snapshot(instance),
        )
        return instance
    instance = model.objects.select_for_update().get(pk=instance.pk)
    before = model_snapshot(instance)
    for name, value in fields.items():
        setattr(instance, name, value)
    full_clean_or_raise(instance)
    b, a = diff(before, model_snapshot(instance))
    if a:
        instance.save(update_fields=list(fields))
        record_event(actor=actor, action=f"{action}.update", obj=instance, at=at, before=b, after=a)
    return instance


@transaction.atomic
def save_policy_basis(
    *, actor: User | None, basis: PolicyBasis | None = None, at: dt.datetime, **fields: Any
) -> PolicyBasis:
    """Create (``basis`` None) or change a policy basis. Anyone who maintains items
    may maintain the shared list of laws and regulations."""
    _require_catalogue_module(actor)
    return _save_shared_entry(PolicyBasis, basis, actor=actor, action="basis", at=at, fields=fields)


@transaction.atomic
def delete_policy_basis(*, actor: User | None, basis: PolicyBasis, at: dt.datetime) -> None:
    """Delete a basis no item cites any more (an item's legal ground must not vanish
    behind its back)."""
    _require_catalogue_module(actor)
    basis = PolicyBasis.objects.select_for_update().get(pk=basis.pk)
    codes = list(
        Item.objects.filter(basis=basis).order_by("code").values_list("code", flat=True)[:5]
    )
    if codes:
        raise ActionNotAllowed(
            _("The basis is cited by items (%(codes)s); remove it from them first.")
            % {"codes": "、".join(codes)}
        )
    record_event(actor=actor, action="basis.delete", obj=basis, at=at, before=model_snapshot(basis))
    basis.delete()


def _require_theme_manager(actor: User | None) -> None:
    # Themes and life events are the portal's city-wide navigation: the centre's.
    if actor is not None and not (
        catalogue_covers_everything(actor) and catalogue_scope(actor).everything
    ):
        raise PermissionDenied()


@transaction.atomic
def save_theme(
    *, actor: User | None, theme: Theme | None = None, at: dt.datetime, **fields: Any
) -> Theme:
    """Create or change a theme / life event (maintained by the city centre)."""
    _require_theme_manager(actor)
    return _save_shared_entry(Theme, theme, actor=actor, action="theme", at=at, fields=fields)


@transaction.atomic
def delete_theme(*, actor: User | None, theme: Theme, at: dt.datetime) -> None:
    _require_theme_manager(actor)
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    record_event(
        actor=actor,
        action="theme.delete",
        obj=theme,
        at=at,
        before={**model_snapshot(theme), "items": list(theme.items.values_list("code", flat=True))},
    )
    theme.delete()
