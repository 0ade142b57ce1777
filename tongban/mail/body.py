"""Mail bodies: sanitising with nh3 (security.md "Rich text sanitised with nh3
(allowlist)") and inline images.

The only images a body may show are our own ``/office/mail/images/<uuid>/`` URLs,
and only for images the writer may see (their own uploads, or images of a mail in
their mailbox, e.g. when forwarding) — otherwise a writer could grant a recipient
access to someone else's image by guessing its id. Images pasted as ``data:`` URLs
are decoded, checked like any upload and stored, then referenced the same way.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import html
import re
import uuid
from dataclasses import dataclass, field

import nh3
from django.urls import reverse
from django.utils.html import strip_tags

from tongban.core import files

IMAGE_KINDS = frozenset({"png", "jpeg"})
MAX_IMAGE_SIZE = 5 * files.MB

TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "a", "ul", "ol", "li", "blockquote",
    "h1", "h2", "h3", "pre", "code", "span", "img", "sub", "sup", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {
    "*": {"class", "style"},
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
STYLE_PROPERTIES = {"color", "background-color", "text-align"}
# Quill marks alignment, indentation and sizes with ``ql-…`` classes.
_CLASS = re.compile(r"^ql-[a-z0-9-]{1,40}$")
_IMAGE_PATH = re.compile(r"^/office/mail/images/([0-9a-f-]{36})/$")
_DATA_URL = re.compile(
    r"""(src\s*=\s*)(["'])data:image/(png|jpeg|jpg);base64,([A-Za-z0-9+/=\s]+)\2""",
    re.IGNORECASE,
)


@dataclass
class CleanBody:
    html: str
    text: str
    image_ids: set[uuid.UUID] = field(default_factory=set)


def image_url(image_id) -> str:
    return reverse("mail:image", args=[image_id])


def store_data_images(raw: str, *, actor, at: dt.datetime) -> str:
    """Replace pasted ``data:`` images by stored inline images. Anything that does not
    decode to a real PNG/JPEG of allowed size is dropped (the sanitiser then removes
    the remaining ``data:`` URL)."""
    from .models import InlineImage

    def replace(match: re.Match) -> str:
        try:
            data = base64.b64decode(re.sub(r"\s+", "", match.group(4)), validate=True)
        except (binascii.Error, ValueError):
            return ""
        kind = files.sniff(data[:16])
        if kind not in IMAGE_KINDS or len(data) > MAX_IMAGE_SIZE:
            return ""
        stored = files.store_bytes(data, kind=kind, original_name=f"image.{kind}")
        image = InlineImage.objects.create(file=stored, uploaded_by=actor, created_at=at)
        return f'{match.group(1)}"{image_url(image.pk)}"'

    return _DATA_URL.sub(replace, raw)


def clean_body(raw: str, *, allowed_image) -> CleanBody:
    """Sanitise ``raw``. ``allowed_image(uuid) -> bool`` says which inline images the
    writer may reference; other ``src`` values are removed."""
    image_ids: set[uuid.UUID] = set()

    def keep(element: str, attribute: str, value: str) -> str | None:
        if attribute == "class":
            classes = [c for c in value.split() if _CLASS.match(c)]
            return " ".join(classes) or None
        if element == "img" and attribute == "src":
            match = _IMAGE_PATH.match(value)
            if not match:
                return None
            image_id = uuid.UUID(match.group(1))
            if not allowed_image(image_id):
                return None
            image_ids.add(image_id)
            return image_url(image_id)
        return value

    cleaned = nh3.clean(
        raw or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=keep,
        filter_style_properties=STYLE_PROPERTIES,
        link_rel="noopener noreferrer",
    ).strip()
    text = html.unescape(strip_tags(re.sub(r"<(br|/p|/li|/h[1-3])\b[^>]*>", " ", cleaned)))
    text = re.sub(r"\s+", " ", text).strip()
    if not text and not image_ids:
        cleaned = ""  # an editor's empty "<p><br></p>" is no body at all
    return CleanBody(cleaned, text, image_ids)
