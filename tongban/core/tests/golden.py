"""Golden files for characterisation tests: today's observable behaviour written down
as JSON next to the test, so that a refactoring can prove it changed nothing.

``assert_matches_golden(path, data)`` compares ``data`` (anything JSON can hold once
dates are written as ISO strings) with the file. With ``TONGBAN_REGENERATE_GOLDEN=1``
in the environment it rewrites the file instead and fails, so that a regeneration is
never mistaken for a pass: review ``git diff`` of the golden file, then run again
without the variable.

REGENERATE ONLY AFTER AN INTENDED CHANGE OF BEHAVIOUR. A golden file that disagrees
after a refactoring is the refactoring's bug until proven otherwise.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest

REGENERATE = "TONGBAN_REGENERATE_GOLDEN"
DIFF_LINES = 120


def _default(value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def as_json(data: Any) -> Any:
    """``data`` as JSON reads it back (tuples become lists, dates ISO strings)."""
    return json.loads(json.dumps(data, default=_default, ensure_ascii=False))


def _text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def regenerating() -> bool:
    return os.environ.get(REGENERATE) == "1"


def assert_matches_golden(path: Path, data: Any) -> None:
    actual = as_json(data)
    if regenerating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_text(actual), encoding="utf-8")
        pytest.fail(
            f"{path.name} rewritten ({REGENERATE}=1): review `git diff {path.name}`, "
            "then run again without the variable.",
            pytrace=False,
        )
    if not path.exists():
        pytest.fail(f"{path} is missing: run once with {REGENERATE}=1 to write it.")
    expected = json.loads(path.read_text(encoding="utf-8"))
    if actual != expected:
        diff = list(
            difflib.unified_diff(
                _text(expected).splitlines(),
                _text(actual).splitlines(),
                f"{path.name} (golden)",
                "now",
                lineterm="",
                n=2,
            )
        )
        shown = "\n".join(diff[:DIFF_LINES])
        more = f"\n… {len(diff) - DIFF_LINES} more diff lines" if len(diff) > DIFF_LINES else ""
        pytest.fail(f"Behaviour differs from {path.name}:\n{shown}{more}", pytrace=False)
