"""Who may open the office pages of the case engine: the module decorators and
the case looked up for the user (a 404 where they may not see it).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404

from tongban.accounts.roles import Module
from tongban.accounts.selectors import user_modules
from tongban.core.errors import NotFound

from ..access import get_case_for
from ..models import Case


def module_required(*modules: str):
    """Logged-in staff holding one of ``modules`` (role defaults or grants)."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not (user_modules(request.user) & set(modules)):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


case_staff_required = module_required(
    Module.WORKBENCH, Module.INTAKE, Module.CASES, Module.QUERY, Module.SUPERVISION
)


def _case_or_404(user, number: str) -> Case:
    try:
        return get_case_for(user, number)
    except NotFound as exc:
        raise Http404 from exc


intake_required = module_required(Module.INTAKE)


cases_required = module_required(Module.CASES, Module.WORKBENCH)


query_required = module_required(Module.QUERY)
