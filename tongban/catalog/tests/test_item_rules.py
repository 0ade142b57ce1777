"""Every rule of an item definition (issue #3 points 1 and 5), refused by the services
with a Chinese message naming the field, and nothing changed by a refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tongban.audit.models import AuditRecord
from tongban.catalog import services
from tongban.catalog.models import (
    AssistingDepartment,
    HandlingType,
    Item,
    ItemSpecialProcedure,
    Material,
    ProcessStep,
)
from tongban.catalog.rules import AssistingSpec, StepSpec
from tongban.catalog.services import MaterialSpec
from tongban.core.errors import ValidationFailed


def _state():
    """Everything a refusal must leave as it was."""
    return (
        list(Item.objects.order_by("pk").values()),
        list(ProcessStep.objects.order_by("pk").values()),
        list(AssistingDepartment.objects.order_by("pk").values()),
        list(Material.objects.order_by("pk").values()),
        list(ItemSpecialProcedure.objects.order_by("pk").values()),
        list(Item.basis.through.objects.order_by("pk").values()),
        AuditRecord.objects.count(),
    )


def _refused(call, field: str, message: str):
    before = _state()
    with pytest.raises(ValidationFailed) as caught:
        call()
    assert field in caught.value.fields, caught.value.fields
    assert any(message in str(m) for m in caught.value.fields[field]), caught.value.fields
    assert _state() == before
    return caught.value


@pytest.fixture
def new_item(personas, licence_type):
    """Keyword arguments of a valid promised item; tests change one thing."""

    def make(**changes):
        fields = {
            "code": "620500-SCJG-XK-900",
            "name": "测试事项",
            "item_type": licence_type,
            "department": personas.org.market,
            "handling_type": HandlingType.PROMISED,
            "promised_limit": 10,
            "statutory_limit": 20,
        }
        fields.update(changes)
        return lambda: services.create_item(
            actor=personas.department_head, **fields, at=timezone.now()
        )

    return make


def test_it_refuses_a_promised_limit_above_the_statutory_limit(new_item, item, personas):
    _refused(
        new_item(promised_limit=25, statutory_limit=20),
        "promised_limit",
        "承诺时限（25 个工作日）不得超过法定时限（20 个工作日）",
    )
    _refused(
        lambda: services.update_item(
            actor=personas.department_head, item=item, promised_limit=21, at=timezone.now()
        ),
        "promised_limit",
        "承诺时限（21 个工作日）不得超过法定时限（20 个工作日）",
    )
    item.refresh_from_db()
    assert item.promised_limit == 15


def test_it_refuses_a_joint_item_without_assisting_departments(new_item):
    _refused(
        new_item(handling_type=HandlingType.JOINT, promised_limit=20),
        "assisting",
        "联办件至少需要一个协办部门",
    )


def test_it_refuses_a_joint_item_above_45_working_days(new_item, personas):
    _refused(
        new_item(
            handling_type=HandlingType.JOINT,
            promised_limit=46,
            statutory_limit=60,
            assisting=[AssistingSpec(personas.org.land.pk, 5)],
        ),
        "promised_limit",
        "联办件须在 45 个工作日内办结",
    )


def test_it_refuses_an_immediate_item_with_a_limit(new_item):
    _refused(
        new_item(handling_type=HandlingType.IMMEDIATE, promised_limit=1),
        "promised_limit",
        "即办件当场办结，承诺时限必须为 0",
    )


def test_it_refuses_step_limits_that_do_not_fit_the_promised_limit(item, personas):
    steps = [StepSpec("受理", "window_clerk"), StepSpec("承办", "handler", 10)]
    steps += [StepSpec("审核", "section_head", 6)]
    _refused(
        lambda: services.set_process(
            actor=personas.department_head, item=item, steps=steps, at=timezone.now()
        ),
        "steps",
        "各环节时限（16 个工作日，另加协办部门并行办理 0 个工作日）超出了承诺时限 15 个工作日",
    )
    assert [s.name for s in item.steps.order_by("order")] == [
        "受理",
        "承办",
        "审核",
        "批准",
        "办结",
    ]


def test_it_counts_the_assisting_departments_in_parallel_for_a_joint_item(joint_item, personas):
    # Lead 12 + assisting max(6, 9) = 21 > 20: the longest assisting limit counts.
    assisting = [
        AssistingSpec(personas.org.land.pk, 6),
        AssistingSpec(personas.org.county.pk, 9),
    ]
    steps = [StepSpec(s.name, s.role, s.limit_days) for s in joint_item.steps.order_by("order")]
    _refused(
        lambda: services.set_process(
            actor=personas.department_head,
            item=joint_item,
            steps=steps,
            assisting=assisting,
            at=timezone.now(),
        ),
        "steps",
        "各环节时限（12 个工作日，另加协办部门并行办理 9 个工作日）超出了承诺时限 20 个工作日",
    )
    # 8 for the slower assisting department fits: 12 + 8 = 20.
    assisting[1] = AssistingSpec(personas.org.county.pk, 8)
    services.set_process(
        actor=personas.department_head,
        item=joint_item,
        steps=steps,
        assisting=assisting,
        at=timezone.now(),
    )
    assert joint_item.assisting.count() == 2


def test_it_refuses_an_extension_above_the_statutory_cap(new_item, personas, item):
    _refused(new_item(max_extension=11), "max_extension", "最长延期（11 个工作日）不得超过")
    _refused(
        new_item(
            handling_type=HandlingType.JOINT,
            promised_limit=20,
            max_extension=16,
            assisting=[AssistingSpec(personas.org.land.pk, 5)],
        ),
        "max_extension",
        "不得超过该办件类型允许的 15 个工作日",
    )
    # Joint items may extend by 15 (Art. 26).
    joint = new_item(
        handling_type=HandlingType.JOINT,
        promised_limit=20,
        max_extension=15,
        assisting=[AssistingSpec(personas.org.land.pk, 5)],
    )()
    assert joint.max_extension == 15
    _refused(
        lambda: services.update_item(
            actor=personas.department_head, item=item, max_extension=12, at=timezone.now()
        ),
        "max_extension",
        "不得超过该办件类型允许的 10 个工作日",
    )


def test_it_refuses_a_validity_end_before_its_start(new_item):
    _refused(
        new_item(valid_from=dt.date(2026, 6, 1), valid_to=dt.date(2026, 5, 31)),
        "valid_to",
        "有效期截止日（2026-05-31）早于起始日（2026-06-01）",
    )


def test_it_refuses_a_duplicate_item_code(new_item, item):
    _refused(new_item(code=item.code), "code", "事项编码已存在")


def test_it_refuses_to_change_an_item_code(item, personas):
    _refused(
        lambda: services.update_item(
            actor=personas.department_head, item=item, code="620500-SCJG-XK-002", at=timezone.now()
        ),
        "code",
        "事项编码固定不变，不能修改",
    )
    item.refresh_from_db()
    assert item.code == "620500-SCJG-XK-001"


def test_it_refuses_special_procedures_without_the_flag(item, personas):
    _refused(
        lambda: services.set_special_procedures(
            actor=personas.department_head,
            item=item,
            procedures={"expert_review": 10},
            at=timezone.now(),
        ),
        "special_procedures",
        "列出了特别程序，但事项未勾选“可能需要特别程序”",
    )
    services.update_item(
        actor=personas.department_head,
        item=item,
        special_procedures_allowed=True,
        at=timezone.now(),
    )
    services.set_special_procedures(
        actor=personas.department_head,
        item=item,
        procedures={"expert_review": 10},
        at=timezone.now(),
    )
    # Nor may the flag be cleared while procedures are listed.
    _refused(
        lambda: services.update_item(
            actor=personas.department_head,
            item=item,
            special_procedures_allowed=False,
            at=timezone.now(),
        ),
        "special_procedures",
        "列出了特别程序，但事项未勾选“可能需要特别程序”",
    )


def test_it_refuses_a_special_procedure_without_a_limit(item, personas):
    services.update_item(
        actor=personas.department_head,
        item=item,
        special_procedures_allowed=True,
        at=timezone.now(),
    )
    _refused(
        lambda: services.set_special_procedures(
            actor=personas.department_head, item=item, procedures={"hearing": 0}, at=timezone.now()
        ),
        "special_procedures",
        "特别程序“听证”的时限至少为 1 个工作日",
    )


def test_it_refuses_to_publish_without_process_materials_or_form(item, personas):
    services.set_process(
        actor=personas.department_head,
        item=item,
        steps=[StepSpec("受理", "window_clerk")],
        at=timezone.now(),
    )
    # No materials.
    _refused(
        lambda: services.publish_item(actor=personas.department_head, item=item, at=timezone.now()),
        "is_published",
        "事项不能发布：没有申请材料。",
    )
    services.set_materials(
        actor=personas.department_head,
        item=item,
        materials=[MaterialSpec("营业执照")],
        at=timezone.now(),
    )
    services.update_item(
        actor=personas.department_head, item=item, online_allowed=True, at=timezone.now()
    )
    _refused(
        lambda: services.publish_item(actor=personas.department_head, item=item, at=timezone.now()),
        "is_published",
        "事项不能发布：允许网上申请但没有申请表单。",
    )
    services.update_item(
        actor=personas.department_head, item=item, online_allowed=False, at=timezone.now()
    )
    services.publish_item(actor=personas.department_head, item=item, at=timezone.now())
    item.refresh_from_db()
    assert item.is_published
    # A published item must keep its materials and may not open online applications
    # without a form.
    _refused(
        lambda: services.set_materials(
            actor=personas.department_head, item=item, materials=[], at=timezone.now()
        ),
        "is_published",
        "事项已发布，此修改将使其不完整：没有申请材料。请先撤回发布。",
    )
    _refused(
        lambda: services.update_item(
            actor=personas.department_head, item=item, online_allowed=True, at=timezone.now()
        ),
        "is_published",
        "允许网上申请但没有申请表单",
    )


def test_it_refuses_to_publish_an_item_without_a_process(item, personas):
    # The only way to an item without steps is a process with none: refused too.
    _refused(
        lambda: services.set_process(
            actor=personas.department_head, item=item, steps=[], at=timezone.now()
        ),
        "steps",
        "办理流程至少需要一个环节",
    )


def test_it_refuses_the_same_material_twice(item, personas):
    materials = [MaterialSpec("营业执照"), MaterialSpec("身份证"), MaterialSpec(" 营业 执照 ")]
    _refused(
        lambda: services.set_materials(
            actor=personas.department_head, item=item, materials=materials, at=timezone.now()
        ),
        "materials",
        "材料“营业执照”重复列出",
    )


def test_it_refuses_a_duplicate_assisting_department(joint_item, personas):
    steps = [StepSpec(s.name, s.role, s.limit_days) for s in joint_item.steps.order_by("order")]
    _refused(
        lambda: services.set_process(
            actor=personas.department_head,
            item=joint_item,
            steps=steps,
            assisting=[
                AssistingSpec(personas.org.land.pk, 3),
                AssistingSpec(personas.org.land.pk, 4),
            ],
            at=timezone.now(),
        ),
        "assisting",
        "同一协办部门被列出两次",
    )


def test_it_refuses_the_lead_department_as_assisting(joint_item, personas):
    steps = [StepSpec(s.name, s.role, s.limit_days) for s in joint_item.steps.order_by("order")]
    _refused(
        lambda: services.set_process(
            actor=personas.department_head,
            item=joint_item,
            steps=steps,
            assisting=[AssistingSpec(personas.org.market.pk, 3)],
            at=timezone.now(),
        ),
        "assisting",
        "主办部门不能同时作为协办部门",
    )


def test_it_refuses_assisting_departments_on_a_promised_item(item, personas):
    steps = [StepSpec("受理", "window_clerk")]
    _refused(
        lambda: services.set_process(
            actor=personas.department_head,
            item=item,
            steps=steps,
            assisting=[AssistingSpec(personas.org.land.pk, 3)],
            at=timezone.now(),
        ),
        "assisting",
        "只有联办件才有协办部门",
    )


def test_it_refuses_two_steps_with_the_same_name_and_administrator_roles(item, personas):
    _refused(
        lambda: services.set_process(
            actor=personas.department_head,
            item=item,
            steps=[StepSpec("受理", "window_clerk"), StepSpec("受理", "handler")],
            at=timezone.now(),
        ),
        "steps",
        "流程中有两个环节名称相同",
    )
    _refused(
        lambda: services.set_process(
            actor=personas.department_head,
            item=item,
            steps=[StepSpec("审核", "system_admin")],
            at=timezone.now(),
        ),
        "steps",
        "环节“审核”：该角色不能办理办件",
    )


def test_it_reports_every_broken_rule_at_once(new_item):
    error = _refused(
        new_item(
            handling_type=HandlingType.IMMEDIATE,
            promised_limit=3,
            max_extension=5,
            valid_from=dt.date(2026, 2, 1),
            valid_to=dt.date(2026, 1, 1),
        ),
        "promised_limit",
        "即办件当场办结",
    )
    assert {"promised_limit", "max_extension", "valid_to"} <= set(error.fields)


def test_it_refuses_to_change_the_handling_type_when_the_steps_no_longer_fit(item, personas):
    # Promised → immediate needs limit 0 and steps without limits; alone it is refused.
    _refused(
        lambda: services.update_item(
            actor=personas.department_head,
            item=item,
            handling_type=HandlingType.IMMEDIATE,
            promised_limit=0,
            max_extension=0,
            at=timezone.now(),
        ),
        "steps",
        "即办件的环节不设单独时限",
    )
    # Together with its process, in one definition, it is accepted.
    services.save_item_definition(
        actor=personas.department_head,
        item=item,
        fields={"handling_type": HandlingType.IMMEDIATE, "promised_limit": 0, "max_extension": 0},
        steps=[StepSpec("受理", "window_clerk"), StepSpec("办结", "window_clerk")],
        at=timezone.now(),
    )
    item.refresh_from_db()
    assert item.handling_type == HandlingType.IMMEDIATE
    assert [s.name for s in item.steps.order_by("order")] == ["受理", "办结"]


def test_it_refuses_a_promised_item_without_a_limit(new_item):
    _refused(
        new_item(promised_limit=0),
        "promised_limit",
        "承诺件和联办件的承诺时限至少为 1 个工作日",
    )


def test_it_checks_a_definition_without_writing_it(item, personas):
    before = _state()
    errors = services.item_definition_errors(
        actor=personas.department_head,
        item=item,
        fields={"promised_limit": 30},
        materials=[MaterialSpec("申请书"), MaterialSpec("申请书")],
    )
    assert set(errors) == {"promised_limit", "materials"}
    assert (
        services.item_definition_errors(
            actor=personas.department_head, item=item, fields={"promised_limit": 18}
        )
        == {}
    )
    assert _state() == before
