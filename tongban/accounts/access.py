"""The module gate of staff pages: one decorator says which modules (role defaults or
grants, ``selectors.user_modules``) open a page. Anonymous visitors go to the login
page; logged-in staff who may not open it get a 403 (Django's ``PermissionDenied``,
shown as the styled error page). Checks on the object a page shows (scoping, "your
own case") follow the gate inside the view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .selectors import user_modules

Predicate = Callable[..., bool]  # user -> bool


@dataclass(frozen=True)
class Gate:
    """Opens to a user holding any of ``modules``, or for whom ``also`` holds."""

    modules: frozenset[str]
    also: Predicate | None = None

    def allows(self, user) -> bool:
        if user is None or not (user.is_authenticated and user.is_active):
            return False
        if user_modules(user) & self.modules:
            return True
        return self.also is not None and bool(self.also(user))

    def __call__(self, view):
        @login_required
        @wraps(view)
        def gated(request, *args, **kwargs):
            if not self.allows(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # Outer decorators (never_cache, require_POST) copy it along with ``wraps``, so
        # the landing page and the tests can ask a URL's view who may open it.
        gated.gate = self
        return gated


def module_required(*modules: str, also: Predicate | None = None) -> Gate:
    """A view decorator: the user must hold one of ``modules`` or satisfy ``also``
    (for the few pages that also open by role or by a permission of their own, such as
    supervision for department heads). ``module_required(also=...)`` gates by the
    predicate alone."""
    if not modules and also is None:
        raise TypeError("module_required needs modules or a predicate")
    return Gate(frozenset(modules), also)


def holds_role(*codes: str) -> Predicate:
    """A predicate for ``also``: the user holds one of the roles ``codes``."""

    def predicate(user) -> bool:
        return any(user.has_role(code) for code in codes)

    return predicate


def gate_of(view) -> Gate | None:
    """The gate a view was decorated with, if any."""
    return getattr(view, "gate", None)
