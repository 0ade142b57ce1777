"""The demo data loads, shows on the portal, and loads again without duplicates."""

from __future__ import annotations

from tongban.bulletin import selectors
from tongban.bulletin.demo import load_demo
from tongban.bulletin.models import Announcement, AnnouncementCategory, DirectoryEntry

from .conftest import AT


def test_it_loads_categories_announcements_and_the_directory_once(personas):
    created = load_demo(AT)
    assert created == {"categories": 4, "announcements": 8}
    assert AnnouncementCategory.objects.filter(is_public=True).count() == 1
    assert Announcement.objects.filter(pinned=True).count() == 1
    assert Announcement.objects.filter(attachments__isnull=False).count() == 1
    assert len(selectors.public_announcements(AT)) == 3
    assert DirectoryEntry.objects.filter(user=personas.handler).exists()
    assert load_demo(AT) == {"categories": 0, "announcements": 0}
    assert Announcement.objects.count() == 8
