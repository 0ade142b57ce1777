"""The item being edited as one definition: the parent form (``ItemForm``) checks the
whole definition once its inline formsets (``DefinitionFormSet``) have validated, and
places every message beside what it concerns. Imports none of its siblings.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.models import BaseInlineFormSet

from tongban.core.errors import DomainError

from .. import services
from ..models import Item
from ..rules import AssistingSpec, StepSpec

# --- the definition being edited: parent form + inline formsets ----------------------------


class _Definition:
    """The formsets of one change form, so the parent form can check the whole
    definition once every part has been validated on its own."""

    def __init__(self, actor):
        self.actor = actor
        self.formsets: dict[str, BaseInlineFormSet] = {}

    def rows(self, kind: str) -> list[forms.Form] | None:
        """The forms of ``kind`` that count (filled, not deleted), in their order;
        ``None`` when the user has no such inline."""
        formset = self.formsets.get(kind)
        if formset is None:
            return None
        kept = [
            (index, form)
            for index, form in enumerate(formset.forms)
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        if "order" in formset.form.base_fields:
            kept.sort(key=lambda pair: (pair[1].cleaned_data.get("order") or 0, pair[0]))
        return [form for _index, form in kept]

    def specs(self, form: forms.ModelForm, *, store_files: bool = False) -> dict:
        """``save_item_definition`` keyword arguments from the validated forms."""
        data = form.cleaned_data
        kwargs: dict = {
            "fields": {name: data[name] for name in services.ITEM_FIELDS if name in form.fields}
        }
        for name in ("basis", "themes", "application_categories"):
            if name in form.fields:
                kwargs[name] = list(data[name])
        steps = self.rows("steps")
        if steps is not None:
            kwargs["steps"] = [
                StepSpec(
                    name=f.cleaned_data["name"].strip(),
                    role=f.cleaned_data["role"],
                    limit_days=f.cleaned_data.get("limit_days"),
                    department_id=getattr(f.cleaned_data.get("department"), "pk", None),
                )
                for f in steps
            ]
        assisting = self.rows("assisting")
        if assisting is not None:
            kwargs["assisting"] = [
                AssistingSpec(
                    department_id=f.cleaned_data["department"].pk,
                    limit_days=f.cleaned_data["limit_days"],
                    task=f.cleaned_data.get("task") or "",
                )
                for f in assisting
            ]
        materials = self.rows("materials")
        if materials is not None:
            kwargs["materials"] = [f.spec(store_files=store_files) for f in materials]
        form_fields = self.rows("form_fields")
        if form_fields is not None:
            kwargs["form_fields"] = [
                services.FieldSpec(
                    key=f.cleaned_data["key"],
                    label=f.cleaned_data["label"],
                    field_type=f.cleaned_data["field_type"],
                    required=f.cleaned_data.get("required", False),
                    help_text=f.cleaned_data.get("help_text") or "",
                    choices=tuple(
                        line.strip()
                        for line in (f.cleaned_data.get("choices") or "").splitlines()
                        if line.strip()
                    ),
                    min_value=f.cleaned_data.get("min_value"),
                    max_value=f.cleaned_data.get("max_value"),
                    max_length=f.cleaned_data.get("max_length"),
                    pattern=f.cleaned_data.get("pattern") or "",
                    pattern_message=f.cleaned_data.get("pattern_message") or "",
                )
                for f in form_fields
            ]
        special = self.rows("special_procedures")
        if special is not None:
            kwargs["special_procedures"] = {
                f.cleaned_data["kind"]: f.cleaned_data["limit_days"] for f in special
            }
        return kwargs

    def place(self, form: forms.ModelForm, errors: dict[str, list[str]]) -> None:
        """Put each message beside what it concerns."""
        for key, messages_ in errors.items():
            kind, _dot, rest = key.partition(".")
            kind = {"fields": "form_fields"}.get(kind, kind)
            formset = self.formsets.get(kind)
            if formset is not None and kind in INLINE_KINDS:
                index, _dot, attribute = rest.partition(".")
                if index.isdecimal():
                    rows = self.rows(kind) or []
                    if int(index) < len(rows):
                        row = rows[int(index)]
                        field = attribute if attribute in row.fields else None
                        row.add_error(field, list(messages_))
                        continue
                formset.non_form_errors().extend(messages_)
            elif key in form.fields:
                form.add_error(key, list(messages_))
            else:
                form.add_error(None, list(messages_))


INLINE_KINDS = ("steps", "assisting", "materials", "form_fields", "special_procedures")


class DefinitionFormSet(BaseInlineFormSet):
    """An inline formset that registers itself with the item's definition."""

    def __init__(self, *args, definition: _Definition | None = None, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if definition is not None:
            definition.formsets[kind] = self


class ItemForm(forms.ModelForm):
    definition: _Definition | None = None  # set by ItemAdmin.get_form

    class Meta:
        model = Item
        fields = [*services.ITEM_FIELDS, "basis", "themes", "application_categories"]

    def _post_clean(self):
        super()._post_clean()
        if self.definition is None:
            return
        # The model's check constraints repeat the rules without naming the field;
        # when the rest of the form is fine, the rules' own messages replace them.
        constraint_messages = {str(c.violation_error_message) for c in Item._meta.constraints}
        general = self._errors.get(NON_FIELD_ERRORS, []) if self._errors else []
        others = [m for m in general if m not in constraint_messages]
        field_errors = [k for k in (self._errors or {}) if k != NON_FIELD_ERRORS]
        if field_errors or others:
            return
        self._errors.pop(NON_FIELD_ERRORS, None)
        self._check_definition()

    def _check_definition(self) -> None:
        formsets = self.definition.formsets.values()
        if not all([formset.is_valid() for formset in formsets]):  # noqa: C419 - validate all
            return
        try:
            errors = services.item_definition_errors(
                actor=self.definition.actor,
                item=self.instance if self.instance.pk else None,
                **self.definition.specs(self),
            )
        except DomainError as exc:
            errors = exc.fields or {NON_FIELD_ERRORS: [str(exc.message)]}
        self.definition.place(self, errors)
