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

The package: ``layout`` (sheets, columns, coded names, styling), ``scope`` (who may
transfer which items), ``export`` (``export_items``), and the import in three steps:
``reading`` (cells and the report), ``plan`` (what the file says per item),
``checking`` (the services' rules on each item), ``importing`` (``import_items``:
applying it all or nothing).
"""

from .export import export_items
from .importing import import_items
from .layout import (
    BASIS_COLUMNS,
    BASIS_SHEET,
    COLUMNS,
    DATE_TEXT,
    FALSE_WORDS,
    FIELD_TYPE_NAMES,
    FORM_COLUMNS,
    FORM_NAMES,
    FORM_SHEET,
    HANDLING_NAMES,
    HELP_SHEET,
    ITEM_COLUMNS,
    ITEM_SHEET,
    LIST_SEPARATOR,
    MATERIAL_COLUMNS,
    MATERIAL_SHEET,
    MAX_ROWS,
    NO,
    PART_SEPARATOR,
    PROCEDURE_NAMES,
    REQUIRED,
    ROLE_NAMES,
    SHEET_ORDER,
    STEP_COLUMNS,
    STEP_SHEET,
    THEME_COLUMNS,
    TRUE_WORDS,
    YES,
    Column,
)
from .plan import (
    BASIS_COLUMN_OF,
    FORM_COLUMN_OF,
    ITEM_COLUMN_OF,
    ITEM_TEXT_FIELDS,
    MATERIAL_COLUMN_OF,
    STEP_COLUMN_OF,
)
from .reading import ImportReport, RowError
from .scope import items_managed_by, may_transfer

__all__ = [
    "BASIS_COLUMNS",
    "BASIS_COLUMN_OF",
    "BASIS_SHEET",
    "COLUMNS",
    "DATE_TEXT",
    "FALSE_WORDS",
    "FIELD_TYPE_NAMES",
    "FORM_COLUMNS",
    "FORM_COLUMN_OF",
    "FORM_NAMES",
    "FORM_SHEET",
    "HANDLING_NAMES",
    "HELP_SHEET",
    "ITEM_COLUMNS",
    "ITEM_COLUMN_OF",
    "ITEM_SHEET",
    "ITEM_TEXT_FIELDS",
    "LIST_SEPARATOR",
    "MATERIAL_COLUMNS",
    "MATERIAL_COLUMN_OF",
    "MATERIAL_SHEET",
    "MAX_ROWS",
    "NO",
    "PART_SEPARATOR",
    "PROCEDURE_NAMES",
    "REQUIRED",
    "ROLE_NAMES",
    "SHEET_ORDER",
    "STEP_COLUMNS",
    "STEP_COLUMN_OF",
    "STEP_SHEET",
    "THEME_COLUMNS",
    "TRUE_WORDS",
    "YES",
    "Column",
    "ImportReport",
    "RowError",
    "export_items",
    "import_items",
    "items_managed_by",
    "may_transfer",
]
