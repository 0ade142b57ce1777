"""Electronic supervision's links in the office navigation bar: the whole menu for
supervisors, the dashboard and the cards for department heads."""

from __future__ import annotations

from django import template

from tongban.accounts.roles import Module, RoleCode
from tongban.accounts.selectors import user_modules

register = template.Library()


@register.inclusion_tag("supervision/_nav.html", takes_context=True)
def supervision_nav(context):
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"supervisor": False, "head": False}
    supervisor = Module.SUPERVISION in user_modules(user)
    return {
        "supervisor": supervisor,
        "head": not supervisor and user.has_role(RoleCode.DEPARTMENT_HEAD),
    }
