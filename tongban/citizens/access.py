"""Who may see what on the citizen side: a citizen sees only the cases linked to
their account (``Case.citizen``); anything else is the same 404 as a missing case."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.cache import never_cache

from tongban.cases.models import Case

from .models import Citizen


def citizen_required(view):
    """Redirect an anonymous visitor to the citizen login, coming back afterwards.
    The pages behind it show personal data: never cached by a browser or a proxy."""

    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "citizen", None) is None:
            url = reverse("citizens:login")
            if request.method in ("GET", "HEAD"):
                url = f"{url}?{urlencode({'next': request.get_full_path()})}"
            if request.headers.get("HX-Request"):
                response = HttpResponse()
                response["HX-Redirect"] = url
                return response
            return HttpResponseRedirect(url)
        return view(request, *args, **kwargs)

    return wrapper


def cases_of(citizen: Citizen | None):
    """The cases a citizen may see: their own."""
    if citizen is None:
        return Case.objects.none()
    return Case.objects.filter(citizen=citizen)


def get_case_for_citizen(citizen: Citizen | None, number: str) -> Case:
    """The citizen's own case by number; someone else's, or none, is a 404."""
    case = cases_of(citizen).select_related("item", "department").filter(number=number).first()
    if case is None:
        raise Http404("No such case.")
    return case
