"""Per-request context that services may read without seeing the request: the
client IP for the audit log. Set by ``RequestContextMiddleware``."""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings

_ip: ContextVar[str | None] = ContextVar("tongban_client_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


def set_ip(ip: str | None):
    return _ip.set(ip)


def reset_ip(token) -> None:
    _ip.reset(token)


def client_ip(request) -> str | None:
    """The client address; X-Forwarded-For only counts behind configured proxies."""
    proxies = settings.TONGBAN_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
