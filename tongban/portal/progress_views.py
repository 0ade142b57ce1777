"""The progress query page (办件查询). A POST form (the verifier stays out of URLs,
logs and browser history); a GET may carry ``?number=`` to fill the number in, e.g.
from the link on a notice. Not found and a wrong verifier render the same page with
the same words; queries are limited per client IP (429 with a page in Chinese)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from tongban.cases.models import Case
from tongban.core import clock
from tongban.core.request_context import client_ip

from . import progress
from .forms_progress import ProgressForm

# The page writes the inputs out itself (see progress.html); their limits stay ProgressForm's.
_MAXLENGTHS = {
    "number_maxlength": ProgressForm.base_fields["number"].max_length,
    "verifier_maxlength": ProgressForm.base_fields["verifier"].max_length,
}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def query(request):
    result = None
    not_found = False
    errors = {}
    if request.method == "POST":
        form = ProgressForm(request.POST)
        if form.is_valid():
            now = clock.now()
            ip = getattr(request, "client_ip", None) or client_ip(request)
            if not progress.allow_query(
                ip,
                at=now,
                limit=settings.TONGBAN_PROGRESS_RATE_LIMIT,
                window=settings.TONGBAN_PROGRESS_RATE_WINDOW,
            ):
                response = render(
                    request,
                    "portal/progress_limited.html",
                    {"window": settings.TONGBAN_PROGRESS_RATE_WINDOW},
                    status=429,
                )
                response["Retry-After"] = str(settings.TONGBAN_PROGRESS_RATE_WINDOW)
                return response
            number = form.cleaned_data["number"]
            result = progress.lookup(number, form.cleaned_data["verifier"], at=now)
            not_found = result is None
        else:
            errors = form.errors
            number = form.data.get("number", "")
        # The verifier is never shown back; the number is (to correct a typo).
    else:
        number = progress.normalise_number(request.GET.get("number", ""))
    return render(
        request,
        "portal/progress.html",
        {
            "number": number,
            "errors": errors,
            "result": result,
            "not_found": not_found,
            **_MAXLENGTHS,
        },
    )


@require_safe
def bench_case(request, pk: int):
    """The benchmark's baseline: one primary-key lookup rendered in the same portal
    page frame, by the same server and middleware, so that the comparison measures
    what the progress query adds (mounted only with ``TONGBAN_BENCH_VIEWS``)."""
    case = Case.objects.only("number", "status", "item_name").filter(pk=pk).first()
    if case is None:
        raise Http404
    return render(request, "portal/bench_case.html", {"case": case})
