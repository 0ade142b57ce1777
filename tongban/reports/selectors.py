"""Reads for the report pages and API: what a user may pick."""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet

from tongban.accounts.models import Department, User
from tongban.accounts.scoping import department_scope

from .definitions import REPORTS, TITLES


def report_choices() -> list[tuple[str, str]]:
    """(key, Chinese title) of the four reports, in statistics.md's order."""
    return [(key, TITLES[key]) for key in REPORTS]


def department_choices(user: User | None) -> QuerySet[Department]:
    """The departments ``user`` may narrow a report to: their department subtree (city
    supervisors: every department; ``None``: the system, every department), in tree
    order."""
    departments = Department.objects.order_by("path")
    if user is None:
        return departments
    scope = department_scope(user)
    if scope.everything:
        return departments
    if scope.nothing:
        return departments.none()
    # Neither everything nor nothing: the root is a Department (typed ``object`` in
    # accounts.scoping).
    root = cast(Department, scope.root)
    return departments.filter(path__startswith=root.path)
