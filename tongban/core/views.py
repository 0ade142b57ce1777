from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

if TYPE_CHECKING:
    from tongban.accounts.models import User


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: links to the office, system management and the portal."""
    return render(request, "core/home.html")


@login_required
def office(request: HttpRequest) -> HttpResponse:
    """The office (staff side): the workbench (工作台) of business staff, and links to
    what the user may use."""
    from tongban.accounts.roles import Module, RoleCode
    from tongban.accounts.selectors import user_modules
    from tongban.bulletin.selectors import workbench_announcements
    from tongban.cases.access import intake_scope
    from tongban.cases.views import workbench_context
    from tongban.catalog.access import catalogue_scope
    from tongban.mail.selectors import workbench_mail

    user = cast("User", request.user)  # login_required: never anonymous here

    return render(
        request,
        "core/office.html",
        {
            "is_admin": bool(user.admin_role),
            "is_security_admin": user.has_role(RoleCode.SECURITY_ADMIN),
            "manages_items": not catalogue_scope(user).nothing,
            "takes_in": not intake_scope(user).nothing,
            "announcements": workbench_announcements(user, timezone.now()),
            "mail": workbench_mail(user) if Module.MAIL in user_modules(user) else None,
            **workbench_context(user),
        },
    )
