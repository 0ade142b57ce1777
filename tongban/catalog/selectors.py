"""Reads of the catalogue for staff: the multi-dimensional query (seed §1.11 查询) and
its Excel export, and the staff-assignment page (seed §1.10)."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from tongban.accounts.models import Department, User
from tongban.audit.export import neutralise

from .access import items_for_staff, managed_items_filter
from .models import Item, ProcessStep, StaffAssignment

if TYPE_CHECKING:
    from tongban.dictionaries.models import ItemCategory, ItemType

# Sort keys offered by the query page; the code breaks ties so pages are stable.
SORTS = {
    "code": ("code",),
    "-code": ("-code",),
    "name": ("name", "code"),
    "-name": ("-name", "code"),
    "limit": ("promised_limit", "code"),
    "-limit": ("-promised_limit", "code"),
}
EXPORT_MAX_ROWS = 5000  # security.md: export size capped


@dataclass(frozen=True)
class ItemFilters:
    """The query's criteria; every one optional. ``department`` includes its
    sub-departments."""

    code: str = ""
    name: str = ""
    item_type: ItemType | None = None
    category: ItemCategory | None = None
    department: Department | None = None
    handling_type: str = ""
    limit_min: int | None = None
    limit_max: int | None = None
    online: bool | None = None
    published: bool | None = None
    sort: str = "code"

    def as_audit(self) -> dict[str, object]:
        """The criteria as recorded with an export."""
        values = {
            "code": self.code,
            "name": self.name,
            "item_type": getattr(self.item_type, "pk", None),
            "category": getattr(self.category, "pk", None),
            "department": getattr(self.department, "code", None),
            "handling_type": self.handling_type,
            "limit_min": self.limit_min,
            "limit_max": self.limit_max,
            "online": self.online,
            "published": self.published,
        }
        return {k: v for k, v in values.items() if v not in ("", None)}


def item_query(user: User, filters: ItemFilters) -> QuerySet[Item]:
    """Items matching ``filters`` that ``user`` may read: every published item (the
    catalogue is public) and the drafts of the departments the user maintains."""
    items = items_for_staff(user).select_related("department", "item_type", "category")
    if filters.code.strip():
        items = items.filter(code__icontains=filters.code.strip())
    if filters.name.strip():
        name = filters.name.strip()
        items = items.filter(Q(name__icontains=name) | Q(short_name__icontains=name))
    if filters.item_type is not None:
        items = items.filter(item_type=filters.item_type)
    if filters.category is not None:
        items = items.filter(category=filters.category)
    if filters.department is not None:
        items = items.filter(department__path__startswith=filters.department.path)
    if filters.handling_type:
        items = items.filter(handling_type=filters.handling_type)
    if filters.limit_min is not None:
        items = items.filter(promised_limit__gte=filters.limit_min)
    if filters.limit_max is not None:
        items = items.filter(promised_limit__lte=filters.limit_max)
    if filters.online is not None:
        items = items.filter(online_allowed=filters.online)
    if filters.published is not None:
        items = items.filter(is_published=filters.published)
    return items.order_by(*SORTS.get(filters.sort, SORTS["code"]))


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def items_workbook(items: QuerySet[Item]) -> bytes:
    """The rows of ``items`` as an .xlsx workbook with a Chinese header. Text that a
    spreadsheet would read as a formula is neutralised (security.md "Data")."""
    from openpyxl import Workbook

    from tongban.core.errors import ValidationFailed

    if items.count() > EXPORT_MAX_ROWS:
        message = _("More than %(max)d items match; narrow the query before exporting.") % {
            "max": EXPORT_MAX_ROWS
        }
        raise ValidationFailed(message, fields={"__all__": [message]})
    book = Workbook()
    sheet = book.active
    sheet.title = _("Items")
    sheet.append(
        [
            _("item code"),
            _("legal name"),
            _("short name"),
            _("item type"),
            _("item category"),
            _("responsible department"),
            _("handling type"),
            _("promised limit (working days)"),
            _("statutory limit (working days)"),
            _("online application allowed"),
            _("published"),
        ]
    )
    for item in items:
        sheet.append(
            [
                neutralise(item.code),
                neutralise(item.name),
                neutralise(item.short_name),
                neutralise(str(item.item_type)),
                neutralise(str(item.category or "")),
                neutralise(str(item.department)),
                str(item.get_handling_type_display()),
                item.promised_limit,
                item.statutory_limit,
                _yes_no(item.online_allowed),
                _yes_no(item.is_published),
            ]
        )
    for column, width in zip(
        "ABCDEFGHIJK", (24, 36, 20, 14, 14, 24, 10, 12, 12, 10, 8), strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- staff assignment (项目与人员的关联) -------------------------------------------------


def managed_items(user: User, *, search: str = "") -> QuerySet[Item]:
    """Items ``user`` maintains (drafts included), with their steps and staff."""
    condition = managed_items_filter(user)
    items = Item.objects.all() if condition is None else Item.objects.filter(condition)
    if search.strip():
        text = search.strip()
        items = items.filter(
            Q(code__icontains=text) | Q(name__icontains=text) | Q(short_name__icontains=text)
        )
    return (
        items.select_related("department")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=ProcessStep.objects.select_related("department").order_by("order", "id"),
            ),
            Prefetch(
                "steps__staff",
                queryset=StaffAssignment.objects.select_related("user").order_by("user__username"),
            ),
        )
        .order_by("code")
    )


def step_candidates(items: Iterable[Item]) -> dict[int, list[User]]:
    """For every step of ``items`` (with steps prefetched): the active users of the
    step's department subtree (or the item's) holding the step's role — the people
    ``services.assign_staff`` accepts. Two queries, however many steps."""
    steps = [
        (step, step.department or item.department) for item in items for step in item.steps.all()
    ]
    if not steps:
        return {}
    paths = {home.path for _step, home in steps}
    roles = {step.role for step, _home in steps}
    where = Q()
    for path in paths:
        where |= Q(department__path__startswith=path) | Q(section__path__startswith=path)
    users = list(
        User.objects.filter(where, is_active=True, roles__code__in=roles)
        .select_related("department", "section")
        .prefetch_related("roles")
        .distinct()
        .order_by("username")
    )
    by_role: dict[str, list[User]] = defaultdict(list)
    for user in users:
        for role in user.roles.all():
            by_role[role.code].append(user)
    result: dict[int, list[User]] = {}
    for step, home in steps:
        result[step.pk] = [
            u
            for u in by_role.get(step.role, [])
            if any(
                d is not None and d.path.startswith(home.path) for d in (u.department, u.section)
            )
        ]
    return result
