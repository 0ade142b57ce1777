"""The shapes of an item's definition (the item's own fields, material and form-field
specs) and the small helpers every catalogue service shares. Imports none of its
siblings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tongban.core.errors import ValidationFailed

from ..models import Item

ITEM_FIELDS = (
    "code",
    "name",
    "short_name",
    "item_type",
    "category",
    "department",
    "handling_type",
    "promised_limit",
    "statutory_limit",
    "max_extension",
    "special_procedures_allowed",
    "fee",
    "fee_basis",
    "conditions",
    "procedure_description",
    "result_name",
    "application_place",
    "application_hours",
    "contact_phone",
    "complaint_phone",
    "online_allowed",
    "valid_from",
    "valid_to",
)


@dataclass(frozen=True)
class MaterialSpec:
    name: str
    required: bool = True
    essential: bool = True
    form: str = "original"
    copies: int = 1
    notes: str = ""
    blank_form_id: object | None = None
    example_id: object | None = None


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    field_type: str
    required: bool = False
    help_text: str = ""
    choices: Sequence[str] = field(default_factory=tuple)
    min_value: object | None = None
    max_value: object | None = None
    max_length: int | None = None
    pattern: str = ""
    pattern_message: str = ""


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, fields=errors)


def _merge(into: dict[str, list[str]], more: Mapping[str, Iterable[str]]) -> None:
    for key, messages in more.items():
        into.setdefault(key, []).extend(str(m) for m in messages)


def _lock(item: Item) -> Item:
    return Item.objects.select_for_update().select_related("department").get(pk=item.pk)
