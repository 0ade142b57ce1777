"""Export: the items a user may maintain as one workbook (one row per item, step,
material, basis and form field), audited.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
from collections.abc import Iterable, Sequence

from django.db import models, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.audit.export import neutralise
from tongban.audit.services import record_event

from ..models import (
    AssistingDepartment,
    FormField,
    Item,
    ItemSpecialProcedure,
    Material,
    PolicyBasis,
    ProcessStep,
    ThemeKind,
)
from .layout import (
    BASIS_SHEET,
    COLUMNS,
    FIELD_TYPE_NAMES,
    FORM_NAMES,
    FORM_SHEET,
    HANDLING_NAMES,
    HELP_SHEET,
    ITEM_SHEET,
    MATERIAL_SHEET,
    NO,
    PROCEDURE_NAMES,
    ROLE_NAMES,
    SHEET_ORDER,
    STEP_SHEET,
    THEME_COLUMNS,
    YES,
    _dress,
    _help_sheet,
)
from .scope import items_managed_by

# --- export -----------------------------------------------------------------------------


def export_items(
    *,
    actor: User | None,
    items: models.QuerySet[Item] | None = None,
    at: dt.datetime,
) -> bytes:
    """The workbook of ``items`` (default: every item ``actor`` may maintain; a given
    query is narrowed to those too). Exports are audited (security.md): one
    ``item.export`` record naming the items."""
    managed = items_managed_by(actor)
    selected = managed if items is None else items.filter(pk__in=managed.values("pk"))
    selected = (
        selected.select_related("item_type", "category", "department")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=ProcessStep.objects.select_related("department").order_by("order", "id"),
            ),
            Prefetch(
                "assisting",
                queryset=AssistingDepartment.objects.select_related("department").order_by("id"),
            ),
            Prefetch("materials", queryset=Material.objects.order_by("order", "id")),
            Prefetch("basis", queryset=PolicyBasis.objects.order_by("name", "id")),
            Prefetch("form_fields", queryset=FormField.objects.order_by("order", "id")),
            Prefetch("special_procedures", queryset=ItemSpecialProcedure.objects.order_by("id")),
            "themes",
            "application_categories",
        )
        .order_by("code")
    )
    items_list = list(selected)
    data = _workbook_bytes(items_list)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="item.export",
            object_type="catalog.item",
            at=at,
            message=_("%(count)d items exported to Excel.") % {"count": len(items_list)},
            after={"count": len(items_list), "codes": [i.code for i in items_list]},
        )
    return data


def _workbook_bytes(items: Sequence[Item]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheets = {}
    for index, title in enumerate(SHEET_ORDER):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheets[title] = sheet
        sheet.append([c.title for c in COLUMNS[title]])
    for item in items:
        sheets[ITEM_SHEET].append(_item_cells(item))
        for step in item.steps.all():
            sheets[STEP_SHEET].append(
                _cells(
                    [
                        item.code,
                        step.order,
                        step.name,
                        ROLE_NAMES.get(step.role, step.role),
                        step.department.code if step.department else "",
                        step.limit_days,
                    ]
                )
            )
        for material in item.materials.all():
            sheets[MATERIAL_SHEET].append(
                _cells(
                    [
                        item.code,
                        material.order,
                        material.name,
                        _yes_no(material.required),
                        _yes_no(not material.essential),
                        FORM_NAMES.get(material.form, material.form),
                        material.copies,
                        material.notes,
                    ]
                )
            )
        for basis in item.basis.all():
            sheets[BASIS_SHEET].append(
                _cells(
                    [
                        item.code,
                        basis.name,
                        basis.issuing_body,
                        basis.document_number,
                        basis.clause,
                        basis.effective_date,
                    ]
                )
            )
        for form_field in item.form_fields.all():
            sheets[FORM_SHEET].append(
                _cells(
                    [
                        item.code,
                        form_field.order,
                        form_field.key,
                        form_field.label,
                        FIELD_TYPE_NAMES.get(form_field.field_type, form_field.field_type),
                        _yes_no(form_field.required),
                        form_field.help_text,
                        "\n".join(form_field.choice_list()),
                        form_field.min_value,
                        form_field.max_value,
                        form_field.max_length,
                        form_field.pattern,
                        form_field.pattern_message,
                    ]
                )
            )
    for title, sheet in sheets.items():
        _dress(sheet, COLUMNS[title])
    _help_sheet(workbook.create_sheet(HELP_SHEET))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _item_cells(item: Item) -> list:
    procedures = list(item.special_procedures.all())
    if procedures:
        special = ";".join(
            f"{PROCEDURE_NAMES.get(p.kind, p.kind)}:{p.limit_days}" for p in procedures
        )
    else:
        special = _yes_no(item.special_procedures_allowed)
    assisting = ";".join(
        ":".join(
            [a.department.code, str(a.limit_days)]
            # ';' separates the entries: a task keeps its text with the full-width comma.
            + ([a.task.replace(";", "，").replace("；", "，")] if a.task else [])
        )
        for a in item.assisting.all()
    )
    themes = {kind: [] for kind in THEME_COLUMNS.values()}
    for theme in sorted(item.themes.all(), key=lambda t: (t.sort_order, t.name)):
        themes.setdefault(theme.kind, []).append(theme.name)
    return _cells(
        [
            item.code,
            item.name,
            item.short_name,
            item.item_type.name,
            item.category.name if item.category else "",
            item.department.code,
            HANDLING_NAMES.get(item.handling_type, item.handling_type),
            item.promised_limit,
            item.statutory_limit,
            item.max_extension,
            special,
            item.fee,
            item.fee_basis,
            item.conditions,
            item.procedure_description,
            item.result_name,
            item.application_place,
            item.application_hours,
            item.contact_phone,
            item.complaint_phone,
            _yes_no(item.online_allowed),
            _yes_no(item.is_published),
            item.valid_from,
            item.valid_to,
            assisting,
            ";".join(themes[ThemeKind.THEME]),
            ";".join(themes[ThemeKind.LIFE_EVENT]),
            ";".join(themes[ThemeKind.AUDIENCE]),
            ";".join(c.name for c in sorted(item.application_categories.all(), key=str)),
        ]
    )


def _yes_no(value: bool) -> str:
    return YES if value else NO


def _cells(values: Iterable) -> list:
    """Text neutralised against formula injection; numbers and dates as typed cells."""
    out = []
    for value in values:
        if value is None or isinstance(value, bool | int | dt.date):
            out.append(value)
        elif isinstance(value, decimal.Decimal):
            out.append(int(value) if value == value.to_integral_value() else float(value))
        else:
            out.append(neutralise(str(value)))
    return out
