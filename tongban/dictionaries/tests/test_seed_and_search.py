"""The defaults a fresh database starts with, and the query selector."""

from __future__ import annotations

from django.utils import timezone

from tongban.dictionaries import services
from tongban.dictionaries.models import ApplicationCategory, ItemCategory, ItemType
from tongban.dictionaries.selectors import search_dictionary


def test_it_starts_with_the_common_item_types_and_categories(db):
    names = set(ItemType.objects.values_list("name", flat=True))

    assert {"行政许可", "行政确认", "行政给付", "其他行政权力", "公共服务"} <= names
    assert ItemCategory.objects.filter(name="投资建设").exists()
    assert ApplicationCategory.objects.filter(name="户籍办理", type="personal").exists()
    assert ApplicationCategory.objects.filter(name="设立变更", type="legal_person").exists()


def test_it_searches_by_name_code_and_description(personas):
    services.create_item_type(
        actor=personas.system_admin,
        name="行政备案",
        code="BA",
        description="备案类",
        at=timezone.now(),
    )
    services.create_item_type(
        actor=personas.system_admin, name="行政检查", code="JC", is_active=False, at=timezone.now()
    )

    assert [e.name for e in search_dictionary(ItemType, "备案")] == ["行政备案"]
    assert [e.name for e in search_dictionary(ItemType, "jc")] == ["行政检查"]
    assert search_dictionary(ItemType, "行政检查", active_only=True).count() == 0
    assert search_dictionary(ItemType).count() == ItemType.objects.count()


def test_it_lists_in_display_order(personas):
    services.create_item_category(
        actor=personas.system_admin, name="排在最前", sort_order=0, at=timezone.now()
    )

    assert search_dictionary(ItemCategory).first().name == "排在最前"
