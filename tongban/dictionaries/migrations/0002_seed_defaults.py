"""Sensible defaults for a fresh database; administrators edit them afterwards.

Uses the historical models and writes no audit record (the migration is the record).
Existing names are left alone, so running on a database that already has entries is
harmless. The normalisation is copied from ``models.normalise_name`` on purpose: a
migration must not change meaning when the app's code changes later.
"""

import unicodedata

from django.db import migrations

ITEM_TYPES = [
    ("01", "行政许可", "依申请准予从事特定活动的行政行为"),
    ("02", "行政确认", "对法律事实、法律关系予以确认"),
    ("03", "行政给付", "依法给予物质帮助或者其他利益"),
    ("04", "行政奖励", "对作出突出贡献者给予表彰奖励"),
    ("05", "行政裁决", "对与行政管理相关的民事纠纷作出裁决"),
    ("06", "行政征收", "依法征收税费或者财产"),
    ("07", "其他行政权力", "含原非行政许可审批事项"),
    ("08", "公共服务", "面向公民和法人提供的服务事项"),
]

ITEM_CATEGORIES = [
    "市场准入",
    "投资建设",
    "自然资源与不动产",
    "交通运输",
    "生态环境",
    "农业农村",
    "社会事业",
    "民生保障",
    "文化旅游",
    "公共安全",
    "其他",
]

APPLICATION_CATEGORIES = [
    ("personal", ["户籍办理", "婚姻生育", "社会保障", "就业创业", "教育培训", "医疗卫生", "住房保障", "证件办理"]),
    ("legal_person", ["设立变更", "准营准办", "资质认证", "建设工程", "年检年审", "税费缴纳"]),
    ("other", ["社会组织登记", "事业单位登记"]),
]


def _key(name):
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def _add(model, order, name, **fields):
    model.objects.get_or_create(
        name_key=_key(name), defaults={"name": name, "sort_order": order, **fields}
    )


def seed(apps, schema_editor):
    ItemType = apps.get_model("dictionaries", "ItemType")
    ItemCategory = apps.get_model("dictionaries", "ItemCategory")
    ApplicationCategory = apps.get_model("dictionaries", "ApplicationCategory")
    for order, (code, name, description) in enumerate(ITEM_TYPES, start=1):
        _add(ItemType, order * 10, name, code=code, description=description)
    for order, name in enumerate(ITEM_CATEGORIES, start=1):
        _add(ItemCategory, order * 10, name)
    # One running order: individuals' categories first, then legal persons', then
    # other organisations'.
    order = 0
    for kind, names in APPLICATION_CATEGORIES:
        for name in names:
            order += 10
            _add(ApplicationCategory, order, name, type=kind)


class Migration(migrations.Migration):
    dependencies = [("dictionaries", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
