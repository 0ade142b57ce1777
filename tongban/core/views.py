from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def home(request):
    """The landing page: links to the office, system management and the portal."""
    return render(request, "core/home.html")


@login_required
def office(request):
    """The office (staff side): the workbench (工作台) of business staff, and links to
    what the user may use."""
    from tongban.cases.access import intake_scope
    from tongban.cases.views import workbench_context
    from tongban.catalog.access import catalogue_scope

    return render(
        request,
        "core/office.html",
        {
            "is_admin": bool(request.user.admin_role),
            "manages_items": not catalogue_scope(request.user).nothing,
            "takes_in": not intake_scope(request.user).nothing,
            **workbench_context(request.user),
        },
    )
