"""The catalogue as an Excel workbook, for bulk set-up and transfer (issue 3 §10).

The sheet and column titles are part of the file format, so they are Chinese in every
UI language (like the holiday workbook of ``workcalendar.excel``). One workbook:

事项       one row per item: 事项编码, 事项名称, 简称, 事项类型, 事项类别, 责任部门编码,
           办件类型 (即办件/承诺件/联办件), 承诺时限, 法定时限, 最长延期, 特别程序, 收费,
           收费依据, 受理条件, 办理程序说明, 办理结果, 办理地点, 办理时间, 咨询电话,
           投诉电话, 网上申报, 已发布, 有效期起, 有效期止, 协办部门, 主题, 人生事件,
           服务对象, 申报类别
办理流程   one row per process step: 事项编码, 顺序, 环节, 角色, 部门编码, 时限
材料       one row per material: 事项编码, 顺序, 材料名称, 必要, 容缺, 原件/复印件, 份数, 备注
政策依据   one row per (item, basis): 事项编码, 依据名称, 发布机关, 文号, 条款, 施行日期
申请表单   one row per form field: 事项编码, 顺序, 字段键, 字段名称, 字段类型, 必填,
           填写提示, 选项, 最小值, 最大值, 最大长度, 格式, 格式提示
填写说明   the allowed values (ignored on import)

Lists inside a cell are separated by ``;`` (or the full-width ``；``), the parts of an
entry by ``:`` (or ``：``): 特别程序 ``专家评审:30;现场核查:5`` (or 是/否 alone),
协办部门 ``ZRZY:5:用地审查;ZJJ:5`` (department code : limit [: what it examines]),
主题 ``市场准入;开办企业``. Yes/no cells take 是/否.

Import rules: every row of every sheet is parsed and checked first with the services'
own rules (``rules.item_errors`` and model validation) and every problem is reported
with its sheet, row and column; if there is any, nothing is imported. Then everything
is applied through the services in one transaction; if a service still refuses
something, the whole import is rolled back and the refusal reported with its row. An
existing item code updates that item, an unknown one creates it. A sheet that is
present is the complete list for the items of the 事项 sheet (no material rows → the
item lists no materials); an absent sheet or column leaves that part unchanged. The
办理流程 sheet without rows for an item keeps its process (a new item gets the default
one). Policy bases are matched by name and document number and created when new; the
blank forms and filled examples of materials are kept when the material's name stays.

Text values are neutralised against formula injection on export (``'=…``, security.md
"Data") and the quote is removed again on import, so a round trip is exact.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import Department, User
from tongban.accounts.roles import RoleCode
from tongban.audit.export import FORMULA_PREFIXES, neutralise
from tongban.audit.models import AuditRecord
from tongban.audit.services import record_event
from tongban.core.errors import DomainError
from tongban.dictionaries.models import (
    ApplicationCategory,
    ItemCategory,
    ItemType,
    normalise_name,
)

from . import services
from .access import can_manage_department_items, catalogue_scope, managed_items_filter
from .models import (
    AssistingDepartment,
    FieldType,
    FormField,
    HandlingType,
    Item,
    ItemSpecialProcedure,
    Material,
    MaterialForm,
    PolicyBasis,
    ProcessStep,
    SpecialProcedureKind,
    Theme,
    ThemeKind,
)
from .rules import (
    AssistingSpec,
    StepSpec,
    default_steps,
    definition_errors,
    duplicate_names,
    extension_cap,
    publish_errors,
)

MAX_ROWS = 20_000  # per sheet; far above a prefecture's catalogue (a few thousand items)

# --- the format -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    field: str  # the model field (or list) the column holds; errors are placed by it


ITEM_SHEET, STEP_SHEET, MATERIAL_SHEET, BASIS_SHEET, FORM_SHEET, HELP_SHEET = (
    "事项",
    "办理流程",
    "材料",
    "政策依据",
    "申请表单",
    "填写说明",
)
SHEET_ORDER = (ITEM_SHEET, STEP_SHEET, MATERIAL_SHEET, BASIS_SHEET, FORM_SHEET)

ITEM_COLUMNS = (
    Column("事项编码", 24, "code"),
    Column("事项名称", 36, "name"),
    Column("简称", 18, "short_name"),
    Column("事项类型", 12, "item_type"),
    Column("事项类别", 16, "category"),
    Column("责任部门编码", 14, "department"),
    Column("办件类型", 10, "handling_type"),
    Column("承诺时限", 10, "promised_limit"),
    Column("法定时限", 10, "statutory_limit"),
    Column("最长延期", 10, "max_extension"),
    Column("特别程序", 24, "special_procedures_allowed"),
    Column("收费", 14, "fee"),
    Column("收费依据", 24, "fee_basis"),
    Column("受理条件", 40, "conditions"),
    Column("办理程序说明", 30, "procedure_description"),
    Column("办理结果", 20, "result_name"),
    Column("办理地点", 30, "application_place"),
    Column("办理时间", 26, "application_hours"),
    Column("咨询电话", 16, "contact_phone"),
    Column("投诉电话", 16, "complaint_phone"),
    Column("网上申报", 10, "online_allowed"),
    Column("已发布", 8, "is_published"),
    Column("有效期起", 12, "valid_from"),
    Column("有效期止", 12, "valid_to"),
    Column("协办部门", 26, "assisting"),
    Column("主题", 20, "themes"),
    Column("人生事件", 20, "life_events"),
    Column("服务对象", 14, "audiences"),
    Column("申报类别", 20, "application_categories"),
)
STEP_COLUMNS = (
    Column("事项编码", 24, "item"),
    Column("顺序", 6, "order"),
    Column("环节", 12, "name"),
    Column("角色", 14, "role"),
    Column("部门编码", 14, "department"),
    Column("时限", 8, "limit_days"),
)
MATERIAL_COLUMNS = (
    Column("事项编码", 24, "item"),
    Column("顺序", 6, "order"),
    Column("材料名称", 40, "name"),
    Column("必要", 6, "required"),
    Column("容缺", 6, "essential"),
    Column("原件/复印件", 12, "form"),
    Column("份数", 6, "copies"),
    Column("备注", 36, "notes"),
)
BASIS_COLUMNS = (
    Column("事项编码", 24, "item"),
    Column("依据名称", 40, "name"),
    Column("发布机关", 20, "issuing_body"),
    Column("文号", 22, "document_number"),
    Column("条款", 60, "clause"),
    Column("施行日期", 12, "effective_date"),
)
FORM_COLUMNS = (
    Column("事项编码", 24, "item"),
    Column("顺序", 6, "order"),
    Column("字段键", 18, "key"),
    Column("字段名称", 20, "label"),
    Column("字段类型", 14, "field_type"),
    Column("必填", 6, "required"),
    Column("填写提示", 30, "help_text"),
    Column("选项", 24, "choices"),
    Column("最小值", 10, "min_value"),
    Column("最大值", 10, "max_value"),
    Column("最大长度", 10, "max_length"),
    Column("格式", 20, "pattern"),
    Column("格式提示", 20, "pattern_message"),
)
COLUMNS = {
    ITEM_SHEET: ITEM_COLUMNS,
    STEP_SHEET: STEP_COLUMNS,
    MATERIAL_SHEET: MATERIAL_COLUMNS,
    BASIS_SHEET: BASIS_COLUMNS,
    FORM_SHEET: FORM_COLUMNS,
}
REQUIRED = {
    ITEM_SHEET: ("事项编码", "事项名称", "事项类型", "责任部门编码", "办件类型"),
    STEP_SHEET: ("事项编码", "环节", "角色"),
    MATERIAL_SHEET: ("事项编码", "材料名称"),
    BASIS_SHEET: ("事项编码", "依据名称"),
    FORM_SHEET: ("事项编码", "字段键", "字段名称", "字段类型"),
}

# Names of coded values in the file: fixed Chinese (the file format), whatever the UI
# language. Import also accepts the codes themselves.
HANDLING_NAMES = {
    HandlingType.IMMEDIATE: "即办件",
    HandlingType.PROMISED: "承诺件",
    HandlingType.JOINT: "联办件",
}
PROCEDURE_NAMES = {
    SpecialProcedureKind.HEARING: "听证",
    SpecialProcedureKind.BIDDING: "招标",
    SpecialProcedureKind.AUCTION: "拍卖",
    SpecialProcedureKind.INSPECTION: "检验",
    SpecialProcedureKind.TESTING: "检测",
    SpecialProcedureKind.QUARANTINE: "检疫",
    SpecialProcedureKind.APPRAISAL: "鉴定",
    SpecialProcedureKind.EXPERT_REVIEW: "专家评审",
    SpecialProcedureKind.ONSITE_CHECK: "现场核查",
}
FORM_NAMES = {
    MaterialForm.ORIGINAL: "原件",
    MaterialForm.COPY: "复印件",
    MaterialForm.ORIGINAL_AND_COPY: "原件和复印件",
    MaterialForm.ELECTRONIC: "电子件",
}
ROLE_NAMES = {
    RoleCode.WINDOW_CLERK: "窗口受理员",
    RoleCode.HANDLER: "承办人",
    RoleCode.SECTION_HEAD: "科室负责人",
    RoleCode.DEPARTMENT_HEAD: "部门负责人",
    RoleCode.SUPERVISOR: "监察员",
    RoleCode.SYSTEM_ADMIN: "系统管理员",
    RoleCode.SECURITY_ADMIN: "安全管理员",
    RoleCode.AUDIT_ADMIN: "审计管理员",
}
FIELD_TYPE_NAMES = {
    FieldType.TEXT: "文本",
    FieldType.LONG_TEXT: "长文本",
    FieldType.NUMBER: "数字",
    FieldType.DATE: "日期",
    FieldType.CHOICE: "单选",
    FieldType.MULTI_CHOICE: "多选",
    FieldType.ID_NUMBER: "身份证号",
    FieldType.CREDIT_CODE: "统一社会信用代码",
    FieldType.MOBILE: "手机号",
    FieldType.ADDRESS: "地址",
    FieldType.FILE: "文件",
}
THEME_COLUMNS = {
    "主题": ThemeKind.THEME,
    "人生事件": ThemeKind.LIFE_EVENT,
    "服务对象": ThemeKind.AUDIENCE,
}
YES, NO = "是", "否"
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "无"}
LIST_SEPARATOR = re.compile(r"[;；\n]+")
PART_SEPARATOR = re.compile(r"[:：]")
DATE_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")

# --- who may transfer which items -------------------------------------------------------


def items_managed_by(user: User | None) -> models.QuerySet[Item]:
    """The items ``user`` may maintain (``access.catalogue_scope``; ``None`` is the
    system)."""
    condition = managed_items_filter(user)
    return Item.objects.all() if condition is None else Item.objects.filter(condition)


def may_transfer(user: User | None) -> bool:
    """Whether ``user`` may use the import/export pages at all: those who maintain
    some department's items."""
    return not catalogue_scope(user).nothing


# --- export -----------------------------------------------------------------------------


def export_items(
    *,
    actor: User | None,
    items: models.QuerySet[Item] | None = None,
    at: dt.datetime | None = None,
) -> bytes:
    """The workbook of ``items`` (default: every item ``actor`` may maintain; a given
    query is narrowed to those too). Exports are audited (security.md): one
    ``item.export`` record naming the items."""
    managed = items_managed_by(actor)
    selected = managed if items is None else items.filter(pk__in=managed.values("pk"))
    selected = (
        selected.select_related("item_type", "category", "department")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=ProcessStep.objects.select_related("department").order_by("order", "id"),
            ),
            Prefetch(
                "assisting",
                queryset=AssistingDepartment.objects.select_related("department").order_by("id"),
            ),
            Prefetch("materials", queryset=Material.objects.order_by("order", "id")),
            Prefetch("basis", queryset=PolicyBasis.objects.order_by("name", "id")),
            Prefetch("form_fields", queryset=FormField.objects.order_by("order", "id")),
            Prefetch("special_procedures", queryset=ItemSpecialProcedure.objects.order_by("id")),
            "themes",
            "application_categories",
        )
        .order_by("code")
    )
    items_list = list(selected)
    data = _workbook_bytes(items_list)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="item.export",
            object_type="catalog.item",
            at=at or timezone.now(),
            message=_("%(count)d items exported to Excel.") % {"count": len(items_list)},
            after={"count": len(items_list), "codes": [i.code for i in items_list]},
        )
    return data


def _workbook_bytes(items: Sequence[Item]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheets = {}
    for index, title in enumerate(SHEET_ORDER):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheets[title] = sheet
        sheet.append([c.title for c in COLUMNS[title]])
    for item in items:
        sheets[ITEM_SHEET].append(_item_cells(item))
        for step in item.steps.all():
            sheets[STEP_SHEET].append(
                _cells(
                    [
                        item.code,
                        step.order,
                        step.name,
                        ROLE_NAMES.get(step.role, step.role),
                        step.department.code if step.department else "",
                        step.limit_days,
                    ]
                )
            )
        for material in item.materials.all():
            sheets[MATERIAL_SHEET].append(
                _cells(
                    [
                        item.code,
                        material.order,
                        material.name,
                        _yes_no(material.required),
                        _yes_no(not material.essential),
                        FORM_NAMES.get(material.form, material.form),
                        material.copies,
                        material.notes,
                    ]
                )
            )
        for basis in item.basis.all():
            sheets[BASIS_SHEET].append(
                _cells(
                    [
                        item.code,
                        basis.name,
                        basis.issuing_body,
                        basis.document_number,
                        basis.clause,
                        basis.effective_date,
                    ]
                )
            )
        for form_field in item.form_fields.all():
            sheets[FORM_SHEET].append(
                _cells(
                    [
                        item.code,
                        form_field.order,
                        form_field.key,
                        form_field.label,
                        FIELD_TYPE_NAMES.get(form_field.field_type, form_field.field_type),
                        _yes_no(form_field.required),
                        form_field.help_text,
                        "\n".join(form_field.choice_list()),
                        form_field.min_value,
                        form_field.max_value,
                        form_field.max_length,
                        form_field.pattern,
                        form_field.pattern_message,
                    ]
                )
            )
    for title, sheet in sheets.items():
        _dress(sheet, COLUMNS[title])
    _help_sheet(workbook.create_sheet(HELP_SHEET))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _item_cells(item: Item) -> list:
    procedures = list(item.special_procedures.all())
    if procedures:
        special = ";".join(
            f"{PROCEDURE_NAMES.get(p.kind, p.kind)}:{p.limit_days}" for p in procedures
        )
    else:
        special = _yes_no(item.special_procedures_allowed)
    assisting = ";".join(
        ":".join(
            [a.department.code, str(a.limit_days)]
            # ';' separates the entries: a task keeps its text with the full-width comma.
            + ([a.task.replace(";", "，").replace("；", "，")] if a.task else [])
        )
        for a in item.assisting.all()
    )
    themes = {kind: [] for kind in THEME_COLUMNS.values()}
    for theme in sorted(item.themes.all(), key=lambda t: (t.sort_order, t.name)):
        themes.setdefault(theme.kind, []).append(theme.name)
    return _cells(
        [
            item.code,
            item.name,
            item.short_name,
            item.item_type.name,
            item.category.name if item.category else "",
            item.department.code,
            HANDLING_NAMES.get(item.handling_type, item.handling_type),
            item.promised_limit,
            item.statutory_limit,
            item.max_extension,
            special,
            item.fee,
            item.fee_basis,
            item.conditions,
            item.procedure_description,
            item.result_name,
            item.application_place,
            item.application_hours,
            item.contact_phone,
            item.complaint_phone,
            _yes_no(item.online_allowed),
            _yes_no(item.is_published),
            item.valid_from,
            item.valid_to,
            assisting,
            ";".join(themes[ThemeKind.THEME]),
            ";".join(themes[ThemeKind.LIFE_EVENT]),
            ";".join(themes[ThemeKind.AUDIENCE]),
            ";".join(c.name for c in sorted(item.application_categories.all(), key=str)),
        ]
    )


def _yes_no(value: bool) -> str:
    return YES if value else NO


def _cells(values: Iterable) -> list:
    """Text neutralised against formula injection; numbers and dates as typed cells."""
    out = []
    for value in values:
        if value is None or isinstance(value, bool | int | dt.date):
            out.append(value)
        elif isinstance(value, decimal.Decimal):
            out.append(int(value) if value == value.to_integral_value() else float(value))
        else:
            out.append(neutralise(str(value)))
    return out


def _dress(sheet, columns: Sequence[Column]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE6F0")
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="center")
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            # Every cell is text or a plain value: never let a spreadsheet guess a type.
            if cell.data_type == "s":
                cell.number_format = "@"
    # The header row and the item code stay in view while scrolling.
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 1)}"


def _help_sheet(sheet) -> None:
    from openpyxl.styles import Alignment, Font

    rows = [
        ("项目", "说明"),
        ("办件类型", "、".join(HANDLING_NAMES.values())),
        ("时限", "以工作日计；即办件承诺时限为 0；联办件不超过 45 个工作日"),
        (
            "特别程序",
            "否 / 是 / 程序:时限;程序:时限，程序为 " + "、".join(PROCEDURE_NAMES.values()),
        ),
        ("协办部门", "部门编码:时限[:审查内容]，多个以 ; 分隔，仅联办件填写"),
        ("主题、人生事件、服务对象、申报类别", "已有名称，多个以 ; 分隔"),
        ("角色", "、".join(ROLE_NAMES[r] for r in list(ROLE_NAMES)[:4])),
        ("原件/复印件", "、".join(FORM_NAMES.values())),
        ("字段类型", "、".join(FIELD_TYPE_NAMES.values())),
        ("选项", "每行一项，或以 ; 分隔"),
        ("是/否", "是、否"),
        ("日期", "YYYY-MM-DD"),
        ("导入规则", "事项编码已存在则更新，否则新增；任何一行有误则全部不导入"),
        ("明细表", "表存在时即为「事项」表中各事项的完整清单；表不存在则不修改该部分"),
    ]
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 90
    for row in sheet.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True)


# --- import: the report -----------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem, where the user sees it: sheet, spreadsheet row (1 is the header,
    0 the file itself) and column title."""

    sheet: str
    row: int
    column: str
    message: str
    code: str = ""  # the row's item code, when it has one

    def __str__(self) -> str:
        if not self.row:
            return str(self.message)
        if not self.column:
            return _("Sheet “%(sheet)s”, row %(row)d: %(message)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "message": self.message,
            }
        return _("Sheet “%(sheet)s”, row %(row)d, “%(column)s”: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def sorted_errors(self) -> list[RowError]:
        order = {title: i for i, title in enumerate(("", *SHEET_ORDER))}
        return sorted(self.errors, key=lambda e: (e.row != 0, order.get(e.sheet, 99), e.row))


# --- import: reading cells --------------------------------------------------------------


class _Row:
    """One spreadsheet row of a sheet: typed access to its cells, problems recorded."""

    def __init__(self, sheet: str, number: int, cells: dict, errors: list[RowError]):
        self.sheet, self.number, self.cells, self._errors = sheet, number, cells, errors

    def error(self, column: str, message) -> None:
        cell = self.cells.get("事项编码")
        code = _plain(cell.value) if cell is not None else ""
        self._errors.append(RowError(self.sheet, self.number, column, str(message), code))

    def has(self, column: str) -> bool:
        return column in self.cells

    def raw(self, column: str):
        cell = self.cells.get(column)
        if cell is None:
            return None
        if getattr(cell, "data_type", None) == "f":
            self.error(column, _("The cell holds a formula; enter the value itself."))
            return None
        return cell.value

    def text(self, column: str) -> str:
        return _plain(self.raw(column))

    def integer(self, column: str) -> int | None:
        value = self.raw(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            value = None
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and value.strip().isdecimal():
            value = int(value.strip())
        if not isinstance(value, int) or value < 0:
            self.error(
                column,
                _("“%(value)s” is not a whole number (0 or more).")
                % {"value": _plain(self.raw(column))},
            )
            return None
        return value

    def amount(self, column: str) -> decimal.Decimal | None:
        value = self.raw(column)
        text = _plain(value)
        if not text:
            return None
        try:
            number = decimal.Decimal(str(value) if isinstance(value, int | float) else text)
            # As stored (two decimal places), so that an unchanged value compares equal.
            if number.is_finite() and number.as_tuple().exponent >= -2:
                number = number.quantize(decimal.Decimal("0.01"))
            return number
        except decimal.InvalidOperation:
            self.error(column, _("“%(value)s” is not a number.") % {"value": text})
            return None

    def boolean(self, column: str) -> bool | None:
        value = self.raw(column)
        if isinstance(value, bool):
            return value
        text = _plain(value).casefold()
        if not text:
            return None
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        self.error(column, _("Enter 是 or 否, not “%(value)s”.") % {"value": _plain(value)})
        return None

    def date(self, column: str) -> dt.date | None:
        value = self.raw(column)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _plain(value)
        if not text:
            return None
        match = DATE_TEXT.fullmatch(text)
        try:
            if match is None:
                raise ValueError(text)
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            self.error(column, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text})
            return None

    def coded(self, column: str, names: dict[str, str]) -> str | None:
        """A coded value given by its Chinese name (or the code itself)."""
        text = self.text(column)
        if not text:
            return None
        code = _code_for(text, names)
        if code is None:
            self.error(
                column,
                _("“%(value)s” is not one of: %(allowed)s.")
                % {"value": text, "allowed": "、".join(names.values())},
            )
        return code


def _code_for(text: str, names: dict[str, str]) -> str | None:
    for code, name in names.items():
        if text == name or text.casefold() == str(code).casefold():
            return str(code)
    return None


def _plain(value) -> str:
    """A cell as text, with our own formula neutralisation undone (round trip)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    text = str(value)
    if len(text) > 1 and text[0] == "'" and text[1] in "".join(FORMULA_PREFIXES):
        text = text[1:]
    return text.strip()


def _split(text: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATOR.split(text) if part.strip()]


def _read_sheet(workbook, title: str, errors: list[RowError]) -> list[_Row] | None:
    """The non-empty rows of sheet ``title`` (``None`` when the workbook has no such
    sheet). The header row names the columns; their order does not matter."""
    if title not in workbook.sheetnames:
        return None
    lines = workbook[title].iter_rows(min_row=1)
    header = [_plain(cell.value) for cell in next(lines, ())]
    known = {c.title for c in COLUMNS[title]}
    where: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in known and name not in where:
            where[name] = index
    missing = [name for name in REQUIRED[title] if name not in where]
    if missing:
        errors.append(
            RowError(
                title,
                1,
                "、".join(missing),
                _("The first row must name this column."),
            )
        )
        return []
    rows: list[_Row] = []
    for number, cells in enumerate(lines, start=2):
        values = {name: (cells[i] if i < len(cells) else None) for name, i in where.items()}
        if all(c is None or _plain(c.value) == "" for c in values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            errors.append(
                RowError(
                    title, number, "", _("Too many rows (at most %(max)d).") % {"max": MAX_ROWS}
                )
            )
            break
        rows.append(_Row(title, number, values, errors))
    return rows


# --- import: the plan -------------------------------------------------------------------


@dataclass
class _BasisRef:
    row: _Row
    key: tuple[str, str]  # (name, document number)
    fields: dict


@dataclass
class _Plan:
    """What the file says about one item; ``None`` = the file does not say."""

    row: _Row
    code: str
    existing: Item | None
    fields: dict = field(default_factory=dict)
    special: dict[str, int] | None = None
    assisting: list[AssistingSpec] | None = None
    themes: list[Theme] | None = None
    theme_kinds: set[str] = field(default_factory=set)
    application_categories: list | None = None
    published: bool | None = None
    steps: list[StepSpec] | None = None
    step_rows: list[_Row] = field(default_factory=list)
    materials: list[MaterialSpec] | None = None
    material_rows: list[_Row] = field(default_factory=list)
    form: list[FieldSpec] | None = None
    form_rows: list[_Row] = field(default_factory=list)
    bases: list[_BasisRef] | None = None


MaterialSpec = services.MaterialSpec
FieldSpec = services.FieldSpec

ITEM_COLUMN_OF = {c.field: c.title for c in ITEM_COLUMNS}
STEP_COLUMN_OF = {c.field: c.title for c in STEP_COLUMNS}
MATERIAL_COLUMN_OF = {c.field: c.title for c in MATERIAL_COLUMNS}
BASIS_COLUMN_OF = {c.field: c.title for c in BASIS_COLUMNS}
FORM_COLUMN_OF = {c.field: c.title for c in FORM_COLUMNS}
# Text columns of the 事项 sheet and the model fields they fill.
ITEM_TEXT_FIELDS = (
    "name",
    "short_name",
    "fee",
    "fee_basis",
    "conditions",
    "procedure_description",
    "result_name",
    "application_place",
    "application_hours",
    "contact_phone",
    "complaint_phone",
)


class _Lookups:
    """Departments, dictionaries and themes, loaded once for the whole file."""

    def __init__(self):
        self.departments = {d.code: d for d in Department.objects.all()}
        self.item_types = {t.name_key: t for t in ItemType.objects.all()}
        self.categories = {c.name_key: c for c in ItemCategory.objects.all()}
        self.application_categories = {c.name_key: c for c in ApplicationCategory.objects.all()}
        self.themes = {(t.kind, t.name): t for t in Theme.objects.all()}

    def department(self, row: _Row, column: str, *, required: bool = False):
        code = row.text(column).upper()
        if not code:
            if required:
                row.error(column, _("Enter a department code."))
            return None
        department = self.departments.get(code)
        if department is None:
            row.error(
                column, _("There is no department with the code “%(code)s”.") % {"code": code}
            )
        return department

    def entry(self, row: _Row, column: str, entries: dict, current, what: str):
        """A dictionary entry by name: it must exist, and be active unless the item
        already uses it."""
        name = row.text(column)
        if not name:
            return None
        entry = entries.get(normalise_name(name))
        if entry is None or not (entry.is_active or entry == current):
            known = "、".join(e.name for e in entries.values() if e.is_active)
            row.error(
                column,
                _("“%(name)s” is not in the dictionary of %(what)s (known: %(known)s).")
                % {"name": name, "what": what, "known": known or "—"},
            )
            return None
        return entry


def _read_plans(workbook, actor, errors: list[RowError]) -> tuple[list[_Plan], dict]:
    lookups = _Lookups()
    item_rows = _read_sheet(workbook, ITEM_SHEET, errors)
    if item_rows is None:
        errors.append(RowError(ITEM_SHEET, 0, "", _("The workbook has no sheet named “事项”.")))
        return [], {}
    if any(e.sheet == ITEM_SHEET and e.row == 1 for e in errors):
        return [], {}  # without its header the other sheets cannot be related to items
    codes = [row.text("事项编码") for row in item_rows]
    # Everything the file is compared with, in a fixed number of queries.
    existing = {
        i.code: i
        for i in Item.objects.filter(code__in=[c for c in codes if c])
        .select_related("department", "item_type", "category")
        .prefetch_related(
            Prefetch("steps", queryset=ProcessStep.objects.order_by("order", "id")),
            Prefetch("assisting", queryset=AssistingDepartment.objects.order_by("id")),
            Prefetch("materials", queryset=Material.objects.order_by("order", "id")),
            Prefetch("form_fields", queryset=FormField.objects.order_by("order", "id")),
            "special_procedures",
            "basis",
            "themes",
            "application_categories",
        )
    }
    plans: dict[str, _Plan] = {}
    for row in item_rows:
        code = row.text("事项编码")
        if not code:
            row.error("事项编码", _("Enter the item code."))
            continue
        if code in plans:
            row.error(
                "事项编码",
                _("The code is already used in row %(row)d.") % {"row": plans[code].row.number},
            )
            continue
        plans[code] = _read_item(row, code, existing.get(code), lookups, actor)
    basis_cache: dict[tuple[str, str], _BasisRef] = {}
    for sheet, reader in (
        (STEP_SHEET, _read_step),
        (MATERIAL_SHEET, _read_material),
        (BASIS_SHEET, _read_basis),
        (FORM_SHEET, _read_form_field),
    ):
        rows = _read_sheet(workbook, sheet, errors)
        if rows is None:
            continue
        _start_lists(plans.values(), sheet)
        ordered = sorted(rows, key=lambda r: (r.text("事项编码"), _order_key(r), r.number))
        for row in ordered:
            plan = plans.get(row.text("事项编码"))
            if plan is None:
                if row.text("事项编码") not in codes:
                    row.error("事项编码", _("This item code is not in the sheet “事项”."))
                continue
            if sheet == BASIS_SHEET:
                _read_basis(row, plan, basis_cache)
            else:
                reader(row, plan, lookups)
    return list(plans.values()), basis_cache


def _order_key(row: _Row) -> int:
    value = row.raw("顺序") if row.has("顺序") else None
    if isinstance(value, int | float):
        return int(value)
    text = _plain(value)
    return int(text) if text.isdecimal() else 10**9


def _start_lists(plans: Iterable[_Plan], sheet: str) -> None:
    for plan in plans:
        if sheet == STEP_SHEET:
            plan.steps = []
        elif sheet == MATERIAL_SHEET:
            plan.materials = []
        elif sheet == BASIS_SHEET:
            plan.bases = []
        elif sheet == FORM_SHEET:
            plan.form = []


def _read_item(row: _Row, code: str, existing: Item | None, lookups: _Lookups, actor) -> _Plan:
    plan = _Plan(row=row, code=code, existing=existing)
    fields = plan.fields
    if existing is None:
        fields["code"] = code
    elif not can_manage_department_items(actor, existing.department):
        row.error(
            "事项编码",
            _("The item exists in a department whose items you may not maintain."),
        )
    for name in ITEM_TEXT_FIELDS:
        title = ITEM_COLUMN_OF[name]
        if row.has(title):
            fields[name] = row.text(title)
    item_type = lookups.entry(
        row, "事项类型", lookups.item_types, existing and existing.item_type, _("item types")
    )
    if item_type is not None:
        fields["item_type"] = item_type
    elif not row.text("事项类型"):
        row.error("事项类型", _("Enter the item type."))
    if row.has("事项类别"):
        fields["category"] = lookups.entry(
            row,
            "事项类别",
            lookups.categories,
            existing and existing.category,
            _("item categories"),
        )
    department = lookups.department(row, "责任部门编码", required=True)
    if department is not None:
        if can_manage_department_items(actor, department):
            fields["department"] = department
        else:
            row.error(
                "责任部门编码",
                _("You may not maintain the items of %(department)s.") % {"department": department},
            )
    handling = row.coded("办件类型", HANDLING_NAMES)
    if handling is not None:
        fields["handling_type"] = handling
    elif not row.text("办件类型"):
        row.error("办件类型", _("Enter the handling type."))
    for name in ("promised_limit", "statutory_limit", "max_extension"):
        title = ITEM_COLUMN_OF[name]
        if row.has(title):
            value = row.integer(title)
            if value is not None:
                fields[name] = value
    for name in ("valid_from", "valid_to"):
        title = ITEM_COLUMN_OF[name]
        if row.has(title):
            fields[name] = row.date(title)
    if row.has("网上申报"):
        online = row.boolean("网上申报")
        fields["online_allowed"] = bool(online)
    if row.has("已发布"):
        plan.published = bool(row.boolean("已发布"))
    if row.has("特别程序"):
        allowed, plan.special = _special(row)
        fields["special_procedures_allowed"] = allowed
    if row.has("协办部门"):
        plan.assisting = _assisting(row, lookups)
    for title, kind in THEME_COLUMNS.items():
        if not row.has(title):
            continue
        plan.theme_kinds.add(kind)
        plan.themes = plan.themes or []
        for name in _split(row.text(title)):
            theme = lookups.themes.get((kind, name))
            if theme is None:
                row.error(title, _("There is no theme named “%(name)s”.") % {"name": name})
            elif theme not in plan.themes:
                plan.themes.append(theme)
    if row.has("申报类别"):
        plan.application_categories = []
        for name in _split(row.text("申报类别")):
            entry = lookups.application_categories.get(normalise_name(name))
            if entry is None:
                row.error(
                    "申报类别",
                    _("“%(name)s” is not in the dictionary of %(what)s (known: %(known)s).")
                    % {
                        "name": name,
                        "what": _("application categories"),
                        "known": "、".join(
                            e.name for e in lookups.application_categories.values() if e.is_active
                        ),
                    },
                )
            elif entry not in plan.application_categories:
                plan.application_categories.append(entry)
    return plan


def _special(row: _Row) -> tuple[bool, dict[str, int]]:
    text = row.text("特别程序")
    if not text:
        return False, {}
    if text.casefold() in TRUE_WORDS:
        return True, {}
    if text.casefold() in FALSE_WORDS:
        return False, {}
    procedures: dict[str, int] = {}
    for part in _split(text):
        pieces = [p.strip() for p in PART_SEPARATOR.split(part, maxsplit=1)]
        kind = _code_for(pieces[0], PROCEDURE_NAMES)
        limit = pieces[1] if len(pieces) == 2 else ""
        if kind is None or not limit.isdecimal():
            row.error(
                "特别程序",
                _(
                    "“%(value)s”: write procedure:limit, e.g. 专家评审:30; procedures are "
                    "%(allowed)s."
                )
                % {"value": part, "allowed": "、".join(PROCEDURE_NAMES.values())},
            )
            continue
        if kind in procedures:
            row.error("特别程序", _("“%(value)s” is listed twice.") % {"value": pieces[0]})
        procedure = ItemSpecialProcedure(kind=kind, limit_days=int(limit))
        _model_errors(procedure, row, {"kind": "特别程序", "limit_days": "特别程序"}, ["item"])
        procedures[kind] = int(limit)
    return True, procedures


def _assisting(row: _Row, lookups: _Lookups) -> list[AssistingSpec]:
    specs = []
    for part in _split(row.text("协办部门")):
        pieces = [p.strip() for p in PART_SEPARATOR.split(part, maxsplit=2)]
        code = pieces[0].upper()
        limit = pieces[1] if len(pieces) > 1 else ""
        task = pieces[2] if len(pieces) > 2 else ""
        department = lookups.departments.get(code)
        if department is None:
            row.error(
                "协办部门", _("There is no department with the code “%(code)s”.") % {"code": code}
            )
            continue
        if not limit.isdecimal():
            row.error(
                "协办部门",
                _("“%(value)s”: write department code:limit[:what it examines], e.g. ZRZY:5.")
                % {"value": part},
            )
            continue
        assisting = AssistingDepartment(department=department, limit_days=int(limit), task=task)
        _model_errors(assisting, row, {}, ["item"], default="协办部门")
        specs.append(AssistingSpec(department.pk, int(limit), task))
    return specs


def _read_step(row: _Row, plan: _Plan, lookups: _Lookups) -> None:
    role = row.coded("角色", ROLE_NAMES)
    if role is None and not row.text("角色"):
        row.error("角色", _("Enter the role that handles the step."))
    department = lookups.department(row, "部门编码") if row.has("部门编码") else None
    limit = row.integer("时限") if row.has("时限") else None
    step = ProcessStep(
        name=row.text("环节"), role=role or "", department=department, limit_days=limit
    )
    if role is not None:
        _model_errors(step, row, STEP_COLUMN_OF, ["item", "department"])
    plan.steps.append(StepSpec(step.name, step.role, limit, department.pk if department else None))
    plan.step_rows.append(row)


def _read_material(row: _Row, plan: _Plan, lookups: _Lookups) -> None:
    required = row.boolean("必要") if row.has("必要") else None
    optional_at_intake = row.boolean("容缺") if row.has("容缺") else None
    form = row.coded("原件/复印件", FORM_NAMES) if row.has("原件/复印件") else None
    copies = row.integer("份数") if row.has("份数") else None
    spec = MaterialSpec(
        name=row.text("材料名称"),
        required=True if required is None else required,
        essential=not optional_at_intake,
        form=form or MaterialForm.ORIGINAL,
        copies=1 if copies is None else copies,
        notes=row.text("备注"),
    )
    material = Material(
        name=spec.name,
        required=spec.required,
        essential=spec.essential,
        form=spec.form,
        copies=spec.copies,
        notes=spec.notes,
    )
    _model_errors(material, row, MATERIAL_COLUMN_OF, ["item", "blank_form", "example"])
    plan.materials.append(spec)
    plan.material_rows.append(row)


def _read_basis(row: _Row, plan: _Plan, cache: dict) -> None:
    fields = {
        "name": row.text("依据名称"),
        "issuing_body": row.text("发布机关") if row.has("发布机关") else "",
        "document_number": row.text("文号") if row.has("文号") else "",
        "clause": row.text("条款") if row.has("条款") else "",
        "effective_date": row.date("施行日期") if row.has("施行日期") else None,
    }
    key = (fields["name"], fields["document_number"])
    first = cache.get(key)
    if first is None:
        _model_errors(PolicyBasis(**fields), row, BASIS_COLUMN_OF, ["document"])
        first = cache[key] = _BasisRef(row, key, fields)
    elif first.fields != fields:
        row.error(
            "依据名称",
            _("The same basis (name and document number) is described differently in row %(row)d.")
            % {"row": first.row.number},
        )
    if all(ref.key != key for ref in plan.bases):
        plan.bases.append(_BasisRef(row, key, fields))


def _read_form_field(row: _Row, plan: _Plan, lookups: _Lookups) -> None:
    field_type = row.coded("字段类型", FIELD_TYPE_NAMES)
    max_length = row.integer("最大长度") if row.has("最大长度") else None
    spec = FieldSpec(
        key=row.text("字段键"),
        label=row.text("字段名称"),
        field_type=field_type or "",
        required=bool(row.boolean("必填")) if row.has("必填") else False,
        help_text=row.text("填写提示") if row.has("填写提示") else "",
        choices=tuple(_split(row.text("选项"))) if row.has("选项") else (),
        min_value=row.amount("最小值") if row.has("最小值") else None,
        max_value=row.amount("最大值") if row.has("最大值") else None,
        max_length=max_length,
        pattern=row.text("格式") if row.has("格式") else "",
        pattern_message=row.text("格式提示") if row.has("格式提示") else "",
    )
    plan.form.append(spec)
    plan.form_rows.append(row)


def _model_errors(
    instance: models.Model,
    row: _Row,
    columns: dict[str, str],
    exclude: list[str],
    *,
    default: str = "",
) -> None:
    """Model validation of one row's object, each message placed in its column."""
    try:
        # Cross-field rules are ``rules.item_errors`` (with messages naming the
        # column); the database constraints repeating them are not asked twice.
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                row.error(columns.get(name, default), message)


# --- import: checking the whole definition ----------------------------------------------


# The current definition of an existing item, from the prefetched parts.


def _current_steps(item: Item) -> list[StepSpec]:
    return [StepSpec(s.name, s.role, s.limit_days, s.department_id) for s in item.steps.all()]


def _current_assisting(item: Item) -> list[AssistingSpec]:
    return [AssistingSpec(a.department_id, a.limit_days, a.task) for a in item.assisting.all()]


def _current_materials(item: Item) -> list[MaterialSpec]:
    return [
        MaterialSpec(
            m.name,
            m.required,
            m.essential,
            m.form,
            m.copies,
            m.notes,
            m.blank_form_id,
            m.example_id,
        )
        for m in item.materials.all()
    ]


def _current_special(item: Item) -> dict[str, int]:
    return {p.kind: p.limit_days for p in item.special_procedures.all()}


def _form_key(spec) -> tuple:
    """A form field as compared: decimals by value, choices as a tuple."""
    choices = spec.choice_list() if isinstance(spec, FormField) else spec.choices

    def number(value):
        return None if value is None else decimal.Decimal(value).normalize()

    return (
        spec.key,
        spec.label,
        spec.field_type,
        bool(spec.required),
        spec.help_text,
        tuple(choices),
        number(spec.min_value),
        number(spec.max_value),
        spec.max_length,
        spec.pattern,
        spec.pattern_message,
    )


def _effective(plan: _Plan) -> tuple[Item, list[StepSpec], list[AssistingSpec]]:
    """The item as it would be after the import (unsaved), with its process."""
    if plan.existing is not None:
        # A detached copy of the row: the prefetched original stays as it is.
        item = Item(
            **{f.attname: getattr(plan.existing, f.attname) for f in Item._meta.concrete_fields}
        )
        item._state.adding = False
    else:
        item = Item(**plan.fields)
        if "max_extension" not in plan.fields:
            item.max_extension = extension_cap(item.handling_type)  # as the services do
    for name, value in plan.fields.items():
        setattr(item, name, value)
    if plan.assisting is not None:
        assisting = plan.assisting
    else:
        assisting = _current_assisting(plan.existing) if plan.existing else []
    if plan.steps:
        steps = plan.steps
    elif plan.existing is not None:
        steps = _current_steps(plan.existing)
    else:
        parallel = max((a.limit_days for a in assisting), default=0)
        steps = default_steps(item.handling_type, item.promised_limit, parallel)
    return item, steps, assisting


def _check_plan(plan: _Plan, bad: set[tuple[str, int]]) -> None:
    """The services' own rules on the item as the file defines it, each message
    placed on the row and column it is about. ``bad``: the (sheet, row) already
    reported; a part with a bad row is not judged again (one mistake, one message)."""
    row = plan.row
    if (ITEM_SHEET, row.number) in bad:
        return  # the row itself is broken: its definition cannot be judged
    broken = {
        head
        for head, rows in (
            ("steps", plan.step_rows),
            ("materials", plan.material_rows),
            ("fields", plan.form_rows),
        )
        if any((r.sheet, r.number) in bad for r in rows)
    }
    item, steps, assisting = _effective(plan)
    _model_errors(item, row, ITEM_COLUMN_OF, [], default="事项编码")
    special = plan.special
    if special is None and plan.existing is not None:
        special = _current_special(plan.existing)
    errors = definition_errors(
        item, steps=steps, assisting=assisting, special_procedures=special or {}
    )
    if plan.materials is not None:
        for name in duplicate_names(m.name for m in plan.materials):
            errors.setdefault("materials", []).append(
                _("The material “%(name)s” is listed twice.") % {"name": name}
            )
    if plan.form and "fields" not in broken:
        from .formschema import schema_errors

        for name, messages in (schema_errors(plan.form) or {}).items():
            errors.setdefault(name, []).extend(messages)
    if plan.published or (plan.published is None and item.is_published):
        has_materials = bool(
            plan.materials
            if plan.materials is not None
            else plan.existing is not None and plan.existing.materials.all()
        )
        has_form = bool(
            plan.form
            if plan.form is not None
            else plan.existing is not None and plan.existing.form_fields.all()
        )
        errors.update(
            publish_errors(
                has_steps=bool(steps),
                has_materials=has_materials,
                online_allowed=item.online_allowed,
                has_form=has_form,
            )
        )
    _place_all(plan, {k: v for k, v in errors.items() if k.partition(".")[0] not in broken})


def _place_all(plan: _Plan, errors: dict) -> None:
    for name, messages in errors.items():
        row, column = _place(plan, name)
        for message in messages:
            row.error(column, message)


_INDEX = re.compile(r"\.(\d+)(?:\.|$)")


def _place(plan: _Plan, name: str) -> tuple[_Row, str]:
    """The row and column where a message keyed ``name`` (the services' field keys:
    item fields, ``steps``, ``assisting``, ``materials.<i>.<field>``,
    ``fields.<i>.<attribute>``, ``special_procedures``, ``is_published``) belongs."""
    head = name.partition(".")[0]
    attribute = name.rsplit(".", 1)[-1]
    match = _INDEX.search(name)
    index = int(match.group(1)) if match else 0
    if head == "steps":
        return (plan.step_rows[0], "时限") if plan.step_rows else (plan.row, "承诺时限")
    if head == "materials" and plan.material_rows:
        row = plan.material_rows[min(index, len(plan.material_rows) - 1)]
        return row, MATERIAL_COLUMN_OF.get(attribute, "材料名称")
    if head == "fields" and plan.form_rows:
        row = plan.form_rows[min(index, len(plan.form_rows) - 1)]
        return row, FORM_COLUMN_OF.get(attribute, "字段键")
    if head in ("basis", "links") and plan.bases:
        return plan.bases[0].row, "依据名称"
    columns = {
        **ITEM_COLUMN_OF,
        "special_procedures": "特别程序",
        "materials": "事项编码",
        "fields": "网上申报",
        "themes": "主题",
    }
    return plan.row, columns.get(head, "事项编码")


# --- import: applying -------------------------------------------------------------------


class _Refused(Exception):
    """A service refused one item's change; the import will be rolled back."""


def import_items(*, actor: User | None, data: bytes, at: dt.datetime | None = None) -> ImportReport:
    """Import the workbook ``data`` (already checked as an upload): all or nothing.

    Items of departments the actor may not maintain are refused row by row. When
    ``report.errors`` is not empty nothing was changed (not even the audit log)."""
    from openpyxl import load_workbook

    at = at or timezone.now()
    report = ImportReport()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a file that is not .xlsx
        report.errors.append(RowError("", 0, "", _("The file is not an Excel workbook (.xlsx).")))
        return report
    try:
        plans, bases = _read_plans(workbook, actor, report.errors)
    finally:
        workbook.close()
    bad = {(e.sheet, e.row) for e in report.errors}
    for plan in plans:
        _check_plan(plan, bad)
    if report.errors:
        return report
    with transaction.atomic():
        saved_bases = _save_bases(actor, bases, at)
        for plan in plans:
            try:
                _apply(plan, actor, at, saved_bases, report)
            except _Refused:
                continue
        if report.errors:
            transaction.set_rollback(True)
            report.created, report.updated, report.unchanged = [], [], []
            return report
        if report.created or report.updated:
            record_event(
                actor=actor,
                action="item.import",
                object_type="catalog.item",
                at=at,
                message=_("Items imported from Excel: %(created)d created, %(updated)d updated.")
                % {"created": len(report.created), "updated": len(report.updated)},
                after={"created": report.created, "updated": report.updated},
            )
    return report


def _save_bases(actor, bases: dict, at) -> dict[tuple[str, str], PolicyBasis]:
    """Find each basis by name and document number; create the new ones."""
    saved = {}
    for key, ref in bases.items():
        found = (
            PolicyBasis.objects.filter(name=key[0], document_number=key[1]).order_by("id").first()
        )
        if found is None:
            try:
                found = services.save_policy_basis(actor=actor, at=at, **ref.fields)
            except DomainError as exc:
                for name, messages in (exc.fields or {"name": [exc.message]}).items():
                    for message in messages:
                        ref.row.error(BASIS_COLUMN_OF.get(name, "依据名称"), message)
                continue
        saved[key] = found
    return saved


def _last_audit_seq() -> int:
    return AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _apply(plan: _Plan, actor, at, bases: dict, report: ImportReport) -> None:
    """One item through the services: the parts that differ from what is stored in
    one call (``save_item_definition``), then publishing or withdrawing."""
    before = _last_audit_seq()
    item = plan.existing
    try:
        if item is not None and plan.published is False and item.is_published:
            # Withdraw first: the new definition may be one a published item cannot have.
            services.publish_item(actor=actor, item=item, published=False, at=at)
        parts = _changed_parts(plan, bases)
        if item is None or parts:
            item = services.save_item_definition(actor=actor, item=item, at=at, **parts)
        if plan.published and not (plan.existing is not None and plan.existing.is_published):
            services.publish_item(actor=actor, item=item, published=True, at=at)
    except DomainError as exc:
        _place_all(plan, exc.fields or {"code": [exc.message]})
        raise _Refused() from exc
    if plan.existing is None:
        report.created.append(plan.code)
    elif _last_audit_seq() != before:  # the services audit every change, and only changes
        report.updated.append(plan.code)
    else:
        report.unchanged.append(plan.code)


def _changed_parts(plan: _Plan, bases: dict) -> dict:
    """The arguments of ``save_item_definition``: for a new item everything the file
    gives; for an existing one only what differs (a re-imported export costs a few
    queries per item, not a full save)."""
    item = plan.existing
    basis = None if plan.bases is None else [bases[ref.key] for ref in plan.bases]
    themes = plan.themes
    materials = plan.materials
    if item is None:
        return {
            "fields": plan.fields,
            "steps": plan.steps or None,
            "assisting": plan.assisting,
            "materials": materials,
            "form_fields": plan.form,
            "special_procedures": plan.special,
            "basis": basis,
            "themes": themes,
            "application_categories": plan.application_categories,
        }
    if themes is not None:
        # Only the kinds whose columns are in the file are replaced.
        themes = [t for t in item.themes.all() if t.kind not in plan.theme_kinds] + themes
    if materials is not None:
        materials = _keeping_files(item, materials)
    parts: dict = {}
    fields = _changed_fields(item, plan.fields)
    if fields:
        parts["fields"] = fields
    if plan.steps and plan.steps != _current_steps(item):
        parts["steps"] = plan.steps
    if plan.assisting is not None and sorted(plan.assisting, key=str) != sorted(
        _current_assisting(item), key=str
    ):
        parts["assisting"] = plan.assisting
    if materials is not None and materials != _current_materials(item):
        parts["materials"] = materials
    if plan.form is not None and [_form_key(f) for f in plan.form] != [
        _form_key(f) for f in item.form_fields.all()
    ]:
        parts["form_fields"] = plan.form
    if plan.special is not None and plan.special != _current_special(item):
        parts["special_procedures"] = plan.special
    for name, wanted in (
        ("basis", basis),
        ("themes", themes),
        ("application_categories", plan.application_categories),
    ):
        if wanted is not None and {o.pk for o in wanted} != {
            o.pk for o in getattr(item, name).all()
        }:
            parts[name] = wanted
    return parts


def _changed_fields(item: Item | None, fields: dict) -> dict:
    if item is None:
        return fields

    def value(v):
        return v.pk if isinstance(v, models.Model) else v

    return {
        name: v
        for name, v in fields.items()
        if value(getattr(item, name)) != value(v) and name != "code"
    }


def _keeping_files(item: Item, specs: list[MaterialSpec]) -> list[MaterialSpec]:
    """The file has no blank forms or examples: a material that keeps its name keeps
    its files (names compared as the services do, without spacing and case)."""

    def key(name: str) -> str:
        return "".join(name.split()).casefold()

    files = {key(m.name): (m.blank_form_id, m.example_id) for m in item.materials.all()}
    return [
        replace(
            spec,
            blank_form_id=files.get(key(spec.name), (None, None))[0],
            example_id=files.get(key(spec.name), (None, None))[1],
        )
        for spec in specs
    ]
