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

The package: ``spec`` (limits, types, reading a schema), ``checks``
(``schema_errors``), ``values`` (``_clean_value``), ``form`` (``build_form_class``,
``SchemaForm``), ``submission`` (``validate_submission``, ``json_schema``,
``upload_keys``).
"""

from .checks import schema_errors
from .form import SchemaForm, build_form_class
from .spec import (
    CHOICE_TYPES,
    CREDIT_CODE_PATTERN,
    DEFAULT_MAX_LENGTH,
    ID_NUMBER_PATTERN,
    KEY_PATTERN,
    MAX_FIELDS,
    MAX_HELP_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_LENGTH_LIMIT,
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    MAX_PATTERN_LENGTH,
    MOBILE_PATTERN,
    NUMBER_DECIMAL_PLACES,
    NUMBER_LIMIT,
    PURPOSES,
    SCHEMA_NUMBER_LIMIT,
    SCHEMA_NUMBER_PLACES,
    TEXT_TYPES,
    UPLOAD_LIMIT_MB,
)
from .submission import json_schema, upload_keys, validate_submission

__all__ = [
    "CHOICE_TYPES",
    "CREDIT_CODE_PATTERN",
    "DEFAULT_MAX_LENGTH",
    "ID_NUMBER_PATTERN",
    "KEY_PATTERN",
    "MAX_FIELDS",
    "MAX_HELP_LENGTH",
    "MAX_LABEL_LENGTH",
    "MAX_LENGTH_LIMIT",
    "MAX_OPTIONS",
    "MAX_OPTION_LENGTH",
    "MAX_PATTERN_LENGTH",
    "MOBILE_PATTERN",
    "NUMBER_DECIMAL_PLACES",
    "NUMBER_LIMIT",
    "PURPOSES",
    "SCHEMA_NUMBER_LIMIT",
    "SCHEMA_NUMBER_PLACES",
    "TEXT_TYPES",
    "UPLOAD_LIMIT_MB",
    "SchemaForm",
    "build_form_class",
    "json_schema",
    "schema_errors",
    "upload_keys",
    "validate_submission",
]
