"""Whether a user may open a page, asked of the page itself: the gate its view was
decorated with (``accounts.access.module_required``), or the admin site's own
permission checks. The landing page and the navigation show a link only when this says
yes, so no tile leads to a 403."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.urls import resolve, reverse

from tongban.accounts.access import gate_of


def may_open(request, name: str, *args) -> bool:
    """The page named ``name`` opens for ``request.user``. A view without a gate opens
    for every logged-in user (pages behind ``login_required`` alone)."""
    user = request.user
    if not user.is_authenticated:
        return False
    gate = gate_of(resolve(reverse(name, args=args)).func)
    return gate is None or gate.allows(user)


def admin_opens(request, model: str | None = None) -> bool:
    """System management opens for the user (and, with ``model`` as "app.Model", that
    model's list)."""
    if not request.user.is_authenticated or not admin.site.has_permission(request):
        return False
    if model is None:
        return True
    model_admin = admin.site.get_model_admin(apps.get_model(model))
    return bool(model_admin.has_view_or_change_permission(request))
