"""Import, validation: the services' own rules on each item as the file defines it,
each message placed on the row and column it is about.
"""

from __future__ import annotations

import decimal
import re

from django.utils.translation import gettext as _

from ..models import FormField, Item
from ..rules import (
    AssistingSpec,
    StepSpec,
    default_steps,
    definition_errors,
    duplicate_names,
    extension_cap,
    publish_errors,
)
from ..services import MaterialSpec
from .layout import ITEM_SHEET
from .plan import FORM_COLUMN_OF, ITEM_COLUMN_OF, MATERIAL_COLUMN_OF, _model_errors, _Plan
from .reading import _Row

# --- import: checking the whole definition ----------------------------------------------


# The current definition of an existing item, from the prefetched parts.


def _current_steps(item: Item) -> list[StepSpec]:
    return [StepSpec(s.name, s.role, s.limit_days, s.department_id) for s in item.steps.all()]


def _current_assisting(item: Item) -> list[AssistingSpec]:
    return [AssistingSpec(a.department_id, a.limit_days, a.task) for a in item.assisting.all()]


def _current_materials(item: Item) -> list[MaterialSpec]:
    return [
        MaterialSpec(
            m.name,
            m.required,
            m.essential,
            m.form,
            m.copies,
            m.notes,
            m.blank_form_id,
            m.example_id,
        )
        for m in item.materials.all()
    ]


def _current_special(item: Item) -> dict[str, int]:
    return {p.kind: p.limit_days for p in item.special_procedures.all()}


def _form_key(spec) -> tuple:
    """A form field as compared: decimals by value, choices as a tuple."""
    choices = spec.choice_list() if isinstance(spec, FormField) else spec.choices

    def number(value):
        return None if value is None else decimal.Decimal(value).normalize()

    return (
        spec.key,
        spec.label,
        spec.field_type,
        bool(spec.required),
        spec.help_text,
        tuple(choices),
        number(spec.min_value),
        number(spec.max_value),
        spec.max_length,
        spec.pattern,
        spec.pattern_message,
    )


def _effective(plan: _Plan) -> tuple[Item, list[StepSpec], list[AssistingSpec]]:
    """The item as it would be after the import (unsaved), with its process."""
    if plan.existing is not None:
        # A detached copy of the row: the prefetched original stays as it is.
        item = Item(
            **{f.attname: getattr(plan.existing, f.attname) for f in Item._meta.concrete_fields}
        )
        item._state.adding = False
    else:
        item = Item(**plan.fields)
        if "max_extension" not in plan.fields:
            item.max_extension = extension_cap(item.handling_type)  # as the services do
    for name, value in plan.fields.items():
        setattr(item, name, value)
    if plan.assisting is not None:
        assisting = plan.assisting
    else:
        assisting = _current_assisting(plan.existing) if plan.existing else []
    if plan.steps:
        steps = plan.steps
    elif plan.existing is not None:
        steps = _current_steps(plan.existing)
    else:
        parallel = max((a.limit_days for a in assisting), default=0)
        steps = default_steps(item.handling_type, item.promised_limit, parallel)
    return item, steps, assisting


def _check_plan(plan: _Plan, bad: set[tuple[str, int]]) -> None:
    """The services' own rules on the item as the file defines it, each message
    placed on the row and column it is about. ``bad``: the (sheet, row) already
    reported; a part with a bad row is not judged again (one mistake, one message)."""
    row = plan.row
    if (ITEM_SHEET, row.number) in bad:
        return  # the row itself is broken: its definition cannot be judged
    broken = {
        head
        for head, rows in (
            ("steps", plan.step_rows),
            ("materials", plan.material_rows),
            ("fields", plan.form_rows),
        )
        if any((r.sheet, r.number) in bad for r in rows)
    }
    item, steps, assisting = _effective(plan)
    _model_errors(item, row, ITEM_COLUMN_OF, [], default="事项编码")
    special = plan.special
    if special is None and plan.existing is not None:
        special = _current_special(plan.existing)
    errors = definition_errors(
        item, steps=steps, assisting=assisting, special_procedures=special or {}
    )
    if plan.materials is not None:
        for name in duplicate_names(m.name for m in plan.materials):
            errors.setdefault("materials", []).append(
                _("The material “%(name)s” is listed twice.") % {"name": name}
            )
    if plan.form and "fields" not in broken:
        from ..formschema import schema_errors

        for name, messages in (schema_errors(plan.form) or {}).items():
            errors.setdefault(name, []).extend(messages)
    if plan.published or (plan.published is None and item.is_published):
        has_materials = bool(
            plan.materials
            if plan.materials is not None
            else plan.existing is not None and plan.existing.materials.all()
        )
        has_form = bool(
            plan.form
            if plan.form is not None
            else plan.existing is not None and plan.existing.form_fields.all()
        )
        errors.update(
            publish_errors(
                has_steps=bool(steps),
                has_materials=has_materials,
                online_allowed=item.online_allowed,
                has_form=has_form,
            )
        )
    _place_all(plan, {k: v for k, v in errors.items() if k.partition(".")[0] not in broken})


def _place_all(plan: _Plan, errors: dict) -> None:
    for name, messages in errors.items():
        row, column = _place(plan, name)
        for message in messages:
            row.error(column, message)


_INDEX = re.compile(r"\.(\d+)(?:\.|$)")


def _place(plan: _Plan, name: str) -> tuple[_Row, str]:
    """The row and column where a message keyed ``name`` (the services' field keys:
    item fields, ``steps``, ``assisting``, ``materials.<i>.<field>``,
    ``fields.<i>.<attribute>``, ``special_procedures``, ``is_published``) belongs."""
    head = name.partition(".")[0]
    attribute = name.rsplit(".", 1)[-1]
    match = _INDEX.search(name)
    index = int(match.group(1)) if match else 0
    if head == "steps":
        return (plan.step_rows[0], "时限") if plan.step_rows else (plan.row, "承诺时限")
    if head == "materials" and plan.material_rows:
        row = plan.material_rows[min(index, len(plan.material_rows) - 1)]
        return row, MATERIAL_COLUMN_OF.get(attribute, "材料名称")
    if head == "fields" and plan.form_rows:
        row = plan.form_rows[min(index, len(plan.form_rows) - 1)]
        return row, FORM_COLUMN_OF.get(attribute, "字段键")
    if head in ("basis", "links") and plan.bases:
        return plan.bases[0].row, "依据名称"
    columns = {
        **ITEM_COLUMN_OF,
        "special_procedures": "特别程序",
        "materials": "事项编码",
        "fields": "网上申报",
        "themes": "主题",
    }
    return plan.row, columns.get(head, "事项编码")
