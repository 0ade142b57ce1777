"""The application form schema engine (预设表单).

An item's form is a list of fields: its ``FormField`` rows, or, before they are saved,
``services.FieldSpec`` objects. Every function here accepts either (it reads the
attributes ``key``, ``label``, ``field_type``, ``required``, ``help_text``,
``choices`` (text, one option per line, or a sequence), ``min_value``, ``max_value``,
``max_length``, ``pattern``, ``pattern_message``).

The same schema

- is checked before it is saved (``schema_errors``);
- renders the counter-intake form and the portal form (``build_form_class`` and the
  template ``catalog/_schema_form.html``);
- validates a submission from the API or a page on the server
  (``validate_submission``, which gives the same cleaned values as a built form);
- describes the form to API clients (``json_schema``).

All value checks live in one function (``_clean_value``) so that the HTML form and
the API can never disagree about what is valid.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils.translation import gettext as _

from tongban.core import files as core_files
from tongban.core.errors import ValidationFailed

from .models import FieldType
from .validators import (
    CREDIT_ALPHABET,
    validate_credit_code,
    validate_mobile,
    validate_resident_id,
)

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_FIELDS = 100
MAX_OPTIONS = 200
MAX_OPTION_LENGTH = 100
MAX_LABEL_LENGTH = 100  # FormField.label
MAX_HELP_LENGTH = 300  # FormField.help_text
MAX_PATTERN_LENGTH = 200  # FormField.pattern, FormField.pattern_message
MAX_LENGTH_LIMIT = 10_000  # the largest max_length a schema may set

TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.LONG_TEXT, FieldType.ADDRESS})
CHOICE_TYPES = frozenset({FieldType.CHOICE, FieldType.MULTI_CHOICE})
DEFAULT_MAX_LENGTH = {
    FieldType.TEXT: 200,
    FieldType.LONG_TEXT: 2000,
    # A full Chinese postal address (province … building, room) fits easily.
    FieldType.ADDRESS: 200,
}

# Numbers entered in a form: bounded so they fit any column a later module uses.
NUMBER_DECIMAL_PLACES = 6
NUMBER_LIMIT = Decimal(10) ** 15
# Schema limits are stored in FormField.min_value/max_value: DECIMAL(14, 2).
SCHEMA_NUMBER_PLACES = 2
SCHEMA_NUMBER_LIMIT = Decimal(10) ** 12

# Canonical forms, for the JSON schema (the server also accepts spaces, full-width
# characters and lower case, and normalises them).
ID_NUMBER_PATTERN = r"^[0-9]{17}[0-9X]$"
CREDIT_CODE_PATTERN = f"^[1-9ANY][1-9][0-9]{{6}}[0-9{CREDIT_ALPHABET[10:]}]{{10}}$"
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"

PURPOSES = ("counter", "portal")
UPLOAD_LIMIT_MB = 20

# NUL, other C0 controls (tab and line breaks are fine), DEL and lone surrogates: none
# can be stored in PostgreSQL text or jsonb, and none belongs in an application.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


# --- reading a schema ------------------------------------------------------------


def _choice_list(raw) -> list[str]:
    """Options from text (one per line, as stored) or from a sequence (a FieldSpec)."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return [line.strip() for line in raw.splitlines() if line.strip()]
    try:
        return [str(option).strip() for option in raw if str(option).strip()]
    except TypeError:
        return []


def _decimal_or_none(raw) -> Decimal | None:
    if raw is None or raw == "" or isinstance(raw, bool):
        return None
    try:
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


@dataclass(frozen=True)
class _Spec:
    """One field of a schema, read from a FormField row or a FieldSpec."""

    key: str
    label: str
    field_type: str
    required: bool
    help_text: str
    choices: tuple[str, ...]
    min_value: Decimal | None
    max_value: Decimal | None
    max_length: int | None
    pattern: str
    pattern_message: str

    @classmethod
    def read(cls, field) -> _Spec:
        max_length = getattr(field, "max_length", None)
        return cls(
            key=str(getattr(field, "key", "") or ""),
            label=str(getattr(field, "label", "") or "").strip(),
            field_type=str(getattr(field, "field_type", "") or ""),
            required=bool(getattr(field, "required", False)),
            help_text=str(getattr(field, "help_text", "") or "").strip(),
            choices=tuple(dict.fromkeys(_choice_list(getattr(field, "choices", None)))),
            min_value=_decimal_or_none(getattr(field, "min_value", None)),
            max_value=_decimal_or_none(getattr(field, "max_value", None)),
            max_length=max_length if isinstance(max_length, int) and max_length > 0 else None,
            pattern=str(getattr(field, "pattern", "") or ""),
            pattern_message=str(getattr(field, "pattern_message", "") or "").strip(),
        )

    @property
    def text_limit(self) -> int:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.field_type, 200)


def _read_schema(fields) -> list[_Spec]:
    return [_Spec.read(f) for f in fields]


# --- checking a schema before it is saved -----------------------------------------


def _has_nested_repetition(pattern: str) -> bool:
    """True if a repetition contains another and one of them is unbounded, as in
    ``(a+)+`` or ``(\\w+\\s?)*``. Python's regex engine backtracks, so such a pattern,
    written by an administrator, could let one applicant's input occupy a worker for
    minutes (ReDoS). The check reads the parse tree of the ``re`` module; if that
    private module ever changes, the check is skipped rather than failing."""
    try:
        from re import _constants as sre
        from re import _parser as sre_parse

        tree = sre_parse.parse(pattern)
        repeats = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)}
        unbounded = sre.MAXREPEAT
    except Exception:  # an unreadable tree is simply not checked
        return False

    def children(av):
        if isinstance(av, sre_parse.SubPattern):
            yield av
        elif isinstance(av, tuple | list):
            for item in av:
                yield from children(item)

    def walk(node, outer: int) -> bool:
        # outer: 0 = not inside a repetition, 1 = inside a bounded one (x{2,5}),
        # 2 = inside an unbounded one (x*, x+, x{2,}).
        for op, av in node:
            if op in repeats:
                low, high, sub = av
                # A fixed count (x{3}) or an optional part (x?) cannot backtrack into
                # many ways of matching the same text.
                kind = 2 if high == unbounded else 1 if high > 1 and high != low else 0
                if kind and outer and 2 in (kind, outer):
                    return True
                if walk(sub, max(outer, kind)):
                    return True
            else:
                for child in children(av):
                    if walk(child, outer):
                        return True
        return False

    try:
        return walk(tree, 0)
    except RecursionError:
        return False


def _schema_number(raw) -> tuple[Decimal | None, bool]:
    """(value, ok) for a schema's minimum or maximum."""
    if raw is None or raw == "":
        return None, True
    value = _decimal_or_none(raw)
    if value is None:
        return None, False
    if abs(value) >= SCHEMA_NUMBER_LIMIT or -value.as_tuple().exponent > SCHEMA_NUMBER_PLACES:
        return value, False
    return value, True


def _field_name(number: int, label: str) -> str:
    if label:
        return _("field “%(label)s”") % {"label": label}
    return _("field %(number)d") % {"number": number}


def schema_errors(fields) -> dict[str, list[str]]:
    """Everything wrong with a form schema, keyed ``fields.<index>.<attribute>``
    (index in the list, from 0) so an editing form can place each message; ``{}``
    when the schema may be saved. Messages name the field by its label or number."""
    fields = list(fields)
    errors: dict[str, list[str]] = {}

    def add(index: int | None, attribute: str, message: str) -> None:
        where = "fields" if index is None else f"fields.{index}.{attribute}"
        errors.setdefault(where, []).append(message)

    if len(fields) > MAX_FIELDS:
        add(None, "", _("A form may have at most %(max)d fields.") % {"max": MAX_FIELDS})
        return errors

    first_index_of_key: dict[str, int] = {}
    for index, field in enumerate(fields):
        number = index + 1
        label = str(getattr(field, "label", "") or "").strip()
        name = _field_name(number, label)
        params = {"field": name}
        field_type = str(getattr(field, "field_type", "") or "")

        key = getattr(field, "key", "")
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
            add(
                index,
                "key",
                _(
                    "The key of %(field)s must start with a lower-case letter and contain "
                    "only lower-case letters, digits and underscores (at most 40)."
                )
                % params,
            )
        elif key in first_index_of_key:
            add(
                index,
                "key",
                _("The key “%(key)s” of %(field)s is already used by field %(other)d.")
                % {**params, "key": key, "other": first_index_of_key[key] + 1},
            )
        else:
            first_index_of_key[key] = index

        if not label:
            add(index, "label", _("Field %(number)d needs a label.") % {"number": number})
        elif len(label) > MAX_LABEL_LENGTH:
            add(
                index,
                "label",
                _("The label of %(field)s may have at most %(max)d characters.")
                % {**params, "max": MAX_LABEL_LENGTH},
            )

        if field_type not in FieldType.values:
            add(
                index,
                "field_type",
                _("The type “%(type)s” of %(field)s is unknown.")
                % {**params, "type": field_type[:40]},
            )

        help_text = str(getattr(field, "help_text", "") or "")
        if len(help_text) > MAX_HELP_LENGTH:
            add(
                index,
                "help_text",
                _("The help text of %(field)s may have at most %(max)d characters.")
                % {**params, "max": MAX_HELP_LENGTH},
            )

        _check_choices(field, field_type, params, lambda m, i=index: add(i, "choices", m))
        _check_limits(field, field_type, params, lambda a, m, i=index: add(i, a, m))
        _check_pattern(field, field_type, params, lambda a, m, i=index: add(i, a, m))
    return errors


def _check_choices(field, field_type: str, params: dict, add) -> None:
    raw = getattr(field, "choices", None)
    if isinstance(raw, str) or raw is None:
        options = _choice_list(raw)
    else:
        try:
            options = [str(o).strip() for o in raw if str(o).strip()]
        except TypeError:
            add(_("The options of %(field)s must be a list.") % params)
            return
        if any("\n" in o or "\r" in o for o in options):
            add(_("An option of %(field)s contains a line break.") % params)
            return
    if field_type not in CHOICE_TYPES:
        if options:
            add(_("Only choice fields have options; remove those of %(field)s.") % params)
        return
    seen: set[str] = set()
    for option in options:
        if option in seen:
            add(
                _("The option “%(option)s” of %(field)s is listed twice.")
                % {**params, "option": option[:MAX_OPTION_LENGTH]}
            )
            return
        seen.add(option)
    if len(seen) < 2:
        add(_("Give %(field)s at least two different options.") % params)
    elif len(seen) > MAX_OPTIONS:
        add(_("Give %(field)s at most %(max)d options.") % {**params, "max": MAX_OPTIONS})
    elif any(len(o) > MAX_OPTION_LENGTH for o in seen):
        add(
            _("Each option of %(field)s may have at most %(max)d characters.")
            % {**params, "max": MAX_OPTION_LENGTH}
        )


def _check_limits(field, field_type: str, params: dict, add) -> None:
    bounds = {}
    for attribute in ("min_value", "max_value"):
        raw = getattr(field, attribute, None)
        value, ok = _schema_number(raw)
        if raw is None or raw == "":
            continue
        if field_type != FieldType.NUMBER:
            add(
                attribute,
                _("Only number fields have a minimum or maximum; remove those of %(field)s.")
                % params,
            )
            return
        if not ok:
            add(
                attribute,
                _(
                    "The minimum and maximum of %(field)s must be numbers below "
                    "1,000,000,000,000 with at most two decimal places."
                )
                % params,
            )
            return
        bounds[attribute] = value
    if len(bounds) == 2 and bounds["min_value"] > bounds["max_value"]:
        add(
            "max_value",
            _("The minimum of %(field)s is greater than its maximum.") % params,
        )

    max_length = getattr(field, "max_length", None)
    if max_length is None or max_length == "":
        return
    if field_type not in TEXT_TYPES:
        add(
            "max_length",
            _("Only text fields have a maximum length; remove that of %(field)s.") % params,
        )
    elif (
        isinstance(max_length, bool)
        or not isinstance(max_length, int)
        or not 1 <= max_length <= MAX_LENGTH_LIMIT
    ):
        add(
            "max_length",
            _("The maximum length of %(field)s must be a whole number from 1 to %(max)d.")
            % {**params, "max": MAX_LENGTH_LIMIT},
        )


def _check_pattern(field, field_type: str, params: dict, add) -> None:
    pattern = getattr(field, "pattern", "") or ""
    message = getattr(field, "pattern_message", "") or ""
    if not isinstance(pattern, str) or not isinstance(message, str):
        add("pattern", _("The pattern of %(field)s must be text.") % params)
        return
    if len(message) > MAX_PATTERN_LENGTH:
        add(
            "pattern_message",
            _("The pattern message of %(field)s may have at most %(max)d characters.")
            % {**params, "max": MAX_PATTERN_LENGTH},
        )
    if not pattern:
        return
    if field_type not in TEXT_TYPES:
        add(
            "pattern",
            _("Only text fields have a pattern; remove that of %(field)s.") % params,
        )
        return
    if len(pattern) > MAX_PATTERN_LENGTH:
        add(
            "pattern",
            _("The pattern of %(field)s may have at most %(max)d characters.")
            % {**params, "max": MAX_PATTERN_LENGTH},
        )
        return
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        add(
            "pattern",
            _("The pattern of %(field)s is not a valid regular expression (%(error)s).")
            % {**params, "error": str(exc)[:100]},
        )
        return
    if _has_nested_repetition(pattern):
        add(
            "pattern",
            _(
                "The pattern of %(field)s repeats a repetition, as in (a+)+; checking it "
                "could take very long. Please simplify it."
            )
            % params,
        )


# --- checking one value ------------------------------------------------------------


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _text_value(spec: _Spec, value) -> str:
    if not isinstance(value, str):
        raise ValidationError(_("“%(label)s” must be text.") % {"label": spec.label}, "type")
    value = value.strip()
    limit = spec.text_limit
    if len(value) > limit:
        raise ValidationError(
            _("“%(label)s” may have at most %(max)d characters; this has %(count)d.")
            % {"label": spec.label, "max": limit, "count": len(value)},
            "max_length",
        )
    if _FORBIDDEN_CHARS.search(value):
        raise ValidationError(
            _("“%(label)s” contains characters that are not allowed.") % {"label": spec.label},
            "characters",
        )
    return value


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:  # only a row written around schema_errors can hold a bad pattern
        return False


def _number_value(spec: _Spec, value) -> str:
    params = {"label": spec.label}
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValidationError(_("“%(label)s” must be a number.") % params, "invalid")
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = value.translate(_HALF_WIDTH).strip()
    else:
        text = str(value)
    if len(text) > 40 or not _NUMBER.fullmatch(text):
        raise ValidationError(_("“%(label)s” must be a number.") % params, "invalid")
    number = Decimal(text).normalize()
    if number == 0:
        number = Decimal(0)
    if abs(number) >= NUMBER_LIMIT:
        raise ValidationError(_("“%(label)s” is too large.") % params, "max_value")
    if -number.as_tuple().exponent > NUMBER_DECIMAL_PLACES:
        raise ValidationError(
            _("“%(label)s” may have at most %(places)d decimal places.")
            % {**params, "places": NUMBER_DECIMAL_PLACES},
            "max_decimal_places",
        )
    if spec.min_value is not None and number < spec.min_value:
        raise ValidationError(
            _("“%(label)s” must be at least %(min)s.") % {**params, "min": _plain(spec.min_value)},
            "min_value",
        )
    if spec.max_value is not None and number > spec.max_value:
        raise ValidationError(
            _("“%(label)s” must be at most %(max)s.") % {**params, "max": _plain(spec.max_value)},
            "max_value",
        )
    return format(number, "f")


def _plain(number: Decimal) -> str:
    """A limit as people write it: 10, not 10.00."""
    return format(number.normalize() if number != 0 else Decimal(0), "f")


def _date_value(spec: _Spec, value) -> str:
    if type(value) is dt.date:
        return value.isoformat()
    message = _("“%(label)s” must be a real date written as YYYY-MM-DD.") % {"label": spec.label}
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise ValidationError(message, "invalid")
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValidationError(message, "invalid") from None


def _choice_value(spec: _Spec, value) -> str:
    if not isinstance(value, str) or value.strip() not in spec.choices:
        raise ValidationError(
            _("“%(label)s”: please choose one of the listed options.") % {"label": spec.label},
            "invalid_choice",
        )
    return value.strip()


def _multi_choice_value(spec: _Spec, value) -> list[str]:
    if not isinstance(value, list | tuple):
        raise ValidationError(
            _("“%(label)s” must be a list of options.") % {"label": spec.label}, "invalid_list"
        )
    chosen = set()
    for option in value:
        if not isinstance(option, str) or option.strip() not in spec.choices:
            raise ValidationError(
                _("“%(label)s”: please choose only among the listed options.")
                % {"label": spec.label},
                "invalid_choice",
            )
        chosen.add(option.strip())
    # In the schema's order, each option once: what the applicant meant.
    return [option for option in spec.choices if option in chosen]


def _file_value(spec: _Spec, value):
    if not (hasattr(value, "read") and hasattr(value, "seek")):
        raise ValidationError(
            _("“%(label)s” must be uploaded as a file.") % {"label": spec.label}, "invalid"
        )
    try:
        core_files.check_upload(
            value,
            allowed=core_files.MATERIALS,
            max_size=UPLOAD_LIMIT_MB * core_files.MB,
            field=spec.key,
        )
    except ValidationFailed as exc:
        raise ValidationError(
            _("“%(label)s”: %(problem)s") % {"label": spec.label, "problem": exc.message},
            "file",
        ) from None
    # check_upload read it; whoever stores it later reads it again from the start.
    value.seek(0)
    return value


def _required_message(spec: _Spec) -> str:
    params = {"label": spec.label}
    if spec.field_type == FieldType.FILE:
        return _("Please attach “%(label)s”.") % params
    if spec.field_type in CHOICE_TYPES:
        return _("Please choose “%(label)s”.") % params
    return _("Please fill in “%(label)s”.") % params


def _clean_value(spec: _Spec, value, *, today: dt.date | None = None):
    """The cleaned value of one field, or ``ValidationError`` naming the field.

    Empty optional fields give ``None`` (``[]`` for multiple choice)."""
    if _is_empty(value):
        if spec.required:
            raise ValidationError(_required_message(spec), "required")
        return [] if spec.field_type == FieldType.MULTI_CHOICE else None
    field_type = spec.field_type
    if field_type in TEXT_TYPES:
        text = _text_value(spec, value)
        if spec.pattern and not _matches(spec.pattern, text):
            raise ValidationError(
                spec.pattern_message
                or _("“%(label)s” is not in the expected format.") % {"label": spec.label},
                "pattern",
            )
        return text
    if field_type == FieldType.NUMBER:
        return _number_value(spec, value)
    if field_type == FieldType.DATE:
        return _date_value(spec, value)
    if field_type == FieldType.CHOICE:
        return _choice_value(spec, value)
    if field_type == FieldType.MULTI_CHOICE:
        return _multi_choice_value(spec, value)
    if field_type == FieldType.ID_NUMBER:
        return validate_resident_id(value, label=spec.label, today=today)
    if field_type == FieldType.CREDIT_CODE:
        return validate_credit_code(value, label=spec.label)
    if field_type == FieldType.MOBILE:
        return validate_mobile(value, label=spec.label)
    if field_type == FieldType.FILE:
        return _file_value(spec, value)
    # A schema is checked before it is saved; an unknown type can only come from a
    # row written around the service. Refuse the value rather than accept it unchecked.
    raise ValidationError(
        _("“%(label)s” cannot be filled in.") % {"label": spec.label}, "unknown_type"
    )


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


# --- the API ----------------------------------------------------------------------


def _shown_key(key) -> str:
    key = str(key)
    return key if len(key) <= 40 else key[:40] + "…"


def validate_submission(
    fields,
    data: Mapping[str, Any] | None,
    files: Mapping[str, Any] | None = None,
    *,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Check a submission (from the API or a page) against the schema on the server.

    ``data`` maps keys to values as JSON gives them (strings, numbers, lists); a
    ``QueryDict`` also works. ``files`` maps file fields' keys to uploads. Returns
    one entry per schema field, in order:

    - text types: the stripped text; choice: the option; multiple choice: the chosen
      options in the schema's order; number: a decimal string (``"12.5"``); date: an
      ISO date string; ID number, credit code, mobile: normalised (upper case, no
      spaces); empty optional fields: ``None`` (``[]`` for multiple choice);
    - file fields: the checked upload (rewound, not stored) or ``None``: the caller
      stores it (``files.store_upload``) when it creates the case and keeps the stored
      file's reference instead. Everything else is JSON-serialisable.

    Raises ``ValidationFailed`` with ``fields={key: [messages]}`` (unknown keys in
    ``data`` or ``files`` are refused under their own name) and the first message.
    ``at`` (default now) bounds birth dates in ID numbers.
    """
    today = None
    if at is not None:
        from tongban.core.clock import local_date

        today = local_date(at)
    if data is None:
        data = {}
    if files is None:
        files = {}
    if not isinstance(data, Mapping) or not isinstance(files, Mapping):
        message = _("The form data must be an object mapping field keys to values.")
        raise ValidationFailed(message, fields={"__all__": [message]})

    specs = _read_schema(fields)
    by_key = {spec.key: spec for spec in specs}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for spec in specs:
        try:
            if spec.field_type == FieldType.FILE:
                if not _is_empty(data.get(spec.key)):
                    raise ValidationError(
                        _("“%(label)s” is a file: send it as a multipart upload, not a value.")
                        % {"label": spec.label},
                        "invalid",
                    )
                if hasattr(files, "getlist") and len(files.getlist(spec.key)) > 1:
                    raise ValidationError(
                        _("“%(label)s” takes one file only.") % {"label": spec.label}, "invalid"
                    )
                value = files.get(spec.key)
            elif spec.field_type == FieldType.MULTI_CHOICE and hasattr(data, "getlist"):
                value = data.getlist(spec.key)
            else:
                value = data.get(spec.key)
            cleaned[spec.key] = _clean_value(spec, value, today=today)
        except ValidationError as exc:
            errors[spec.key] = list(exc.messages)

    unknown = [k for k in data if k not in by_key]
    unknown += [k for k in files if by_key.get(k) is None or by_key[k].field_type != FieldType.FILE]
    for key in unknown[:20]:
        shown = _shown_key(key)
        spec = by_key.get(key)
        if spec is not None:  # an upload for a field that is not a file field
            message = _("“%(label)s” is not a file field.") % {"label": spec.label}
        else:
            message = _("The form has no field “%(key)s”.") % {"key": shown}
        errors.setdefault(shown, []).append(message)

    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, fields=errors)
    return cleaned


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def json_schema(fields) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of the form's JSON body, for API clients.

    Every property carries ``x-field-type`` (our type). File fields are listed with
    ``contentMediaType`` and ``x-accept`` but are not part of the JSON body: they are
    uploaded as multipart parts named by their key, so they are never in
    ``required``; ``x-required`` on the property says whether one must be sent.
    ``x-field-order`` gives the order to show the fields in. Custom patterns are
    matched against the whole value (they are anchored here as on the server)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for spec in _read_schema(fields):
        prop: dict[str, Any] = {"title": spec.label}
        if spec.help_text:
            prop["description"] = spec.help_text
        field_type = spec.field_type
        if field_type in TEXT_TYPES:
            prop |= {"type": "string", "maxLength": spec.text_limit}
            if spec.required:
                prop["minLength"] = 1
            if spec.pattern:
                prop["pattern"] = f"^(?:{spec.pattern})$"
        elif field_type == FieldType.NUMBER:
            prop["type"] = "number"
            if spec.min_value is not None:
                prop["minimum"] = _json_number(spec.min_value)
            if spec.max_value is not None:
                prop["maximum"] = _json_number(spec.max_value)
        elif field_type == FieldType.DATE:
            prop |= {"type": "string", "format": "date"}
        elif field_type == FieldType.CHOICE:
            prop |= {"type": "string", "enum": list(spec.choices)}
        elif field_type == FieldType.MULTI_CHOICE:
            prop |= {
                "type": "array",
                "items": {"type": "string", "enum": list(spec.choices)},
                "uniqueItems": True,
            }
            if spec.required:
                prop["minItems"] = 1
        elif field_type == FieldType.ID_NUMBER:
            prop |= {"type": "string", "pattern": ID_NUMBER_PATTERN}
        elif field_type == FieldType.CREDIT_CODE:
            prop |= {"type": "string", "pattern": CREDIT_CODE_PATTERN}
        elif field_type == FieldType.MOBILE:
            prop |= {"type": "string", "pattern": MOBILE_PATTERN}
        elif field_type == FieldType.FILE:
            prop |= {
                "type": "string",
                "contentMediaType": "application/octet-stream",
                "x-accept": sorted(
                    core_files.KINDS[code].content_type for code in core_files.MATERIALS
                ),
                "x-required": spec.required,
                "$comment": "Upload as a multipart/form-data part with this name.",
            }
        else:
            prop["type"] = "string"
        prop["x-field-type"] = field_type
        properties[spec.key] = prop
        if spec.required and field_type != FieldType.FILE:
            required.append(spec.key)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        "x-field-order": list(properties),
    }


def upload_keys(fields) -> list[str]:
    """The keys of the schema's file fields (the multipart parts a submission has)."""
    return [spec.key for spec in _read_schema(fields) if spec.field_type == FieldType.FILE]


__all__ = [
    "SchemaForm",
    "build_form_class",
    "json_schema",
    "schema_errors",
    "upload_keys",
    "validate_submission",
]
