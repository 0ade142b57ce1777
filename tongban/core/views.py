from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def home(request):
    """The landing page: links to the office, system management and the portal."""
    return render(request, "core/home.html")


@login_required
def office(request):
    """The office (staff side): links to what the user may use. The workbench arrives
    with the case engine."""
    from tongban.catalog.access import catalogue_scope

    return render(
        request,
        "core/office.html",
        {
            "is_admin": bool(request.user.admin_role),
            "manages_items": not catalogue_scope(request.user).nothing,
        },
    )
