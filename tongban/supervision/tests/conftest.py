from __future__ import annotations

import pytest

from tongban.cases.testing import make_items


@pytest.fixture
def items(personas):
    return make_items(personas)
