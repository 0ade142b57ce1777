"""Every change to the catalogue. Each use case is one transaction: check the
actor's right, lock the item, validate the whole resulting definition with ``rules``
(and the form schema with ``formschema``), write, audit.

All item changes go through ``save_item_definition``: the narrower services
(``update_item``, ``set_process``, ``set_materials`` …) call it with one part, so one
set of rules decides, whatever the surface (admin, import, demo, API). Child rows are
updated in place by their natural key (step name, department, material name, field
key, procedure kind), so ids that cases refer to stay stable and staff assignments
follow their step.

The package: ``base`` (the specs and shared helpers), ``rows`` (child rows read and
written in place), ``definition`` (``item_definition_errors``,
``save_item_definition``), ``items`` (the narrower item use cases, publishing,
deleting, the export), ``staff`` (staff assignment), ``shared_lists`` (policy bases,
themes).
"""

from .base import ITEM_FIELDS, FieldSpec, MaterialSpec
from .definition import item_definition_errors, save_item_definition
from .items import (
    create_item,
    delete_item,
    export_items,
    publish_item,
    set_form_fields,
    set_item_links,
    set_materials,
    set_process,
    set_special_procedures,
    update_item,
)
from .rows import LINKS
from .shared_lists import delete_policy_basis, delete_theme, save_policy_basis, save_theme
from .staff import assign_staff

__all__ = [
    "ITEM_FIELDS",
    "LINKS",
    "FieldSpec",
    "MaterialSpec",
    "assign_staff",
    "create_item",
    "delete_item",
    "delete_policy_basis",
    "delete_theme",
    "export_items",
    "item_definition_errors",
    "publish_item",
    "save_item_definition",
    "save_policy_basis",
    "save_theme",
    "set_form_fields",
    "set_item_links",
    "set_materials",
    "set_process",
    "set_special_procedures",
    "update_item",
]
