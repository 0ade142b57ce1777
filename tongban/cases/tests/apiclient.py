"""Calling the cases API in tests: a test client per user, by session or by token."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from tongban.accounts import tokens
from tongban.accounts.testing import log_in
from tongban.cases.models import Case

BASE = "/api/v1/cases"


def session_client(user) -> Client:
    """A client logged in as ``user`` (verified session)."""
    return log_in(Client(), user)


def token_client(user, **client_options) -> Client:
    """A client that sends a fresh bearer token of ``user`` with every request."""
    _token, secret = tokens.create_api_token(actor=None, user=user, name="tests", at=timezone.now())
    return Client(headers={"Authorization": f"Bearer {secret}"}, **client_options)


def get(client: Client, path: str = "", **params):
    return client.get(BASE + path, params)


def post(client: Client, path: str, body: dict[str, Any] | None = None, **headers):
    return client.post(BASE + path, body or {}, content_type="application/json", headers=headers)


def active_step_id(detail: dict) -> int:
    (step,) = [s for s in detail["steps"] if s["status"] == "active"]
    return step["id"]


def steps_named(case: Case) -> dict[str, int]:
    return {s.name: s.pk for s in case.steps.filter(status="active")}
