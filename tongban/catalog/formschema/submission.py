"""The API side of a schema: ``validate_submission`` checks a submission on the
server, ``json_schema`` describes the form to clients, ``upload_keys`` lists its
file parts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tongban.core import files as core_files
from tongban.core.errors import ValidationFailed

from ..models import FieldType
from .spec import CREDIT_CODE_PATTERN, ID_NUMBER_PATTERN, MOBILE_PATTERN, TEXT_TYPES, _read_schema
from .values import _clean_value, _is_empty

# --- the API ----------------------------------------------------------------------


def _shown_key(key) -> str:
    key = str(key)
    return key if len(key) <= 40 else key[:40] + "…"


def validate_submission(
    fields,
    data: Mapping[str, Any] | None,
    files: Mapping[str, Any] | None = None,
    *,
    at: dt.datetime,
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
    ``at`` bounds birth dates in ID numbers.
    """
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
