"""The error pages of the whole site: 400, 403, 404, 500 and the CSRF failure, each in
the layout of the part of the site the address belongs to (the portal's for
``/portal/…``, the office's for everything else), in the visitor's language, saying
what happened and offering the way back. The API answers its own JSON errors before
any of these is reached (``tongban.api``).

The 500 page is rendered from a self-contained template with a context built here:
no database, no session, no context processor, since any of them may be what failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

PORTAL_PREFIX = "/portal/"


@dataclass(frozen=True)
class Link:
    url: str
    label: str


def _is_portal(request) -> bool:
    return request.path_info.startswith(PORTAL_PREFIX)


def _language(request) -> str:
    # The same choice as LocaleMiddleware, which has not run yet when a middleware in
    # front of it refuses the request (a NUL in the address).
    return translation.get_language_from_request(request)


def _staff(request):
    """The logged-in staff member, or None (also when the session never loaded)."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _form_again(request) -> Link | None:
    """The page the refused form came from, when the browser said so and it is ours."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return Link(referer, _("Open the form again"))
    return None


def _ways_back(request, *, login_next: str | None = None) -> list[Link]:
    """Where to go from here: the portal home for citizens; the workbench for staff;
    the login for anyone else in the office."""
    if _is_portal(request):
        return [Link(reverse("portal:home"), _("Go to the portal home page"))]
    if _staff(request) is not None:
        return [Link(reverse("site:office"), _("Back to the workbench"))]
    login = reverse("accounts:login")
    if login_next:
        login += "?" + urlencode({"next": login_next})
    return [Link(login, _("Log in")), Link(reverse("site:home"), _("Go to the home page"))]


def _page(request, status: int, title: str, explanation: str, links, detail: str = ""):
    layout = "portal/base_portal.html" if _is_portal(request) else "base.html"
    context = {
        "layout": layout,
        "status": status,
        "title": title,
        "explanation": explanation,
        "detail": detail,
        "links": [link for link in links if link is not None],
    }
    return render(request, "site/error.html", context, status=status)


def bad_request(request, exception=None):
    with translation.override(_language(request)):
        # Our own refusals (``BadRequest``) say which part of the request was wrong;
        # Django's (a bad host header, too many fields) are not repeated to visitors.
        detail = str(exception) if type(exception) is BadRequest else ""
        return _page(
            request,
            400,
            _("The request could not be understood"),
            _(
                "The address or the form that was sent contains something this site "
                "cannot accept. Check it and try again."
            ),
            _ways_back(request),
            detail,
        )


def permission_denied(request, exception=None):
    with translation.override(_language(request)):
        if _is_portal(request):
            explanation = _("This page is not open to you.")
        elif _staff(request) is None:
            explanation = _("Log in to see this page.")
        else:
            explanation = _(
                "Your account does not give you access to this part of the office. If "
                "your work needs it, ask the security administrator to grant it."
            )
        # A refusal raised with a message of our own says why (for example, that only
        # the handlers of a case see the applicant's data).
        detail = str(exception) if exception is not None and exception.args else ""
        next_url = request.get_full_path() if request.method == "GET" else None
        return _page(
            request,
            403,
            _("You may not open this page"),
            explanation,
            _ways_back(request, login_next=next_url),
            detail,
        )


def page_not_found(request, exception=None):
    with translation.override(_language(request)):
        return _page(
            request,
            404,
            _("Page not found"),
            _(
                "There is no page at this address, or it is no longer available. Check "
                "the address, or start again from the page below."
            ),
            _ways_back(request),
        )


def csrf_failure(request, reason=""):
    """The CSRF check refused a form: most often it was open too long, or the browser
    does not keep this site's cookies. Never Django's page that speaks of DEBUG."""
    with translation.override(_language(request)):
        return _page(
            request,
            403,
            _("The form could not be accepted"),
            _(
                "For your security, forms are only accepted from a page of this site "
                "opened recently in this browser, with cookies allowed. Open the form "
                "again and send it once more."
            ),
            [_form_again(request), *_ways_back(request)],
        )


def server_error(request):
    with translation.override(_language(request)):
        portal = _is_portal(request)
        if portal:
            links = [Link(reverse("portal:home"), _("Go to the portal home page"))]
        else:
            # Whether anyone is logged in would need the session: the workbench
            # sends visitors who are not to the login by itself.
            links = [Link(reverse("site:office"), _("Back to the workbench"))]
        context = {
            "LANGUAGE_CODE": translation.get_language(),
            "site_name": (
                settings.CITY_NAME + _("Government Services")
                if portal
                else f"{settings.CITY_NAME} · {_('Tongban')}"
            ),
            "portal": portal,
            "links": links,
        }
        body = loader.get_template("site/500.html").render(context)
    return HttpResponse(body, status=500)
