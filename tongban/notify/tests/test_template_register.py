"""Every SMS template the code writes is registered, so a real gateway (which
accepts only registered templates) never refuses one of our own notifications."""

from __future__ import annotations

import re
from pathlib import Path

import tongban

from .support import registered_templates

WRITES = re.compile(r"""(?:template=|TEMPLATE = )"([a-z_]+\.[a-z_]+|[a-z_]+)\"""")


def _codes_written_by_the_code() -> set[str]:
    root = Path(tongban.__file__).parent
    codes: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        codes.update(WRITES.findall(path.read_text(encoding="utf-8")))
    return codes


def test_every_template_the_code_writes_is_registered_by_the_migrations():
    written = _codes_written_by_the_code() - {"notify.failed"}  # an internal alert, never SMS
    assert "citizen_verification" in written and "case.step_assigned" in written
    assert written - set(registered_templates()) == set()
