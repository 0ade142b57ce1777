"""Every change to announcements, categories, read receipts and the phone directory.

Each function is one transaction that checks the actor, locks what it changes,
validates (``ValidationFailed`` naming the field), saves and appends the audit record.
``actor=None`` is the system itself (the demo loader, set-up commands, the sync that
follows account changes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tongban.accounts.models import Department, Role, User
from tongban.accounts.roles import ADMIN_ROLES, RoleCode
from tongban.audit.services import diff, model_snapshot, record_event
from tongban.core import files as core_files
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.services import full_clean_or_raise, require_role

from . import access
from .models import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementCategory,
    AnnouncementRead,
    AudienceKind,
    DirectoryEntry,
)
from .sanitise import sanitise_html

ATTACHMENT_KINDS = core_files.DOCUMENTS | {"xlsx", "jpeg", "png"}
MAX_ATTACHMENTS = 10
CATEGORY_FIELDS = ("code", "name", "sort_order", "is_active", "is_public")
ANNOUNCEMENT_FIELDS = [
    "title",
    "category",
    "body",
    "audience",
    "pinned",
    "publish_from",
    "publish_until",
]
DIRECTORY_FIELDS = ("unit", "office", "name", "position", "number", "mobile", "sort_order")


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


# --- categories ------------------------------------------------------------------------


def _require_category_permission(actor: User | None) -> None:
    if actor is not None and not access.can_manage_categories(actor):
        raise PermissionDenied(_("You may not maintain announcement categories."))


@transaction.atomic
def save_category(
    *,
    actor: User | None,
    code: str,
    name: str,
    sort_order: int = 0,
    is_active: bool = True,
    is_public: bool = False,
    category: AnnouncementCategory | None = None,
    at: dt.datetime,
) -> AnnouncementCategory:
    """Create a category, or change ``category``. Needs ``bulletin.manage_category``."""
    _require_category_permission(actor)
    if category is None:
        category = AnnouncementCategory()
        before: dict[str, Any] = {}
    else:
        category = AnnouncementCategory.objects.select_for_update().get(pk=category.pk)
        before = model_snapshot(category, list(CATEGORY_FIELDS))
    category.code = code.strip()
    category.name = name.strip()
    category.sort_order = sort_order
    category.is_active = is_active
    category.is_public = is_public
    full_clean_or_raise(category)
    if not before:
        category.save(force_insert=True)
        record_event(
            actor=actor,
            action="announcement_category.create",
            obj=category,
            at=at,
            after=model_snapshot(category, list(CATEGORY_FIELDS)),
        )
    else:
        if not is_public and category.announcements.filter(audience=AudienceKind.PUBLIC).exists():
            raise _refuse(
                "is_public",
                _("Public announcements use this category; it must stay for public use."),
            )
        category.save(update_fields=list(CATEGORY_FIELDS))
        b, a = diff(before, model_snapshot(category, list(CATEGORY_FIELDS)))
        record_event(
            actor=actor,
            action="announcement_category.update",
            obj=category,
            at=at,
            before=b,
            after=a,
        )
    return category


@transaction.atomic
def delete_category(*, actor: User | None, category: AnnouncementCategory, at: dt.datetime) -> None:
    """Delete an unused category; one in use can only be made inactive."""
    _require_category_permission(actor)
    category = AnnouncementCategory.objects.select_for_update().get(pk=category.pk)
    used = category.announcements.count()
    if used:
        message = _(
            "“%(name)s” is used by %(count)d announcements and cannot be deleted; "
            "make it inactive instead."
        ) % {"name": category.name, "count": used}
        raise ValidationFailed(message, fields={"__all__": [message]}, code="category_in_use")
    record_event(
        actor=actor,
        action="announcement_category.delete",
        obj=category,
        at=at,
        before=model_snapshot(category, list(CATEGORY_FIELDS)),
    )
    category.delete()


@transaction.atomic
def set_category_maintainer(
    *,
    actor: User | None,
    allowed: bool,
    user: User | None = None,
    group: Group | None = None,
    at: dt.datetime,
) -> None:
    """Grant or take back ``bulletin.manage_category`` for a user or a group: the
    security administrator's decision, like every other permission (三员分立)."""
    require_role(actor, RoleCode.SECURITY_ADMIN)
    if (user is None) == (group is None):
        raise _refuse("user", _("Choose exactly one of user or group."))
    if user is not None and user.role_codes() & ADMIN_ROLES:
        raise _refuse("user", _("Administrators cannot be given business permissions."))
    permission = Permission.objects.get(
        content_type__app_label="bulletin", codename="manage_category"
    )
    subject: User | Group
    if user is not None:
        subject = user
        if allowed:
            user.user_permissions.add(permission)
        else:
            user.user_permissions.remove(permission)
    else:
        assert group is not None  # exactly one of the two, checked above
        subject = group
        if allowed:
            group.permissions.add(permission)
        else:
            group.permissions.remove(permission)
    record_event(
        actor=actor,
        action="permission.grant" if allowed else "permission.revoke",
        obj=subject,
        at=at,
        after={"permission": "bulletin.manage_category", "subject": str(subject)},
    )


# --- announcements ---------------------------------------------------------------------


def _require_publisher(actor: User | None) -> None:
    if actor is not None and not access.can_publish(actor):
        raise PermissionDenied(_("You may not publish announcements."))


def _check_audience(
    audience: str,
    category: AnnouncementCategory,
    departments: Sequence[Department],
    roles: Sequence[Role],
) -> None:
    if audience not in AudienceKind.values:
        raise _refuse("audience", _("Choose who the announcement is for."))
    if audience == AudienceKind.DEPARTMENTS and not departments:
        raise _refuse("departments", _("Choose at least one department."))
    if audience == AudienceKind.ROLES and not roles:
        raise _refuse("roles", _("Choose at least one role."))
    if audience == AudienceKind.PUBLIC and not category.is_public:
        raise _refuse(
            "category",
            _("Public announcements need a category for public use."),
        )
    if not category.is_active:
        raise _refuse("category", _("This category is no longer in use."))


def _store_attachments(
    announcement: Announcement, uploads: Iterable[UploadedFile[bytes]], *, start: int = 0
) -> list[AnnouncementAttachment]:
    stored = []
    for offset, upload in enumerate(uploads):
        file = core_files.store_upload(upload, allowed=ATTACHMENT_KINDS, field="attachments")
        attachment, _created = AnnouncementAttachment.objects.get_or_create(
            announcement=announcement,
            file=file,
            defaults={
                "name": core_files.safe_filename(getattr(upload, "name", "") or "file"),
                "sort_order": start + offset,
            },
        )
        stored.append(attachment)
    return stored


def _snapshot(announcement: Announcement) -> dict[str, Any]:
    data = model_snapshot(announcement, ANNOUNCEMENT_FIELDS)
    data.pop("body", None)  # long; its length is enough to see that it changed
    data["body_length"] = len(announcement.body)
    data["departments"] = sorted(announcement.departments.values_list("code", flat=True))
    data["roles"] = sorted(announcement.roles.values_list("code", flat=True))
    data["attachments"] = list(announcement.attachments.values_list("name", flat=True))
    return data


@transaction.atomic
def publish_announcement(
    *,
    actor: User | None,
    title: str,
    category: AnnouncementCategory,
    body: str,
    audience: str = AudienceKind.ALL,
    departments: Sequence[Department] = (),
    roles: Sequence[Role] = (),
    pinned: bool = False,
    publish_from: dt.datetime | None = None,
    publish_until: dt.datetime | None = None,
    attachments: Sequence[UploadedFile[bytes]] = (),
    author: User | None = None,
    at: dt.datetime,
) -> Announcement:
    """Publish an announcement (from ``publish_from``, default now). The body is
    sanitised here, so nothing unsafe is ever stored."""
    _require_publisher(actor)
    author = actor if actor is not None else author
    _check_audience(audience, category, departments, roles)
    if len(attachments) > MAX_ATTACHMENTS:
        raise _refuse("attachments", _("At most %(max)d attachments.") % {"max": MAX_ATTACHMENTS})
    announcement = Announcement(
        title=title.strip(),
        category=category,
        body=sanitise_html(body),
        author=author,
        department=author.department if author else None,
        audience=audience,
        pinned=pinned,
        publish_from=publish_from or at,
        publish_until=publish_until,
        created_at=at,
        updated_at=at,
    )
    full_clean_or_raise(announcement)
    announcement.save(force_insert=True)
    announcement.departments.set(departments if audience == AudienceKind.DEPARTMENTS else [])
    announcement.roles.set(roles if audience == AudienceKind.ROLES else [])
    _store_attachments(announcement, attachments)
    record_event(
        actor=actor,
        action="announcement.publish",
        obj=announcement,
        at=at,
        after=_snapshot(announcement),
    )
    return announcement


@transaction.atomic
def update_announcement(
    *,
    actor: User | None,
    announcement: Announcement,
    title: str,
    category: AnnouncementCategory,
    body: str,
    audience: str,
    departments: Sequence[Department] = (),
    roles: Sequence[Role] = (),
    pinned: bool = False,
    publish_from: dt.datetime,
    publish_until: dt.datetime | None = None,
    add_attachments: Sequence[UploadedFile[bytes]] = (),
    remove_attachments: Iterable[int] = (),
    at: dt.datetime,
) -> Announcement:
    """Change an announcement (its author or the announcing department's head).
    Read receipts are kept: a reader has seen the earlier text."""
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if actor is not None and not access.can_edit(actor, announcement):
        raise PermissionDenied(_("You may not change this announcement."))
    if announcement.withdrawn_at is not None:
        raise _refuse("__all__", _("A withdrawn announcement cannot be changed."))
    before = _snapshot(announcement)
    _check_audience(audience, category, departments, roles)
    announcement.title = title.strip()
    announcement.category = category
    announcement.body = sanitise_html(body)
    announcement.audience = audience
    announcement.pinned = pinned
    announcement.publish_from = publish_from
    announcement.publish_until = publish_until
    announcement.updated_at = at
    full_clean_or_raise(announcement)
    announcement.save(update_fields=[*ANNOUNCEMENT_FIELDS, "updated_at"])
    announcement.departments.set(departments if audience == AudienceKind.DEPARTMENTS else [])
    announcement.roles.set(roles if audience == AudienceKind.ROLES else [])
    remove = set(remove_attachments)
    if remove:
        announcement.attachments.filter(pk__in=remove).delete()
    kept = announcement.attachments.count()
    if kept + len(add_attachments) > MAX_ATTACHMENTS:
        raise _refuse("attachments", _("At most %(max)d attachments.") % {"max": MAX_ATTACHMENTS})
    last = announcement.attachments.aggregate(m=Max("sort_order"))["m"]
    _store_attachments(announcement, add_attachments, start=(last or 0) + 1)
    b, a = diff(before, _snapshot(announcement))
    record_event(
        actor=actor, action="announcement.update", obj=announcement, at=at, before=b, after=a
    )
    return announcement


@transaction.atomic
def withdraw_announcement(
    *, actor: User | None, announcement: Announcement, at: dt.datetime
) -> Announcement:
    """Take an announcement down (from the workbench, the lists and the portal). The
    row and its receipts stay: what was published, and who read it, is a record."""
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if actor is not None and not access.can_edit(actor, announcement):
        raise PermissionDenied(_("You may not withdraw this announcement."))
    if announcement.withdrawn_at is not None:
        return announcement
    announcement.withdrawn_at = at
    announcement.withdrawn_by = actor
    announcement.save(update_fields=["withdrawn_at", "withdrawn_by"])
    record_event(
        actor=actor,
        action="announcement.withdraw",
        obj=announcement,
        at=at,
        after={"withdrawn_at": at},
    )
    return announcement


@transaction.atomic
def mark_read(*, actor: User, announcement: Announcement, at: dt.datetime) -> AnnouncementRead:
    """Record that ``actor`` opened ``announcement``: once, at the first opening.
    The caller has fetched the announcement through ``access``."""
    receipt, created = AnnouncementRead.objects.get_or_create(
        announcement=announcement, user=actor, defaults={"read_at": at}
    )
    if created:
        record_event(actor=actor, action="announcement.read", obj=announcement, at=at)
    return receipt


# --- the phone directory ---------------------------------------------------------------


def _user_entry_values(user: User) -> dict[str, Any]:
    unit = user.department
    return {
        "unit": unit,
        "office": user.section.name if user.section is not None else "",
        "name": user.display_name,
        "position": user.position,
        "mobile": user.mobile or "",
        "is_active": user.is_active and unit is not None,
    }


def sync_directory_entry(user: User) -> DirectoryEntry | None:
    """Bring ``user``'s entry in line with the account: unit, section, name, position
    and mobile follow it; a disabled account (or one without a department) drops out
    of the directory. The work ``number`` is the unit's own data: set from the
    department's telephone when the entry is created, kept by hand after that.

    Runs inside the transaction that changed the account (``apps.ready`` connects it
    to the account's ``post_save``); the account change itself is what is audited."""
    values = _user_entry_values(user)
    entry = DirectoryEntry.objects.select_for_update().filter(user=user).first()
    if entry is None:
        if not values["is_active"]:
            return None
        entry = DirectoryEntry(user=user, number=values["unit"].phone, **values)
        entry.save(force_insert=True)
        return entry
    if values["unit"] is None:
        values.pop("unit")
    changed = [name for name, value in values.items() if getattr(entry, name) != value]
    for name in changed:
        setattr(entry, name, values[name])
    if changed:
        entry.save(update_fields=changed)
    return entry


@transaction.atomic
def sync_directory_from_users(*, actor: User | None = None, at: dt.datetime) -> dict[str, int]:
    """Sync every account's entry (after an import or a restore)."""
    require_role(actor, RoleCode.SYSTEM_ADMIN)
    counts = {"active": 0, "inactive": 0}
    for user in User.objects.select_related("department", "section").order_by("pk"):
        entry = sync_directory_entry(user)
        if entry is not None:
            counts["active" if entry.is_active else "inactive"] += 1
    record_event(
        actor=actor,
        action="directory.sync",
        object_type="bulletin.directoryentry",
        at=at,
        after=counts,
    )
    return counts


@transaction.atomic
def save_directory_entry(
    *,
    actor: User | None,
    unit: Department,
    name: str,
    office: str = "",
    position: str = "",
    number: str = "",
    mobile: str = "",
    sort_order: int = 0,
    entry: DirectoryEntry | None = None,
    at: dt.datetime,
) -> DirectoryEntry:
    """Create or change a manual entry (an office's line, not an account)."""
    _require_publisher(actor)
    if entry is None:
        entry = DirectoryEntry()
        before: dict[str, Any] = {}
    else:
        entry = DirectoryEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.user_id is not None:
            raise NotFound()
        before = model_snapshot(entry, [f for f in DIRECTORY_FIELDS if f != "mobile"])
    entry.unit = unit
    entry.name = name.strip()
    entry.office = office.strip()
    entry.position = position.strip()
    entry.number = number.strip()
    entry.mobile = mobile.strip()
    entry.sort_order = sort_order
    if not entry.number and not entry.mobile:
        raise _refuse("number", _("Enter a telephone number."))
    full_clean_or_raise(entry)
    after = model_snapshot(entry, [f for f in DIRECTORY_FIELDS if f != "mobile"])
    if not before:
        entry.save(force_insert=True)
        record_event(actor=actor, action="directory.create", obj=entry, at=at, after=after)
    else:
        entry.save(update_fields=[*DIRECTORY_FIELDS])
        b, a = diff(before, after)
        record_event(actor=actor, action="directory.update", obj=entry, at=at, before=b, after=a)
    return entry


@transaction.atomic
def delete_directory_entry(*, actor: User | None, entry: DirectoryEntry, at: dt.datetime) -> None:
    _require_publisher(actor)
    entry = DirectoryEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.user_id is not None:
        raise NotFound()
    record_event(
        actor=actor,
        action="directory.delete",
        obj=entry,
        at=at,
        before=model_snapshot(entry, [f for f in DIRECTORY_FIELDS if f != "mobile"]),
    )
    entry.delete()


def export_directory(*, actor: User, entries: Iterable[DirectoryEntry], at: dt.datetime) -> bytes:
    """The directory as .xlsx (mobiles masked unless ``actor`` keeps the directory),
    with one audit record of the export."""
    from tongban.audit.export import neutralise
    from tongban.core.excel import table_workbook

    reveal = access.can_publish(actor)
    header = [
        (_("unit"), 30),
        (_("office"), 20),
        (_("name"), 12),
        (_("position"), 16),
        (_("number"), 18),
        (_("mobile number"), 16),
    ]
    rows = (
        [
            neutralise(str(value))
            for value in (
                entry.unit.name,
                entry.office,
                entry.name,
                entry.position,
                entry.number,
                entry.mobile if reveal else entry.masked_mobile,
            )
        ]
        for entry in entries
    )
    data, count = table_workbook(_("Phone directory"), header, rows)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="directory.export",
            object_type="bulletin.directoryentry",
            at=at,
            message=_("%(count)d directory entries exported to Excel.") % {"count": count},
            after={"count": count},
        )
    return data
