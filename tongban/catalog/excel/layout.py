"""The workbook's format: sheets, columns, required columns, the fixed Chinese names of
coded values, and how an exported sheet is dressed (header style, widths, the
help sheet). Imports none of its siblings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tongban.accounts.roles import RoleCode
from tongban.audit.export import neutralise

from ..models import FieldType, HandlingType, MaterialForm, SpecialProcedureKind, ThemeKind

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
