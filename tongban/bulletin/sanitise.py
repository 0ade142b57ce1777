"""Rich text of announcements, sanitised with nh3 (security.md: allowlist).

Kept: paragraphs, emphasis, lists, headings h2–h4, tables, quotations, links to
http/https/mailto addresses and images that are announcement attachments. Everything
else goes: ``<script>``, ``style``, every ``on*`` handler, ``javascript:`` and
``data:`` URLs, images from other hosts (they would tell a third party who read the
announcement)."""

from __future__ import annotations

import re

import nh3

TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "u",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "blockquote",
    "img",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
LINK_PREFIXES = ("http://", "https://", "mailto:")
# Images only as announcement attachments (staff and portal download addresses):
# any other address of ours would make every reader's browser request it (an export,
# say) just by opening the announcement.
IMAGE_SOURCE = re.compile(r"^/(?:office/bulletin|portal/news)/\d+/files/\d+/$")


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if value.strip().lower().startswith(LINK_PREFIXES) else None
    if tag == "img" and attribute == "src":
        value = value.strip()
        return value if IMAGE_SOURCE.match(value) else None
    return value


def sanitise_html(html: str) -> str:
    """The allowed part of ``html``; links get ``rel="noopener noreferrer"``."""
    return nh3.clean(
        html or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_filter,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
