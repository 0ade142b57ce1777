"""Cross-cutting middleware: request context for the audit log, and the CSP header."""

from __future__ import annotations

import secrets

from .request_context import client_ip, reset_ip, set_ip


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_ip = client_ip(request)
        token = set_ip(request.client_ip)
        try:
            return self.get_response(request)
        finally:
            reset_ip(token)


class ContentSecurityPolicyMiddleware:
    """A strict CSP: scripts only from us or carrying this response's nonce."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = (
                "default-src 'self'; "
                f"script-src 'self' 'nonce-{request.csp_nonce}'; "
                "style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                "form-action 'self'"
            )
        return response
