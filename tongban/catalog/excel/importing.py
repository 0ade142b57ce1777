"""Import, applying: ``import_items`` reads and checks the whole workbook, then applies
it through the services in one transaction (all or nothing), audited.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

from django.db import models, transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.audit.models import AuditRecord
from tongban.audit.services import record_event
from tongban.core.errors import DomainError

from .. import services
from ..models import Item, PolicyBasis
from ..services import MaterialSpec
from .checking import (
    _check_plan,
    _current_assisting,
    _current_materials,
    _current_special,
    _current_steps,
    _form_key,
    _place_all,
)
from .plan import BASIS_COLUMN_OF, _Plan, _read_plans
from .reading import ImportReport, RowError

# --- import: applying -------------------------------------------------------------------


class _Refused(Exception):
    """A service refused one item's change; the import will be rolled back."""


def import_items(*, actor: User | None, data: bytes, at: dt.datetime) -> ImportReport:
    """Import the workbook ``data`` (already checked as an upload): all or nothing.

    Items of departments the actor may not maintain are refused row by row. When
    ``report.errors`` is not empty nothing was changed (not even the audit log)."""
    from openpyxl import load_workbook

    report = ImportReport()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a file that is not .xlsx
        report.errors.append(RowError("", 0, "", _("The file is not an Excel workbook (.xlsx).")))
        return report
    try:
        plans, bases = _read_plans(workbook, actor, report.errors)
    finally:
        workbook.close()
    bad = {(e.sheet, e.row) for e in report.errors}
    for plan in plans:
        _check_plan(plan, bad)
    if report.errors:
        return report
    with transaction.atomic():
        saved_bases = _save_bases(actor, bases, at)
        for plan in plans:
            try:
                _apply(plan, actor, at, saved_bases, report)
            except _Refused:
                continue
        if report.errors:
            transaction.set_rollback(True)
            report.created, report.updated, report.unchanged = [], [], []
            return report
        if report.created or report.updated:
            record_event(
                actor=actor,
                action="item.import",
                object_type="catalog.item",
                at=at,
                message=_("Items imported from Excel: %(created)d created, %(updated)d updated.")
                % {"created": len(report.created), "updated": len(report.updated)},
                after={"created": report.created, "updated": report.updated},
            )
    return report


def _save_bases(actor, bases: dict, at) -> dict[tuple[str, str], PolicyBasis]:
    """Find each basis by name and document number; create the new ones."""
    saved = {}
    for key, ref in bases.items():
        found = (
            PolicyBasis.objects.filter(name=key[0], document_number=key[1]).order_by("id").first()
        )
        if found is None:
            try:
                found = services.save_policy_basis(actor=actor, at=at, **ref.fields)
            except DomainError as exc:
                for name, messages in (exc.fields or {"name": [exc.message]}).items():
                    for message in messages:
                        ref.row.error(BASIS_COLUMN_OF.get(name, "依据名称"), message)
                continue
        saved[key] = found
    return saved


def _last_audit_seq() -> int:
    return AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _apply(plan: _Plan, actor, at, bases: dict, report: ImportReport) -> None:
    """One item through the services: the parts that differ from what is stored in
    one call (``save_item_definition``), then publishing or withdrawing."""
    before = _last_audit_seq()
    item = plan.existing
    try:
        if item is not None and plan.published is False and item.is_published:
            # Withdraw first: the new definition may be one a published item cannot have.
            services.publish_item(actor=actor, item=item, published=False, at=at)
        parts = _changed_parts(plan, bases)
        if item is None or parts:
            item = services.save_item_definition(actor=actor, item=item, at=at, **parts)
        if plan.published and not (plan.existing is not None and plan.existing.is_published):
            services.publish_item(actor=actor, item=item, published=True, at=at)
    except DomainError as exc:
        _place_all(plan, exc.fields or {"code": [exc.message]})
        raise _Refused() from exc
    if plan.existing is None:
        report.created.append(plan.code)
    elif _last_audit_seq() != before:  # the services audit every change, and only changes
        report.updated.append(plan.code)
    else:
        report.unchanged.append(plan.code)


def _changed_parts(plan: _Plan, bases: dict) -> dict:
    """The arguments of ``save_item_definition``: for a new item everything the file
    gives; for an existing one only what differs (a re-imported export costs a few
    queries per item, not a full save)."""
    item = plan.existing
    basis = None if plan.bases is None else [bases[ref.key] for ref in plan.bases]
    themes = plan.themes
    materials = plan.materials
    if item is None:
        return {
            "fields": plan.fields,
            "steps": plan.steps or None,
            "assisting": plan.assisting,
            "materials": materials,
            "form_fields": plan.form,
            "special_procedures": plan.special,
            "basis": basis,
            "themes": themes,
            "application_categories": plan.application_categories,
        }
    if themes is not None:
        # Only the kinds whose columns are in the file are replaced.
        themes = [t for t in item.themes.all() if t.kind not in plan.theme_kinds] + themes
    if materials is not None:
        materials = _keeping_files(item, materials)
    parts: dict = {}
    fields = _changed_fields(item, plan.fields)
    if fields:
        parts["fields"] = fields
    if plan.steps and plan.steps != _current_steps(item):
        parts["steps"] = plan.steps
    if plan.assisting is not None and sorted(plan.assisting, key=str) != sorted(
        _current_assisting(item), key=str
    ):
        parts["assisting"] = plan.assisting
    if materials is not None and materials != _current_materials(item):
        parts["materials"] = materials
    if plan.form is not None and [_form_key(f) for f in plan.form] != [
        _form_key(f) for f in item.form_fields.all()
    ]:
        parts["form_fields"] = plan.form
    if plan.special is not None and plan.special != _current_special(item):
        parts["special_procedures"] = plan.special
    for name, wanted in (
        ("basis", basis),
        ("themes", themes),
        ("application_categories", plan.application_categories),
    ):
        if wanted is not None and {o.pk for o in wanted} != {
            o.pk for o in getattr(item, name).all()
        }:
            parts[name] = wanted
    return parts


def _changed_fields(item: Item | None, fields: dict) -> dict:
    if item is None:
        return fields

    def value(v):
        return v.pk if isinstance(v, models.Model) else v

    return {
        name: v
        for name, v in fields.items()
        if value(getattr(item, name)) != value(v) and name != "code"
    }


def _keeping_files(item: Item, specs: list[MaterialSpec]) -> list[MaterialSpec]:
    """The file has no blank forms or examples: a material that keeps its name keeps
    its files (names compared as the services do, without spacing and case)."""

    def key(name: str) -> str:
        return "".join(name.split()).casefold()

    files = {key(m.name): (m.blank_form_id, m.example_id) for m in item.materials.all()}
    return [
        replace(
            spec,
            blank_form_id=files.get(key(spec.name), (None, None))[0],
            example_id=files.get(key(spec.name), (None, None))[1],
        )
        for spec in specs
    ]
