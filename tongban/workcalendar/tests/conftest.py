"""Fixtures of the calendar tests.

The test database is built by the migrations, so it holds the official calendar
(2004–2026) seeded by ``0002_seed_official_calendar``.
"""

from __future__ import annotations

import pytest

from tongban.workcalendar.calendar import get_calendar, invalidate_calendar


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # A test's changes are rolled back behind the cache's back: never let one test's
    # cached calendar serve the next.
    invalidate_calendar()
    yield
    invalidate_calendar()


@pytest.fixture
def calendar(db):
    return get_calendar()


def log_in_verified(client, user):
    """Log ``user`` in with the second factor done (administrators need one)."""
    from tongban.accounts import security

    client.force_login(user)
    session = client.session
    session[security.SESSION_VERIFIED] = True
    session.save()
    return client
