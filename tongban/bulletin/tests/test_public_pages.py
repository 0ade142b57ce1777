"""The portal's news and notices show public, published announcements only."""

from __future__ import annotations

import datetime as dt

from tongban.bulletin import selectors, services
from tongban.bulletin.models import AudienceKind

from .conftest import AT


def test_it_lists_only_public_published_announcements(client, personas, publish):
    public = publish("公开公告", category="public", audience=AudienceKind.PUBLIC)
    internal = publish("内部通知")
    later = publish(
        "未来公告",
        category="public",
        audience=AudienceKind.PUBLIC,
        publish_from=AT + dt.timedelta(days=2),
    )
    withdrawn = publish("撤回公告", category="public", audience=AudienceKind.PUBLIC)
    services.withdraw_announcement(actor=personas.department_head, announcement=withdrawn, at=AT)

    response = client.get("/portal/news/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "公开公告" in html
    for hidden in ("内部通知", "未来公告", "撤回公告"):
        assert hidden not in html
    assert client.get(f"/portal/news/{public.pk}/").status_code == 200
    for pk in (internal.pk, later.pk, withdrawn.pk, 999999):
        assert client.get(f"/portal/news/{pk}/").status_code == 404


def test_it_filters_by_category_and_pages(client, personas, publish, categories):
    for n in range(17):
        publish(f"公开{n:02d}", category="public", audience=AudienceKind.PUBLIC)
    response = client.get("/portal/news/", {"category": "disclosure"})
    assert len(response.context["page"].object_list) == 15
    response = client.get("/portal/news/", {"category": "disclosure", "page": 2})
    assert len(response.context["page"].object_list) == 2
    assert 'aria-current="page"' in response.content.decode()


def test_it_works_without_javascript_and_shows_the_body_safely(client, publish):
    announcement = publish(
        "公开公告",
        category="public",
        audience=AudienceKind.PUBLIC,
        body="<p>正文<strong>重点</strong></p><script>alert(1)</script>",
    )
    html = client.get(f"/portal/news/{announcement.pk}/").content.decode()
    assert "<strong>重点</strong>" in html
    assert "alert(1)" not in html


def test_site_search_finds_public_announcements_only(publish):
    publish("热线时间调整", category="public", audience=AudienceKind.PUBLIC)
    publish("热线内部排班")
    assert [a.title for a in selectors.search_public("热线", AT + dt.timedelta(seconds=1), 10)] == [
        "热线时间调整"
    ]
    assert selectors.search_public("", AT, 10) == []
