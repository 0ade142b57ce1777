"""Helpers for the login-security tests (accounts security: login, lockout, second
factor, sessions, passwords, dormant accounts)."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from django.urls import reverse
from django.utils import timezone

from tongban.accounts import security
from tongban.accounts.testing import PASSWORD


def post_login(client, username: str, password: str = PASSWORD, *, ip="10.0.0.1", next=""):
    data = {"username": username, "password": password}
    if next:
        data["next"] = next
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR=ip)


def post_code(client, code: str, *, ip="10.0.0.1", next=""):
    data = {"code": code}
    if next:
        data["next"] = next
    return client.post(reverse("accounts:second_factor"), data, REMOTE_ADDR=ip)


def code_for(secret: str, at: dt.datetime | None = None, *, steps_later: int = 0) -> str:
    at = (at or security.clock.now()) + dt.timedelta(seconds=30 * steps_later)
    return pyotp.TOTP(secret).at(at)


def error_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def enrolled(db):
    """Give a user a confirmed authenticator; returns its secret."""

    def enrol(user) -> str:
        secret = pyotp.random_base32()
        security.enrol_totp(user, secret=secret, confirm=True, at=timezone.now())
        return secret

    return enrol
