"""The HTML form: ``build_form_class`` makes a Django form class (Bootstrap widgets,
counter or portal autocomplete) whose fields clean through ``_clean_value``.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext as _

from tongban.core import files as core_files

from ..models import FieldType
from .spec import PURPOSES, UPLOAD_LIMIT_MB, _read_schema, _Spec
from .values import _clean_value

# --- the HTML form ----------------------------------------------------------------


class _BootstrapBoundField(BoundField):
    """Adds Bootstrap's ``is-invalid`` to a widget whose field has errors (keeping the
    widget's own classes, which the attrs given here would otherwise replace)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.form.is_bound and self.errors:
            widget = widget or self.field.widget
            classes = attrs.get("class") or widget.attrs.get("class", "")
            attrs["class"] = f"{classes} is-invalid".strip()
        return attrs


class _SchemaFieldMixin:
    """Every value goes through ``_clean_value``, the same check as the API's."""

    spec: _Spec

    def clean(self, value, initial=None):
        return _clean_value(self.spec, value)


class _TextField(_SchemaFieldMixin, forms.CharField):
    pass


class _NumberField(_SchemaFieldMixin, forms.DecimalField):
    pass


class _DateField(_SchemaFieldMixin, forms.DateField):
    pass


class _ChoiceField(_SchemaFieldMixin, forms.ChoiceField):
    pass


class _MultipleChoiceField(_SchemaFieldMixin, forms.MultipleChoiceField):
    pass


class _FileField(_SchemaFieldMixin, forms.FileField):
    @property
    def accepted(self) -> str:
        """For the page: the accepted file types and the size limit."""
        extensions = sorted(
            ext.lstrip(".").upper()
            for code in core_files.MATERIALS
            for ext in core_files.KINDS[code].extensions
        )
        return _("Accepted: %(types)s; at most %(size)d MB.") % {
            "types": ", ".join(extensions),
            "size": UPLOAD_LIMIT_MB,
        }


class SchemaForm(forms.Form):
    """The base of every form ``build_form_class`` makes. ``cleaned_data`` holds the
    same values ``validate_submission`` returns.

    Inputs are named ``schema-<key>`` (the ``prefix``), so a page can put the
    applicant's own fields next to the schema's without the names colliding; pass
    ``prefix=`` to the constructor to change it."""

    prefix = "schema"
    template_name = "catalog/_schema_form.html"
    bound_field_class = _BootstrapBoundField
    label_suffix = ""
    purpose = "counter"

    @property
    def has_required_fields(self) -> bool:
        return any(field.required for field in self.fields.values())


def _widget_attrs(spec: _Spec, purpose: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    if purpose == "counter":
        # A counter computer is shared: the browser must not offer one applicant's
        # ID number or address to the next (个人信息保护法).
        attrs["autocomplete"] = "off"
    elif spec.field_type == FieldType.MOBILE:
        attrs["autocomplete"] = "tel-national"
    elif spec.field_type == FieldType.ADDRESS:
        attrs["autocomplete"] = "street-address"
    if spec.field_type == FieldType.MOBILE:
        attrs["inputmode"] = "tel"
    if spec.field_type in (FieldType.ID_NUMBER, FieldType.CREDIT_CODE):
        attrs["spellcheck"] = "false"
        attrs["autocapitalize"] = "characters"
    return attrs


def _form_field(spec: _Spec, purpose: str) -> forms.Field:
    attrs = _widget_attrs(spec, purpose)
    common = {"label": spec.label, "required": spec.required, "help_text": spec.help_text}
    control = {"class": "form-control", **attrs}
    field_type = spec.field_type
    field: forms.Field
    if field_type == FieldType.LONG_TEXT:
        field = _TextField(
            max_length=spec.text_limit,
            widget=forms.Textarea(attrs={**control, "rows": 4}),
            **common,
        )
    elif field_type == FieldType.ADDRESS:
        field = _TextField(
            max_length=spec.text_limit,
            widget=forms.Textarea(attrs={**control, "rows": 2}),
            **common,
        )
    elif field_type in (FieldType.ID_NUMBER, FieldType.CREDIT_CODE, FieldType.MOBILE):
        field = _TextField(
            # Room for the spaces and full-width characters the validators accept.
            max_length=40,
            widget=forms.TextInput(attrs=control),
            **common,
        )
    elif field_type == FieldType.NUMBER:
        field = _NumberField(
            min_value=spec.min_value,
            max_value=spec.max_value,
            widget=forms.NumberInput(attrs={**control, "step": "any"}),
            **common,
        )
    elif field_type == FieldType.DATE:
        field = _DateField(
            widget=forms.DateInput(attrs={**control, "type": "date"}, format="%Y-%m-%d"),
            **common,
        )
    elif field_type == FieldType.CHOICE:
        field = _ChoiceField(
            choices=[("", _("Please choose"))] + [(o, o) for o in spec.choices],
            widget=forms.Select(attrs={**attrs, "class": "form-select"}),
            **common,
        )
    elif field_type == FieldType.MULTI_CHOICE:
        field = _MultipleChoiceField(
            choices=[(o, o) for o in spec.choices],
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            **common,
        )
    elif field_type == FieldType.FILE:
        accept = ",".join(
            sorted(
                ext for code in core_files.MATERIALS for ext in core_files.KINDS[code].extensions
            )
        )
        field = _FileField(
            widget=forms.FileInput(attrs={"class": "form-control", "accept": accept}),
            **common,
        )
    else:  # text, and (defensively) an unknown type, which _clean_value refuses
        field = _TextField(
            max_length=spec.text_limit, widget=forms.TextInput(attrs=control), **common
        )
    field.spec = spec
    return field


def build_form_class(fields, *, purpose: str = "counter") -> type[SchemaForm]:
    """A Django form class for the schema: one field per schema field, in order,
    with Bootstrap widgets. Render it with ``{{ form }}`` or
    ``{% include "catalog/_schema_form.html" %}`` inside a ``<form>`` whose
    ``enctype`` is ``multipart/form-data`` when ``form.is_multipart()``.

    ``purpose`` is ``"counter"`` (staff fill it in for an applicant: browser
    autocomplete is off) or ``"portal"`` (the applicant's own browser may autofill
    mobile number and address). File fields give the checked upload, rewound and not
    stored: it is stored when the case is created."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}, not {purpose!r}")
    form_class = type(
        "ApplicationForm", (SchemaForm,), {"purpose": purpose, "__module__": __name__}
    )
    # Set after the class exists, so that a key such as "purpose" or "prefix" can
    # never replace an attribute of the form.
    form_class.base_fields = {spec.key: _form_field(spec, purpose) for spec in _read_schema(fields)}
    form_class.declared_fields = dict(form_class.base_fields)
    return form_class
