"""Reads: the announcements a user sees, the workbench panel, read receipts, the
portal's public list and search, and the phone directory."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Exists, OuterRef, Q, QuerySet

from tongban.accounts.models import Department, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, Group

from .models import (
    Announcement,
    AnnouncementCategory,
    AnnouncementRead,
    AudienceKind,
    DirectoryEntry,
)

# An announcement counts as "new" on the workbench for this long after it appears.
NEW_FOR = dt.timedelta(days=3)
MAX_QUERY_LENGTH = 100


def _with_read_flag(queryset: QuerySet[Announcement], user: User) -> QuerySet[Announcement]:
    return queryset.annotate(
        is_read=Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user))
    )


def visible_announcements(user: User | AnonymousUser, at: dt.datetime) -> QuerySet[Announcement]:
    """Published, not withdrawn, addressed to ``user``; pinned first, then newest.
    Each row carries ``is_read``."""
    rows = (
        Announcement.objects.published(at)
        .for_audience(user)
        .select_related("category", "department", "author")
        .newest_first()
    )
    return _with_read_flag(rows, user) if isinstance(user, User) and user.is_authenticated else rows


def announcement_list(
    user: User | AnonymousUser,
    at: dt.datetime,
    *,
    category: AnnouncementCategory | None = None,
    q: str = "",
) -> QuerySet[Announcement]:
    rows = visible_announcements(user, at)
    if category is not None:
        rows = rows.filter(category=category)
    q = q.strip()[:MAX_QUERY_LENGTH]
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(body__icontains=q))
    return rows


def my_announcements(user: User) -> QuerySet[Announcement]:
    """What ``user`` published, in any state (drafts in the future, withdrawn,
    expired): the publisher's own list."""
    return (
        Announcement.objects.filter(author=user)
        .select_related("category")
        .order_by("-created_at", "-id")
    )


def unread_count(user: User, at: dt.datetime) -> int:
    return Announcement.objects.published(at).for_audience(user).exclude(reads__user=user).count()


class WorkbenchItem(TypedDict):
    announcement: Announcement
    unread: bool
    is_new: bool


class WorkbenchAnnouncements(TypedDict):
    """The workbench card's announcements (``workbench_announcements``)."""

    items: list[WorkbenchItem]
    unread_count: int
    has_any: bool


def workbench_announcements(user: User, at: dt.datetime, limit: int = 5) -> WorkbenchAnnouncements:
    """What the workbench card needs: the latest ``limit`` visible announcements
    (pinned first), each with ``unread`` and ``is_new``, and the total unread."""
    # ``is_read`` is the annotation of ``_with_read_flag`` (django-stubs cannot see it).
    rows = [(row, bool(row.is_read)) for row in visible_announcements(user, at)[:limit]]  # type: ignore[attr-defined]
    return {
        "items": [
            {
                "announcement": row,
                "unread": not read,
                "is_new": not read and row.publish_from >= at - NEW_FOR,
            }
            for row, read in rows
        ],
        "unread_count": unread_count(user, at),
        "has_any": bool(rows),
    }


def public_announcements(
    at: dt.datetime, category: AnnouncementCategory | None = None
) -> QuerySet[Announcement]:
    rows = (
        Announcement.objects.published(at)
        .public()
        .select_related("category", "department")
        .newest_first()
    )
    if category is not None:
        rows = rows.filter(category=category)
    return rows


def public_categories() -> QuerySet[AnnouncementCategory]:
    return AnnouncementCategory.objects.filter(is_active=True, is_public=True)


def search_public(q: str, at: dt.datetime, limit: int = 10) -> list[Announcement]:
    """Public announcements whose title or text contains ``q`` (the portal's site
    search). The body is searched as stored, i.e. including markup words, which is
    harmless for the Chinese text searched here."""
    q = (q or "").strip()[:MAX_QUERY_LENGTH]
    if not q:
        return []
    return list(
        public_announcements(at).filter(Q(title__icontains=q) | Q(body__icontains=q))[:limit]
    )


def audience_users(announcement: Announcement) -> QuerySet[User]:
    """The active staff an announcement is addressed to."""
    users: QuerySet[User] = User.objects.filter(is_active=True)
    if announcement.audience == AudienceKind.DEPARTMENTS:
        condition = Q(pk__in=[])
        for path in announcement.departments.values_list("path", flat=True):
            condition |= Q(department__path__startswith=path) | Q(section__path__startswith=path)
        users = users.filter(condition)
    elif announcement.audience == AudienceKind.ROLES:
        users = users.filter(roles__in=announcement.roles.all())
    return users.distinct()


@dataclass
class Receipts:
    read: list[AnnouncementRead]
    unread: list[User]

    @property
    def audience_size(self) -> int:
        return len(self.unread) + len(self.read)


def read_receipts(announcement: Announcement) -> Receipts:
    """Who has read ``announcement`` (with when) and who of its audience has not."""
    read = list(
        announcement.reads.select_related("user__department", "user__section").order_by(
            "read_at", "id"
        )
    )
    reader_ids = {r.user_id for r in read}
    unread = [
        u
        for u in audience_users(announcement)
        .select_related("department", "section")
        .order_by("department__path", "username")
        if u.pk not in reader_ids
    ]
    return Receipts(read=read, unread=unread)


# --- the phone directory ---------------------------------------------------------------


def directory_entries(*, q: str = "", unit: Department | None = None) -> QuerySet[DirectoryEntry]:
    """Active entries; ``q`` matches unit, office, name, position or number; ``unit``
    includes its sub-units."""
    rows = DirectoryEntry.objects.active().select_related("unit", "user")
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    q = q.strip()[:MAX_QUERY_LENGTH]
    if q:
        rows = rows.filter(
            Q(unit__name__icontains=q)
            | Q(unit__short_name__icontains=q)
            | Q(office__icontains=q)
            | Q(name__icontains=q)
            | Q(position__icontains=q)
            | Q(number__icontains=q)
        )
    return rows.order_by("unit__path", "sort_order", "office", "name", "id")


def directory_units() -> QuerySet[Department]:
    return Department.objects.active().filter(pk__in=DirectoryEntry.objects.active().values("unit"))


class CategoryMaintainers(TypedDict):
    users: list[User]
    groups: list[Group]


def category_maintainers() -> CategoryMaintainers:
    """Who holds ``bulletin.manage_category`` directly: users and groups (members of a
    group hold it through the group)."""
    from django.contrib.auth.models import Group

    from tongban.accounts.models import User

    codename = {
        "content_type__app_label": "bulletin",
        "codename": "manage_category",
    }
    permission_filter = {f"user_permissions__{k}": v for k, v in codename.items()}
    group_filter = {f"permissions__{k}": v for k, v in codename.items()}
    return {
        "users": list(
            User.objects.filter(**permission_filter)
            .select_related("department")
            .order_by("username")
        ),
        "groups": list(Group.objects.filter(**group_filter).order_by("name")),
    }
