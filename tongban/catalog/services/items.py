"""The narrower item use cases (own fields, process, materials, form, special
procedures, links), each one call of ``save_item_definition``; publishing, deleting
and the audited export of the staff query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.audit.services import model_snapshot, record_event
from tongban.core.errors import ActionNotAllowed

from ..access import require_item_manager
from ..models import Item, PolicyBasis, Theme
from ..rules import AssistingSpec, StepSpec, publish_errors
from .base import FieldSpec, MaterialSpec, _lock, _raise_if
from .definition import save_item_definition

if TYPE_CHECKING:
    from tongban.dictionaries.models import ApplicationCategory

    from ..selectors import ItemFilters

# --- items (the narrower use cases) -------------------------------------------------------------


def create_item(
    *,
    actor: User | None,
    steps: Sequence[StepSpec] | None = None,
    assisting: Sequence[AssistingSpec] = (),
    at: dt.datetime,
    **fields: Any,
) -> Item:
    """Create a draft item. Without ``steps`` it gets the default process
    (受理 → 承办 → 审核 → 批准 → 办结) with limits that fit the promised limit."""
    return save_item_definition(
        actor=actor, item=None, fields=fields, steps=steps, assisting=list(assisting), at=at
    )


def update_item(*, actor: User | None, item: Item, at: dt.datetime, **changes: Any) -> Item:
    """Change an item's own fields; the whole definition must still hold."""
    return save_item_definition(actor=actor, item=item, fields=changes, at=at)


def set_process(
    *,
    actor: User | None,
    item: Item,
    steps: Sequence[StepSpec],
    assisting: Sequence[AssistingSpec] = (),
    at: dt.datetime,
) -> Item:
    """Replace the item's process template and assisting departments. Steps that keep
    their name keep their staff assignments."""
    return save_item_definition(
        actor=actor, item=item, steps=list(steps), assisting=list(assisting), at=at
    )


def set_materials(
    *, actor: User | None, item: Item, materials: Sequence[MaterialSpec], at: dt.datetime
) -> Item:
    return save_item_definition(actor=actor, item=item, materials=list(materials), at=at)


def set_form_fields(
    *, actor: User | None, item: Item, fields: Sequence[FieldSpec], at: dt.datetime
) -> Item:
    """Replace the item's application form schema."""
    return save_item_definition(actor=actor, item=item, form_fields=list(fields), at=at)


def set_special_procedures(
    *, actor: User | None, item: Item, procedures: dict[str, int], at: dt.datetime
) -> Item:
    """Which special procedures the item may need, each with its own limit."""
    return save_item_definition(actor=actor, item=item, special_procedures=dict(procedures), at=at)


def set_item_links(
    *,
    actor: User | None,
    item: Item,
    basis: Iterable[PolicyBasis] | None = None,
    themes: Iterable[Theme] | None = None,
    application_categories: Iterable[ApplicationCategory] | None = None,
    at: dt.datetime,
) -> Item:
    return save_item_definition(
        actor=actor,
        item=item,
        basis=basis,
        themes=themes,
        application_categories=application_categories,
        at=at,
    )


@transaction.atomic
def publish_item(
    *, actor: User | None, item: Item, published: bool = True, at: dt.datetime
) -> Item:
    """Publish (or withdraw) an item. A published item needs a process, its
    materials, and — if it accepts online applications — an application form."""
    item = _lock(item)
    require_item_manager(actor, item.department)
    if published:
        _raise_if(
            publish_errors(
                has_steps=item.steps.exists(),
                has_materials=item.materials.exists(),
                online_allowed=item.online_allowed,
                has_form=item.form_fields.exists(),
            )
        )
    if item.is_published == published:
        return item
    item.is_published = published
    item.save(update_fields=["is_published", "updated_at"])
    record_event(
        actor=actor,
        action="item.publish" if published else "item.withdraw",
        obj=item,
        at=at,
        before={"is_published": not published},
        after={"is_published": published},
    )
    return item


@transaction.atomic
def delete_item(*, actor: User | None, item: Item, at: dt.datetime) -> None:
    item = _lock(item)
    require_item_manager(actor, item.department)
    if item.is_published:
        raise ActionNotAllowed(_("Withdraw the item before deleting it."))
    record_event(actor=actor, action="item.delete", obj=item, at=at, before=model_snapshot(item))
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError as exc:
        raise ActionNotAllowed(
            _("The item has cases and cannot be deleted; set its validity end instead.")
        ) from exc


# --- export of the staff query ----------------------------------------------------------------


@transaction.atomic
def export_items(*, actor: User, filters: ItemFilters, at: dt.datetime) -> bytes:
    """The staff query's result as an Excel workbook; the export is audited
    (security.md: every export)."""
    from ..selectors import item_query, items_workbook

    items = item_query(actor, filters)
    data = items_workbook(items)
    record_event(
        actor=actor,
        action="item.export",
        object_type="catalog.item",
        at=at,
        after={"filters": filters.as_audit(), "rows": items.count()},
    )
    return data
