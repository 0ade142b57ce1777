"""事项管理 in system management: items with their materials, form, process, assisting
departments and special procedures; the policy bases and the themes.

Writes go through the services. An item and its inline rows are one definition: the
parent form and every inline formset are validated first, then the whole resulting
definition is checked with ``services.item_definition_errors`` (the rules of
``rules.py`` and the form schema), and every violation is shown beside the field or
the inline it concerns. Only then does one ``services.save_item_definition`` call
save everything, inside the admin's transaction (see ``workcalendar.admin`` for the
same pattern; ``ServiceAdmin`` refuses inlines for this reason).

The package: ``definition`` (the parent form and formsets checked as one
definition), ``inlines``, ``items`` (``ItemAdmin``), ``policy_basis``
(``PolicyBasisAdmin``), ``themes`` (``ThemeAdmin``). Importing it registers the
ModelAdmins (admin autodiscovery imports this package).
"""

from .definition import INLINE_KINDS, DefinitionFormSet, ItemForm
from .inlines import (
    AssistingInline,
    DefinitionInline,
    FormFieldInline,
    MaterialForm,
    MaterialInline,
    ProcessStepInline,
    SpecialProcedureInline,
)
from .items import ItemAdmin
from .policy_basis import BASIS_FIELDS, PolicyBasisAdmin, PolicyBasisForm
from .themes import ThemeAdmin

__all__ = [
    "BASIS_FIELDS",
    "INLINE_KINDS",
    "AssistingInline",
    "DefinitionFormSet",
    "DefinitionInline",
    "FormFieldInline",
    "ItemAdmin",
    "ItemForm",
    "MaterialForm",
    "MaterialInline",
    "PolicyBasisAdmin",
    "PolicyBasisForm",
    "ProcessStepInline",
    "SpecialProcedureInline",
    "ThemeAdmin",
]
