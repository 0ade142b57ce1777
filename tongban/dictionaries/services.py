"""Every change to the dictionaries (seed §1.11 字典管理), by the system administrator
only, validated, audited (``dictionary.create/update/delete`` with before/after) and
transactional.

The generic functions take the dictionary's model; the named ones
(``create_item_type`` …) are the same with the model filled in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypedDict, TypeVar, Unpack, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from tongban.accounts.roles import RoleCode
from tongban.audit.services import diff, model_snapshot, record_event
from tongban.core.errors import ActionNotAllowed, ValidationFailed
from tongban.core.services import require_role

if TYPE_CHECKING:
    from tongban.accounts.models import User

from .models import (
    ApplicantType,
    ApplicationCategory,
    DictionaryEntry,
    ItemCategory,
    ItemType,
    clean_name,
    normalise_name,
)

Entry = TypeVar("Entry", bound=DictionaryEntry)


class EntryChanges(TypedDict, total=False):
    """The fields of an item category or item type a caller may set (None = empty)."""

    code: str | None
    name: str | None
    description: str | None
    sort_order: int
    is_active: bool


class ApplicationCategoryChanges(EntryChanges, total=False):
    type: str


COMMON_FIELDS = ("code", "name", "description", "sort_order", "is_active")
FIELDS: dict[type[DictionaryEntry], tuple[str, ...]] = {
    ItemCategory: COMMON_FIELDS,
    ItemType: COMMON_FIELDS,
    ApplicationCategory: (*COMMON_FIELDS, "type"),
}


# --- generic -------------------------------------------------------------------------


@transaction.atomic
def create_dictionary_entry(
    *,
    actor: User | None,
    model: type[Entry],
    at: dt.datetime,
    **values: Unpack[ApplicationCategoryChanges],
) -> Entry:
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    _require_known(model, values)
    entry = model(**_cleaned(values))
    check_dictionary_entry(entry)
    _save(entry, force_insert=True)
    record_event(
        actor=actor,
        action="dictionary.create",
        obj=entry,
        at=at,
        after=model_snapshot(entry, fields=list(FIELDS[model])),
    )
    return entry


@transaction.atomic
def update_dictionary_entry(
    *,
    actor: User | None,
    entry: Entry,
    at: dt.datetime,
    **changes: Unpack[ApplicationCategoryChanges],
) -> Entry:
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    model = type(entry)
    _require_known(model, changes)
    # The manager is declared on the abstract base: django-stubs types it for the base.
    entry = cast(Entry, model.objects.select_for_update().get(pk=entry.pk))
    fields = list(FIELDS[model])
    before = model_snapshot(entry, fields=fields)
    for name, value in _cleaned(changes).items():
        setattr(entry, name, value)
    check_dictionary_entry(entry)
    b, a = diff(before, model_snapshot(entry, fields=fields))
    if not a:
        return entry
    _save(entry, update_fields=[*a, "name_key"])
    record_event(actor=actor, action="dictionary.update", obj=entry, at=at, before=b, after=a)
    return entry


@transaction.atomic
def delete_dictionary_entry(*, actor: User | None, entry: DictionaryEntry, at: dt.datetime) -> None:
    """Delete an entry no record refers to. Entries in use (referred to with
    ``PROTECT``) are refused: deactivate them instead, so that history keeps its
    meaning."""
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    model = type(entry)
    entry = model.objects.select_for_update().get(pk=entry.pk)
    record_event(
        actor=actor,
        action="dictionary.delete",
        obj=entry,
        at=at,
        before=model_snapshot(entry, fields=list(FIELDS[model])),
    )
    try:
        entry.delete()
    except (ProtectedError, RestrictedError) as exc:
        users = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in users})
        raise ActionNotAllowed(
            _(
                "“%(name)s” is still used by %(count)d record(s) (%(kinds)s) and cannot be "
                "deleted; deactivate it instead."
            )
            % {"name": entry.name, "count": len(users), "kinds": "、".join(kinds)}
        ) from exc


def check_dictionary_entry(entry: DictionaryEntry) -> None:
    """Field rules and uniqueness of name (ignoring case, width and spacing) and code,
    with messages that name the field. Also used by the admin form."""
    entry.name = clean_name(entry.name)
    entry.code = entry.code.strip().upper()
    entry.name_key = normalise_name(entry.name)
    try:
        entry.full_clean(exclude=["name_key"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    model = type(entry)
    others = model.objects.exclude(pk=entry.pk) if entry.pk else model.objects.all()
    same_name = others.filter(name_key=entry.name_key).first()
    if same_name is not None:
        field = model._meta.get_field("name").verbose_name
        message = _(
            "%(field)s “%(name)s” is already used by “%(existing)s” (names are compared "
            "ignoring case, full-width characters and spaces)."
        ) % {"field": field, "name": entry.name, "existing": same_name.name}
        raise ValidationFailed(message, fields={"name": [message]})
    if entry.code and others.filter(code=entry.code).exists():
        field = model._meta.get_field("code").verbose_name
        message = _("%(field)s “%(code)s” is already used.") % {"field": field, "code": entry.code}
        raise ValidationFailed(message, fields={"code": [message]})


def _require_known(model: type[DictionaryEntry], values: Mapping[str, object]) -> None:
    unknown = set(values) - set(FIELDS[model])
    if unknown:
        raise ValueError(f"not {model.__name__} fields: {sorted(unknown)}")


def _cleaned(values: Mapping[str, object]) -> dict[str, object]:
    values = dict(values)
    for text in ("name", "code", "description"):
        if values.get(text) is None and text in values:
            values[text] = ""
    return values


def _save(
    entry: DictionaryEntry,
    *,
    force_insert: bool = False,
    update_fields: list[str] | None = None,
) -> None:
    try:
        with transaction.atomic():
            entry.save(force_insert=force_insert, update_fields=update_fields)
    except IntegrityError as exc:
        # Two administrators saving the same name at once: the constraint decides.
        message = _("An entry with this name or code was saved at the same time; try again.")
        raise ValidationFailed(message, fields={"name": [message]}) from exc


# --- named --------------------------------------------------------------------------------


def create_item_category(
    *,
    actor: User | None,
    name: str,
    code: str = "",
    description: str = "",
    sort_order: int = 0,
    is_active: bool = True,
    at: dt.datetime,
) -> ItemCategory:
    return create_dictionary_entry(
        actor=actor,
        model=ItemCategory,
        at=at,
        name=name,
        code=code,
        description=description,
        sort_order=sort_order,
        is_active=is_active,
    )


def update_item_category(
    *, actor: User | None, category: ItemCategory, at: dt.datetime, **changes: Unpack[EntryChanges]
) -> ItemCategory:
    return update_dictionary_entry(actor=actor, entry=category, at=at, **changes)


def delete_item_category(*, actor: User | None, category: ItemCategory, at: dt.datetime) -> None:
    delete_dictionary_entry(actor=actor, entry=category, at=at)


def create_item_type(
    *,
    actor: User | None,
    name: str,
    code: str = "",
    description: str = "",
    sort_order: int = 0,
    is_active: bool = True,
    at: dt.datetime,
) -> ItemType:
    return create_dictionary_entry(
        actor=actor,
        model=ItemType,
        at=at,
        name=name,
        code=code,
        description=description,
        sort_order=sort_order,
        is_active=is_active,
    )


def update_item_type(
    *, actor: User | None, item_type: ItemType, at: dt.datetime, **changes: Unpack[EntryChanges]
) -> ItemType:
    return update_dictionary_entry(actor=actor, entry=item_type, at=at, **changes)


def delete_item_type(*, actor: User | None, item_type: ItemType, at: dt.datetime) -> None:
    delete_dictionary_entry(actor=actor, entry=item_type, at=at)


def create_application_category(
    *,
    actor: User | None,
    name: str,
    type: str = ApplicantType.PERSONAL,  # the seed calls it 申报类型
    code: str = "",
    description: str = "",
    sort_order: int = 0,
    is_active: bool = True,
    at: dt.datetime,
) -> ApplicationCategory:
    return create_dictionary_entry(
        actor=actor,
        model=ApplicationCategory,
        at=at,
        name=name,
        type=type,
        code=code,
        description=description,
        sort_order=sort_order,
        is_active=is_active,
    )


def update_application_category(
    *,
    actor: User | None,
    category: ApplicationCategory,
    at: dt.datetime,
    **changes: Unpack[ApplicationCategoryChanges],
) -> ApplicationCategory:
    return update_dictionary_entry(actor=actor, entry=category, at=at, **changes)


def delete_application_category(
    *, actor: User | None, category: ApplicationCategory, at: dt.datetime
) -> None:
    delete_dictionary_entry(actor=actor, entry=category, at=at)
