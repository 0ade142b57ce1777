"""Reads behind the portal's home page and its site search (全站搜索).

Each public app owns what the public may see of it (``catalog.public``,
``bulletin.selectors``, ``qa.selectors``, ``ratings.selectors``); the portal only
composes their public selectors, so nothing private can reach the home page or the
search results by a path that bypasses those rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils.translation import get_language

from tongban.bulletin import selectors as bulletin
from tongban.bulletin.models import Announcement, AnnouncementCategory
from tongban.catalog import public
from tongban.catalog.models import Item, Theme
from tongban.core.clock import local_date
from tongban.qa import selectors as qa
from tongban.qa.models import Question
from tongban.ratings import selectors as ratings

# How far back "most applied for" looks: a year evens out seasonal items.
FEATURED_WINDOW = dt.timedelta(days=365)
FEATURED_LIMIT = 8
HOME_ANNOUNCEMENTS = 4  # per category
HOME_QUESTIONS = 5
# The home page's sections change a few times a day; recomputing them for every
# visitor is waste. A minute is short enough that staff publishing a notice see it
# appear "at once" for practical purposes. (Tests set it to 0: they change data
# between requests.)
HOME_CACHE_SECONDS = 60

SEARCH_LIMIT = 10  # results per group on the search page; each group links to its full list
MAX_QUERY_LENGTH = public.MAX_QUERY_LENGTH


def featured_services(*, at: dt.datetime, limit: int = FEATURED_LIMIT) -> list[Item]:
    """Published items citizens apply for most (cases received in the last year), then
    those that can be applied for online, then by code. One query.

    Demand is a better signal than an editor's flag that nobody maintains, and it
    needs no new field; an item nobody has applied for yet still shows when there are
    fewer popular ones than places."""
    since = at - FEATURED_WINDOW
    return list(
        Item.objects.published(local_date(at))
        .select_related("department")
        .annotate(recent_cases=Count("cases", filter=Q(cases__received_at__gte=since)))
        .order_by("-recent_cases", "-online_allowed", "code")[:limit]
    )


@dataclass
class CategoryNews:
    category: AnnouncementCategory
    announcements: list[Announcement]


def latest_announcements_by_category(
    *, at: dt.datetime, per_category: int = HOME_ANNOUNCEMENTS
) -> list[CategoryNews]:
    """The newest ``per_category`` public announcements of each public category (pinned
    first, as on the list), categories in their configured order. One query: a window
    numbers the rows within each category."""
    rows = (
        bulletin.public_announcements(at)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("category_id"),
                order_by=[F("pinned").desc(), F("publish_from").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=per_category)
    )
    groups: dict[int, CategoryNews] = {}
    for row in rows:
        group = groups.setdefault(row.category_id, CategoryNews(row.category, []))
        group.announcements.append(row)
    return sorted(
        groups.values(), key=lambda g: (g.category.sort_order, g.category.name, g.category.pk)
    )


@dataclass
class FiguresTeaser:
    """This year's public supervision figures summed over the departments."""

    year: int
    accepted: int
    completed: int
    on_time_rate: Decimal | None  # % of completed cases completed on time
    departments: int


def figures_teaser(*, at: dt.datetime) -> FiguresTeaser:
    """The city's totals from ``ratings.selectors.figures_for_year`` (the figures page's
    own numbers, so the two never disagree). The on-time rate is the departments'
    rates weighted by their completed cases: each is rounded to 0.01 %, so the total
    is within 0.01 % of the exact one, and shown to 0.1 %."""
    year = local_date(at).year
    rows = ratings.figures_for_year(year, at)
    completed = sum(row["completed"] for row in rows)
    on_time = sum(
        (row["on_time_rate"] * row["completed"] for row in rows if row["on_time_rate"] is not None),
        Decimal(0),
    )
    return FiguresTeaser(
        year=year,
        accepted=sum(row["accepted"] for row in rows),
        completed=completed,
        on_time_rate=(on_time / completed).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if completed
        else None,
        departments=sum(1 for row in rows if row["accepted"]),
    )


@dataclass
class HomeSections:
    """Everything the home page shows below the header: plain data, so it can be
    cached as one value."""

    total: int
    featured: list[Item]
    themes: dict[str, list[Theme]]
    audiences: list[tuple[str, str, int]]
    departments: public.DepartmentTree
    news: list[CategoryNews] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    figures: FiguresTeaser | None = None


def home_sections(*, at: dt.datetime) -> HomeSections:
    """The home page's data, computed in a fixed number of queries whatever the size
    of the catalogue, the bulletin or the Q&A."""
    on = local_date(at)
    return HomeSections(
        total=Item.objects.published(on).count(),
        featured=featured_services(at=at),
        themes=public.theme_facets(on=on),
        audiences=public.audience_facets(on=on),
        departments=public.department_tree(on=on),
        news=latest_announcements_by_category(at=at),
        questions=list(qa.public_questions(q="")[:HOME_QUESTIONS]),
        figures=figures_teaser(at=at),
    )


def cached_home_sections(*, at: dt.datetime) -> HomeSections:
    """``home_sections`` shared by all visitors for ``HOME_CACHE_SECONDS`` (setting
    ``TONGBAN_PORTAL_HOME_CACHE_SECONDS``, 0 to turn it off). Keyed by
    language (facet labels are translated when computed) and by day (what is
    published depends on the date)."""
    seconds = getattr(settings, "TONGBAN_PORTAL_HOME_CACHE_SECONDS", HOME_CACHE_SECONDS)
    if not seconds:
        return home_sections(at=at)
    key = f"portal:home:{get_language()}:{local_date(at).isoformat()}"
    # ``get_or_set`` with a default never answers None (django-stubs says it may).
    return cast(HomeSections, cache.get_or_set(key, lambda: home_sections(at=at), seconds))


# --- site search ---------------------------------------------------------------------


@dataclass
class SearchGroup:
    """One kind of result: the first ``SEARCH_LIMIT`` matches and whether there are
    more (the group then links to its own full list)."""

    key: str
    results: list[Any]
    more: bool


@dataclass
class SearchResults:
    q: str
    groups: list[SearchGroup]

    @property
    def count(self) -> int:
        return sum(len(group.results) for group in self.groups)


def clean_query(raw: str | None) -> str:
    """What we search for: whitespace collapsed, at most ``MAX_QUERY_LENGTH``
    characters (a longer query is cut, not refused: it is a search box)."""
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH].strip()


def _group(key: str, rows: list[Any], limit: int) -> SearchGroup:
    return SearchGroup(key=key, results=rows[:limit], more=len(rows) > limit)


def site_search(q: str, *, at: dt.datetime, limit: int = SEARCH_LIMIT) -> SearchResults:
    """Published items, public announcements and answered questions matching ``q``,
    grouped, each group limited to ``limit`` (one query each; the extra row tells
    whether there are more)."""
    q = clean_query(q)
    if not q:
        return SearchResults(q="", groups=[])
    items = list(public.published_items(public.GuideFilters(q=q), on=local_date(at))[: limit + 1])
    announcements = bulletin.search_public(q, at, limit + 1)
    questions = qa.search_public(q, limit=limit + 1)
    return SearchResults(
        q=q,
        groups=[
            _group("items", items, limit),
            _group("announcements", announcements, limit),
            _group("questions", questions, limit),
        ],
    )
