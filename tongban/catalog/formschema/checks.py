"""Checking a schema before it is saved (``schema_errors``): keys, labels, types,
options, limits and patterns (refusing patterns that could backtrack for minutes).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from ..models import FieldType
from .spec import (
    CHOICE_TYPES,
    KEY_PATTERN,
    MAX_FIELDS,
    MAX_HELP_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_LENGTH_LIMIT,
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    MAX_PATTERN_LENGTH,
    SCHEMA_NUMBER_LIMIT,
    SCHEMA_NUMBER_PLACES,
    TEXT_TYPES,
    _choice_list,
    _decimal_or_none,
)

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
