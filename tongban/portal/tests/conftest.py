from __future__ import annotations

import pytest

from .catalogue import Catalogue, build_catalogue


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture(autouse=True)
def uncached_home(settings):
    """Tests change data between requests; the home page's one-minute cache would hide
    it. The cache itself has its own test."""
    settings.TONGBAN_PORTAL_HOME_CACHE_SECONDS = 0


@pytest.fixture
def catalogue(personas) -> Catalogue:
    return build_catalogue(personas)
