"""Import, parsing: what the file says about each item (``_Plan``), read row by row
from every sheet, each cell checked on its own and each problem placed on its row
and column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from tongban.accounts.models import Department
from tongban.dictionaries.models import ApplicationCategory, ItemCategory, ItemType, normalise_name

from .. import services
from ..access import can_manage_department_items
from ..models import (
    AssistingDepartment,
    FormField,
    Item,
    ItemSpecialProcedure,
    Material,
    MaterialForm,
    PolicyBasis,
    ProcessStep,
    Theme,
)
from ..rules import AssistingSpec, StepSpec
from .layout import (
    BASIS_COLUMNS,
    BASIS_SHEET,
    FALSE_WORDS,
    FIELD_TYPE_NAMES,
    FORM_COLUMNS,
    FORM_NAMES,
    FORM_SHEET,
    HANDLING_NAMES,
    ITEM_COLUMNS,
    ITEM_SHEET,
    MATERIAL_COLUMNS,
    MATERIAL_SHEET,
    PART_SEPARATOR,
    PROCEDURE_NAMES,
    ROLE_NAMES,
    STEP_COLUMNS,
    STEP_SHEET,
    THEME_COLUMNS,
    TRUE_WORDS,
)
from .reading import RowError, _code_for, _plain, _read_sheet, _Row, _split

# --- import: the plan -------------------------------------------------------------------


@dataclass
class _BasisRef:
    row: _Row
    key: tuple[str, str]  # (name, document number)
    fields: dict


@dataclass
class _Plan:
    """What the file says about one item; ``None`` = the file does not say."""

    row: _Row
    code: str
    existing: Item | None
    fields: dict = field(default_factory=dict)
    special: dict[str, int] | None = None
    assisting: list[AssistingSpec] | None = None
    themes: list[Theme] | None = None
    theme_kinds: set[str] = field(default_factory=set)
    application_categories: list | None = None
    published: bool | None = None
    steps: list[StepSpec] | None = None
    step_rows: list[_Row] = field(default_factory=list)
    materials: list[MaterialSpec] | None = None
    material_rows: list[_Row] = field(default_factory=list)
    form: list[FieldSpec] | None = None
    form_rows: list[_Row] = field(default_factory=list)
    bases: list[_BasisRef] | None = None


MaterialSpec = services.MaterialSpec
FieldSpec = services.FieldSpec

ITEM_COLUMN_OF = {c.field: c.title for c in ITEM_COLUMNS}
STEP_COLUMN_OF = {c.field: c.title for c in STEP_COLUMNS}
MATERIAL_COLUMN_OF = {c.field: c.title for c in MATERIAL_COLUMNS}
BASIS_COLUMN_OF = {c.field: c.title for c in BASIS_COLUMNS}
FORM_COLUMN_OF = {c.field: c.title for c in FORM_COLUMNS}
# Text columns of the 事项 sheet and the model fields they fill.
ITEM_TEXT_FIELDS = (
    "name",
    "short_name",
    "fee",
    "fee_basis",
    "conditions",
    "procedure_description",
    "result_name",
    "application_place",
    "application_hours",
    "contact_phone",
    "complaint_phone",
)


class _Lookups:
    """Departments, dictionaries and themes, loaded once for the whole file."""

    def __init__(self):
        self.departments = {d.code: d for d in Department.objects.all()}
        self.item_types = {t.name_key: t for t in ItemType.objects.all()}
        self.categories = {c.name_key: c for c in ItemCategory.objects.all()}
        self.application_categories = {c.name_key: c for c in ApplicationCategory.objects.all()}
        self.themes = {(t.kind, t.name): t for t in Theme.objects.all()}

    def department(self, row: _Row, column: str, *, required: bool = False):
        code = row.text(column).upper()
        if not code:
            if required:
                row.error(column, _("Enter a department code."))
            return None
        department = self.departments.get(code)
        if department is None:
            row.error(
                column, _("There is no department with the code “%(code)s”.") % {"code": code}
            )
        return department

    def entry(self, row: _Row, column: str, entries: dict, current, what: str):
        """A dictionary entry by name: it must exist, and be active unless the item
        already uses it."""
        name = row.text(column)
        if not name:
            return None
        entry = entries.get(normalise_name(name))
        if entry is None or not (entry.is_active or entry == current):
            known = "、".join(e.name for e in entries.values() if e.is_active)
            row.error(
                column,
                _("“%(name)s” is not in the dictionary of %(what)s (known: %(known)s).")
                % {"name": name, "what": what, "known": known or "—"},
            )
            return None
        return entry


def _read_plans(workbook, actor, errors: list[RowError]) -> tuple[list[_Plan], dict]:
    lookups = _Lookups()
    item_rows = _read_sheet(workbook, ITEM_SHEET, errors)
    if item_rows is None:
        errors.append(RowError(ITEM_SHEET, 0, "", _("The workbook has no sheet named “事项”.")))
        return [], {}
    if any(e.sheet == ITEM_SHEET and e.row == 1 for e in errors):
        return [], {}  # without its header the other sheets cannot be related to items
    codes = [row.text("事项编码") for row in item_rows]
    # Everything the file is compared with, in a fixed number of queries.
    existing = {
        i.code: i
        for i in Item.objects.filter(code__in=[c for c in codes if c])
        .select_related("department", "item_type", "category")
        .prefetch_related(
            Prefetch("steps", queryset=ProcessStep.objects.order_by("order", "id")),
            Prefetch("assisting", queryset=AssistingDepartment.objects.order_by("id")),
            Prefetch("materials", queryset=Material.objects.order_by("order", "id")),
            Prefetch("form_fields", queryset=FormField.objects.order_by("order", "id")),
            "special_procedures",
            "basis",
            "themes",
            "application_categories",
        )
    }
    plans: dict[str, _Plan] = {}
    for row in item_rows:
        code = row.text("事项编码")
        if not code:
            row.error("事项编码", _("Enter the item code."))
            continue
        if code in plans:
            row.error(
                "事项编码",
                _("The code is already used in row %(row)d.") % {"row": plans[code].row.number},
            )
            continue
        plans[code] = _read_item(row, code, existing.get(code), lookups, actor)
    basis_cache: dict[tuple[str, str], _BasisRef] = {}
    for sheet, reader in (
        (STEP_SHEET, _read_step),
        (MATERIAL_SHEET, _read_material),
        (BASIS_SHEET, _read_basis),
        (FORM_SHEET, _read_form_field),
    ):
        rows = _read_sheet(workbook, sheet, errors)
        if rows is None:
            continue
        _start_lists(plans.values(), sheet)
        ordered = sorted(rows, key=lambda r: (r.text("事项编码"), _order_key(r), r.number))
        for row in ordered:
            plan = plans.get(row.text("事项编码"))
            if plan is None:
                if row.text("事项编码") not in codes:
                    row.error("事项编码", _("This item code is not in the sheet “事项”."))
                continue
            if sheet == BASIS_SHEET:
                _read_basis(row, plan, basis_cache)
            else:
                reader(row, plan, lookups)
    return list(plans.values()), basis_cache


def _order_key(row: _Row) -> int:
    value = row.raw("顺序") if row.has("顺序") else None
    if isinstance(value, int | float):
        return int(value)
    text = _plain(value)
    return int(text) if text.isdecimal() else 10**9


def _start_lists(plans: Iterable[_Plan], sheet: str) -> None:
    for plan in plans:
        if sheet == STEP_SHEET:
            plan.steps = []
        elif sheet == MATERIAL_SHEET:
            plan.materials = []
        elif sheet == BASIS_SHEET:
            plan.bases = []
        elif sheet == FORM_SHEET:
            plan.form = []


def _read_item(row: _Row, code: str, existing: Item | None, lookups: _Lookups, actor) -> _Plan:
    plan = _Plan(row=row, code=code, existing=existing)
    fields = plan.fields
    if existing is None:
        fields["code"] = code
    elif not can_manage_department_items(actor, existing.department):
        row.error(
            "事项编码",
            _("The item exists in a department whose items you may not maintain."),
        )
    for name in ITEM_TEXT_FIELDS:
        title = ITEM_COLUMN_OF[name]
        if row.has(title):
            fields[name] = row.text(title)
    item_type = lookups.entry(
        row, "事项类型", lookups.item_types, existing and existing.item_type, _("item types")
    )
    if item_type is not None:
        fields["item_type"] = item_type
    elif not row.text("事项类型"):
        row.error("事项类型", _("Enter the item type."))
    if row.has("事项类别"):
        fields["category"] = lookups.entry(
            row,
            "事项类别",
            lookups.categories,
            existing and existing.category,
            _("item categories"),
        )
    department = lookups.department(row, "责任部门编码", required=True)
    if department is not None:
        if can_manage_department_items(actor, department):
            fields["department"] = department
        else:
            row.error(
                "责任部门编码",
                _("You may not maintain the items of %(department)s.") % {"department": department},
            )
    handling = row.coded("办件类型", HANDLING_NAMES)
    if handling is not None:
        fields["handling_type"] = handling
    elif not row.text("办件类型"):
        row.error("办件类型", _("Enter the handling type."))
    for name in ("promised_limit", "statutory_limit", "max_extension"):
        title = ITEM_COLUMN_OF[name]
        if row.has(title):
            value = row.integer(title)
            if value is not None:
                fields[name] = value
    for name in ("valid_from", "valid_to"):
        title = ITEM_COLUMN_OF[name]
        if row.has(title):
            fields[name] = row.date(title)
    if row.has("网上申报"):
        online = row.boolean("网上申报")
        fields["online_allowed"] = bool(online)
    if row.has("已发布"):
        plan.published = bool(row.boolean("已发布"))
    if row.has("特别程序"):
        allowed, plan.special = _special(row)
        fields["special_procedures_allowed"] = allowed
    if row.has("协办部门"):
        plan.assisting = _assisting(row, lookups)
    for title, kind in THEME_COLUMNS.items():
        if not row.has(title):
            continue
        plan.theme_kinds.add(kind)
        plan.themes = plan.themes or []
        for name in _split(row.text(title)):
            theme = lookups.themes.get((kind, name))
            if theme is None:
                row.error(title, _("There is no theme named “%(name)s”.") % {"name": name})
            elif theme not in plan.themes:
                plan.themes.append(theme)
    if row.has("申报类别"):
        plan.application_categories = []
        for name in _split(row.text("申报类别")):
            entry = lookups.application_categories.get(normalise_name(name))
            if entry is None:
                row.error(
                    "申报类别",
                    _("“%(name)s” is not in the dictionary of %(what)s (known: %(known)s).")
                    % {
                        "name": name,
                        "what": _("application categories"),
                        "known": "、".join(
                            e.name for e in lookups.application_categories.values() if e.is_active
                        ),
                    },
                )
            elif entry not in plan.application_categories:
                plan.application_categories.append(entry)
    return plan


def _special(row: _Row) -> tuple[bool, dict[str, int]]:
    text = row.text("特别程序")
    if not text:
        return False, {}
    if text.casefold() in TRUE_WORDS:
        return True, {}
    if text.casefold() in FALSE_WORDS:
        return False, {}
    procedures: dict[str, int] = {}
    for part in _split(text):
        pieces = [p.strip() for p in PART_SEPARATOR.split(part, maxsplit=1)]
        kind = _code_for(pieces[0], PROCEDURE_NAMES)
        limit = pieces[1] if len(pieces) == 2 else ""
        if kind is None or not limit.isdecimal():
            row.error(
                "特别程序",
                _(
                    "“%(value)s”: write procedure:limit, e.g. 专家评审:30; procedures are "
                    "%(allowed)s."
                )
                % {"value": part, "allowed": "、".join(PROCEDURE_NAMES.values())},
            )
            continue
        if kind in procedures:
            row.error("特别程序", _("“%(value)s” is listed twice.") % {"value": pieces[0]})
        procedure = ItemSpecialProcedure(kind=kind, limit_days=int(limit))
        _model_errors(procedure, row, {"kind": "特别程序", "limit_days": "特别程序"}, ["item"])
        procedures[kind] = int(limit)
    return True, procedures


def _assisting(row: _Row, lookups: _Lookups) -> list[AssistingSpec]:
    specs = []
    for part in _split(row.text("协办部门")):
        pieces = [p.strip() for p in PART_SEPARATOR.split(part, maxsplit=2)]
        code = pieces[0].upper()
        limit = pieces[1] if len(pieces) > 1 else ""
        task = pieces[2] if len(pieces) > 2 else ""
        department = lookups.departments.get(code)
        if department is None:
            row.error(
                "协办部门", _("There is no department with the code “%(code)s”.") % {"code": code}
            )
            continue
        if not limit.isdecimal():
            row.error(
                "协办部门",
                _("“%(value)s”: write department code:limit[:what it examines], e.g. ZRZY:5.")
                % {"value": part},
            )
            continue
        assisting = AssistingDepartment(department=department, limit_days=int(limit), task=task)
        _model_errors(assisting, row, {}, ["item"], default="协办部门")
        specs.append(AssistingSpec(department.pk, int(limit), task))
    return specs


def _read_step(row: _Row, plan: _Plan, lookups: _Lookups) -> None:
    role = row.coded("角色", ROLE_NAMES)
    if role is None and not row.text("角色"):
        row.error("角色", _("Enter the role that handles the step."))
    department = lookups.department(row, "部门编码") if row.has("部门编码") else None
    limit = row.integer("时限") if row.has("时限") else None
    step = ProcessStep(
        name=row.text("环节"), role=role or "", department=department, limit_days=limit
    )
    if role is not None:
        _model_errors(step, row, STEP_COLUMN_OF, ["item", "department"])
    plan.steps.append(StepSpec(step.name, step.role, limit, department.pk if department else None))
    plan.step_rows.append(row)


def _read_material(row: _Row, plan: _Plan, lookups: _Lookups) -> None:
    required = row.boolean("必要") if row.has("必要") else None
    optional_at_intake = row.boolean("容缺") if row.has("容缺") else None
    form = row.coded("原件/复印件", FORM_NAMES) if row.has("原件/复印件") else None
    copies = row.integer("份数") if row.has("份数") else None
    spec = MaterialSpec(
        name=row.text("材料名称"),
        required=True if required is None else required,
        essential=not optional_at_intake,
        form=form or MaterialForm.ORIGINAL,
        copies=1 if copies is None else copies,
        notes=row.text("备注"),
    )
    material = Material(
        name=spec.name,
        required=spec.required,
        essential=spec.essential,
        form=spec.form,
        copies=spec.copies,
        notes=spec.notes,
    )
    _model_errors(material, row, MATERIAL_COLUMN_OF, ["item", "blank_form", "example"])
    plan.materials.append(spec)
    plan.material_rows.append(row)


def _read_basis(row: _Row, plan: _Plan, cache: dict) -> None:
    fields = {
        "name": row.text("依据名称"),
        "issuing_body": row.text("发布机关") if row.has("发布机关") else "",
        "document_number": row.text("文号") if row.has("文号") else "",
        "clause": row.text("条款") if row.has("条款") else "",
        "effective_date": row.date("施行日期") if row.has("施行日期") else None,
    }
    key = (fields["name"], fields["document_number"])
    first = cache.get(key)
    if first is None:
        _model_errors(PolicyBasis(**fields), row, BASIS_COLUMN_OF, ["document"])
        first = cache[key] = _BasisRef(row, key, fields)
    elif first.fields != fields:
        row.error(
            "依据名称",
            _("The same basis (name and document number) is described differently in row %(row)d.")
            % {"row": first.row.number},
        )
    if all(ref.key != key for ref in plan.bases):
        plan.bases.append(_BasisRef(row, key, fields))


def _read_form_field(row: _Row, plan: _Plan, lookups: _Lookups) -> None:
    field_type = row.coded("字段类型", FIELD_TYPE_NAMES)
    max_length = row.integer("最大长度") if row.has("最大长度") else None
    spec = FieldSpec(
        key=row.text("字段键"),
        label=row.text("字段名称"),
        field_type=field_type or "",
        required=bool(row.boolean("必填")) if row.has("必填") else False,
        help_text=row.text("填写提示") if row.has("填写提示") else "",
        choices=tuple(_split(row.text("选项"))) if row.has("选项") else (),
        min_value=row.amount("最小值") if row.has("最小值") else None,
        max_value=row.amount("最大值") if row.has("最大值") else None,
        max_length=max_length,
        pattern=row.text("格式") if row.has("格式") else "",
        pattern_message=row.text("格式提示") if row.has("格式提示") else "",
    )
    plan.form.append(spec)
    plan.form_rows.append(row)


def _model_errors(
    instance: models.Model,
    row: _Row,
    columns: dict[str, str],
    exclude: list[str],
    *,
    default: str = "",
) -> None:
    """Model validation of one row's object, each message placed in its column."""
    try:
        # Cross-field rules are ``rules.item_errors`` (with messages naming the
        # column); the database constraints repeating them are not asked twice.
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                row.error(columns.get(name, default), message)
