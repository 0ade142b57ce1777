"""Import and export of items as Excel (issue #3 point 10): the round trip, the
all-or-nothing import with a row-by-row report, the office pages and the CLI."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tongban.accounts.models import Department
from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.catalog import excel, services
from tongban.catalog.models import (
    FormField,
    HandlingType,
    Item,
    Material,
    PolicyBasis,
    ProcessStep,
    ThemeKind,
)
from tongban.catalog.rules import AssistingSpec, StepSpec
from tongban.dictionaries.models import ApplicationCategory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- set-up ---------------------------------------------------------------------------


@pytest.fixture
def catalogue(personas, licence_type, market_category):
    """Three market items covering every part of the format: a published online
    promised item (special procedure, materials, bases, form, themes), a joint item
    with an assisting department and its own process, and an immediate item."""
    head, org = personas.department_head, personas.org
    theme = services.save_theme(
        actor=None, kind=ThemeKind.THEME, name="市场准入", at=timezone.now()
    )
    event = services.save_theme(
        actor=None, kind=ThemeKind.LIFE_EVENT, name="开办企业", at=timezone.now()
    )
    law = services.save_policy_basis(
        actor=None,
        name="《中华人民共和国食品安全法》第三十五条",
        issuing_body="全国人民代表大会常务委员会",
        clause="从事食品生产、食品销售、餐饮服务，应当依法取得许可。",
        effective_date=dt.date(2015, 10, 1),
        at=timezone.now(),
    )
    rule = services.save_policy_basis(
        actor=None,
        name="《食品经营许可和备案管理办法》",
        issuing_body="国家市场监督管理总局",
        document_number="国家市场监督管理总局令第78号",
        clause="食品经营许可的申请、受理、审查、决定及其监督检查。",
        effective_date=dt.date(2023, 12, 1),
        at=timezone.now(),
    )
    food = services.create_item(
        actor=head,
        code="620500-SCJG-XK-001",
        name="食品经营许可",
        short_name="食品经营许可",
        item_type=licence_type,
        category=market_category,
        department=org.market,
        handling_type=HandlingType.PROMISED,
        promised_limit=15,
        statutory_limit=20,
        special_procedures_allowed=True,
        fee="不收费",
        conditions="有与经营的食品品种、数量相适应的经营场所；\n有食品安全管理人员。",
        application_place="天水市政务服务中心一楼市场监管窗口",
        application_hours="工作日 9:00-12:00，13:30-17:30",
        contact_phone="0938-8211234",
        online_allowed=True,
        valid_from=dt.date(2024, 1, 1),
        at=timezone.now(),
    )
    services.save_item_definition(
        actor=head,
        item=food,
        special_procedures={"onsite_check": 5},
        materials=[
            services.MaterialSpec("食品经营许可申请书"),
            services.MaterialSpec("营业执照", form="copy"),
            services.MaterialSpec(
                "经营场所平面布局图", essential=False, copies=2, notes="标明设备布局"
            ),
        ],
        form_fields=[
            services.FieldSpec("enterprise_name", "企业名称", "text", required=True),
            services.FieldSpec("credit_code", "统一社会信用代码", "credit_code", required=True),
            services.FieldSpec(
                "business_kind", "经营类别", "choice", choices=("食品销售", "餐饮服务")
            ),
            services.FieldSpec("area", "经营面积（平方米）", "number", min_value=1, max_value=5000),
        ],
        basis=[law, rule],
        themes=[theme, event],
        application_categories=ApplicationCategory.objects.filter(name="准营准办"),
        at=timezone.now(),
    )
    services.publish_item(actor=head, item=food, at=timezone.now())
    joint = services.create_item(
        actor=head,
        code="620500-SCJG-XK-002",
        name="药品零售企业许可",
        item_type=licence_type,
        department=org.market,
        handling_type=HandlingType.JOINT,
        promised_limit=20,
        statutory_limit=20,
        steps=[
            StepSpec("受理", "window_clerk"),
            StepSpec("承办", "handler", 8, org.market_section.pk),
            StepSpec("审核", "section_head", 4),
            StepSpec("批准", "department_head", 3),
        ],
        assisting=[AssistingSpec(org.land.pk, 5, "用地审查")],
        at=timezone.now(),
    )
    services.set_materials(
        actor=head,
        item=joint,
        materials=[services.MaterialSpec("药品经营许可证申请表")],
        at=timezone.now(),
    )
    services.create_item(
        actor=head,
        code="620500-SCJG-QR-003",
        name="个体工商户名称自主申报",
        item_type=licence_type,
        department=org.market,
        handling_type=HandlingType.IMMEDIATE,
        promised_limit=0,
        statutory_limit=0,
        at=timezone.now(),
    )
    return food, joint


def _value(value):
    if isinstance(value, Department):
        return value.code
    if hasattr(value, "name_key"):  # a dictionary entry
        return value.name
    return value


def _snapshot() -> dict:
    """Everything the workbook carries, by item code, without ids and timestamps."""
    out = {}
    for item in Item.objects.order_by("code"):
        out[item.code] = {
            "fields": {name: _value(getattr(item, name)) for name in services.ITEM_FIELDS}
            | {"is_published": item.is_published},
            "steps": list(
                item.steps.order_by("order").values_list(
                    "name", "role", "limit_days", "department__code"
                )
            ),
            "assisting": sorted(
                item.assisting.values_list("department__code", "limit_days", "task")
            ),
            "materials": list(
                item.materials.order_by("order").values_list(
                    "name", "required", "essential", "form", "copies", "notes"
                )
            ),
            "basis": sorted(
                item.basis.values_list(
                    "name", "issuing_body", "document_number", "clause", "effective_date"
                )
            ),
            "form": list(
                item.form_fields.order_by("order").values_list(
                    "key",
                    "label",
                    "field_type",
                    "required",
                    "help_text",
                    "choices",
                    "min_value",
                    "max_value",
                    "max_length",
                    "pattern",
                    "pattern_message",
                )
            ),
            "special": sorted(item.special_procedures.values_list("kind", "limit_days")),
            "themes": sorted(item.themes.values_list("kind", "name")),
            "categories": sorted(item.application_categories.values_list("name", flat=True)),
        }
    return out


def _counts() -> tuple[int, ...]:
    return (
        Item.objects.count(),
        Material.objects.count(),
        ProcessStep.objects.count(),
        FormField.objects.count(),
        PolicyBasis.objects.count(),
        AuditRecord.objects.count(),
    )


def _open(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _set(workbook: Workbook, sheet: str, code: str, column: str, value) -> None:
    """Change the cell ``column`` of the row of item ``code`` in ``sheet``."""
    ws = workbook[sheet]
    titles = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == code:
            row[titles.index(column)].value = value
            return
    raise AssertionError(f"{code} not in {sheet}")


def _row_of(workbook: Workbook, sheet: str, code: str) -> int:
    for row in workbook[sheet].iter_rows(min_row=2):
        if row[0].value == code:
            return row[0].row
    raise AssertionError(f"{code} not in {sheet}")


def _new_workbook(items: list[dict], **sheets: list[dict]) -> bytes:
    """A workbook with the 事项 sheet (and any others) from rows given as dicts."""
    workbook = Workbook()
    workbook.active.title = excel.ITEM_SHEET
    for title, rows in [(excel.ITEM_SHEET, items), *sheets.items()]:
        ws = workbook[title] if title in workbook.sheetnames else workbook.create_sheet(title)
        titles = [c.title for c in excel.COLUMNS[title]]
        ws.append(titles)
        for row in rows:
            ws.append([row.get(t) for t in titles])
    return _save(workbook)


def _item_row(**changes) -> dict:
    return {
        "事项编码": "620500-SCJG-XK-100",
        "事项名称": "食品小作坊登记",
        "事项类型": "行政许可",
        "责任部门编码": "SCJG",
        "办件类型": "承诺件",
        "承诺时限": 10,
        "法定时限": 20,
    } | changes


def _delete_everything(actor) -> None:
    for item in Item.objects.all():
        services.publish_item(actor=actor, item=item, published=False, at=timezone.now())
        services.delete_item(actor=actor, item=item, at=timezone.now())
    for basis in PolicyBasis.objects.all():
        services.delete_policy_basis(actor=actor, basis=basis, at=timezone.now())


# --- round trip -----------------------------------------------------------------------


def test_it_reproduces_the_items_when_an_export_is_imported_into_an_empty_catalogue(
    personas, catalogue
):
    head = personas.department_head
    before = _snapshot()
    data = excel.export_items(actor=head, at=timezone.now())
    _delete_everything(head)
    assert Item.objects.count() == PolicyBasis.objects.count() == 0

    report = excel.import_items(actor=head, data=data, at=timezone.now())

    assert report.errors == []
    assert sorted(report.created) == sorted(before)
    assert _snapshot() == before
    record = AuditRecord.objects.filter(action="item.import").get()
    assert record.actor_id == head.pk
    assert sorted(record.after["created"]) == sorted(before)


def test_it_leaves_everything_unchanged_when_the_export_is_imported_again(personas, catalogue):
    head = personas.department_head
    data = excel.export_items(actor=head, at=timezone.now())
    before, counts = _snapshot(), _counts()

    report = excel.import_items(actor=head, data=data, at=timezone.now())

    assert report.errors == []
    assert report.created == report.updated == []
    assert len(report.unchanged) == 3
    assert _snapshot() == before
    assert _counts() == counts  # not even an audit record


def test_it_writes_one_sheet_per_part_with_a_frozen_chinese_header(personas, catalogue):
    workbook = _open(excel.export_items(actor=personas.department_head, at=timezone.now()))

    assert workbook.sheetnames == ["事项", "办理流程", "材料", "政策依据", "申请表单", "填写说明"]
    items = workbook["事项"]
    assert [c.value for c in items[1]][:7] == [
        "事项编码",
        "事项名称",
        "简称",
        "事项类型",
        "事项类别",
        "责任部门编码",
        "办件类型",
    ]
    assert items.freeze_panes == "B2"
    assert items.column_dimensions["B"].width >= 30
    rows = {
        r[0]: dict(zip([c.value for c in items[1]], r, strict=True))
        for r in items.iter_rows(min_row=2, values_only=True)
    }
    food = rows["620500-SCJG-XK-001"]
    assert food["办件类型"] == "承诺件"
    assert food["特别程序"] == "现场核查:5"
    assert food["已发布"] == "是"
    assert food["有效期起"] == dt.datetime(2024, 1, 1)
    assert rows["620500-SCJG-XK-002"]["协办部门"] == "ZRZY:5:用地审查"
    assert rows["620500-SCJG-QR-003"]["办件类型"] == "即办件"
    steps = list(workbook["办理流程"].iter_rows(min_row=2, values_only=True))
    assert ("620500-SCJG-XK-002", 2, "承办", "承办人", "SCJG-DJK", 8) in steps
    materials = list(workbook["材料"].iter_rows(min_row=2, values_only=True))
    assert (
        "620500-SCJG-XK-001",
        3,
        "经营场所平面布局图",
        "是",
        "是",
        "原件",
        2,
        "标明设备布局",
    ) in materials
    assert AuditRecord.objects.filter(
        action="item.export", actor_id=personas.department_head.pk
    ).exists()


def test_it_exports_only_the_items_the_user_maintains(personas, catalogue, licence_type):
    services.create_item(
        actor=None,
        code="620500-ZRZY-XK-001",
        name="建设用地规划许可",
        item_type=licence_type,
        department=personas.org.land,
        promised_limit=10,
        statutory_limit=20,
        at=timezone.now(),
    )

    mine = _open(excel.export_items(actor=personas.department_head, at=timezone.now()))
    everything = _open(excel.export_items(actor=None, at=timezone.now()))

    codes = [r[0] for r in mine["事项"].iter_rows(min_row=2, values_only=True)]
    assert "620500-ZRZY-XK-001" not in codes and len(codes) == 3
    assert len(list(everything["事项"].iter_rows(min_row=2))) == 4


def test_it_neutralises_formulas_in_the_export_and_restores_the_text_on_import(personas, catalogue):
    head = personas.department_head
    food, _joint = catalogue
    services.update_item(
        actor=head, item=food, name='=HYPERLINK("http://evil.example","点击")', at=timezone.now()
    )

    data = excel.export_items(actor=head, at=timezone.now())
    workbook = _open(data)
    cell = workbook["事项"].cell(_row_of(workbook, "事项", food.code), 2)

    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://evil.example","点击")'
    report = excel.import_items(actor=head, data=data, at=timezone.now())
    assert report.errors == []
    food.refresh_from_db()
    assert food.name == '=HYPERLINK("http://evil.example","点击")'
    assert "620500-SCJG-XK-001" in report.unchanged


# --- updates --------------------------------------------------------------------------


def test_it_updates_an_existing_item_and_its_process_from_the_file(personas, catalogue):
    head = personas.department_head
    food, joint = catalogue
    workbook = _open(excel.export_items(actor=head, at=timezone.now()))
    _set(workbook, "事项", food.code, "承诺时限", 10)
    steps = workbook["办理流程"]
    for row in steps.iter_rows(min_row=2):
        if row[0].value == food.code and row[2].value in ("承办", "审核", "批准"):
            row[5].value = {"承办": 6, "审核": 2, "批准": 2}[row[2].value]
    # The joint item becomes a promised one: no assisting department any more.
    _set(workbook, "事项", joint.code, "办件类型", "承诺件")
    _set(workbook, "事项", joint.code, "协办部门", None)
    _set(workbook, "事项", joint.code, "最长延期", 10)

    report = excel.import_items(actor=head, data=_save(workbook), at=timezone.now())

    assert report.errors == []
    assert sorted(report.updated) == [food.code, joint.code]
    food.refresh_from_db()
    joint.refresh_from_db()
    assert food.promised_limit == 10
    assert list(food.steps.order_by("order").values_list("limit_days", flat=True)) == [
        None,
        6,
        2,
        2,
        None,
    ]
    assert joint.handling_type == HandlingType.PROMISED
    assert not joint.assisting.exists()
    assert food.materials.count() == 3 and food.is_published
    assert AuditRecord.objects.filter(action="item.update", object_id=str(food.pk)).exists()


# --- an invalid file changes nothing --------------------------------------------------


def test_it_imports_nothing_when_one_row_is_invalid_and_names_the_row_and_column(
    personas, catalogue
):
    head = personas.department_head
    food, _joint = catalogue
    workbook = _open(excel.export_items(actor=head, at=timezone.now()))
    _set(workbook, "事项", food.code, "承诺时限", 30)  # above the statutory 20
    _set(workbook, "事项", food.code, "事项名称", "食品经营许可（新）")
    workbook["事项"].append(
        ["620500-SCJG-XK-100", "食品小作坊登记", "", "行政许可", "", "SCJG", "承诺件", 10, 20]
    )
    before, counts = _snapshot(), _counts()

    report = excel.import_items(actor=head, data=_save(workbook), at=timezone.now())

    assert _snapshot() == before
    assert _counts() == counts
    assert report.created == report.updated == []
    [error] = report.errors
    row = _row_of(workbook, "事项", food.code)
    assert (error.sheet, error.row, error.column) == ("事项", row, "承诺时限")
    assert str(error).startswith(f"「事项」表第 {row} 行「承诺时限」：")
    assert "30" in str(error) and "20" in str(error)


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (_item_row(责任部门编码="NOPE"), "责任部门编码", "NOPE"),
        (_item_row(办件类型="联办件", 最长延期=15), "协办部门", "协办部门"),
        (
            _item_row(办件类型="联办件", 协办部门="ZRZY:5", 承诺时限=50, 法定时限=60),
            "承诺时限",
            "45",
        ),
        (_item_row(办件类型="即办件", 承诺时限=3), "承诺时限", "0"),
        (_item_row(事项类型="行政魔法"), "事项类型", "行政魔法"),
        (_item_row(办件类型="加急件"), "办件类型", "即办件"),
        (_item_row(承诺时限="十天"), "承诺时限", "十天"),
        (_item_row(有效期起="2026-13-01"), "有效期起", "2026-13-01"),
        (_item_row(特别程序="占卜:3"), "特别程序", "专家评审"),
    ],
)
def test_it_reports_each_kind_of_bad_row_in_chinese_and_imports_nothing(
    personas, licence_type, row, column, words
):
    counts = _counts()
    good = _item_row(事项编码="620500-SCJG-XK-101")

    report = excel.import_items(
        actor=personas.department_head, data=_new_workbook([good, row]), at=timezone.now()
    )

    assert _counts() == counts
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("事项", 3, column)]
    assert words in report.errors[0].message


def test_it_reports_every_problem_of_every_sheet_at_once(personas, licence_type):
    data = _new_workbook(
        [_item_row(承诺时限=25), _item_row(事项编码="620500-SCJG-XK-101")],
        材料=[
            {"事项编码": "620500-SCJG-XK-101", "材料名称": "申请书", "份数": "两份"},
            {"事项编码": "620500-SCJG-XK-999", "材料名称": "身份证明"},
        ],
        办理流程=[{"事项编码": "620500-SCJG-XK-101", "环节": "受理", "角色": "门卫"}],
        政策依据=[{"事项编码": "620500-SCJG-XK-101", "依据名称": "", "文号": "x"}],
        申请表单=[
            {
                "事项编码": "620500-SCJG-XK-101",
                "字段键": "Bad Key",
                "字段名称": "姓名",
                "字段类型": "文本",
            }
        ],
    )

    report = excel.import_items(actor=personas.department_head, data=data, at=timezone.now())

    places = {(e.sheet, e.row, e.column) for e in report.errors}
    assert places == {
        ("事项", 2, "承诺时限"),
        ("材料", 2, "份数"),
        ("材料", 3, "事项编码"),
        ("办理流程", 2, "角色"),
        ("政策依据", 2, "依据名称"),
        ("申请表单", 2, "字段键"),
    }
    assert Item.objects.count() == 0


def test_it_refuses_rows_of_departments_outside_the_users_scope(personas, licence_type):
    services.create_item(
        actor=None,
        code="620500-ZRZY-XK-001",
        name="建设用地规划许可",
        item_type=licence_type,
        department=personas.org.land,
        promised_limit=10,
        statutory_limit=20,
        at=timezone.now(),
    )
    counts = _counts()
    data = _new_workbook(
        [
            _item_row(),
            _item_row(事项编码="620500-ZRZY-XK-002", 责任部门编码="ZRZY"),
            _item_row(事项编码="620500-ZRZY-XK-001", 事项名称="改名"),
        ]
    )

    report = excel.import_items(actor=personas.department_head, data=data, at=timezone.now())

    assert [(e.row, e.column) for e in report.errors] == [(3, "责任部门编码"), (4, "事项编码")]
    assert _counts() == counts
    assert Item.objects.get(code="620500-ZRZY-XK-001").name == "建设用地规划许可"


def test_it_refuses_a_cell_holding_a_formula(personas, licence_type):
    data = _new_workbook([_item_row(简称="=1+1")])

    report = excel.import_items(actor=personas.department_head, data=data, at=timezone.now())

    assert [(e.row, e.column) for e in report.errors] == [(2, "简称")]
    assert not Item.objects.exists()


def test_it_creates_new_items_with_their_parts_and_new_policy_bases(personas, licence_type):
    data = _new_workbook(
        [
            _item_row(
                办件类型="联办件",
                协办部门="ZRZY：5：选址意见",
                承诺时限=15,
                特别程序="专家评审:20",
                主题="",
                已发布="是",
            )
        ],
        材料=[
            {
                "事项编码": "620500-SCJG-XK-100",
                "顺序": 2,
                "材料名称": "营业执照",
                "原件/复印件": "复印件",
            },
            {"事项编码": "620500-SCJG-XK-100", "顺序": 1, "材料名称": "申请书", "容缺": "否"},
        ],
        政策依据=[
            {
                "事项编码": "620500-SCJG-XK-100",
                "依据名称": "《食品小作坊管理办法》",
                "发布机关": "甘肃省人民政府",
                "施行日期": "2024/3/1",
            }
        ],
    )

    report = excel.import_items(actor=personas.department_head, data=data, at=timezone.now())

    assert report.errors == [] and report.created == ["620500-SCJG-XK-100"]
    item = Item.objects.get(code="620500-SCJG-XK-100")
    assert item.is_published and item.handling_type == HandlingType.JOINT
    assert item.max_extension == 15  # the joint default
    assert list(item.assisting.values_list("department__code", "limit_days", "task")) == [
        ("ZRZY", 5, "选址意见")
    ]
    assert list(item.materials.values_list("name", "form")) == [
        ("申请书", "original"),
        ("营业执照", "copy"),
    ]
    assert dict(item.special_procedures.values_list("kind", "limit_days")) == {"expert_review": 20}
    basis = item.basis.get()
    assert (basis.issuing_body, basis.effective_date) == ("甘肃省人民政府", dt.date(2024, 3, 1))
    assert AuditRecord.objects.filter(action="basis.create", object_id=str(basis.pk)).exists()


def test_it_keeps_the_blank_forms_of_materials_that_keep_their_name(personas, catalogue):
    from tongban.core.files import store_bytes

    head = personas.department_head
    food, _joint = catalogue
    blank = store_bytes(b"%PDF-1.4 blank", kind="pdf", original_name="申请书.pdf")
    specs = [
        services.MaterialSpec(m.name, m.required, m.essential, m.form, m.copies, m.notes)
        for m in food.materials.order_by("order")
    ]
    specs[0] = services.MaterialSpec(specs[0].name, blank_form_id=blank.pk)
    services.set_materials(actor=head, item=food, materials=specs, at=timezone.now())
    workbook = _open(excel.export_items(actor=head, at=timezone.now()))
    _set(workbook, "材料", food.code, "备注", "请用黑色签字笔填写")

    report = excel.import_items(actor=head, data=_save(workbook), at=timezone.now())

    assert report.updated == [food.code]
    material = food.materials.get(name="食品经营许可申请书")
    assert material.notes == "请用黑色签字笔填写"
    assert material.blank_form_id == blank.pk


def test_it_says_so_when_the_file_is_not_a_workbook(personas):
    report = excel.import_items(
        actor=personas.department_head, data=b"PK\x03\x04 not really", at=timezone.now()
    )

    assert [str(e) for e in report.errors] == ["该文件不是 Excel 工作簿（.xlsx）。"]


def test_form_numbers_survive_the_round_trip(personas, catalogue):
    head = personas.department_head
    food, _joint = catalogue
    data = excel.export_items(actor=head, at=timezone.now())
    _delete_everything(head)

    excel.import_items(actor=head, data=data, at=timezone.now())

    area = FormField.objects.get(item__code=food.code, key="area")
    assert (area.min_value, area.max_value) == (Decimal("1"), Decimal("5000"))
    assert FormField.objects.get(item__code=food.code, key="business_kind").choice_list() == [
        "食品销售",
        "餐饮服务",
    ]


# --- office pages ---------------------------------------------------------------------


def test_it_lets_a_department_head_export_and_import_through_the_office_pages(
    client, personas, catalogue
):
    log_in(client, personas.department_head)

    page = client.get("/office/catalog/transfer/")
    download = client.get("/office/catalog/transfer/export/")

    assert page.status_code == 200
    assert "导入" in page.content.decode() and "导出" in page.content.decode()
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert "attachment" in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    workbook = _open(data)
    _set(workbook, "事项", "620500-SCJG-XK-001", "简称", "食品经营")
    upload = SimpleUploadedFile("事项.xlsx", _save(workbook), content_type=XLSX)

    response = client.post("/office/catalog/transfer/import/", {"file": upload})

    assert response.status_code == 200
    assert "导入完成：新增 0 项，更新 1 项，未变 2 项。" in response.content.decode()
    assert Item.objects.get(code="620500-SCJG-XK-001").short_name == "食品经营"


def test_the_import_page_shows_the_row_errors_and_imports_nothing(client, personas, catalogue):
    log_in(client, personas.department_head)
    workbook = _open(excel.export_items(actor=personas.department_head, at=timezone.now()))
    _set(workbook, "事项", "620500-SCJG-XK-002", "协办部门", None)
    counts = _counts()
    upload = SimpleUploadedFile("事项.xlsx", _save(workbook), content_type=XLSX)

    response = client.post("/office/catalog/transfer/import/", {"file": upload})

    body = response.content.decode()
    assert response.status_code == 422
    assert "未导入任何内容" in body
    assert "<td>协办部门</td>" in body and "联办件至少需要一个协办部门" in body
    assert _counts() == counts


def test_the_import_page_refuses_a_file_that_is_not_xlsx(client, personas, catalogue):
    log_in(client, personas.department_head)
    upload = SimpleUploadedFile("事项.xlsx", b"%PDF-1.4 a pdf", content_type=XLSX)

    response = client.post("/office/catalog/transfer/import/", {"file": upload})

    assert response.status_code == 422
    assert "不接受此类型的文件。允许的类型：.xlsx。" in response.content.decode()


def test_staff_who_do_not_maintain_items_are_refused(client, personas, catalogue):
    log_in(client, personas.handler)
    upload = SimpleUploadedFile(
        "事项.xlsx", excel.export_items(actor=None, at=timezone.now()), content_type=XLSX
    )
    counts = _counts()

    assert client.get("/office/catalog/transfer/").status_code == 403
    assert client.get("/office/catalog/transfer/export/").status_code == 403
    assert client.post("/office/catalog/transfer/import/", {"file": upload}).status_code == 403
    assert _counts() == counts


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/office/catalog/transfer/export/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- command line ---------------------------------------------------------------------


def test_the_command_line_exports_and_imports_as_the_system(personas, catalogue, tmp_path):
    target = tmp_path / "items.xlsx"
    out = io.StringIO()

    call_command("catalog", "export", "-o", str(target), "--department", "SCJG", stdout=out)

    assert "3" in out.getvalue()
    workbook = load_workbook(target)
    _set(workbook, "事项", "620500-SCJG-QR-003", "简称", "名称自主申报")
    workbook.save(target)
    out = io.StringIO()
    call_command("catalog", "import", str(target), stdout=out)
    assert "更新 1" in out.getvalue()
    assert Item.objects.get(code="620500-SCJG-QR-003").short_name == "名称自主申报"
    assert AuditRecord.objects.filter(action="item.import", actor_id=None).exists()


def test_the_command_line_prints_the_row_errors_and_fails(personas, catalogue, tmp_path):
    target = tmp_path / "items.xlsx"
    call_command("catalog", "export", "-o", str(target), stdout=io.StringIO())
    workbook = load_workbook(target)
    _set(workbook, "事项", "620500-SCJG-XK-001", "责任部门编码", "XYZ")
    workbook.save(target)
    counts, err = _counts(), io.StringIO()

    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("catalog", "import", str(target), stdout=io.StringIO(), stderr=err)

    row = _row_of(workbook, "事项", "620500-SCJG-XK-001")
    assert f"「事项」表第 {row} 行「责任部门编码」：" in err.getvalue()
    assert _counts() == counts


def test_the_command_line_refuses_an_unknown_department(db, tmp_path):
    with pytest.raises(CommandError, match="NOPE"):
        call_command("catalog", "export", "-o", str(tmp_path / "x.xlsx"), "--department", "NOPE")
