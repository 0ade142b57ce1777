"""Maintaining items through the services: the default process, process changes that
keep staff, who may maintain what, and the audit trail of every change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.accounts.models import DepartmentKind
from tongban.accounts.roles import Module, RoleCode
from tongban.accounts.testing import make_user
from tongban.audit.models import AuditRecord
from tongban.catalog import access, services
from tongban.catalog.models import HandlingType, Item, PolicyBasis, ProcessStep, Theme
from tongban.catalog.rules import StepSpec
from tongban.catalog.services import MaterialSpec
from tongban.core.errors import ActionNotAllowed, NotFound, PermissionDenied

AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _steps(item: Item) -> list[tuple[str, str, int | None]]:
    return [(s.name, s.role, s.limit_days) for s in item.steps.order_by("order")]


def test_it_gives_a_new_item_the_default_process_within_its_limit(item):
    assert _steps(item) == [
        ("受理", "window_clerk", None),
        ("承办", "handler", 9),
        ("审核", "section_head", 3),
        ("批准", "department_head", 3),
        ("办结", "handler", None),
    ]
    assert sum(limit or 0 for _n, _r, limit in _steps(item)) <= item.promised_limit


def test_it_fits_the_default_process_of_a_joint_item_beside_its_assisting_departments(
    personas, licence_type
):
    from tongban.catalog.rules import AssistingSpec

    item = services.create_item(
        actor=personas.department_head,
        code="620500-SCJG-LB-002",
        name="联办事项",
        item_type=licence_type,
        department=personas.org.market,
        handling_type=HandlingType.JOINT,
        promised_limit=20,
        statutory_limit=45,
        assisting=[AssistingSpec(personas.org.land.pk, 8)],
        at=timezone.now(),
    )
    lead = sum(limit or 0 for _n, _r, limit in _steps(item))
    assert lead == 12  # 20 − 8 for the assisting department working in parallel
    assert item.max_extension == 15  # Art. 26


def test_it_gives_an_immediate_item_steps_without_limits(personas, licence_type):
    item = services.create_item(
        actor=personas.department_head,
        code="620500-SCJG-JB-001",
        name="即办事项",
        item_type=licence_type,
        department=personas.org.market,
        handling_type=HandlingType.IMMEDIATE,
        promised_limit=0,
        at=timezone.now(),
    )
    assert [limit for _n, _r, limit in _steps(item)] == [None] * 5
    assert item.max_extension == 0


def test_it_records_the_creation_with_the_whole_definition(item, personas):
    record = AuditRecord.objects.get(action="item.create", object_id=str(item.pk))
    assert record.actor_id == personas.department_head.pk
    assert record.after["code"] == "620500-SCJG-XK-001"
    assert [s["name"] for s in record.after["steps"]] == ["受理", "承办", "审核", "批准", "办结"]


def test_it_changes_an_item_and_records_only_what_changed(item, personas):
    services.update_item(
        actor=personas.department_head, item=item, promised_limit=18, contact_phone="0938-1", at=AT
    )
    item.refresh_from_db()
    assert (item.promised_limit, item.contact_phone) == (18, "0938-1")
    record = AuditRecord.objects.get(action="item.update", object_id=str(item.pk))
    assert record.before == {"promised_limit": 15, "contact_phone": ""}
    assert record.after == {"promised_limit": 18, "contact_phone": "0938-1"}
    assert record.at == AT
    # Saving the same values again changes nothing and records nothing.
    services.update_item(
        actor=personas.department_head, item=item, promised_limit=18, at=timezone.now()
    )
    assert AuditRecord.objects.filter(action="item.update").count() == 1


def test_it_keeps_the_staff_of_steps_that_keep_their_name(item, personas):
    undertake = item.steps.get(name="承办")
    services.assign_staff(
        actor=personas.department_head, step=undertake, users=[personas.handler], at=timezone.now()
    )
    review = item.steps.get(name="审核")
    services.assign_staff(
        actor=personas.department_head,
        step=review,
        users=[personas.section_head],
        at=timezone.now(),
    )

    services.set_process(
        actor=personas.department_head,
        item=item,
        steps=[
            StepSpec("受理", "window_clerk"),
            StepSpec("承办", "handler", 10),  # kept, new limit
            StepSpec("复核", "section_head", 3),  # 审核 renamed: a new step
            StepSpec("办结", "handler"),
        ],
        at=AT,
    )

    assert _steps(item) == [
        ("受理", "window_clerk", None),
        ("承办", "handler", 10),
        ("复核", "section_head", 3),
        ("办结", "handler", None),
    ]
    kept = item.steps.get(name="承办")
    assert kept.pk == undertake.pk
    assert list(kept.staff.values_list("user__username", flat=True)) == ["handler"]
    assert not item.steps.get(name="复核").staff.exists()
    assert not ProcessStep.objects.filter(pk=review.pk).exists()
    record = AuditRecord.objects.get(action="item.process")
    assert [s["name"] for s in record.before["steps"]] == ["受理", "承办", "审核", "批准", "办结"]
    assert [s["name"] for s in record.after["steps"]] == ["受理", "承办", "复核", "办结"]


def test_it_writes_one_audit_row_per_changed_part(item, personas):
    basis = services.save_policy_basis(
        actor=personas.department_head,
        name="中华人民共和国食品安全法",
        clause="第三十五条",
        at=timezone.now(),
    )
    services.update_item(
        actor=personas.department_head,
        item=item,
        special_procedures_allowed=True,
        at=timezone.now(),
    )
    services.set_materials(
        actor=personas.department_head,
        item=item,
        materials=[MaterialSpec("食品经营许可申请书"), MaterialSpec("营业执照", form="copy")],
        at=timezone.now(),
    )
    services.set_special_procedures(
        actor=personas.department_head, item=item, procedures={"onsite_check": 5}, at=timezone.now()
    )
    services.set_item_links(
        actor=personas.department_head, item=item, basis=[basis], at=timezone.now()
    )
    services.publish_item(actor=personas.department_head, item=item, at=timezone.now())
    services.publish_item(
        actor=personas.department_head, item=item, published=False, at=timezone.now()
    )

    actions = list(
        AuditRecord.objects.filter(object_type="catalog.item", object_id=str(item.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "item.create",
        "item.update",
        "item.materials",
        "item.special_procedures",
        "item.links",
        "item.publish",
        "item.withdraw",
    ]
    assert AuditRecord.objects.filter(action="basis.create", object_id=str(basis.pk)).exists()
    links = AuditRecord.objects.get(action="item.links")
    assert links.after == {"basis": [basis.pk]}
    assert [m.name for m in item.materials.order_by("order")] == ["食品经营许可申请书", "营业执照"]


def test_it_saves_a_whole_definition_in_one_transaction(personas, licence_type):
    theme = services.save_theme(actor=None, kind="theme", name="市场准入", at=timezone.now())
    item = services.save_item_definition(
        actor=personas.department_head,
        fields={
            "code": "620500-SCJG-XK-010",
            "name": "食品生产许可",
            "item_type": licence_type,
            "department": personas.org.market,
            "promised_limit": 10,
            "statutory_limit": 20,
            "special_procedures_allowed": True,
        },
        steps=[StepSpec("受理", "window_clerk"), StepSpec("承办", "handler", 10)],
        materials=[MaterialSpec("申请书")],
        special_procedures={"testing": 20},
        themes=[theme],
        at=timezone.now(),
    )
    assert _steps(item) == [("受理", "window_clerk", None), ("承办", "handler", 10)]
    assert list(item.materials.values_list("name", flat=True)) == ["申请书"]
    assert dict(item.special_procedures.values_list("kind", "limit_days")) == {"testing": 20}
    assert list(item.themes.all()) == [theme]
    record = AuditRecord.objects.get(action="item.create", object_id=str(item.pk))
    assert record.after["special_procedures"] == {"testing": 20}
    assert record.after["themes"] == [theme.pk]


def test_it_lets_the_department_head_maintain_the_department_items(item, personas):
    assert access.can_manage_department_items(personas.department_head, personas.org.market)
    services.update_item(actor=personas.department_head, item=item, fee="不收费", at=timezone.now())


def test_it_refuses_a_department_head_of_another_department(item, personas):
    other_head = make_user("landhead", RoleCode.DEPARTMENT_HEAD, department=personas.org.land)
    count = AuditRecord.objects.count()
    with pytest.raises(PermissionDenied):
        services.update_item(actor=other_head, item=item, promised_limit=10, at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.create_item(
            actor=other_head,
            code="X-1",
            name="越权",
            item_type=item.item_type,
            department=personas.org.market,
            promised_limit=5,
            at=timezone.now(),
        )
    item.refresh_from_db()
    assert item.promised_limit == 15
    assert AuditRecord.objects.count() == count


def test_it_refuses_an_outsider(item, personas):
    with pytest.raises(PermissionDenied):
        services.update_item(
            actor=personas.outsider, item=item, promised_limit=10, at=timezone.now()
        )
    with pytest.raises(NotFound):
        access.get_item_for(personas.outsider, item.code, action="manage")


def test_it_refuses_a_handler_without_the_catalogue_module(item, personas):
    with pytest.raises(PermissionDenied):
        services.update_item(
            actor=personas.handler, item=item, promised_limit=10, at=timezone.now()
        )
    with pytest.raises(PermissionDenied):
        services.publish_item(actor=personas.handler, item=item, at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.save_policy_basis(actor=personas.handler, name="某法", at=timezone.now())


def test_it_refuses_the_administrators_even_with_the_module(item, personas):
    # 三员分立: a system administrator granted the module still maintains no items.
    accounts.grant_module(
        actor=None, module=Module.CATALOG, user=personas.system_admin, at=timezone.now()
    )
    personas.system_admin.forget_cached_roles()
    with pytest.raises(PermissionDenied):
        services.update_item(
            actor=personas.system_admin, item=item, promised_limit=10, at=timezone.now()
        )


def test_it_lets_the_city_centre_maintain_every_department_items(item, personas, centre):
    assert access.catalogue_covers_everything(centre)
    services.update_item(actor=centre, item=item, promised_limit=17, at=timezone.now())
    land_item = services.create_item(
        actor=centre,
        code="620500-ZRZY-XK-001",
        name="建设用地规划许可",
        item_type=item.item_type,
        department=personas.org.land,
        promised_limit=15,
        statutory_limit=20,
        at=timezone.now(),
    )
    assert land_item.department == personas.org.land
    item.refresh_from_db()
    assert item.promised_limit == 17
    # Themes are city-wide: the centre maintains them, a department head does not.
    services.save_theme(actor=centre, kind="life_event", name="开办企业", at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.save_theme(
            actor=personas.department_head, kind="life_event", name="出生", at=timezone.now()
        )
    assert list(Theme.objects.values_list("name", flat=True)) == ["开办企业"]


def test_it_lets_a_county_hall_maintain_its_county_items(personas, licence_type):
    bureau = accounts.create_department(
        actor=None,
        code="QZQ-SCJG",
        name="秦州区市场监督管理局",
        kind=DepartmentKind.DEPARTMENT,
        parent=personas.org.county,
        at=timezone.now(),
    )
    clerk = make_user("qzclerk", RoleCode.HANDLER, department=personas.org.county_hall)
    accounts.grant_module(actor=None, module=Module.CATALOG, user=clerk, at=timezone.now())
    clerk.forget_cached_roles()
    assert not access.catalogue_covers_everything(clerk)
    assert access.can_manage_department_items(clerk, bureau)
    assert not access.can_manage_department_items(clerk, personas.org.market)
    services.create_item(
        actor=clerk,
        code="620502-SCJG-XK-001",
        name="个体工商户登记",
        item_type=licence_type,
        department=bureau,
        promised_limit=3,
        statutory_limit=15,
        at=timezone.now(),
    )


def test_it_shows_drafts_only_to_those_who_maintain_them(item, personas):
    with pytest.raises(NotFound):
        access.get_item_for(personas.outsider, item.code)
    assert access.get_item_for(personas.department_head, item.code) == item
    services.set_materials(
        actor=personas.department_head,
        item=item,
        materials=[MaterialSpec("申请书")],
        at=timezone.now(),
    )
    services.publish_item(actor=personas.department_head, item=item, at=timezone.now())
    assert access.get_item_for(personas.outsider, item.code) == item


def test_it_deletes_a_draft_but_not_a_published_item(item, personas):
    services.set_materials(
        actor=personas.department_head,
        item=item,
        materials=[MaterialSpec("申请书")],
        at=timezone.now(),
    )
    services.publish_item(actor=personas.department_head, item=item, at=timezone.now())
    with pytest.raises(ActionNotAllowed):
        services.delete_item(actor=personas.department_head, item=item, at=timezone.now())
    services.publish_item(
        actor=personas.department_head, item=item, published=False, at=timezone.now()
    )
    services.delete_item(actor=personas.department_head, item=item, at=timezone.now())
    assert not Item.objects.filter(pk=item.pk).exists()
    assert AuditRecord.objects.filter(action="item.delete", object_id=str(item.pk)).exists()


def test_it_keeps_a_policy_basis_cited_by_an_item(item, personas):
    basis = services.save_policy_basis(
        actor=personas.department_head, name="行政许可法", at=timezone.now()
    )
    services.set_item_links(
        actor=personas.department_head, item=item, basis=[basis], at=timezone.now()
    )
    with pytest.raises(ActionNotAllowed) as caught:
        services.delete_policy_basis(actor=personas.department_head, basis=basis, at=timezone.now())
    assert "620500-SCJG-XK-001" in str(caught.value.message)
    services.set_item_links(actor=personas.department_head, item=item, basis=[], at=timezone.now())
    services.delete_policy_basis(actor=personas.department_head, basis=basis, at=timezone.now())
    assert not PolicyBasis.objects.exists()
    assert AuditRecord.objects.filter(action="basis.delete").count() == 1
