"""The case engine's links in the office navigation bar, by the user's modules."""

from __future__ import annotations

from django import template

from tongban.accounts.roles import Module
from tongban.accounts.selectors import user_modules

register = template.Library()


@register.inclusion_tag("cases/_nav.html", takes_context=True)
def case_nav(context):
    user = context.get("user")
    modules = user_modules(user) if user is not None and user.is_authenticated else frozenset()
    return {
        "workbench": Module.WORKBENCH in modules,
        "intake": Module.INTAKE in modules,
        "query": Module.QUERY in modules,
        "opinions": bool(modules & {Module.CASES, Module.WORKBENCH}),
        "reports": Module.REPORTS in modules,
    }
