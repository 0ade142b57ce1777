"""Ready-made items and cases for tests (and the benchmark), built through the real
services: a promised item with essential and non-essential materials and a special
procedure, an immediate item, and a joint item with an assisting department."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from tongban.accounts.testing import Personas
from tongban.catalog import services as catalog
from tongban.catalog.models import FieldType, HandlingType, Item
from tongban.catalog.rules import AssistingSpec, StepSpec
from tongban.core.clock import LOCAL_TZ
from tongban.dictionaries import services as dictionaries
from tongban.dictionaries.models import ItemType

from . import services
from .models import ApplicantKind, Case, IdType

# A valid resident ID number (checksum and birth date) and credit code.
PERSON_ID = "620502199001011235"
COMPANY_CODE = "91620500MA74XK123H"


def at(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A local instant on an ISO date (default 10:00 Asia/Shanghai)."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), LOCAL_TZ)


def person(name: str = "张小三", mobile: str = "13912341234") -> services.ApplicantData:
    return services.ApplicantData(
        kind=ApplicantKind.PERSON,
        name=name,
        id_type=IdType.RESIDENT_ID,
        id_number=PERSON_ID,
        mobile=mobile,
        address="天水市秦州区民主西路1号",
    )


@dataclass
class Items:
    promised: Item  # 15 working days; 承办 8, 审核 2, 批准 2; essential + optional material
    immediate: Item
    joint: Item  # 20 days, assisted by natural resources (6 days)


def _licence_type():
    existing = ItemType.objects.filter(name="行政许可").first()
    return existing or dictionaries.create_item_type(actor=None, name="行政许可", at=timezone.now())


def make_items(personas: Personas) -> Items:
    market = personas.org.market
    kind = _licence_type()
    standard_steps = [
        StepSpec("受理", "window_clerk"),
        StepSpec("承办", "handler", 8),
        StepSpec("审核", "section_head", 2),
        StepSpec("批准", "department_head", 2),
        StepSpec("办结", "handler"),
    ]
    promised = catalog.save_item_definition(
        actor=None,
        fields={
            "code": "620500-SCJG-XK-101",
            "name": "食品经营许可",
            "item_type": kind,
            "department": market,
            "handling_type": HandlingType.PROMISED,
            "promised_limit": 15,
            "statutory_limit": 20,
            "online_allowed": True,
            "special_procedures_allowed": True,
            "result_name": "食品经营许可证",
        },
        steps=standard_steps,
        materials=[
            catalog.MaterialSpec("食品经营许可申请书", required=True, essential=True),
            catalog.MaterialSpec("营业执照复印件", required=True, essential=False),
            catalog.MaterialSpec("其他说明材料", required=False, essential=False),
        ],
        form_fields=[
            catalog.FieldSpec("shop_name", "店铺名称", FieldType.TEXT, required=True),
            catalog.FieldSpec("area", "经营面积（平方米）", FieldType.NUMBER, required=False),
        ],
        special_procedures={"onsite_check": 5, "expert_review": 10},
        at=timezone.now(),
    )
    catalog.publish_item(actor=None, item=promised, at=timezone.now())
    immediate = catalog.save_item_definition(
        actor=None,
        fields={
            "code": "620500-SCJG-FW-102",
            "name": "个体工商户名称查询",
            "item_type": kind,
            "department": market,
            "handling_type": HandlingType.IMMEDIATE,
            "promised_limit": 0,
            "statutory_limit": 0,
            "online_allowed": True,
        },
        steps=[*standard_steps[:1], StepSpec("办结", "window_clerk")],
        materials=[catalog.MaterialSpec("申请人身份证明", required=True, essential=True)],
        form_fields=[catalog.FieldSpec("wanted_name", "拟用名称", FieldType.TEXT, required=True)],
        at=timezone.now(),
    )
    catalog.publish_item(actor=None, item=immediate, at=timezone.now())
    joint = catalog.save_item_definition(
        actor=None,
        fields={
            "code": "620500-SCJG-LB-103",
            "name": "户外广告设施设置审批",
            "item_type": kind,
            "department": market,
            "handling_type": HandlingType.JOINT,
            "promised_limit": 20,
            "statutory_limit": 30,
        },
        steps=standard_steps,
        assisting=[AssistingSpec(personas.org.land.pk, 6, "规划审查")],
        materials=[catalog.MaterialSpec("户外广告设置申请表", required=True, essential=True)],
        at=timezone.now(),
    )
    catalog.publish_item(actor=None, item=joint, at=timezone.now())
    return Items(promised, immediate, joint)


def all_materials(item: Item) -> list[services.MaterialIn]:
    return [services.MaterialIn(material_id=m.pk, pages=2) for m in item.materials.all()]


def receive(
    personas: Personas,
    item: Item,
    when: dt.datetime,
    *,
    materials: list[services.MaterialIn] | None = None,
    applicant: services.ApplicantData | None = None,
) -> Case:
    """An application taken in at the counter by the personas' window clerk."""
    form = {f.key: "小三面馆" for f in item.form_fields.all() if f.required}
    return services.submit_application(
        actor=personas.window_clerk,
        item=item,
        applicant=applicant or person(),
        form_data=form,
        materials=all_materials(item) if materials is None else materials,
        at=when,
    )


def accepted(personas: Personas, item: Item, when: dt.datetime) -> Case:
    case = receive(personas, item, when)
    return services.accept_case(actor=personas.window_clerk, case=case, at=when)


def active_step(case: Case):
    return case.steps.filter(status="active").order_by("order", "id").first()
