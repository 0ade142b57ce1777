"""Session lifetime and second-factor enforcement (security.md, identity and sessions).

Both run after ``AuthenticationMiddleware``. Django itself already drops a session
whose user was disabled or whose password changed (the session auth hash).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage import default_storage
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.core import clock

from . import security


def _redirect(request, url: str, *, with_next: bool = True) -> HttpResponse:
    if with_next and request.method in ("GET", "HEAD"):
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        # An htmx request would swap the login page into a fragment: redirect the page.
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _is_static(path: str) -> bool:
    return bool(settings.STATIC_URL) and path.startswith(settings.STATIC_URL)


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after login (absolute) or after 30 minutes without a
    request (idle; also enforced by the session's expiry in the database), and keeps a
    user who must change their password (new account, reset, maximum age) on the
    password-change page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        now = clock.now()
        expired = security.session_expiry(request.session, at=now)
        if expired:
            security.log_out(request, at=now, reason=f"session expired ({expired})")
            return self._expired(request)
        if security.must_change_password(user, at=now) and not self._may_pass(request.path):
            return _redirect(request, reverse("accounts:password_change"))
        return self.get_response(request)

    def _expired(self, request) -> HttpResponse:
        response = _redirect(request, reverse("accounts:login"))
        # MessageMiddleware runs after this one: store the message ourselves (in the
        # cookie, as the session has just been flushed).
        storage = default_storage(request)
        storage.add(messages.INFO, _("Your session has expired. Please log in again."))
        storage.update(response)
        return response

    @staticmethod
    def _may_pass(path: str) -> bool:
        return _is_static(path) or path in {
            reverse("accounts:password_change"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
            reverse("accounts:second_factor"),
            reverse("set_language"),
        }


class SecondFactorMiddleware:
    """Until the second factor is verified, a user who needs one (the three
    administrators and supervisors) reaches only the second-factor page, logout and
    static files. Fails closed: a session without the verified flag is unverified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(security.SESSION_VERIFIED)
            and user.needs_second_factor
            and not self._may_pass(request.path)
        ):
            return _redirect(request, reverse("accounts:second_factor"))
        return self.get_response(request)

    @staticmethod
    def _may_pass(path: str) -> bool:
        return _is_static(path) or path in {
            reverse("accounts:second_factor"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
            reverse("set_language"),
        }
