"""Who sees an announcement, and when: audience, publish window, withdrawal, order."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.accounts.models import Role
from tongban.accounts.roles import RoleCode
from tongban.accounts.testing import make_user
from tongban.bulletin import selectors, services
from tongban.bulletin.models import AudienceKind
from tongban.core.errors import PermissionDenied, ValidationFailed

from .conftest import AT


def _titles(user, at=AT):
    return [a.title for a in selectors.visible_announcements(user, at)]


def test_it_shows_an_announcement_for_all_to_every_staff_member(personas, publish):
    publish("全体通知")
    for user in (personas.handler, personas.outsider, personas.supervisor):
        assert _titles(user) == ["全体通知"]


def test_it_shows_a_department_announcement_to_its_whole_subtree_only(personas, publish):
    publish("市场局通知", audience=AudienceKind.DEPARTMENTS, departments=[personas.org.market])
    # the handler works in the market department's section: inside the subtree
    assert _titles(personas.handler) == ["市场局通知"]
    assert _titles(personas.window_clerk) == ["市场局通知"]
    assert _titles(personas.outsider) == []
    assert _titles(personas.supervisor) == []  # the city, above: not addressed


def test_it_shows_a_section_announcement_to_the_section_only(personas, publish):
    publish(
        "科室通知", audience=AudienceKind.DEPARTMENTS, departments=[personas.org.market_section]
    )
    assert _titles(personas.handler) == ["科室通知"]
    assert _titles(personas.window_clerk) == []


def test_it_shows_a_role_announcement_to_holders_of_the_role(personas, publish):
    clerks = Role.objects.filter(code=RoleCode.WINDOW_CLERK)
    publish("窗口培训", audience=AudienceKind.ROLES, roles=list(clerks))
    assert _titles(personas.window_clerk) == ["窗口培训"]
    assert _titles(personas.handler) == []


def test_it_shows_a_public_announcement_to_staff_and_on_the_portal(personas, publish):
    publish("公开公告", category="public", audience=AudienceKind.PUBLIC)
    publish("内部公告")
    assert _titles(personas.outsider) == ["内部公告", "公开公告"]
    assert [a.title for a in selectors.public_announcements(AT)] == ["公开公告"]


def test_it_refuses_a_public_announcement_in_an_internal_category(publish):
    with pytest.raises(ValidationFailed) as caught:
        publish("公开公告", category="news", audience=AudienceKind.PUBLIC)
    assert "category" in caught.value.fields


def test_it_refuses_a_department_audience_without_departments(publish):
    with pytest.raises(ValidationFailed) as caught:
        publish("无部门", audience=AudienceKind.DEPARTMENTS)
    assert "departments" in caught.value.fields


def test_it_keeps_to_the_publish_window(personas, publish):
    publish(
        "限期通知",
        publish_from=AT + dt.timedelta(days=1),
        publish_until=AT + dt.timedelta(days=3),
    )
    assert _titles(personas.handler, AT) == []
    assert _titles(personas.handler, AT + dt.timedelta(days=2)) == ["限期通知"]
    assert _titles(personas.handler, AT + dt.timedelta(days=3)) == []


def test_it_refuses_an_end_before_the_start(publish):
    with pytest.raises(ValidationFailed) as caught:
        publish("倒置", publish_from=AT, publish_until=AT - dt.timedelta(hours=1))
    assert "publish_until" in caught.value.fields


def test_it_hides_a_withdrawn_announcement(personas, publish):
    announcement = publish("撤回的通知")
    services.withdraw_announcement(actor=personas.department_head, announcement=announcement, at=AT)
    assert _titles(personas.handler) == []
    assert selectors.unread_count(personas.handler, AT) == 0


def test_it_lists_pinned_first_then_newest(personas, publish):
    publish("旧的", publish_from=AT - dt.timedelta(days=3))
    publish("置顶旧的", pinned=True, publish_from=AT - dt.timedelta(days=5))
    publish("新的", publish_from=AT - dt.timedelta(days=1))
    assert _titles(personas.handler) == ["置顶旧的", "新的", "旧的"]


def test_it_gives_the_workbench_the_latest_with_unread_flags(personas, publish):
    first = publish("第一", publish_from=AT - dt.timedelta(days=10))
    publish("第二", publish_from=AT - dt.timedelta(hours=2))
    services.mark_read(actor=personas.handler, announcement=first, at=AT)
    panel = selectors.workbench_announcements(personas.handler, AT, limit=5)
    rows = [(r["announcement"].title, r["unread"], r["is_new"]) for r in panel["items"]]
    assert rows == [("第二", True, True), ("第一", False, False)]
    assert panel["unread_count"] == 1


def test_it_refuses_publishing_without_the_bulletin_module(personas, categories):
    nobody = make_user("nomodule", department=personas.org.market)
    with pytest.raises(PermissionDenied):
        services.publish_announcement(
            actor=nobody, title="x", category=categories["news"], body="", at=AT
        )


def test_it_lets_only_the_author_or_their_department_head_edit(personas, publish):
    announcement = publish("处室通知", actor=personas.handler)
    with pytest.raises(PermissionDenied):
        services.withdraw_announcement(actor=personas.outsider, announcement=announcement, at=AT)
    with pytest.raises(PermissionDenied):
        services.withdraw_announcement(
            actor=personas.window_clerk, announcement=announcement, at=AT
        )
    services.withdraw_announcement(actor=personas.department_head, announcement=announcement, at=AT)
    announcement.refresh_from_db()
    assert announcement.withdrawn_at == AT
