"""``{% notice_links case %}``: the notices a case can print, on the case page."""

from __future__ import annotations

from django import template

from tongban.documents.models import NoticeKind
from tongban.documents.notices import printable_kinds

register = template.Library()


@register.inclusion_tag("documents/_notice_links.html")
def notice_links(case):
    return {
        "case": case,
        "kinds": [(kind, NoticeKind(kind).label) for kind in printable_kinds(case)],
        "formats": [("html", "HTML"), ("pdf", "PDF"), ("docx", "Word"), ("xlsx", "Excel")],
    }
