from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def home(request):
    """The landing page: links to the office, system management and the portal."""
    return render(request, "core/home.html")


@login_required
def office(request):
    """The office (staff side). The workbench arrives with the case engine."""
    return render(request, "core/office.html")


def portal(request):
    """The public portal (placeholder until the portal capability lands)."""
    return render(request, "core/portal.html")
