"""The office pages: publishing through the form, the list, the workbench card."""

from __future__ import annotations

from django.template.loader import render_to_string

from tongban.accounts.testing import log_in, make_user
from tongban.audit.models import AuditRecord
from tongban.bulletin import selectors
from tongban.bulletin.models import Announcement, AudienceKind

from .conftest import AT


def test_a_publisher_publishes_through_the_form(client, personas, categories):
    log_in(client, personas.department_head)
    response = client.post(
        "/office/bulletin/new/",
        {
            "title": "关于周五例会的通知",
            "category": categories["meeting"].pk,
            "audience": AudienceKind.DEPARTMENTS,
            "departments": [personas.org.market.pk],
            "body": "<p>周五下午三点</p><script>x()</script>",
            "pinned": "on",
        },
    )
    announcement = Announcement.objects.get(title="关于周五例会的通知")
    assert response.status_code == 302
    assert announcement.pinned and announcement.body == "<p>周五下午三点</p>"
    assert list(announcement.departments.all()) == [personas.org.market]
    assert AuditRecord.objects.filter(action="announcement.publish").exists()


def test_bad_input_is_shown_on_the_field_and_nothing_is_stored(client, personas, categories):
    log_in(client, personas.department_head)
    response = client.post(
        "/office/bulletin/new/",
        {"title": "无部门", "category": categories["news"].pk, "audience": "departments"},
    )
    assert response.status_code == 200
    assert "departments" in response.context["form"].errors
    assert not Announcement.objects.exists()


def test_staff_without_the_module_read_but_cannot_publish(client, personas, publish):
    publish("全体通知")
    reader = make_user("reader", department=personas.org.land)
    log_in(client, reader)
    response = client.get("/office/bulletin/")
    assert response.status_code == 200
    assert "全体通知" in response.content.decode()
    assert client.get("/office/bulletin/new/").status_code == 403


def test_the_list_filters_by_category_and_searches(client, personas, publish, categories):
    publish("新闻一则", category="news")
    publish("会议通知一则", category="meeting", body="<p>地点：三楼</p>")
    log_in(client, personas.handler)
    response = client.get("/office/bulletin/", {"category": categories["meeting"].pk})
    assert [a.title for a in response.context["page"].object_list] == ["会议通知一则"]
    response = client.get("/office/bulletin/", {"q": "三楼"})
    assert [a.title for a in response.context["page"].object_list] == ["会议通知一则"]


def test_the_list_page_runs_a_fixed_number_of_queries(
    client, personas, publish, django_assert_max_num_queries
):
    for n in range(5):
        publish(f"通知{n}")
    log_in(client, personas.handler)
    client.get("/office/bulletin/")  # warm the session and permission caches
    with django_assert_max_num_queries(20):
        response = client.get("/office/bulletin/")
    assert len(response.context["page"].object_list) == 5


def test_the_workbench_card_shows_new_announcements(personas, publish):
    publish("置顶通知", pinned=True)
    publish("普通通知")
    panel = selectors.workbench_announcements(personas.handler, AT)
    html = render_to_string("bulletin/_workbench_panel.html", {"announcements": panel})
    assert 'id="panel-announcements"' in html
    assert html.index("置顶通知") < html.index("普通通知")
    assert 'data-count="2"' in html
