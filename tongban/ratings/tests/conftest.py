from __future__ import annotations

import pytest
from django.core.cache import cache

from tongban.cases.testing import make_items


@pytest.fixture
def items(personas):
    return make_items(personas)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The per-IP limit and the cached figures live in the cache: start clean."""
    cache.clear()
    yield
    cache.clear()
