"""A partner's HTTP client for the tests: real signed headers on Django's test
client, with knobs to sign something other than what is sent (tampering)."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

from tongban.partners.signing import sign_request

BASE = "/api/v1/partner"


@dataclass
class PartnerClient:
    client: object
    key_id: str
    secret: str

    def request(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        body: bytes = b"",
        headers: dict | None = None,
        timestamp: int | None = None,
        nonce: str | None = None,
        key_id: str | None = None,
        secret: str | None = None,
        signed_path: str | None = None,
        signed_query: str | None = None,
        signed_body: bytes | None = None,
    ):
        """Send ``method path?query`` with ``body``; the signature covers the
        ``signed_*`` values where given (a tampered request), else what is sent."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        nonce = nonce or secrets.token_hex(16)
        signature_headers = sign_request(
            method,
            signed_path if signed_path is not None else path,
            signed_query if signed_query is not None else query,
            signed_body if signed_body is not None else body,
            key_id or self.key_id,
            secret or self.secret,
            timestamp,
            nonce,
        )
        if key_id:
            signature_headers["X-Tongban-Key"] = key_id
        url = path + (f"?{query}" if query else "")
        return self.client.generic(
            method,
            url,
            data=body,
            content_type="application/json",
            headers={**signature_headers, **(headers or {})},
        )

    def get(self, path: str, query: str = "", **kwargs):
        return self.request("GET", BASE + path, query=query, **kwargs)

    def post(self, path: str, payload, *, idempotency_key: str | None = None, **kwargs):
        headers = dict(kwargs.pop("headers", {}) or {})
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        body = kwargs.pop("body", None)
        if body is None:
            body = json.dumps(payload, ensure_ascii=False).encode()
        return self.request("POST", BASE + path, body=body, headers=headers, **kwargs)


def error(response) -> str:
    """The error code, after checking the one error shape."""
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert body["message"]
    return body["code"]
