"""The landing page and the office workbench: the tiles and links of each are shown
only when the user may open what they lead to."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from tongban.accounts.roles import Module
from tongban.accounts.selectors import user_modules
from tongban.bulletin.selectors import workbench_announcements
from tongban.cases.access import intake_scope
from tongban.cases.views import workbench_context
from tongban.mail.selectors import workbench_mail

from .opening import admin_opens, may_open


def home(request):
    """The landing page: links to the office, system management and the portal."""
    return render(request, "site/home.html", {"admin_opens": admin_opens(request)})


@login_required
def office(request):
    """The office (staff side): the workbench (工作台) of business staff, and links to
    what the user may use."""
    user = request.user
    opens = {
        name.replace(":", "_"): may_open(request, name)
        for name in (
            "cases:intake",
            "cases:query",
            "cases:opinions",
            "catalog:items",
            "catalog:staff",
            "catalog_transfer:transfer",
            "bulletin:category_maintainers",
        )
    }
    return render(
        request,
        "site/office.html",
        {
            "opens": opens,
            "is_admin": bool(user.admin_role) and admin_opens(request),
            "item_admin_opens": admin_opens(request, "catalog.Item"),
            "takes_in": not intake_scope(user).nothing,
            "announcements": workbench_announcements(user, timezone.now()),
            "mail": workbench_mail(user) if Module.MAIL in user_modules(user) else None,
            **workbench_context(user),
        },
    )
