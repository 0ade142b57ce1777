"""Fetching announcements, attachments and directory entries by id for a user: the
only way views reach them. Missing and not-allowed give the same ``NotFound``."""

from __future__ import annotations

import datetime as dt

from tongban.accounts.roles import Module, RoleCode
from tongban.accounts.scoping import works_in
from tongban.accounts.selectors import can_use_module
from tongban.core.errors import NotFound

from .models import Announcement, AnnouncementAttachment, DirectoryEntry


def is_staff_user(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_publish(user) -> bool:
    """Publishing announcements and keeping manual directory entries: the BULLETIN
    module (role default or grant)."""
    return is_staff_user(user) and can_use_module(user, Module.BULLETIN)


def can_manage_categories(user) -> bool:
    """A Django permission of its own, granted by the security administrator
    (``services.set_category_maintainer``), separate from publishing."""
    return is_staff_user(user) and user.has_perm("bulletin.manage_category")


def can_edit(user, announcement: Announcement) -> bool:
    """The author, or the head of the announcing department, while they can
    publish. Nobody else changes what someone has published."""
    if not can_publish(user):
        return False
    if announcement.author_id is not None and announcement.author_id == user.pk:
        return True
    return (
        announcement.department is not None
        and user.has_role(RoleCode.DEPARTMENT_HEAD)
        and works_in(user, announcement.department)
    )


def get_announcement_for(user, pk: int, *, at: dt.datetime) -> Announcement:
    """An announcement ``user`` may read: addressed to them and published now, or
    one they may edit (whatever its state)."""
    if not is_staff_user(user):
        raise NotFound()
    found = (
        Announcement.objects.published(at)
        .for_audience(user)
        .select_related("category", "author", "department")
        .filter(pk=pk)
        .first()
    )
    if found is not None:
        return found
    return get_announcement_to_edit(user, pk)


def get_announcement_to_edit(user, pk: int) -> Announcement:
    announcement = (
        Announcement.objects.select_related("category", "author", "department")
        .filter(pk=pk)
        .first()
    )
    if announcement is None or not can_edit(user, announcement):
        raise NotFound()
    return announcement


def get_public_announcement(pk: int, *, at: dt.datetime) -> Announcement:
    found = (
        Announcement.objects.published(at)
        .public()
        .select_related("category", "department")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def get_attachment(announcement: Announcement, attachment_id: int) -> AnnouncementAttachment:
    """An attachment of an announcement the caller already has access to."""
    found = (
        AnnouncementAttachment.objects.select_related("file")
        .filter(announcement=announcement, pk=attachment_id)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def get_directory_entry_to_edit(user, pk: int) -> DirectoryEntry:
    """Only manual entries are edited by hand; an account's entry follows the
    account."""
    entry = DirectoryEntry.objects.select_related("unit").filter(pk=pk, user__isnull=True).first()
    if entry is None or not can_publish(user):
        raise NotFound()
    return entry
