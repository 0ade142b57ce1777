"""Reads of ratings: the follow-up list, the supervision summary per department and
per item, and the public supervision figures (per department, one calendar year)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Avg, Count, Q, QuerySet, Sum

from tongban.accounts.models import Department, DepartmentKind
from tongban.core import clock
from tongban.core.clock import local_date, now
from tongban.reports.definitions import TOTAL, build_report, rate
from tongban.supervision.models import Card, CardColour

from .models import BAD_LEVELS, FollowUp, FollowUpStatus, Rating, RatingLevel

FIGURES_CACHE_SECONDS = 300


def follow_ups(user, *, status: str = "open") -> QuerySet[FollowUp]:
    """The bad-rating follow-ups of ``user``'s departmental subtree (supervisors: all)."""
    rows = FollowUp.objects.visible_to(user).select_related(
        "department", "assigned_head", "closed_by", "rating__case"
    )
    if status in FollowUpStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("due_on", "id") if status == "open" else rows.order_by("-opened_at")


def average(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _year_ratings(year: int, at: dt.datetime | None = None) -> QuerySet[Rating]:
    rows = Rating.objects.filter(rated_on__year=year)
    if at is not None:
        rows = rows.filter(rated_at__lte=at)
    return rows


def _level_counts() -> dict:
    counts = {
        f"level_{level.value}": Count("id", filter=Q(level=level.value)) for level in RatingLevel
    }
    counts["bad"] = Count("id", filter=Q(level__in=BAD_LEVELS))
    return counts


def _summary_row(row: dict) -> dict:
    row["average"] = average(row.pop("avg"))
    row["bad_rate"] = rate(row["bad"], row["count"])
    row["levels"] = [row[f"level_{level.value}"] for level in RatingLevel]
    return row


def ratings_summary(user, year: int) -> dict[str, list[dict]]:
    """Counts per level, average, bad-rating rate (%) per department and per item for
    one calendar year, in ``user``'s subtree: ``{"departments": [...], "items":
    [...], "total": {...}}``. Three queries."""
    rows = Rating.objects.visible_to(user).filter(rated_on__year=year)
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


def rating_years(user) -> list[int]:
    years = {
        d.year for d in Rating.objects.visible_to(user).dates("rated_on", "year", order="DESC")
    }
    return sorted(years | {local_date(clock.now()).year}, reverse=True)


# --- public supervision figures ---------------------------------------------------------


def _accountable_map() -> dict[int, Department]:
    """Department id → the department it counts for (a section for its parent)."""
    departments = Department.objects.in_bulk()
    result = {}
    for pk, department in departments.items():
        if department.kind == DepartmentKind.SECTION and department.parent_id:
            result[pk] = departments[department.parent_id]
        else:
            result[pk] = department
    return result


def figures_for_year(year: int, at: dt.datetime) -> list[dict]:
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
    rows: dict[str, dict] = {}
    owner = _accountable_map()

    def row_for(department: Department) -> dict:
        if department.code not in rows:
            rows[department.code] = {
                "department": department.code,
                "name": department.name,
                "path": department.path,
                "accepted": 0,
                "completed": 0,
                "overdue_completed": 0,
                "yellow_cards": 0,
                "red_cards": 0,
                "ratings": 0,
                "rating_sum": 0,
            }
        return rows[department.code]

    if first <= as_of_day:
        report = build_report("workload", date_from=first, date_to=last, as_of=at)
        codes = {d.code: d for d in Department.objects.all()}
        for line in report.rows:
            if line["department"] == TOTAL:
                continue
            target = row_for(owner[codes[line["department"]].pk])
            target["accepted"] += line["accepted"]
            target["completed"] += line["completed"]
            target["overdue_completed"] += line["overdue_completed"]

    cards = (
        Card.objects.filter(issued_on__gte=first, issued_on__lte=last, issued_at__lte=at)
        .values("department_id", "colour")
        .annotate(n=Count("id"))
    )
    for line in cards:
        target = row_for(owner[line["department_id"]])
        key = "yellow_cards" if line["colour"] == CardColour.YELLOW else "red_cards"
        target[key] += line["n"]

    ratings = (
        _year_ratings(year, at).values("department_id").annotate(n=Count("id"), s=Sum("level"))
    )
    for line in ratings:
        target = row_for(owner[line["department_id"]])
        target["ratings"] += line["n"]
        target["rating_sum"] += line["s"] or 0

    result = []
    for row in sorted(rows.values(), key=lambda r: r["path"]):
        row["on_time_rate"] = rate(row["completed"] - row["overdue_completed"], row["completed"])
        row["average_rating"] = (
            average(Decimal(row["rating_sum"]) / Decimal(row["ratings"]))
            if row["ratings"]
            else None
        )
        del row["path"], row["rating_sum"], row["overdue_completed"]
        result.append(row)
    return result


def cached_figures(year: int) -> list[dict]:
    """``figures_for_year`` as of now, kept a few minutes: the public page is cheap to
    serve however often it is read."""
    key = f"ratings:figures:{year}"
    figures = cache.get(key)
    if figures is None:
        figures = figures_for_year(year, now())
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures
