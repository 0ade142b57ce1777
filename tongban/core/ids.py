"""Ids typed into addresses and forms: only plain ASCII digits within the range of a
database key. ``"²".isdigit()`` is true but ``int("²")`` fails, and a number past
2**63 overflows SQLite's integers; both must be refused as "no such id", not fail."""

from __future__ import annotations

MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """The id ``value`` stands for, or None."""
    text = str(value)
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
