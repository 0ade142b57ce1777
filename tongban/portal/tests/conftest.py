from __future__ import annotations

import pytest

from .catalogue import Catalogue, build_catalogue


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def catalogue(personas) -> Catalogue:
    return build_catalogue(personas)
