"""Fetching one question by id: the office (the user's departmental subtree, staff
with the case or supervision module) and the public (published answers only). A
question outside the caller's reach is the same 404 as a missing one."""

from __future__ import annotations

from tongban.accounts.roles import Module
from tongban.accounts.selectors import user_modules
from tongban.core.errors import NotFound

from .models import Question

QUEUE_MODULES = frozenset({Module.CASES, Module.SUPERVISION})


def may_use_queue(user) -> bool:
    return bool(user_modules(user) & QUEUE_MODULES)


def get_question_for(user, pk) -> Question:
    if not may_use_queue(user):
        raise NotFound()
    question = (
        Question.objects.visible_to(user)
        .select_related("department", "item", "assigned_to", "answered_by", "citizen")
        .filter(pk=pk)
        .first()
    )
    if question is None:
        raise NotFound()
    return question


def get_public_question(pk) -> Question:
    question = Question.objects.public().select_related("department", "item").filter(pk=pk).first()
    if question is None:
        raise NotFound()
    return question
