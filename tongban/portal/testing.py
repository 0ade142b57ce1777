"""Helpers for tests of the citizen's pages: a citizen account and a logged-in
session with the same keys the login page writes."""

from __future__ import annotations

from django.utils import timezone

from tongban.accounts.testing import PASSWORD
from tongban.citizens import sessions
from tongban.citizens.models import Citizen

CITIZEN_PASSWORD = PASSWORD


def make_citizen(name: str = "张小三", mobile: str = "13912341234") -> Citizen:
    citizen = Citizen(name=name, created_at=timezone.now())
    citizen.set_mobile(mobile)
    citizen.set_password(CITIZEN_PASSWORD)
    citizen.save()
    return citizen


def login_citizen(client, citizen: Citizen):
    """Log ``citizen`` in on a Django test client."""
    session = client.session
    moment = timezone.now().timestamp()
    session[sessions.SESSION_CITIZEN_ID] = citizen.pk
    session[sessions.SESSION_CITIZEN_HASH] = sessions.session_hash(citizen)
    session[sessions.SESSION_CITIZEN_LOGIN_AT] = moment
    session[sessions.SESSION_CITIZEN_SEEN_AT] = moment
    session.save()
    return client
