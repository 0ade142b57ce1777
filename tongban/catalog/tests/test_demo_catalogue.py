"""The demo catalogue (issue #3 point 11): about sixty realistic items of the demo
departments, valid by the catalogue's own rules, and loaded idempotently."""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from openpyxl import load_workbook

from tongban.accounts.demo import organisation
from tongban.audit.models import AuditRecord
from tongban.catalog import demo as catalogue
from tongban.catalog import excel
from tongban.catalog.models import (
    HandlingType,
    Item,
    Material,
    PolicyBasis,
    Theme,
    ThemeKind,
)
from tongban.catalog.rules import JOINT_MAX_LIMIT, item_errors
from tongban.core.demo import DemoContext
from tongban.core.files import read_stored


def _load() -> DemoContext:
    context = DemoContext(at=timezone.now())
    organisation.load(context)
    catalogue.load(context)
    return context


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker):
    """The demo catalogue, loaded once for the module (it takes seconds) inside a
    transaction that is rolled back at the end; each test runs in a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _load()
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_loaded, db):
    return _demo_loaded


def test_it_loads_about_sixty_items_of_every_handling_type(demo):
    items = Item.objects.all()

    assert 55 <= items.count() <= 70
    by_type = dict(items.values_list("handling_type").annotate(n=Count("id")))
    assert set(by_type) == set(HandlingType.values)
    assert by_type[HandlingType.IMMEDIATE] >= 5 and by_type[HandlingType.JOINT] >= 5
    assert 2 <= items.filter(is_published=False).count() <= 3
    departments = set(items.values_list("department__code", flat=True))
    assert {"SCJG", "ZRZY", "ZJJ", "WJW", "GAJ", "SHJ", "JTJ", "RSJ", "MZJ"} <= departments
    assert {"WLJ", "CGJ", "FGW", "QZQ", "MJQ"} <= departments
    names = set(items.values_list("name", flat=True))
    assert {"公司设立登记", "食品经营许可", "建设工程规划许可证核发", "居住证办理"} <= names
    assert {"户外广告设施设置审批", "医疗机构执业登记", "不动产首次登记"} <= names


def test_every_item_is_valid_by_the_catalogues_rules_and_complete(demo):
    for item in Item.objects.prefetch_related("steps", "assisting", "special_procedures"):
        errors = item_errors(
            handling_type=item.handling_type,
            promised_limit=item.promised_limit,
            statutory_limit=item.statutory_limit,
            max_extension=item.max_extension,
            department_id=item.department_id,
            steps=[_step(s) for s in item.steps.all()],
            assisting=[_assisting(a) for a in item.assisting.all()],
            special_procedures_allowed=item.special_procedures_allowed,
            special_procedures={p.kind: p.limit_days for p in item.special_procedures.all()},
        )
        assert errors == {}, item.code
        assert item.steps.exists() and item.materials.exists(), item.code
        assert item.basis.exists(), item.code
        assert item.conditions and item.application_place and item.contact_phone, item.code
        if item.handling_type == HandlingType.IMMEDIATE:
            assert item.promised_limit == 0
        else:
            assert 0 < item.promised_limit <= item.statutory_limit, item.code


def _step(step):
    from tongban.catalog.rules import StepSpec

    return StepSpec(step.name, step.role, step.limit_days, step.department_id)


def _assisting(assisting):
    from tongban.catalog.rules import AssistingSpec

    return AssistingSpec(assisting.department_id, assisting.limit_days, assisting.task)


def test_joint_items_have_assisting_departments_within_the_joint_limit(demo):
    joint = Item.objects.filter(handling_type=HandlingType.JOINT)

    assert joint.count() >= 5
    for item in joint:
        assert item.assisting.exists(), item.code
        assert item.promised_limit <= JOINT_MAX_LIMIT
        assert item.max_extension == 15
        assert not item.assisting.filter(department=item.department).exists()
    zrzy = Item.objects.get(name="建设工程规划许可证核发")
    assert set(zrzy.assisting.values_list("department__code", flat=True)) == {"ZJJ", "CGJ"}


def test_items_with_special_procedures_list_them_with_their_own_limits(demo):
    special = Item.objects.filter(special_procedures_allowed=True)

    assert special.count() >= 10
    kinds = set(special.values_list("special_procedures__kind", flat=True))
    assert {"expert_review", "onsite_check", "testing", "hearing"} <= kinds
    property_registration = Item.objects.get(name="不动产首次登记")
    assert dict(property_registration.special_procedures.values_list("kind", "limit_days")) == {
        "onsite_check": 10
    }


def test_materials_come_with_blank_forms_that_open_in_a_spreadsheet(demo):
    with_forms = Material.objects.filter(blank_form__isnull=False).select_related("blank_form")

    assert with_forms.count() >= 10
    assert Material.objects.filter(essential=False).count() >= 10  # 容缺受理
    assert Material.objects.filter(required=False).exists()
    for material in with_forms:
        stored = material.blank_form
        assert stored.kind == "xlsx" and stored.original_name.endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(read_stored(stored))).active
        assert sheet["A1"].value.endswith(("申请书", "申请表", "登记表")), sheet["A1"].value
        assert sheet["B3"].value == "项目"
    food = Material.objects.get(item__name="食品经营许可", name="食品经营许可申请书")
    example = load_workbook(io.BytesIO(read_stored(food.example))).active
    assert example["A1"].value == "食品经营许可申请书（填写示例）"


def test_online_items_have_application_forms(demo):
    online = Item.objects.filter(online_allowed=True)

    assert online.count() >= 15
    for item in online:
        assert item.form_fields.exists(), item.code
    types = set(online.values_list("form_fields__field_type", flat=True))
    assert {"id_number", "credit_code", "mobile", "long_text", "choice", "number"} <= types


def test_items_are_filed_under_themes_life_events_and_real_policy_bases(demo):
    events = Theme.objects.filter(kind=ThemeKind.LIFE_EVENT)

    assert {"出生", "入学", "就业", "结婚", "购房", "开办企业", "退休"} <= set(
        events.values_list("name", flat=True)
    )
    for event in events:
        assert event.items.exists(), event.name
    assert Theme.objects.get(kind=ThemeKind.THEME, name="市场准入").items.count() >= 5
    food_law = PolicyBasis.objects.get(name="《中华人民共和国食品安全法》第三十五条")
    assert food_law.items.filter(name="食品经营许可").exists()
    assert PolicyBasis.objects.get(name="《居住证暂行条例》").document_number == "国务院令第663号"


def test_it_is_idempotent_and_costs_a_few_queries_once_loaded(demo, django_assert_max_num_queries):
    counts = (Item.objects.count(), Material.objects.count(), AuditRecord.objects.count())

    with django_assert_max_num_queries(4):
        context = DemoContext(at=timezone.now())
        catalogue.load(context)

    assert (Item.objects.count(), Material.objects.count(), AuditRecord.objects.count()) == counts
    assert context.counts[0].created == 0 and context.counts[0].total == counts[0]


def test_it_adds_only_the_items_that_are_missing(demo):
    from tongban.catalog import services

    food = Item.objects.get(code="620500-SCJG-XK-002")
    services.publish_item(actor=None, item=food, published=False, at=timezone.now())
    services.delete_item(actor=None, item=food, at=timezone.now())

    context = _load()

    assert context.counts[-2].created == 1
    assert Item.objects.get(code="620500-SCJG-XK-002").materials.count() == 5


def test_the_demo_catalogue_survives_an_excel_round_trip(demo):
    data = excel.export_items(actor=None, at=timezone.now())

    report = excel.import_items(actor=None, data=data, at=timezone.now())

    assert report.errors == []
    assert len(report.unchanged) == Item.objects.count()
