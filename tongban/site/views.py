from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone


def home(request):
    """The landing page: links to the office, system management and the portal."""
    return render(request, "site/home.html")


@login_required
def office(request):
    """The office (staff side): the workbench (工作台) of business staff, and links to
    what the user may use."""
    from tongban.accounts.roles import Module, RoleCode
    from tongban.accounts.selectors import user_modules
    from tongban.bulletin.selectors import workbench_announcements
    from tongban.cases.access import intake_scope
    from tongban.cases.views import workbench_context
    from tongban.catalog.access import catalogue_scope
    from tongban.mail.selectors import workbench_mail

    user = request.user

    return render(
        request,
        "site/office.html",
        {
            "is_admin": bool(request.user.admin_role),
            "is_security_admin": user.has_role(RoleCode.SECURITY_ADMIN),
            "manages_items": not catalogue_scope(request.user).nothing,
            "takes_in": not intake_scope(request.user).nothing,
            "announcements": workbench_announcements(user, timezone.now()),
            "mail": workbench_mail(user) if Module.MAIL in user_modules(user) else None,
            **workbench_context(user),
        },
    )
