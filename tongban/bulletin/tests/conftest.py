from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tongban.bulletin import services
from tongban.bulletin.models import AudienceKind
from tongban.core.clock import LOCAL_TZ

# "Now" for the tests, a minute ago: pages read the real clock, and what the services
# published at AT must already be visible to them.
AT = (dt.datetime.now(LOCAL_TZ) - dt.timedelta(minutes=1)).replace(microsecond=0)


def grant_category_permission(user) -> None:
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="bulletin", codename="manage_category")
    )


@pytest.fixture
def categories(db):
    news = services.save_category(
        actor=None, code="news", name="新闻动态", sort_order=1, at=timezone.now()
    )
    meeting = services.save_category(
        actor=None, code="meeting", name="会议通知", sort_order=2, at=timezone.now()
    )
    public = services.save_category(
        actor=None,
        code="disclosure",
        name="政务公开",
        sort_order=3,
        is_public=True,
        at=timezone.now(),
    )
    return {"news": news, "meeting": meeting, "public": public}


@pytest.fixture
def publish(personas, categories):
    """Publish as the department head (by default to everyone, at ``AT``)."""

    def publish_(title="通知", *, actor=None, category="news", **kwargs):
        kwargs.setdefault("body", "<p>正文</p>")
        kwargs.setdefault("audience", AudienceKind.ALL)
        kwargs.setdefault("at", AT)
        return services.publish_announcement(
            actor=actor or personas.department_head,
            title=title,
            category=categories[category],
            **kwargs,
        )

    return publish_
