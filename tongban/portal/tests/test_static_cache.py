"""Static assets in production: collected with content hashes in their names, linked
by those names from the pages, and served by WhiteNoise compressed and cacheable for
ten years (immutable); the unhashed names only briefly (a re-deploy must be seen)."""

from __future__ import annotations

import gzip

import pytest
from django.conf import settings
from django.core.management import call_command
from django.http import HttpResponseNotFound
from django.templatetags.static import static
from django.test import RequestFactory, override_settings
from django.urls import reverse
from whitenoise.compress import Compressor
from whitenoise.middleware import WhiteNoiseMiddleware

TEN_YEARS = 10 * 365 * 24 * 3600
SKIP_COMPRESS = Compressor.SKIP_COMPRESS_EXTENSIONS


@pytest.fixture(scope="module")
def production_static(tmp_path_factory):
    """``collectstatic`` as in production, once for the module (compressing takes a
    while)."""
    node_modules = settings.NODE_MODULES
    with override_settings(
        STATIC_ROOT=tmp_path_factory.mktemp("static"),
        # Only what the portal's pages link; the charts and editors would only make
        # collecting slower.
        STATICFILES_DIRS=[
            ("vendor/bootstrap", node_modules / "bootstrap" / "dist"),
            ("vendor/bootstrap-icons", node_modules / "bootstrap-icons" / "font"),
        ],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
        # Source maps are never sent to browsers; compressing them is most of the time.
        WHITENOISE_SKIP_COMPRESS_EXTENSIONS=[*SKIP_COMPRESS, "map"],
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield WhiteNoiseMiddleware(get_response=lambda request: HttpResponseNotFound())


def fetch(middleware, url: str, **headers):
    return middleware(RequestFactory().get(url, **headers))


def test_it_serves_hashed_assets_for_ten_years_and_compressed(production_static):
    url = static("portal/portal.css")
    assert url != "/static/portal/portal.css" and url.endswith(".css")

    response = fetch(production_static, url, HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Cache-Control"] == f"max-age={TEN_YEARS}, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    body = gzip.decompress(b"".join(response.streaming_content))
    assert b".tb-portal" in body


def test_it_serves_unhashed_names_only_briefly(production_static):
    response = fetch(production_static, "/static/portal/portal.css")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"


def test_the_portal_links_its_assets_by_their_hashed_names(production_static, client, db):
    page = client.get(reverse("portal:home")).content.decode()

    for name in ("vendor/bootstrap/css/bootstrap.min.css", "portal/portal.css", "portal/portal.js"):
        hashed = static(name)
        assert hashed != f"/static/{name}"
        assert f'"{hashed}"' in page
        assert fetch(production_static, hashed).status_code == 200
