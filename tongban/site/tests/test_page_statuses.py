"""Characterisation: the status code of every staff page (the landing page ``/``,
everything under ``/office/`` and ``/admin/``, the password change) for each demo
role, pinned against ``data/page_statuses.json``.

The demo is loaded once, as of a fixed instant, with the clock held there while the
pages are requested: the same demo, the same pages, whatever the date. Every URL
pattern is enumerated from the resolver and requested once per user with GET and
no query string; path arguments are filled with demo objects of market supervision
(SCJG) — one case, one item, one announcement … — or, where the demo has none of
that kind, with an id that does not exist (the key says so: ``[none]``). Only status
codes are pinned, not bodies (the renovation restyles 403 and 404 pages and trims
the landing page on purpose; the codes stay). A server error fails the test whatever
the golden file says.

Regenerate with ``TONGBAN_REGENERATE_GOLDEN=1`` (``tongban.core.tests.golden``) ONLY
after an intended change of who may open which page (a new page adds a row: that is
one). A difference after a refactoring is a regression until proven otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tongban.accounts.models import User
from tongban.accounts.testing import log_in
from tongban.bulletin.models import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementCategory,
    DirectoryEntry,
)
from tongban.cases.models import Case, CaseStatus
from tongban.catalog.models import Item, Material, PolicyBasis
from tongban.core.clock import LOCAL_TZ
from tongban.core.tests.golden import assert_matches_golden
from tongban.qa.models import Question
from tongban.ratings.models import FollowUp
from tongban.reports.definitions import REPORTS
from tongban.site.demo import load_demo_data
from tongban.supervision.models import Card

DATA = Path(__file__).parent / "data"
LOADED_AT = dt.datetime(2026, 3, 16, 9, 0, tzinfo=LOCAL_TZ)  # a Monday morning
NOW = LOADED_AT + dt.timedelta(hours=1)  # the clock while the pages are requested
DEPARTMENT = "SCJG"

# One user per demo role (README.md), two more relations to SCJG's objects (the city
# centre's desk, a handler of another department), and nobody logged in.
USERS = (
    "sysadmin",
    "secadmin",
    "auditor",
    "jiancha",
    "scjg.head",
    "scjg.sectionhead",
    "scjg.handler1",
    "scjg.clerk",
    "zwfw.clerk",
    "zrzy.handler1",
    "anonymous",
)
MISSING = 0  # an id no demo object has

pytestmark = pytest.mark.django_db


# --- the patterns -----------------------------------------------------------------------


def _route(pattern) -> str:
    """A pattern's route, regular expressions written as routes (``<name>``)."""
    text = str(pattern.pattern)
    if text.startswith("^") or text.endswith("$"):
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", text).lstrip("^").rstrip("$")
    return text


def staff_routes() -> list[str]:
    """Every route of the landing page, the office, the admin and the password page."""
    routes: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + _route(p))
            elif isinstance(p, URLPattern):
                routes.append(prefix + _route(p))

    walk(get_resolver().url_patterns, "")
    staff = [
        r for r in routes if r in ("", "accounts/password/") or r.startswith(("office/", "admin/"))
    ]
    return sorted(set(staff))


# --- filling the path arguments with demo objects --------------------------------------


def _pk(obj) -> int:
    return obj.pk if obj is not None else MISSING


class Demo:
    """The SCJG objects the pages are opened on (chosen by natural order, not ids)."""

    def __init__(self) -> None:
        cases = Case.objects.filter(department__code=DEPARTMENT).order_by("number")
        running = cases.filter(status=CaseStatus.IN_PROGRESS)
        # A running case with a stored file, so that its material page has one to serve.
        self.case = (
            running.filter(materials__file__isnull=False).distinct().first()
            or running.first()
            or cases.first()
        )
        self.case_material = (
            self.case.materials.filter(file__isnull=False).order_by("pk").first()
            if self.case
            else None
        )
        self.item = (
            Item.objects.filter(department__code=DEPARTMENT, is_published=True)
            .order_by("code")
            .first()
        )
        self.step = self.item.steps.order_by("order", "pk").first()
        self.card = (
            Card.objects.filter(
                subject_kind="case",
                subject_id__in=Case.objects.filter(department__code=DEPARTMENT).values("pk"),
            )
            .order_by("issued_at", "pk")
            .first()
            or Card.objects.order_by("issued_at", "pk").first()
        )
        self.announcement = Announcement.objects.order_by("pk").first()
        self.attachment = AnnouncementAttachment.objects.order_by("pk").first()
        self.category = AnnouncementCategory.objects.order_by("pk").first()
        self.entry = DirectoryEntry.objects.order_by("pk").first()
        self.question = (
            Question.objects.filter(department__code=DEPARTMENT).order_by("pk").first()
            or Question.objects.order_by("pk").first()
        )
        self.follow_up = FollowUp.objects.order_by("pk").first()
        self.handler = User.objects.get(username="scjg.handler1")

    def fillings(self, route: str) -> list[tuple[str, dict]]:
        """(label, path arguments) to request ``route`` with; label "" for one filling,
        "none" where the demo has no object of that kind."""
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if not names:
            return [("", {})]
        if route.startswith("admin/"):
            return [self._admin(route, names)]
        if route == "office/reports/<slug:key>/":
            return [(key, {"key": key}) for key in REPORTS]
        values: dict = {}
        found = True
        for name in names:
            value, exists = self._value(route, name)
            values[name] = value
            found = found and exists
        return [("" if found else "none", values)]

    def _value(self, route: str, name: str):
        d = self
        simple = {
            "number": (d.case.number if d.case else "TS-0000-NONE-000000", d.case),
            "item_id": (_pk(d.item), d.item),
            "step_id": (_pk(d.step), d.step),
            "panel": ("todo", True),
            "key": ("acceptance", True),
            "kind": ("acceptance", True),
            "fmt": ("html", True),
            "folder": ("inbox", True),
            "op": ("trash", True),
            "state": ("on", True),
            "outcome": ("close", True),
            "user_id": (d.handler.pk, d.handler),
            "image_id": (uuid.UUID(int=0), None),
            "box_id": (MISSING, None),  # the demo has no mail
        }
        if name in simple:
            value, obj = simple[name]
            return value, obj is not None
        if name == "material_id":
            return _pk(d.case_material), d.case_material is not None
        if name == "attachment_id":
            if route.startswith("office/bulletin/"):
                return _pk(d.attachment), d.attachment is not None
            return MISSING, False
        if name == "pk":
            by_prefix = {
                "office/cases/opinions/": None,  # the demo has no saved opinions
                "office/supervision/cards/": d.card,
                "office/bulletin/categories/": d.category,
                "office/bulletin/directory/": d.entry,
                "office/bulletin/": (d.attachment.announcement if d.attachment else None)
                if "files" in route
                else d.announcement,
                "office/qa/": d.question,
                "office/ratings/": d.follow_up,
            }
            for prefix, obj in by_prefix.items():
                if route.startswith(prefix):
                    return _pk(obj), obj is not None
        raise AssertionError(f"no demo object for <{name}> in {route}")

    def _admin(self, route: str, names: list[str]) -> tuple[str, dict]:
        values: dict = {}
        found = True
        model = None
        parts = route.split("/")
        if len(parts) > 3:
            try:
                model = apps.get_model(parts[1], parts[2])
            except (LookupError, ValueError):
                model = None
        for name in names:
            if name == "object_id":
                if route.startswith("admin/r/"):
                    obj = self.handler
                else:
                    obj = model.objects.order_by("pk").first() if model else None
                values[name] = str(_pk(obj))
                found = found and obj is not None
            elif name == "content_type_id":
                values[name] = ContentType.objects.get_for_model(User).pk
            elif name == "material_id":  # a material with a blank form to download
                obj = Material.objects.exclude(blank_form=None).order_by("pk").first()
                values[name] = _pk(obj)
                found = found and obj is not None
            elif name == "which":
                values[name] = "blank_form"
            elif name == "basis_id":  # a policy basis with its document
                obj = PolicyBasis.objects.exclude(document=None).order_by("pk").first()
                values[name] = _pk(obj)
                found = found and obj is not None
            elif name == "app_label":
                values[name] = "cases"
            elif name == "url":
                values[name] = "no-such-page/"
            else:
                raise AssertionError(f"no value for <{name}> in {route}")
        return ("" if found else "none", values)


def _url(route: str, values: dict) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


# --- the test ---------------------------------------------------------------------------


def _client(username: str) -> Client:
    client = Client(raise_request_exception=False)
    if username != "anonymous":
        log_in(client, User.objects.get(username=username))
    return client


def test_every_staff_page_answers_each_demo_role_as_in_the_golden_file():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        load_demo_data(at=LOADED_AT)
        demo = Demo()
        requests = [
            (f"{route} [{label}]" if label else route, _url(route, values))
            for route in staff_routes()
            for label, values in demo.fillings(route)
        ]
        statuses: dict[str, dict[str, int]] = {key: {} for key, _url in requests}
        errors = []
        for username in USERS:
            client = _client(username)
            for key, url in requests:
                status = client.get(url).status_code
                statuses[key][username] = status
                if status >= 500:
                    errors.append(f"{username} GET {url} → {status}")

    assert not errors, "Server errors:\n" + "\n".join(errors)
    assert statuses[""]["anonymous"] == 200  # the landing page is public
    assert statuses["office/"]["scjg.handler1"] == 200
    assert_matches_golden(DATA / "page_statuses.json", statuses)
