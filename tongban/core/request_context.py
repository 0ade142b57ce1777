"""Per-request context that services may read without seeing the request: the
client IP for the audit log. Set by ``RequestContextMiddleware``."""

from __future__ import annotations

from contextvars import ContextVar, Token

from django.conf import settings
from django.http import HttpRequest

_ip: ContextVar[str | None] = ContextVar("tongban_client_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


def set_ip(ip: str | None) -> Token[str | None]:
    return _ip.set(ip)


def reset_ip(token: Token[str | None]) -> None:
    _ip.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    """The client address; X-Forwarded-For only counts behind configured proxies."""
    proxies: int = settings.TONGBAN_TRUSTED_PROXY_COUNT
    if proxies:
        header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [p.strip() for p in header.split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    remote: str | None = request.META.get("REMOTE_ADDR")
    return remote
