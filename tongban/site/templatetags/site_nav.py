"""``{% may_open "app:name" as shown %}``: whether the page opens for the user, so the
layout links only to pages that do (``site.opening``)."""

from __future__ import annotations

from django import template

from tongban.site.opening import may_open as _may_open

register = template.Library()


@register.simple_tag(takes_context=True)
def may_open(context, name: str, *args) -> bool:
    request = context.get("request")
    return request is not None and _may_open(request, name, *args)
