"""The one use case behind every item change: the resulting definition is checked
whole (``item_definition_errors``) and then written and audited in one transaction
(``save_item_definition``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.audit.services import diff, model_snapshot, record_event
from tongban.core.errors import PermissionDenied, ValidationFailed

from ..access import catalogue_scope, require_item_manager
from ..models import Item, Material, PolicyBasis, Theme
from ..rules import (
    AssistingSpec,
    StepSpec,
    default_steps,
    definition_errors,
    duplicate_names,
    extension_cap,
    publish_errors,
)
from .base import ITEM_FIELDS, FieldSpec, MaterialSpec, _lock, _merge, _raise_if
from .rows import (
    _current_assisting,
    _current_form_fields,
    _current_materials,
    _current_special_procedures,
    _current_steps,
    _link_ids,
    _specs,
    _write_form_fields,
    _write_materials,
    _write_process,
    _write_special_procedures,
)

if TYPE_CHECKING:
    from django.db.models import Field

    from tongban.dictionaries.models import ApplicationCategory

# --- validation ------------------------------------------------------------------------------


def _material_errors(materials: Sequence[MaterialSpec]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for index, spec in enumerate(materials):
        row = Material(order=index + 1, **asdict(spec))
        try:
            row.full_clean(exclude=["item"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                prefixed = [
                    _("Material %(n)d: %(msg)s") % {"n": index + 1, "msg": m} for m in messages
                ]
                _merge(errors, {f"materials.{index}.{name}": prefixed})
    for name in duplicate_names(spec.name for spec in materials):
        _merge(
            errors, {"materials": [_("The material “%(name)s” is listed twice.") % {"name": name}]}
        )
    return errors


def _form_errors(form_fields: Sequence[FieldSpec]) -> dict[str, list[str]]:
    from ..formschema import schema_errors

    return dict(schema_errors(list(form_fields)) or {})


def _item_field_errors(item: Item) -> dict[str, list[str]]:
    """Single-field checks and the code's uniqueness; the cross-field rules (also DB
    constraints) are ``rules.item_errors``, with messages naming the field."""
    try:
        item.full_clean(validate_constraints=False)
    except ValidationError as exc:
        return {k: list(v) for k, v in exc.message_dict.items()}
    return {}


# --- the one use case behind every item change ------------------------------------------------


@dataclass
class _Draft:
    item: Item
    creating: bool
    fields: dict[str, Any]
    before_item: dict[str, Any]
    current: _Current
    steps: list[StepSpec]
    assisting: list[AssistingSpec]
    materials: list[MaterialSpec]
    form: list[FieldSpec]
    special: dict[str, int]
    errors: dict[str, list[str]]


class _Current(TypedDict):
    """The parts of the definition as they stand (empty for a new item)."""

    steps: list[StepSpec]
    assisting: list[AssistingSpec]
    materials: list[MaterialSpec]
    form: list[FieldSpec]
    special_procedures: dict[str, int]


def _prepare(
    *,
    actor: User | None,
    item: Item | None,
    fields: Mapping[str, Any] | None,
    steps: Sequence[StepSpec] | None,
    assisting: Sequence[AssistingSpec] | None,
    materials: Sequence[MaterialSpec] | None,
    form_fields: Sequence[FieldSpec] | None,
    special_procedures: Mapping[str, int] | None,
    lock: bool,
) -> _Draft:
    """The definition that would result, checked: permission (raised), then every
    rule (collected in ``errors``). Only ``save_item_definition`` locks the item."""
    fields = dict(fields or {})
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"not item fields: {sorted(unknown)}")
    creating = item is None

    if item is None:
        if catalogue_scope(actor).nothing:
            raise PermissionDenied()
        item = Item(**fields)
        if "max_extension" not in fields:
            item.max_extension = extension_cap(item.handling_type)
        if item.department_id:
            require_item_manager(actor, item.department)
        before_item: dict[str, Any] = {}
        current: _Current = {
            "steps": [],
            "assisting": [],
            "materials": [],
            "form": [],
            "special_procedures": {},
        }
    else:
        item = _lock(item) if lock else Item.objects.select_related("department").get(pk=item.pk)
        require_item_manager(actor, item.department)
        if "code" in fields and fields["code"] != item.code:
            message = _("The item code is stable and cannot be changed.")
            raise ValidationFailed(message, fields={"code": [message]})
        before_item = model_snapshot(item)
        for name, value in fields.items():
            setattr(item, name, value)
        if "department" in fields:
            require_item_manager(actor, item.department)
        current = {
            "steps": _current_steps(item),
            "assisting": _current_assisting(item),
            "materials": _current_materials(item),
            "form": _current_form_fields(item),
            "special_procedures": _current_special_procedures(item),
        }

    new_assisting = list(assisting) if assisting is not None else current["assisting"]
    if steps is not None:
        new_steps = list(steps)
    elif creating:
        parallel = max((a.limit_days for a in new_assisting), default=0)
        new_steps = default_steps(item.handling_type, item.promised_limit or 0, parallel)
    else:
        new_steps = current["steps"]
    new_materials = list(materials) if materials is not None else current["materials"]
    new_form = list(form_fields) if form_fields is not None else current["form"]
    new_special = (
        dict(special_procedures)
        if special_procedures is not None
        else current["special_procedures"]
    )

    # --- validate everything, report everything ---
    errors = _item_field_errors(item)
    numbers = (item.promised_limit, item.statutory_limit, item.max_extension)
    if all(isinstance(n, int) for n in numbers):
        _merge(
            errors,
            definition_errors(
                item, steps=new_steps, assisting=new_assisting, special_procedures=new_special
            ),
        )
    if steps is not None and not new_steps:
        _merge(errors, {"steps": [_("A process needs at least one step.")]})
    if materials is not None:
        _merge(errors, _material_errors(new_materials))
    if form_fields is not None:
        _merge(errors, _form_errors(new_form))
    if item.is_published:
        _merge(
            errors,
            publish_errors(
                has_steps=bool(new_steps),
                has_materials=bool(new_materials),
                online_allowed=item.online_allowed,
                has_form=bool(new_form),
                already_published=True,
            ),
        )
    return _Draft(
        item=item,
        creating=creating,
        fields=fields,
        before_item=before_item,
        current=current,
        steps=new_steps,
        assisting=new_assisting,
        materials=new_materials,
        form=new_form,
        special=new_special,
        errors=errors,
    )


def item_definition_errors(
    *,
    actor: User | None,
    item: Item | None = None,
    fields: Mapping[str, Any] | None = None,
    steps: Sequence[StepSpec] | None = None,
    assisting: Sequence[AssistingSpec] | None = None,
    materials: Sequence[MaterialSpec] | None = None,
    form_fields: Sequence[FieldSpec] | None = None,
    special_procedures: Mapping[str, int] | None = None,
    basis: Iterable[PolicyBasis] | None = None,
    themes: Iterable[Theme] | None = None,
    application_categories: Iterable[ApplicationCategory] | None = None,
) -> dict[str, list[str]]:
    """What ``save_item_definition`` with the same arguments would refuse, by field,
    without writing anything (for forms that show every message in place). Raises
    ``PermissionDenied`` like the save would. The links (``basis``, ``themes``,
    ``application_categories``) are accepted for symmetry; no rule concerns them."""
    return _prepare(
        actor=actor,
        item=item,
        fields=fields,
        steps=steps,
        assisting=assisting,
        materials=materials,
        form_fields=form_fields,
        special_procedures=special_procedures,
        lock=False,
    ).errors


@transaction.atomic
def save_item_definition(
    *,
    actor: User | None,
    item: Item | None = None,
    fields: Mapping[str, Any] | None = None,
    steps: Sequence[StepSpec] | None = None,
    assisting: Sequence[AssistingSpec] | None = None,
    materials: Sequence[MaterialSpec] | None = None,
    form_fields: Sequence[FieldSpec] | None = None,
    special_procedures: Mapping[str, int] | None = None,
    basis: Iterable[PolicyBasis] | None = None,
    themes: Iterable[Theme] | None = None,
    application_categories: Iterable[ApplicationCategory] | None = None,
    at: dt.datetime,
) -> Item:
    """Create (``item`` None) or change an item together with any of its parts, in
    one transaction: every rule is checked on the resulting definition first and all
    violations are reported at once (``ValidationFailed.fields``: item field names,
    ``steps``, ``assisting``, ``materials`` / ``materials.<i>.<field>``, the form
    schema's keys, ``special_procedures``, ``is_published``); nothing is written when
    one fails. A part left ``None`` is kept as it is (on creation: the default
    process, no assisting departments, no materials, form or special procedures).

    Audit: ``item.create`` (everything, on creation); otherwise one record per part
    that changed: ``item.update``, ``item.process``, ``item.materials``, ``item.form``,
    ``item.special_procedures``, ``item.links``.
    """
    draft = _prepare(
        actor=actor,
        item=item,
        fields=fields,
        steps=steps,
        assisting=assisting,
        materials=materials,
        form_fields=form_fields,
        special_procedures=special_procedures,
        lock=True,
    )
    _raise_if(draft.errors)
    item, creating, current = draft.item, draft.creating, draft.current
    fields, before_item = draft.fields, draft.before_item
    new_steps, new_assisting = draft.steps, draft.assisting
    new_materials, new_form, new_special = draft.materials, draft.form, draft.special

    # --- write ---
    if creating:
        try:
            with transaction.atomic():
                item.save(force_insert=True)
        except IntegrityError as exc:
            # Two people creating the same code at once: the loser gets the same
            # message as the validation above gives.
            message = str(Item._meta.get_field("code").error_messages["unique"])
            raise ValidationFailed(message, fields={"code": [message]}) from exc
    else:
        changed = [name for name in fields if before_item.get(_attname(name)) != _value(item, name)]
        if changed:
            item.save(update_fields=[*changed, "updated_at"])
    if creating or steps is not None or assisting is not None:
        _write_process(item, new_steps, new_assisting)
    if materials is not None:
        _write_materials(item, new_materials)
    if form_fields is not None:
        _write_form_fields(item, new_form)
    if special_procedures is not None:
        _write_special_procedures(item, new_special)
    links_before = {} if creating else _link_ids(item)
    for name, values in (
        ("basis", basis),
        ("themes", themes),
        ("application_categories", application_categories),
    ):
        if values is not None:
            getattr(item, name).set(list(values))

    # --- audit ---
    if creating:
        record_event(
            actor=actor,
            action="item.create",
            obj=item,
            at=at,
            after={
                **model_snapshot(item),
                "steps": _specs(new_steps),
                "assisting": _specs(new_assisting),
                "materials": _specs(new_materials),
                "form": _specs(new_form),
                "special_procedures": new_special,
                **_link_ids(item),
            },
        )
        return item
    b, a = diff(before_item, model_snapshot(item))
    b.pop("updated_at", None)
    a.pop("updated_at", None)
    if a:
        record_event(actor=actor, action="item.update", obj=item, at=at, before=b, after=a)
    parts: list[tuple[str, bool, dict[str, Any], dict[str, Any]]] = [
        (
            "item.process",
            steps is not None or assisting is not None,
            {"steps": _specs(current["steps"]), "assisting": _specs(current["assisting"])},
            {"steps": _specs(new_steps), "assisting": _specs(new_assisting)},
        ),
        (
            "item.materials",
            materials is not None,
            {"materials": _specs(current["materials"])},
            {"materials": _specs(new_materials)},
        ),
        (
            "item.form",
            form_fields is not None,
            {"fields": _specs(current["form"])},
            {"fields": _specs(new_form)},
        ),
        (
            "item.special_procedures",
            special_procedures is not None,
            current["special_procedures"],
            new_special,
        ),
    ]
    for action, given, before, after in parts:
        if given and _json(before) != _json(after):
            record_event(actor=actor, action=action, obj=item, at=at, before=before, after=after)
    links_after = _link_ids(item)
    if links_after != links_before:
        lb, la = diff(_json(links_before), _json(links_after))
        record_event(actor=actor, action="item.links", obj=item, at=at, before=lb, after=la)
    return item


def _attname(name: str) -> str:
    # ITEM_FIELDS are concrete fields of the item, never reverse relations.
    return cast("Field[Any, Any]", Item._meta.get_field(name)).attname


def _value(item: Item, name: str) -> object:
    return model_snapshot(item, [name]).get(_attname(name))


def _json(value: dict[str, Any]) -> dict[str, Any]:
    from tongban.audit.chain import jsonable

    # A dict stays a dict through the JSON round trip.
    return cast("dict[str, Any]", jsonable(value))
