"""``request.citizen``: the logged-in citizen of the portal, or None."""

from __future__ import annotations

from tongban.core import clock

from . import sessions


class CitizenMiddleware:
    """Sets ``request.citizen`` after ``AuthenticationMiddleware``. A request without
    a citizen in its session costs no query (an anonymous visitor has no session to
    load). An expired session (idle, absolute, password changed, account disabled)
    loses its citizen keys here, with a ``citizen.logout`` record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.citizen = None
        if sessions.SESSION_CITIZEN_ID in request.session:
            now = clock.now()
            citizen, ended = sessions.session_citizen(request, at=now)
            request.citizen = citizen
            if ended:
                sessions.end_session(request, at=now, reason=f"session ended ({ended})")
        return self.get_response(request)
