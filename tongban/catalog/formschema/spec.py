"""The schema's limits, types and patterns, and reading a schema (``FormField`` rows
or ``FieldSpec`` objects) into ``_Spec`` values. Imports none of its siblings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..models import FieldType
from ..validators import CREDIT_ALPHABET

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
