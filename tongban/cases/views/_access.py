"""Who may open the office pages of the case engine: the module decorators and
the case looked up for the user (a 404 where they may not see it).
"""

from __future__ import annotations

from django.http import Http404

from tongban.accounts.access import module_required
from tongban.accounts.roles import Module
from tongban.core.errors import NotFound

from ..access import CASE_STAFF_MODULES, get_case_for
from ..models import Case

case_staff_required = module_required(*CASE_STAFF_MODULES)


def _case_or_404(user, number: str) -> Case:
    try:
        return get_case_for(user, number)
    except NotFound as exc:
        raise Http404 from exc


intake_required = module_required(Module.INTAKE)


cases_required = module_required(Module.CASES, Module.WORKBENCH)


query_required = module_required(Module.QUERY)
