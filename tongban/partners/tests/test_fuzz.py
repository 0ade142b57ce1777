"""Fuzzing the partner API with correctly signed requests carrying arbitrary input
(security.md, "API fuzzing … zero 5xx; every invalid input refused naming the
field"): whatever a partner sends, the answer is never a server error, and every
refusal has the one error shape."""

from __future__ import annotations

import urllib.parse

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.partners.models import Partner

from .support import error

pytestmark = pytest.mark.django_db

# Any text, control characters and lone surrogates' neighbours included.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def unlimited(partner):
    Partner.objects.filter(pk=partner.pk).update(rate_limit_per_minute=1_000_000)


def _checked(response) -> None:
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        error(response)  # the one shape {"code", "message", "fields"}


@FUZZ
@given(
    path=st.sampled_from(["/catalog/items", "/progress", "/questions"]),
    params=st.dictionaries(
        st.sampled_from(["q", "number", "verifier", "page", "size", "department", "theme"]),
        TEXT,
        max_size=4,
    ),
)
def test_queries_never_fail_on_the_server(wireless, unlimited, path, params):
    cache.clear()
    _checked(wireless.get(path, urllib.parse.urlencode(params)))


@FUZZ
@given(segment=TEXT.filter(lambda s: s and "/" not in s and "?" not in s and "#" not in s))
def test_path_parameters_never_fail_on_the_server(wireless, unlimited, segment):
    quoted = urllib.parse.quote(segment, safe="")
    _checked(wireless.get(f"/catalog/items/{quoted}"))
    _checked(wireless.get(f"/questions/{quoted}"))


@FUZZ
@given(
    path=st.sampled_from(["/questions", "/applications"]),
    payload=st.dictionaries(
        st.sampled_from(
            [
                "title",
                "content",
                "contact_name",
                "contact_mobile",
                "allow_public",
                "item",
                "department",
                "applicant",
                "form_data",
                "materials",
            ]
        ),
        JSON_VALUE,
        max_size=6,
    ),
    key=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=70),
)
def test_writes_never_fail_on_the_server(wireless, unlimited, path, payload, key):
    _checked(wireless.post(path, payload, idempotency_key=key))


@FUZZ
@given(body=st.binary(max_size=200))
def test_a_body_that_is_not_json_is_refused_cleanly(wireless, unlimited, body):
    _checked(wireless.post("/questions", None, body=body, idempotency_key="fuzz-raw-body"))
