"""An item's child rows (process steps, assisting departments, materials, form
fields, special procedures, links): read as specs, and written in place by their
natural key so that the ids cases refer to stay stable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any, TypeVar

from ..models import (
    AssistingDepartment,
    FormField,
    Item,
    ItemSpecialProcedure,
    Material,
    ProcessStep,
)
from ..rules import AssistingSpec, StepSpec
from .base import FieldSpec, MaterialSpec

# --- reading the current definition ------------------------------------------------------


def _current_steps(item: Item) -> list[StepSpec]:
    return [
        StepSpec(s.name, s.role, s.limit_days, s.department_id)
        for s in item.steps.all().order_by("order", "id")
    ]


def _current_assisting(item: Item) -> list[AssistingSpec]:
    return [
        AssistingSpec(a.department_id, a.limit_days, a.task)
        for a in item.assisting.all().order_by("id")
    ]


def _current_materials(item: Item) -> list[MaterialSpec]:
    return [
        MaterialSpec(
            name=m.name,
            required=m.required,
            essential=m.essential,
            form=m.form,
            copies=m.copies,
            notes=m.notes,
            blank_form_id=m.blank_form_id,
            example_id=m.example_id,
        )
        for m in item.materials.all().order_by("order", "id")
    ]


def _current_form_fields(item: Item) -> list[FieldSpec]:
    return [
        FieldSpec(
            key=f.key,
            label=f.label,
            field_type=f.field_type,
            required=f.required,
            help_text=f.help_text,
            choices=tuple(f.choice_list()),
            min_value=f.min_value,
            max_value=f.max_value,
            max_length=f.max_length,
            pattern=f.pattern,
            pattern_message=f.pattern_message,
        )
        for f in item.form_fields.all().order_by("order", "id")
    ]


def _current_special_procedures(item: Item) -> dict[str, int]:
    return dict(item.special_procedures.order_by("id").values_list("kind", "limit_days"))


def _specs(
    specs: Sequence[StepSpec | AssistingSpec | MaterialSpec | FieldSpec],
) -> list[dict[str, Any]]:
    return [
        asdict(s) | ({"choices": list(s.choices)} if hasattr(s, "choices") else {}) for s in specs
    ]


# --- writing child rows in place ------------------------------------------------------------


_Row = TypeVar("_Row", ProcessStep, AssistingDepartment, Material, FormField, ItemSpecialProcedure)


def _sync(
    rows: Iterable[_Row],
    key: Callable[[_Row], object],
    wanted: Sequence[tuple[object, dict[str, Any]]],
    make: Callable[[dict[str, Any]], _Row],
) -> None:
    """Make the rows match ``wanted`` ((key, values) in order): rows whose key stays
    are updated (``update_fields``), others deleted, new keys created."""
    existing = {key(row): row for row in rows}
    keep = {k for k, _values in wanted}
    stale = [row.pk for k, row in existing.items() if k not in keep]
    if stale:
        type(next(iter(existing.values()))).objects.filter(pk__in=stale).delete()
    new: list[_Row] = []
    for k, values in wanted:
        row = existing.get(k)
        if row is None:
            new.append(make(values))
            continue
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        if changed:
            for name in changed:
                setattr(row, name, values[name])
            row.save(update_fields=changed)
    if new:
        type(new[0]).objects.bulk_create(new)


def _write_process(
    item: Item, steps: Sequence[StepSpec], assisting: Sequence[AssistingSpec]
) -> None:
    """Steps are matched by name: a step that keeps its name keeps its id and staff."""
    _sync(
        item.steps.all(),
        lambda s: s.name,
        [
            (
                s.name.strip(),
                {
                    "order": i,
                    "name": s.name.strip(),
                    "role": s.role,
                    "limit_days": s.limit_days,
                    "department_id": s.department_id,
                },
            )
            for i, s in enumerate(steps, start=1)
        ],
        lambda values: ProcessStep(item=item, **values),
    )
    _sync(
        item.assisting.all(),
        lambda a: a.department_id,
        [
            (
                a.department_id,
                {"department_id": a.department_id, "limit_days": a.limit_days, "task": a.task},
            )
            for a in assisting
        ],
        lambda values: AssistingDepartment(item=item, **values),
    )


def _material_key(name: str) -> str:
    return "".join(name.split()).casefold()


def _write_materials(item: Item, materials: Sequence[MaterialSpec]) -> None:
    _sync(
        item.materials.all(),
        lambda m: _material_key(m.name),
        [
            (_material_key(m.name), {"order": i, **asdict(m) | {"name": m.name.strip()}})
            for i, m in enumerate(materials, start=1)
        ],
        lambda values: Material(item=item, **values),
    )


def _write_form_fields(item: Item, form_fields: Sequence[FieldSpec]) -> None:
    _sync(
        item.form_fields.all(),
        lambda f: f.key,
        [
            (
                f.key,
                {
                    "order": i,
                    "key": f.key,
                    "label": f.label,
                    "field_type": f.field_type,
                    "required": f.required,
                    "help_text": f.help_text,
                    "choices": "\n".join(f.choices),
                    "min_value": f.min_value,
                    "max_value": f.max_value,
                    "max_length": f.max_length,
                    "pattern": f.pattern,
                    "pattern_message": f.pattern_message,
                },
            )
            for i, f in enumerate(form_fields, start=1)
        ],
        lambda values: FormField(item=item, **values),
    )


def _write_special_procedures(item: Item, procedures: Mapping[str, int]) -> None:
    _sync(
        item.special_procedures.all(),
        lambda p: p.kind,
        [(kind, {"kind": kind, "limit_days": days}) for kind, days in procedures.items()],
        lambda values: ItemSpecialProcedure(item=item, **values),
    )


LINKS = ("basis", "themes", "application_categories")


def _link_ids(item: Item) -> dict[str, list[int]]:
    return {name: sorted(getattr(item, name).values_list("pk", flat=True)) for name in LINKS}
