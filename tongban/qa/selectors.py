"""Reads of questions: the office queue (scoped to the user's departmental subtree,
coloured by time limit) and the public list (answered, allowed and published only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypedDict

from django.db.models import Q, QuerySet

from tongban.accounts.models import Department, User
from tongban.core.clock import local_date

from .models import WAITING, Question, QuestionQuerySet, QuestionStatus

MAX_QUERY = 50

QUEUE_VIEWS = ("new", "mine", "overdue", "answered", "closed")


class QueueCounts(TypedDict):
    """The numbers on the office queue's tabs."""

    new: int
    mine: int
    overdue: int


def office_queue(user: User, view: str = "new", *, at: dt.datetime) -> QuerySet[Question]:
    """One tab of the office queue, for the questions of ``user``'s subtree:
    ``new`` every question still waiting, ``mine`` those assigned to the user,
    ``overdue`` those waiting past their due date, ``answered``, and ``closed``
    (closed without an answer or rejected as spam). Oldest due first while waiting."""
    today = local_date(at)
    rows: QuestionQuerySet = Question.objects.visible_to(user).select_related(
        "department", "item", "assigned_to", "answered_by"
    )
    if view == "mine":
        rows = rows.waiting().filter(assigned_to=user)
    elif view == "overdue":
        rows = rows.waiting().filter(due_on__lt=today)
    elif view == "answered":
        return rows.filter(status=QuestionStatus.ANSWERED).order_by("-answered_at", "-id")
    elif view == "closed":
        return rows.filter(status__in=[QuestionStatus.CLOSED, QuestionStatus.REJECTED]).order_by(
            "-asked_at", "-id"
        )
    else:
        rows = rows.waiting()
    return rows.order_by("due_on", "asked_at", "id")


def queue_counts(user: User, *, at: dt.datetime) -> QueueCounts:
    """The numbers on the queue's tabs, in one query."""
    from django.db.models import Count

    today = local_date(at)
    waiting = Q(status__in=WAITING)
    rows: QuerySet[Question] = Question.objects.visible_to(user)
    counts = rows.aggregate(
        new=Count("id", filter=waiting),
        mine=Count("id", filter=waiting & Q(assigned_to=user)),
        overdue=Count("id", filter=waiting & Q(due_on__lt=today)),
    )
    return {"new": counts["new"], "mine": counts["mine"], "overdue": counts["overdue"]}


def time_colour(question: Question, today: dt.date) -> str:
    """``overdue`` (past the due date, unanswered), ``due`` (due today), ``normal``;
    ``done`` once answered or closed."""
    if question.status not in WAITING:
        return "done"
    if question.due_on < today:
        return "overdue"
    if question.due_on == today:
        return "due"
    return "normal"


def with_colours(questions: Iterable[Question], *, at: dt.datetime) -> list[Question]:
    """The questions, each with its ``colour`` (``time_colour``) on ``at``'s day."""
    today = local_date(at)
    rows = list(questions)
    for question in rows:
        # An attribute for the template only, not a field (django-stubs cannot know it).
        question.colour = time_colour(question, today)  # type: ignore[attr-defined]
    return rows


def _department(department: Department | str | None) -> Department | None:
    if department is None or department == "":
        return None
    if isinstance(department, Department):
        return department
    return Department.objects.filter(code=str(department).strip()).first()


def public_questions(q: str = "", department: Department | str | None = None) -> QuerySet[Question]:
    """Questions anyone may read — answered, the asker allowed it, still published —
    newest answer first; ``q`` matches title, question or answer, ``department`` (a
    Department or its code) narrows to its subtree. An unknown department matches
    nothing. The rows carry no contact data beyond the masked name (see the model)."""
    rows: QuerySet[Question] = Question.objects.public().select_related("department", "item")
    if department not in (None, ""):
        chosen = _department(department)
        if chosen is None:
            return rows.none()
        rows = rows.filter(department__path__startswith=chosen.path)
    for word in (q or "").strip()[:MAX_QUERY].split():
        rows = rows.filter(
            Q(title__icontains=word) | Q(content__icontains=word) | Q(answer__icontains=word)
        )
    return rows.order_by("-answered_at", "-id")


def search_public(q: str, limit: int = 10) -> list[Question]:
    """The portal-wide search's share: up to ``limit`` public questions matching
    ``q`` (nothing for an empty query)."""
    if not (q or "").strip():
        return []
    return list(public_questions(q)[: max(0, min(limit, 50))])


def public_departments() -> QuerySet[Department]:
    """Departments a citizen may address: active, not an internal section, and not
    the bare top of the tree."""
    from tongban.accounts.models import DepartmentKind

    return (
        Department.objects.filter(is_active=True, parent__isnull=False)
        .exclude(kind=DepartmentKind.SECTION)
        .order_by("sort_order", "path")
    )
