"""Cross-cutting middleware: request context for the audit log, the CSP header, and
the refusal of NUL characters in addresses and query parameters."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from .errors import NotFound
from .request_context import client_ip, reset_ip, set_ip

GetResponse = Callable[[HttpRequest], HttpResponse]


class RequestContextMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ip = client_ip(request)
        request.client_ip = ip  # type: ignore[attr-defined]  # our attribute, read by views
        token = set_ip(ip)
        try:
            return self.get_response(request)
        finally:
            reset_ip(token)


class ContentSecurityPolicyMiddleware:
    """A strict CSP: scripts only from us or carrying this response's nonce."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]  # our attribute, read by templates
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = (
                "default-src 'self'; "
                f"script-src 'self' 'nonce-{nonce}'; "
                "style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                "form-action 'self'"
            )
        return response


class RefuseNulMiddleware:
    """A NUL character in a query parameter can reach no legitimate use, and
    PostgreSQL refuses it in text: answer 400 naming the parameter instead of letting
    a search fail with a server error (security.md "zero 5xx")."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            # A NUL in a ``<str:…>`` segment (a case number, an item code) would reach
            # a query: no such page, the same 404 as any mistyped address.
            if request.path_info.startswith("/api/"):
                return JsonResponse(NotFound().as_dict(), status=404)
            raise Http404
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return nul_refused(request, name.replace("\x00", ""))
        return self.get_response(request)


def nul_refused(request: HttpRequest, field: str) -> HttpResponse:
    # In the visitor's language: this middleware runs before LocaleMiddleware.
    with translation.override(translation.get_language_from_request(request)):
        message = _("The parameter “%(name)s” contains a character that is not allowed.") % {
            "name": field
        }
    if request.path.startswith("/api/"):
        body = {"code": "validation_failed", "message": message, "fields": {field: [message]}}
        return JsonResponse(body, status=422)
    # The site's 400 page (settings' handler400) shows the message.
    raise BadRequest(message)
