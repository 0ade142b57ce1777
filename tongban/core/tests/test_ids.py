"""Ids typed into forms and addresses: what counts as one."""

import pytest

from tongban.core.ids import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (7, 7), (str(MAX_ID), MAX_ID), ("0012", 12)],
)
def test_plain_digits_within_a_database_key_are_ids(raw, expected):
    assert parse_id(raw) == expected


@pytest.mark.parametrize("raw", ["", "²", "١٢", "-1", "1.5", " 12", "12a", str(MAX_ID + 1)])
def test_anything_else_is_no_id(raw):
    assert parse_id(raw) is None
