"""Public reads of the catalogue (办事指南): what citizens and partner apps may see.

Only items that are published and valid on the day asked (default today) exist for
the public. A draft, a withdrawn or an expired item, and every file attached to one,
answers exactly like a missing one (``NotFound``), so the public cannot tell a draft
from a typo.

Audience (个人 / 法人): the ``audience`` filter reads the item's application
categories (``ApplicationCategory.type``, a closed list that intake also relies on):
an item serves individuals when one of its application categories is for
individuals. Free-named themes of kind ``AUDIENCE`` (e.g. 老年人, 残疾人) are offered
for browsing like any other theme (``theme=<id>``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from tongban.accounts.models import Department, DepartmentKind
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.models import StoredFile
from tongban.dictionaries.models import ApplicantType, ApplicationCategory

from .models import (
    AssistingDepartment,
    FormField,
    HandlingType,
    Item,
    Material,
    PolicyBasis,
    ProcessStep,
    Theme,
    ThemeKind,
)

MAX_SEARCH_TERMS = 8
MAX_QUERY_LENGTH = 100
SEARCH_FIELDS = ("code", "name", "short_name", "conditions")


@dataclass(frozen=True)
class GuideFilters:
    """What a citizen (or a partner app) narrows the catalogue by. Empty values mean
    "any"."""

    q: str = ""
    department: str = ""  # a department code; its whole subtree is included
    handling_type: str = ""
    item_type: int | None = None
    category: int | None = None
    theme: int | None = None
    audience: str = ""  # an ApplicantType value
    online: bool | None = None

    @property
    def active(self) -> bool:
        return any(
            value not in ("", None)
            for value in (
                self.q,
                self.department,
                self.handling_type,
                self.item_type,
                self.category,
                self.theme,
                self.audience,
                self.online,
            )
        )


def _refuse(field_name: str, message: str):
    raise ValidationFailed(message, fields={field_name: [message]})


def published_items(
    filters: GuideFilters | None = None, *, on: dt.date | None = None
) -> QuerySet[Item]:
    """Published items valid on ``on`` (default today) matching ``filters``, with what
    a result line shows joined in (department, type, category): a page of them costs
    one query whatever its size.

    Search: every whitespace-separated term must occur (case-insensitively, so it
    works for Chinese as for Latin letters) in the code, the name, the short name or
    the conditions. Raises ``ValidationFailed`` naming the filter for a value that
    cannot be right (an unknown department code or handling type)."""
    filters = filters or GuideFilters()
    items = Item.objects.published(on).select_related("department", "item_type", "category")

    query = (filters.q or "").strip()[:MAX_QUERY_LENGTH]
    for term in query.split()[:MAX_SEARCH_TERMS]:
        match = Q()
        for name in SEARCH_FIELDS:
            match |= Q(**{f"{name}__icontains": term})
        items = items.filter(match)

    if filters.department:
        # Codes are upper-case by constraint; "scjg" typed in a URL means SCJG.
        department = Department.objects.filter(code=filters.department.strip().upper()).first()
        if department is None:
            _refuse(
                "department",
                _("There is no department with the code “%(code)s”.")
                % {"code": filters.department},
            )
        items = items.filter(department__path__startswith=department.path)

    if filters.handling_type:
        if filters.handling_type not in HandlingType.values:
            _refuse("handling_type", _("Unknown handling type."))
        items = items.filter(handling_type=filters.handling_type)

    if filters.audience:
        if filters.audience not in ApplicantType.values:
            _refuse("audience", _("Unknown audience."))
        # Exists, not a join: an item with two categories for the same audience is
        # still one result.
        items = items.filter(
            Exists(
                Item.application_categories.through.objects.filter(
                    item_id=OuterRef("pk"), applicationcategory__type=filters.audience
                )
            )
        )

    if filters.item_type is not None:
        items = items.filter(item_type_id=filters.item_type)
    if filters.category is not None:
        items = items.filter(category_id=filters.category)
    if filters.theme is not None:
        items = items.filter(themes__id=filters.theme)  # (item, theme) pairs are unique
    if filters.online is not None:
        items = items.filter(online_allowed=filters.online)
    return items.order_by("code")


def item_guide(code: str, *, on: dt.date | None = None) -> Item:
    """The full service guide of a published item: everything its page, its printable
    view and the API show, fetched in a fixed number of queries. ``NotFound`` for a
    missing, draft or expired item."""
    materials = Material.objects.select_related("blank_form", "example").order_by("order", "id")
    steps = ProcessStep.objects.select_related("department").order_by("order", "id")
    assisting = AssistingDepartment.objects.select_related("department").order_by(
        "department__path"
    )
    basis = PolicyBasis.objects.select_related("document").order_by("name", "id")
    fields = FormField.objects.order_by("order", "id")
    item = (
        Item.objects.published(on)
        .select_related("department", "item_type", "category")
        .prefetch_related(
            Prefetch("materials", queryset=materials),
            Prefetch("steps", queryset=steps),
            Prefetch("assisting", queryset=assisting),
            Prefetch("basis", queryset=basis),
            Prefetch("form_fields", queryset=fields),
            "special_procedures",
            "themes",
            "application_categories",
        )
        .filter(code=code)
        .first()
    )
    if item is None:
        raise NotFound(_("There is no published service item with this code."))
    return item


def material_file(
    code: str, material_id: int, *, example: bool = False, on: dt.date | None = None
) -> StoredFile:
    """The blank form (or, with ``example``, the filled example) of a material of a
    published item. ``NotFound`` when the item is not public, the material is not
    the item's, or it has no such file."""
    material = (
        Material.objects.select_related("blank_form", "example")
        .filter(pk=material_id, item__in=Item.objects.published(on).filter(code=code))
        .first()
    )
    stored = None if material is None else (material.example if example else material.blank_form)
    if stored is None:
        raise NotFound(_("There is no such form to download."))
    return stored


def basis_document(basis_id: int, *, on: dt.date | None = None) -> StoredFile:
    """The uploaded document of a policy basis that at least one published item rests
    on. A basis used only by drafts is not public yet."""
    public = Item.basis.through.objects.filter(
        policybasis_id=OuterRef("pk"), item__in=Item.objects.published(on)
    )
    basis = (
        PolicyBasis.objects.select_related("document")
        .filter(pk=basis_id, document__isnull=False)
        .filter(Exists(public))
        .first()
    )
    if basis is None:
        raise NotFound(_("There is no such document to download."))
    return basis.document


# --- browsing facets --------------------------------------------------------------------


@dataclass
class DepartmentNode:
    """A department in the browse tree with the number of public items in its subtree."""

    code: str
    name: str
    kind: str
    path: str
    count: int = 0
    children: list[DepartmentNode] = field(default_factory=list)


@dataclass
class DepartmentTree:
    city: list[DepartmentNode]  # the city's departments (市直部门)
    counties: list[DepartmentNode]  # counties and districts (县区), with their departments

    def __bool__(self) -> bool:
        return bool(self.city or self.counties)


def department_tree(*, on: dt.date | None = None) -> DepartmentTree:
    """The departments that have published items, for browsing: the city's
    departments, and the counties with their own departments below them. Sections
    are internal and folded into their department. Two queries."""
    paths = list(Item.objects.published(on).values_list("department__path", flat=True))
    departments = Department.objects.exclude(kind=DepartmentKind.SECTION).order_by(
        "sort_order", "path"
    )
    nodes: dict[str, DepartmentNode] = {}
    for department in departments:
        depth = department.path.count("/") - 2
        if depth not in (1, 2):
            continue
        count = sum(1 for p in paths if p.startswith(department.path))
        if count:
            nodes[department.path] = DepartmentNode(
                code=department.code,
                name=department.name,
                kind=department.kind,
                path=department.path,
                count=count,
            )
    top: list[DepartmentNode] = []
    for path, node in nodes.items():
        parent_path = path[: path.rstrip("/").rfind("/") + 1]
        if parent_path in nodes:
            nodes[parent_path].children.append(node)
        elif node.path.count("/") - 2 == 1:
            top.append(node)
    return DepartmentTree(
        city=[n for n in top if n.kind != DepartmentKind.COUNTY],
        counties=[n for n in top if n.kind == DepartmentKind.COUNTY],
    )


def theme_facets(*, on: dt.date | None = None) -> dict[str, list[Theme]]:
    """Themes and life events that have published items, each with ``count``; keyed
    by ``ThemeKind`` value. One query."""
    themes = (
        Theme.objects.filter(items__in=Item.objects.published(on))
        .annotate(count=Count("items"))
        .order_by("kind", "sort_order", "name")
    )
    facets: dict[str, list[Theme]] = {kind: [] for kind in ThemeKind.values}
    for theme in themes:
        facets[theme.kind].append(theme)
    return facets


def audience_facets(*, on: dt.date | None = None) -> list[tuple[str, str, int]]:
    """(applicant type, its label, number of published items for it), for the
    types that have any. One query."""
    rows = (
        ApplicationCategory.objects.filter(items__in=Item.objects.published(on))
        .values("type")
        .annotate(count=Count("items", distinct=True))
    )
    counts = {row["type"]: row["count"] for row in rows}
    return [
        (value, str(label), counts[value])
        for value, label in ApplicantType.choices
        if counts.get(value)
    ]


def featured_items(*, limit: int = 8, on: dt.date | None = None) -> list[Item]:
    """Items shown on the portal's home page: those that can be applied for online
    first, then the most recently updated."""
    return list(
        Item.objects.published(on)
        .select_related("department")
        .order_by("-online_allowed", "-updated_at", "code")[:limit]
    )
