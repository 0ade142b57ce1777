"""Project-wide pytest fixtures: the personas of house-style.md."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TONGBAN_TESTING", "1")


@pytest.fixture
def personas(db):
    from tongban.core.testing import make_personas

    return make_personas()


@pytest.fixture
def org(db):
    from tongban.core.testing import ensure_builtin_roles, make_org

    ensure_builtin_roles()
    return make_org()
