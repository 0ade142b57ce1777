"""Read receipts: opening an announcement records it once; the publisher sees who
has read it and who of the audience has not."""

from __future__ import annotations

from tongban.accounts.models import User
from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.bulletin import selectors
from tongban.bulletin.models import AnnouncementRead, AudienceKind


def test_it_records_the_first_opening_only(client, personas, publish):
    announcement = publish(
        "请阅", audience=AudienceKind.DEPARTMENTS, departments=[personas.org.market]
    )
    log_in(client, personas.handler)
    assert client.get(f"/office/bulletin/{announcement.pk}/").status_code == 200
    assert client.get(f"/office/bulletin/{announcement.pk}/").status_code == 200
    receipt = AnnouncementRead.objects.get(announcement=announcement)
    assert receipt.user == personas.handler
    assert AuditRecord.objects.filter(action="announcement.read").count() == 1
    assert selectors.unread_count(personas.handler, receipt.read_at) == 0


def test_it_shows_the_publisher_who_read_and_who_did_not(client, personas, publish):
    announcement = publish(
        "请阅", audience=AudienceKind.DEPARTMENTS, departments=[personas.org.market]
    )
    log_in(client, personas.handler)
    client.get(f"/office/bulletin/{announcement.pk}/")
    log_in(client, personas.department_head)
    response = client.get(f"/office/bulletin/{announcement.pk}/receipts/")
    assert response.status_code == 200
    receipts = response.context["receipts"]
    assert [r.user.username for r in receipts.read] == ["handler"]
    unread = {u.username for u in receipts.unread}
    market_staff = set(
        User.objects.filter(department=personas.org.market).values_list("username", flat=True)
    )
    assert unread == market_staff - {"handler"}
    assert "outsider" not in unread
    assert 'data-user="handler"' in response.content.decode()


def test_it_hides_receipts_from_others(client, personas, publish):
    announcement = publish("请阅")
    log_in(client, personas.handler)
    assert client.get(f"/office/bulletin/{announcement.pk}/receipts/").status_code == 404
