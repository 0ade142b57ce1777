"""Every gated staff page (``accounts.access.module_required``) refuses a persona it
does not open for with the styled 403, whatever app it belongs to."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tongban.accounts.access import gate_of
from tongban.accounts.testing import log_in, make_user

from .pages import layout, visible_text

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"<(?:(\w+):)?\w+>")
SAMPLES = {"int": "1", "str": "X", "slug": "x", "uuid": str(uuid.UUID(int=1)), "path": "x"}


def gated_pages(patterns=None, prefix=""):
    """(address, gate) of every page whose view carries a gate."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from gated_pages(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and gate_of(entry.callback) is not None:
            address = PARAMETER.sub(lambda m: SAMPLES[m.group(1) or "str"], route)
            yield "/" + address, gate_of(entry.callback)


def test_the_walk_finds_the_gated_pages_of_every_app():
    prefixes = {address.split("/")[2] for address, _gate in gated_pages()}
    assert {"bulletin", "mail", "reports", "supervision", "catalog", "qa", "ratings"} <= prefixes
    assert "documents" in prefixes


def test_every_gated_page_refuses_with_the_styled_403(client, personas):
    nobody = make_user("nobody", department=personas.org.market)
    people = [nobody, *(getattr(personas, f) for f in vars(personas) if f != "org")]
    checked = 0
    for address, gate in gated_pages():
        refused = next((u for u in people if not gate.allows(u)), None)
        if refused is None:
            continue  # open to every logged-in member of staff
        log_in(client, refused)
        response = client.get(address)
        if response.status_code == 405:  # a form's target: ask it the way its form does
            response = client.post(address)
        assert response.status_code == 403, (address, refused.username, response.status_code)
        assert layout(response) == "office", address
        assert "无权访问此页面" in visible_text(response), address
        checked += 1
    assert checked > 40


def test_a_gated_page_sends_anonymous_visitors_to_the_login(client):
    for address, _gate in gated_pages():
        response = client.get(address)
        if response.status_code == 405:  # a form's target, whose method check is first
            response = client.post(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith("/accounts/login/"), address
