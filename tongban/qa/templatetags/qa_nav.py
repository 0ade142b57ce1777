"""The Q&A queue and the ratings pages in the office navigation bar (one snippet,
``{% load qa_nav %}{% qa_nav %}`` in base.html): the queue for case staff and
supervisors, the bad-rating follow-ups and the ratings summary for heads and
supervisors."""

from __future__ import annotations

from django import template

from tongban.accounts.roles import Module, RoleCode
from tongban.accounts.selectors import user_modules

register = template.Library()


@register.inclusion_tag("qa/_nav_link.html", takes_context=True)
def qa_nav(context):
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"queue": False, "ratings": False}
    modules = user_modules(user)
    return {
        "queue": bool(modules & {Module.CASES, Module.SUPERVISION}),
        "ratings": Module.SUPERVISION in modules or user.has_role(RoleCode.DEPARTMENT_HEAD),
    }
