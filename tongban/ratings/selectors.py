"""Reads of ratings: the follow-up list, the supervision summary per department and
per item, and the public supervision figures (per department, one calendar year)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from django.core.cache import cache
from django.db.models import Avg, Count, Q, QuerySet, Sum

from tongban.accounts.models import Department, DepartmentKind, User
from tongban.core.clock import local_date
from tongban.reports.definitions import TOTAL, build_report, rate
from tongban.supervision.models import Card, CardColour

from .models import BAD_LEVELS, FollowUp, FollowUpStatus, Rating, RatingLevel

FIGURES_CACHE_SECONDS = 300


def follow_ups(user: User, *, status: str = "open") -> QuerySet[FollowUp]:
    """The bad-rating follow-ups of ``user``'s departmental subtree (supervisors: all)."""
    rows: QuerySet[FollowUp] = FollowUp.objects.visible_to(user).select_related(
        "department", "assigned_head", "closed_by", "rating__case"
    )
    if status in FollowUpStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("due_on", "id") if status == "open" else rows.order_by("-opened_at")


def average(value: float | Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _year_ratings(year: int, at: dt.datetime) -> QuerySet[Rating]:
    return Rating.objects.filter(rated_on__year=year, rated_at__lte=at)


# A row of the summary: a ``values()`` row of the query (the department's or the
# item's names, ``count``, ``bad``, ``level_<n>`` per level) with ``average``,
# ``bad_rate`` and ``levels`` added; its keys come from the query.
SummaryRow = dict[str, Any]


class RatingsSummary(TypedDict):
    departments: list[SummaryRow]
    items: list[SummaryRow]
    total: SummaryRow


def _level_counts() -> dict[str, Count]:
    counts = {
        f"level_{level.value}": Count("id", filter=Q(level=level.value)) for level in RatingLevel
    }
    counts["bad"] = Count("id", filter=Q(level__in=BAD_LEVELS))
    return counts


def _summary_row(values: Mapping[str, Any]) -> SummaryRow:
    row: SummaryRow = dict(values)
    row["average"] = average(row.pop("avg"))
    row["bad_rate"] = rate(row["bad"], row["count"])
    row["levels"] = [row[f"level_{level.value}"] for level in RatingLevel]
    return row


def ratings_summary(user: User, year: int) -> RatingsSummary:
    """Counts per level, average, bad-rating rate (%) per department and per item for
    one calendar year, in ``user``'s subtree: ``{"departments": [...], "items":
    [...], "total": {...}}``. Three queries."""
    rows: QuerySet[Rating] = Rating.objects.visible_to(user).filter(rated_on__year=year)
    aggregates = {"count": Count("id"), "avg": Avg("level"), **_level_counts()}
    departments = [
        _summary_row(r)
        for r in rows.values("department__code", "department__name", "department__path")
        .annotate(**aggregates)
        .order_by("department__path")
    ]
    items = [
        _summary_row(r)
        for r in rows.values("item__code", "item_name", "department__name")
        .annotate(**aggregates)
        .order_by("item__code", "item_name")
    ]
    total = _summary_row(rows.aggregate(**aggregates))
    return {"departments": departments, "items": items, "total": total}


def rating_years(user: User, *, at: dt.datetime) -> list[int]:
    """The years with ratings in ``user``'s subtree, and the current one (at ``at``)."""
    ratings: QuerySet[Rating] = Rating.objects.visible_to(user)
    years = {d.year for d in ratings.dates("rated_on", "year", order="DESC")}
    return sorted(years | {local_date(at).year}, reverse=True)


# --- public supervision figures ---------------------------------------------------------


def _accountable_map() -> dict[int, Department]:
    """Department id → the department it counts for (a section for its parent)."""
    departments = Department.objects.in_bulk()
    result: dict[int, Department] = {}
    for pk, department in departments.items():
        if department.kind == DepartmentKind.SECTION and department.parent_id:
            result[pk] = departments[department.parent_id]
        else:
            result[pk] = department
    return result


class FigureRow(TypedDict):
    """One department's public supervision figures (``figures_for_year``)."""

    department: str  # its code
    name: str
    accepted: int
    completed: int
    yellow_cards: int
    red_cards: int
    ratings: int
    on_time_rate: Decimal | None
    average_rating: Decimal | None


@dataclass
class _Tally:
    """A department's running counts while the figures are gathered."""

    department: str
    name: str
    path: str
    accepted: int = 0
    completed: int = 0
    overdue_completed: int = 0
    yellow_cards: int = 0
    red_cards: int = 0
    ratings: int = 0
    rating_sum: int = 0


def figures_for_year(year: int, at: dt.datetime) -> list[FigureRow]:
    """The public supervision figures of every department with something to show for
    calendar ``year`` (local dates), as known at ``at``:

    - ``accepted``, ``completed``: cases accepted in the year (statistics.md), of
      those completed — the ``workload`` report's figures, reused, not re-derived;
    - ``on_time_rate``: the report's 正常办结率, completed not after the deadline over
      completed (%, None over no completed case);
    - ``yellow_cards``, ``red_cards``: cards issued in the year;
    - ``ratings``, ``average_rating`` (1–5, two decimals, None without ratings).

    Sections count for their department (as cards do). Rows ordered by the tree."""
    as_of_day = local_date(at)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows: dict[str, _Tally] = {}
    owner = _accountable_map()

    def row_for(department: Department) -> _Tally:
        if department.code not in rows:
            rows[department.code] = _Tally(department.code, department.name, department.path)
        return rows[department.code]

    if first <= as_of_day:
        report = build_report("workload", date_from=first, date_to=last, as_of=at)
        codes = {d.code: d for d in Department.objects.all()}
        for line in report.rows:
            if line["department"] == TOTAL:
                continue
            target = row_for(owner[codes[line["department"]].pk])
            target.accepted += line["accepted"]
            target.completed += line["completed"]
            target.overdue_completed += line["overdue_completed"]

    cards = (
        Card.objects.filter(issued_on__gte=first, issued_on__lte=last, issued_at__lte=at)
        .values("department_id", "colour")
        .annotate(n=Count("id"))
    )
    for card in cards:
        target = row_for(owner[card["department_id"]])
        if card["colour"] == CardColour.YELLOW:
            target.yellow_cards += card["n"]
        else:
            target.red_cards += card["n"]

    ratings = (
        _year_ratings(year, at).values("department_id").annotate(n=Count("id"), s=Sum("level"))
    )
    for counted in ratings:
        target = row_for(owner[counted["department_id"]])
        target.ratings += counted["n"]
        target.rating_sum += counted["s"] or 0

    return [
        {
            "department": row.department,
            "name": row.name,
            "accepted": row.accepted,
            "completed": row.completed,
            "yellow_cards": row.yellow_cards,
            "red_cards": row.red_cards,
            "ratings": row.ratings,
            "on_time_rate": rate(row.completed - row.overdue_completed, row.completed),
            "average_rating": (
                average(Decimal(row.rating_sum) / Decimal(row.ratings)) if row.ratings else None
            ),
        }
        for row in sorted(rows.values(), key=lambda r: r.path)
    ]


def cached_figures(year: int, *, at: dt.datetime) -> list[FigureRow]:
    """``figures_for_year`` as of ``at`` (now, for the page), kept a few minutes: the
    public page is cheap to serve however often it is read."""
    key = f"ratings:figures:{year}"
    figures: list[FigureRow] | None = cache.get(key)
    if figures is None:
        figures = figures_for_year(year, at)
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures
