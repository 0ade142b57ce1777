"""Every change to the catalogue. Each use case is one transaction: check the
actor's right, lock the item, validate the whole resulting definition with ``rules``
(and the form schema with ``formschema``), write, audit.

All item changes go through ``save_item_definition``: the narrower services
(``update_item``, ``set_process``, ``set_materials`` …) call it with one part, so one
set of rules decides, whatever the surface (admin, import, demo, API). Child rows are
updated in place by their natural key (step name, department, material name, field
key, procedure kind), so ids that cases refer to stay stable and staff assignments
follow their step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.accounts.scoping import works_in
from tongban.audit.services import diff, model_snapshot, record_event
from tongban.core.errors import ActionNotAllowed, PermissionDenied, ValidationFailed
from tongban.core.services import full_clean_or_raise

from .access import catalogue_covers_everything, catalogue_scope, require_item_manager
from .models import (
    AssistingDepartment,
    FormField,
    Item,
    ItemSpecialProcedure,
    Material,
    PolicyBasis,
    ProcessStep,
    StaffAssignment,
    Theme,
)
from .rules import (
    AssistingSpec,
    StepSpec,
    default_steps,
    definition_errors,
    duplicate_names,
    extension_cap,
    publish_errors,
)

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


def _specs(specs: Sequence) -> list[dict[str, Any]]:
    return [
        asdict(s) | ({"choices": list(s.choices)} if hasattr(s, "choices") else {}) for s in specs
    ]


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
    from .formschema import schema_errors

    return dict(schema_errors(list(form_fields)) or {})


def _item_field_errors(item: Item) -> dict[str, list[str]]:
    """Single-field checks and the code's uniqueness; the cross-field rules (also DB
    constraints) are ``rules.item_errors``, with messages naming the field."""
    try:
        item.full_clean(validate_constraints=False)
    except ValidationError as exc:
        return {k: list(v) for k, v in exc.message_dict.items()}
    return {}


# --- writing child rows in place ------------------------------------------------------------


def _sync(
    rows: Iterable[Model],
    key: Callable[[Model], object],
    wanted: Sequence[tuple[object, dict[str, Any]]],
    make: Callable[[dict[str, Any]], Model],
) -> None:
    """Make the rows match ``wanted`` ((key, values) in order): rows whose key stays
    are updated (``update_fields``), others deleted, new keys created."""
    existing = {key(row): row for row in rows}
    keep = {k for k, _values in wanted}
    stale = [row.pk for k, row in existing.items() if k not in keep]
    if stale:
        type(next(iter(existing.values()))).objects.filter(pk__in=stale).delete()
    new = []
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


def _write_process(item: Item, steps: Sequence[StepSpec], assisting: Sequence[AssistingSpec]):
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


def _link_ids(item: Item) -> dict[str, list]:
    return {name: sorted(getattr(item, name).values_list("pk", flat=True)) for name in LINKS}


# --- the one use case behind every item change ------------------------------------------------


@dataclass
class _Draft:
    item: Item
    creating: bool
    fields: dict[str, Any]
    before_item: dict[str, Any]
    current: dict[str, Any]
    steps: list[StepSpec]
    assisting: list[AssistingSpec]
    materials: list[MaterialSpec]
    form: list[FieldSpec]
    special: dict[str, int]
    errors: dict[str, list[str]]


def _prepare(
    *,
    actor,
    item: Item | None,
    fields: Mapping[str, Any] | None,
    steps,
    assisting,
    materials,
    form_fields,
    special_procedures,
    lock: bool,
) -> _Draft:
    """The definition that would result, checked: permission (raised), then every
    rule (collected in ``errors``). Only ``save_item_definition`` locks the item."""
    fields = dict(fields or {})
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"not item fields: {sorted(unknown)}")
    creating = item is None

    if creating:
        if catalogue_scope(actor).nothing:
            raise PermissionDenied()
        item = Item(**fields)
        if "max_extension" not in fields:
            item.max_extension = extension_cap(item.handling_type)
        if item.department_id:
            require_item_manager(actor, item.department)
        before_item: dict = {}
        current = {
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
    application_categories: Iterable | None = None,
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
    application_categories: Iterable | None = None,
    at: dt.datetime | None = None,
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
    parts = [
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
    return Item._meta.get_field(name).attname


def _value(item: Item, name: str):
    return model_snapshot(item, [name]).get(_attname(name))


def _json(value):
    from tongban.audit.chain import jsonable

    return jsonable(value)


# --- items (the narrower use cases) -------------------------------------------------------------


def create_item(
    *,
    actor: User | None,
    steps: Sequence[StepSpec] | None = None,
    assisting: Sequence[AssistingSpec] = (),
    at: dt.datetime | None = None,
    **fields,
) -> Item:
    """Create a draft item. Without ``steps`` it gets the default process
    (受理 → 承办 → 审核 → 批准 → 办结) with limits that fit the promised limit."""
    return save_item_definition(
        actor=actor, item=None, fields=fields, steps=steps, assisting=list(assisting), at=at
    )


def update_item(
    *, actor: User | None, item: Item, at: dt.datetime | None = None, **changes
) -> Item:
    """Change an item's own fields; the whole definition must still hold."""
    return save_item_definition(actor=actor, item=item, fields=changes, at=at)


def set_process(
    *,
    actor: User | None,
    item: Item,
    steps: Sequence[StepSpec],
    assisting: Sequence[AssistingSpec] = (),
    at: dt.datetime | None = None,
) -> Item:
    """Replace the item's process template and assisting departments. Steps that keep
    their name keep their staff assignments."""
    return save_item_definition(
        actor=actor, item=item, steps=list(steps), assisting=list(assisting), at=at
    )


def set_materials(
    *, actor: User | None, item: Item, materials: Sequence[MaterialSpec], at=None
) -> Item:
    return save_item_definition(actor=actor, item=item, materials=list(materials), at=at)


def set_form_fields(
    *, actor: User | None, item: Item, fields: Sequence[FieldSpec], at=None
) -> Item:
    """Replace the item's application form schema."""
    return save_item_definition(actor=actor, item=item, form_fields=list(fields), at=at)


def set_special_procedures(
    *, actor: User | None, item: Item, procedures: dict[str, int], at=None
) -> Item:
    """Which special procedures the item may need, each with its own limit."""
    return save_item_definition(actor=actor, item=item, special_procedures=dict(procedures), at=at)


def set_item_links(
    *,
    actor: User | None,
    item: Item,
    basis: Iterable[PolicyBasis] | None = None,
    themes: Iterable | None = None,
    application_categories: Iterable | None = None,
    at=None,
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
def publish_item(*, actor: User | None, item: Item, published: bool = True, at=None) -> Item:
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
def delete_item(*, actor: User | None, item: Item, at=None) -> None:
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


# --- staff assignment (项目与人员的关联) -------------------------------------------------


@transaction.atomic
def assign_staff(
    *, actor: User | None, step: ProcessStep, users: Iterable[User], at=None
) -> ProcessStep:
    """Set who may handle ``step`` (seed §1.10; the case engine enforces it). Each
    person must be active, work in the step's department (or, when it names none, the
    item's) — its subtree, sections included — and hold the step's role."""
    item = _lock(step.item)
    require_item_manager(actor, item.department)
    step = ProcessStep.objects.select_related("department").filter(pk=step.pk, item=item).first()
    if step is None:
        raise ActionNotAllowed(_("The process has changed in the meantime; reload the page."))
    home = step.department or item.department
    users = list({u.pk: u for u in users}.values())
    problems = []
    for user in users:
        if not user.is_active:
            problems.append(_("%(name)s's account is disabled") % {"name": user.display_name})
        elif not works_in(user, home):
            problems.append(
                _("%(name)s does not work in %(dept)s") % {"name": user.display_name, "dept": home}
            )
        elif not user.has_role(step.role):
            problems.append(
                _("%(name)s does not hold the role %(role)s")
                % {"name": user.display_name, "role": step.get_role_display()}
            )
    if problems:
        message = _("Cannot assign staff to “%(step)s”: %(problems)s.") % {
            "step": step.name,
            "problems": _("; ").join(problems),
        }
        raise ValidationFailed(message, fields={"users": [message]})
    before = sorted(step.staff.values_list("user__username", flat=True))
    after = sorted(u.username for u in users)
    if before == after:
        return step
    step.staff.exclude(user__in=users).delete()
    kept = set(step.staff.values_list("user_id", flat=True))
    StaffAssignment.objects.bulk_create(
        [StaffAssignment(step=step, user=u) for u in users if u.pk not in kept]
    )
    record_event(
        actor=actor,
        action="item.staff",
        obj=item,
        at=at,
        before={"step": step.name, "staff": before},
        after={"step": step.name, "staff": after},
    )
    return step


# --- policy basis and themes (shared lists) -------------------------------------------------


def _require_catalogue_module(actor) -> None:
    if catalogue_scope(actor).nothing:
        raise PermissionDenied()


def _save_shared_entry(model, instance, *, actor, action: str, at, fields: dict):
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
    *, actor: User | None, basis: PolicyBasis | None = None, at=None, **fields
) -> PolicyBasis:
    """Create (``basis`` None) or change a policy basis. Anyone who maintains items
    may maintain the shared list of laws and regulations."""
    _require_catalogue_module(actor)
    return _save_shared_entry(PolicyBasis, basis, actor=actor, action="basis", at=at, fields=fields)


@transaction.atomic
def delete_policy_basis(*, actor: User | None, basis: PolicyBasis, at=None) -> None:
    """Delete a basis no item cites any more (an item's legal ground must not vanish
    behind its back)."""
    _require_catalogue_module(actor)
    basis = PolicyBasis.objects.select_for_update().get(pk=basis.pk)
    codes = list(basis.items.order_by("code").values_list("code", flat=True)[:5])
    if codes:
        raise ActionNotAllowed(
            _("The basis is cited by items (%(codes)s); remove it from them first.")
            % {"codes": "、".join(codes)}
        )
    record_event(actor=actor, action="basis.delete", obj=basis, at=at, before=model_snapshot(basis))
    basis.delete()


def _require_theme_manager(actor) -> None:
    # Themes and life events are the portal's city-wide navigation: the centre's.
    if actor is not None and not (
        catalogue_covers_everything(actor) and catalogue_scope(actor).everything
    ):
        raise PermissionDenied()


@transaction.atomic
def save_theme(*, actor: User | None, theme: Theme | None = None, at=None, **fields) -> Theme:
    """Create or change a theme / life event (maintained by the city centre)."""
    _require_theme_manager(actor)
    return _save_shared_entry(Theme, theme, actor=actor, action="theme", at=at, fields=fields)


@transaction.atomic
def delete_theme(*, actor: User | None, theme: Theme, at=None) -> None:
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


# --- export of the staff query ----------------------------------------------------------------


@transaction.atomic
def export_items(*, actor: User, filters, at: dt.datetime | None = None) -> bytes:
    """The staff query's result as an Excel workbook; the export is audited
    (security.md: every export)."""
    from .selectors import item_query, items_workbook

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
