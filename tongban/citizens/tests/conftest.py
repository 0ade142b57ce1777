from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    # The progress query's rate limit lives in the cache (locmem in tests).
    cache.clear()
    yield
    cache.clear()
