"""项目与人员的关联 (seed §1.10): which staff may handle an item at each step, kept by
the department (or the centre), on the office page and through the service."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.accounts.roles import RoleCode
from tongban.accounts.testing import log_in, make_user
from tongban.audit.models import AuditRecord
from tongban.catalog import services
from tongban.catalog.models import StaffAssignment
from tongban.catalog.rules import StepSpec
from tongban.core.errors import PermissionDenied, ValidationFailed

PAGE = "/office/catalog/staff/"


def _staff(step) -> list[str]:
    return sorted(step.staff.values_list("user__username", flat=True))


def _state():
    return (
        list(StaffAssignment.objects.order_by("pk").values_list("step_id", "user_id")),
        AuditRecord.objects.count(),
    )


@pytest.fixture
def undertake(item):
    return item.steps.get(name="承办")


def test_it_assigns_staff_of_the_department_holding_the_role(item, personas, undertake):
    colleague = make_user("handler2", RoleCode.HANDLER, department=personas.org.market)
    services.assign_staff(
        actor=personas.department_head,
        step=undertake,
        users=[personas.handler, colleague],
        at=timezone.now(),
    )
    assert _staff(undertake) == ["handler", "handler2"]
    record = AuditRecord.objects.get(action="item.staff")
    assert record.actor_id == personas.department_head.pk
    assert record.object_id == str(item.pk)
    assert record.before == {"step": "承办", "staff": []}
    assert record.after == {"step": "承办", "staff": ["handler", "handler2"]}
    # Replacing the list removes those left out.
    services.assign_staff(
        actor=personas.department_head, step=undertake, users=[colleague], at=timezone.now()
    )
    assert _staff(undertake) == ["handler2"]


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("outsider", "周外部 不在天水市市场监督管理局工作"),
        ("section_head", "赵科长 没有“承办人”角色"),
    ],
)
def test_it_refuses_people_who_do_not_qualify(personas, undertake, who, message):
    before = _state()
    with pytest.raises(ValidationFailed) as caught:
        services.assign_staff(
            actor=personas.department_head,
            step=undertake,
            users=[getattr(personas, who)],
            at=timezone.now(),
        )
    assert "不能为环节“承办”指定人员" in caught.value.fields["users"][0]
    assert message in caught.value.fields["users"][0]
    assert _state() == before


def test_it_refuses_a_disabled_account(personas, undertake):
    accounts.set_user_active(actor=None, user=personas.handler, active=False, at=timezone.now())
    personas.handler.refresh_from_db()
    before = _state()
    with pytest.raises(ValidationFailed) as caught:
        services.assign_staff(
            actor=personas.department_head,
            step=undertake,
            users=[personas.handler],
            at=timezone.now(),
        )
    assert "李承办 的账号已停用" in caught.value.message
    assert _state() == before


def test_it_refuses_a_city_level_holder_of_the_role(personas, undertake):
    # Someone above the department (the city government) does not work in it.
    city_handler = make_user("cityhandler", RoleCode.HANDLER, department=personas.org.city)
    with pytest.raises(ValidationFailed) as caught:
        services.assign_staff(
            actor=personas.department_head, step=undertake, users=[city_handler], at=timezone.now()
        )
    assert "不在天水市市场监督管理局工作" in caught.value.message


def test_it_takes_a_step_at_a_section_from_that_section_only(item, personas):
    services.set_process(
        actor=personas.department_head,
        item=item,
        steps=[
            StepSpec("受理", "window_clerk"),
            StepSpec("承办", "handler", 10, department_id=personas.org.market_section.pk),
        ],
        at=timezone.now(),
    )
    step = item.steps.get(name="承办")
    elsewhere = make_user("handler3", RoleCode.HANDLER, department=personas.org.market)
    services.assign_staff(
        actor=personas.department_head, step=step, users=[personas.handler], at=timezone.now()
    )
    with pytest.raises(ValidationFailed) as caught:
        services.assign_staff(
            actor=personas.department_head, step=step, users=[elsewhere], at=timezone.now()
        )
    assert "不在登记注册科工作" in caught.value.message
    assert _staff(step) == ["handler"]


def test_it_refuses_those_who_do_not_maintain_the_item(personas, undertake):
    land_head = make_user("landhead", RoleCode.DEPARTMENT_HEAD, department=personas.org.land)
    for actor in (personas.handler, land_head):
        with pytest.raises(PermissionDenied):
            services.assign_staff(
                actor=actor, step=undertake, users=[personas.handler], at=timezone.now()
            )
    assert _staff(undertake) == []


def test_it_lets_the_centre_keep_the_list_for_the_department(centre, personas, undertake):
    services.assign_staff(actor=centre, step=undertake, users=[personas.handler], at=timezone.now())
    assert _staff(undertake) == ["handler"]


# --- the office page --------------------------------------------------------------------


def test_it_lists_the_department_items_with_steps_and_candidates(client, personas, item):
    log_in(client, personas.department_head)
    page = client.get(PAGE).content.decode()
    assert "项目与人员的关联" in page
    assert "620500-SCJG-XK-001" in page
    for step in ("受理", "承办", "审核", "批准", "办结"):
        assert step in page
    assert "李承办" in page  # a handler of the department, offered for 承办/办结
    assert "王窗口" in page  # the window clerk, offered for 受理
    assert "周外部" not in page  # another department's handler


def test_it_saves_a_step_with_a_plain_form(client, personas, undertake):
    log_in(client, personas.department_head)
    response = client.post(
        f"{PAGE}steps/{undertake.pk}/", {"users": [personas.handler.pk], "back": "?q=食品"}
    )
    assert response.status_code == 302
    assert unquote(response["Location"]) == f"{PAGE}?q=食品#step-{undertake.pk}"
    assert _staff(undertake) == ["handler"]
    page = client.get(response["Location"]).content.decode()
    assert "已保存“食品经营许可”环节“承办”的办理人员。" in page


def test_it_shows_a_refusal_in_chinese_and_saves_nothing(client, personas, undertake):
    log_in(client, personas.department_head)
    before = _state()
    response = client.post(f"{PAGE}steps/{undertake.pk}/", {"users": [personas.outsider.pk]})
    assert _state() == before
    page = client.get(response["Location"]).content.decode()
    assert "周外部 不在天水市市场监督管理局工作" in page


def test_it_saves_in_page_with_htmx(client, personas, undertake):
    log_in(client, personas.department_head)
    response = client.post(
        f"{PAGE}steps/{undertake.pk}/",
        {"users": [personas.handler.pk]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert f'id="step-{undertake.pk}"' in fragment
    assert "已保存。" in fragment
    assert "<html" not in fragment
    assert _staff(undertake) == ["handler"]


def test_it_hides_other_departments_steps_and_the_page_from_others(client, personas, undertake):
    land_head = make_user("landhead", RoleCode.DEPARTMENT_HEAD, department=personas.org.land)
    log_in(client, land_head)
    assert "620500-SCJG-XK-001" not in client.get(PAGE).content.decode()
    response = client.post(f"{PAGE}steps/{undertake.pk}/", {"users": [personas.handler.pk]})
    assert response.status_code == 404
    log_in(client, personas.handler)  # no catalogue module
    assert client.get(PAGE).status_code == 403
    client.logout()
    assert client.get(PAGE)["Location"].startswith("/accounts/login/")
    assert _staff(undertake) == []
