"""Checking one submitted value against its field (``_clean_value``): the single
place both the HTML form and the API use, so they can never disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tongban.core import files as core_files
from tongban.core.errors import ValidationFailed

from ..models import FieldType
from ..validators import validate_credit_code, validate_mobile, validate_resident_id
from .spec import (
    CHOICE_TYPES,
    NUMBER_DECIMAL_PLACES,
    NUMBER_LIMIT,
    TEXT_TYPES,
    UPLOAD_LIMIT_MB,
    _Spec,
)

# NUL, other C0 controls (tab and line breaks are fine), DEL and lone surrogates: none
# can be stored in PostgreSQL text or jsonb, and none belongs in an application.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


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
