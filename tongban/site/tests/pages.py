"""Reading pages as a visitor sees them: the links, the visible text, the layout."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.conf import settings

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def read(response) -> _Reader:
    reader = _Reader()
    reader.feed(response.content.decode())
    return reader


def local_links(response) -> list[str]:
    """The page's links inside the site (no fragments alone, no other hosts)."""
    return [
        href.split("#")[0]
        for href in read(response).links
        if href.startswith("/") and not href.startswith("//")
    ]


def visible_text(response) -> str:
    return " ".join(" ".join(read(response).text).split())


def foreign_cjk(text: str, *names: str) -> list[str]:
    """The Chinese characters of ``text`` outside the names from the data (the city,
    people, departments) and the language switch's own "简体中文"."""
    for name in (settings.CITY_NAME, "简体中文", *names):
        text = text.replace(str(name), " ")
    return CJK.findall(text)


def layout(response) -> str:
    body = response.content.decode()
    if 'class="tb-portal"' in body:
        return "portal"
    if "tb-navbar" in body:
        return "office"
    return "none"
