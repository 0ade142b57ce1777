"""Partner fixtures: the Wireless City partner with a key holding every scope, made
through the services."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tongban.core import clock
from tongban.partners import services
from tongban.partners.models import Scope

from .support import PartnerClient


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    # The rate-limit counters live in the cache, which outlives a test's rollback.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def partner(db):
    return services.create_partner(
        actor=None, code="wireless-city", name="无线城市", at=clock.now(), contact="运营中心"
    )


@pytest.fixture
def issued(partner):
    """(key, secret) with every scope."""
    return services.issue_key(actor=None, partner=partner, scopes=Scope.values, at=clock.now())


@pytest.fixture
def wireless(client, issued) -> PartnerClient:
    key, secret = issued
    return PartnerClient(client, key.key_id, secret)


@pytest.fixture
def catalogue(personas):
    from tongban.portal.tests.catalogue import build_catalogue

    return build_catalogue(personas)
