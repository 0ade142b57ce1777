"""Creating, changing and deleting dictionary entries (seed §1.11 字典管理)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongban.audit.models import AuditRecord
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.dictionaries import services
from tongban.dictionaries.models import (
    ApplicantType,
    ApplicationCategory,
    ItemCategory,
    ItemType,
)


def _audit(action: str, entry) -> AuditRecord:
    return AuditRecord.objects.filter(
        action=action, object_type=entry._meta.label_lower, object_id=str(entry.pk)
    ).latest("seq")


def test_it_creates_an_item_type_and_audits_it(personas):
    item_type = services.create_item_type(
        actor=personas.system_admin,
        name="  行政  备案 ",
        code="xk-9",
        description="备案类事项",
        at=timezone.now(),
    )

    item_type.refresh_from_db()
    assert (item_type.name, item_type.code, item_type.is_active) == ("行政 备案", "XK-9", True)
    record = _audit("dictionary.create", item_type)
    assert record.actor_id == personas.system_admin.pk
    assert record.after["name"] == "行政 备案"
    assert record.object_repr == "行政 备案"


def test_it_changes_an_item_category_and_audits_before_and_after(personas):
    category = services.create_item_category(
        actor=personas.system_admin, name="测试类别", at=timezone.now()
    )

    services.update_item_category(
        actor=personas.system_admin,
        category=category,
        name="测试类别（新）",
        sort_order=5,
        at=timezone.now(),
    )

    category.refresh_from_db()
    assert (category.name, category.sort_order) == ("测试类别（新）", 5)
    record = _audit("dictionary.update", category)
    assert record.before == {"name": "测试类别", "sort_order": 0}
    assert record.after == {"name": "测试类别（新）", "sort_order": 5}


def test_it_writes_nothing_when_nothing_changes(personas):
    category = services.create_item_category(
        actor=personas.system_admin, name="测试类别", at=timezone.now()
    )

    services.update_item_category(
        actor=personas.system_admin, category=category, name="测试类别", at=timezone.now()
    )

    assert not AuditRecord.objects.filter(action="dictionary.update").exists()


def test_it_deletes_an_application_category_and_audits_it(personas):
    category = services.create_application_category(
        actor=personas.system_admin,
        name="出入境证件",
        type=ApplicantType.PERSONAL,
        at=timezone.now(),
    )
    pk = category.pk

    services.delete_application_category(
        actor=personas.system_admin, category=category, at=timezone.now()
    )

    assert not ApplicationCategory.objects.filter(pk=pk).exists()
    record = AuditRecord.objects.get(action="dictionary.delete", object_id=str(pk))
    assert record.before["name"] == "出入境证件"
    assert record.before["type"] == "personal"


@pytest.mark.parametrize("variant", ["便民服务", " 便民服务 ", "便民\u3000服务", "便民 服务"])
def test_it_refuses_a_duplicate_item_type_name(personas, variant):
    services.create_item_type(
        actor=personas.system_admin, name="便民服务", code="GG1", at=timezone.now()
    )
    before = ItemType.objects.count()

    with pytest.raises(ValidationFailed) as caught:
        services.create_item_type(actor=personas.system_admin, name=variant, at=timezone.now())

    assert "名称" in str(caught.value.message)
    assert "已" in str(caught.value.message)
    assert list(caught.value.fields) == ["name"]
    assert ItemType.objects.count() == before
    assert AuditRecord.objects.filter(action="dictionary.create").count() == 1


def test_it_compares_names_ignoring_case_and_full_width(personas):
    services.create_item_category(actor=personas.system_admin, name="ABC 服务", at=timezone.now())

    with pytest.raises(ValidationFailed) as caught:
        services.create_item_category(
            actor=personas.system_admin, name="ａｂｃ  服务", at=timezone.now()
        )

    assert "ABC 服务" in str(caught.value.message)
    assert ItemCategory.objects.filter(name__icontains="服务").count() == 1


def test_it_refuses_renaming_onto_another_name_and_keeps_the_old_one(personas):
    first = services.create_application_category(
        actor=personas.system_admin, name="甲类申报", at=timezone.now()
    )
    second = services.create_application_category(
        actor=personas.system_admin, name="乙类申报", at=timezone.now()
    )

    with pytest.raises(ValidationFailed) as caught:
        services.update_application_category(
            actor=personas.system_admin, category=second, name="甲类申报", at=timezone.now()
        )

    assert "申报名称" in str(caught.value.message)
    second.refresh_from_db()
    assert second.name == "乙类申报"
    assert first.name == "甲类申报"


def test_it_refuses_a_duplicate_code(personas):
    services.create_item_category(
        actor=personas.system_admin, name="甲", code="A1", at=timezone.now()
    )

    with pytest.raises(ValidationFailed) as caught:
        services.create_item_category(
            actor=personas.system_admin, name="乙", code="a1", at=timezone.now()
        )

    assert list(caught.value.fields) == ["code"]
    assert "代码" in str(caught.value.message)
    assert not ItemCategory.objects.filter(name="乙").exists()


def test_it_refuses_an_empty_name_and_a_bad_code(personas):
    with pytest.raises(ValidationFailed) as empty:
        services.create_item_type(actor=personas.system_admin, name="   ", at=timezone.now())
    with pytest.raises(ValidationFailed) as bad_code:
        services.create_item_type(
            actor=personas.system_admin, name="新类型", code="X 1", at=timezone.now()
        )

    assert "name" in empty.value.fields
    assert "code" in bad_code.value.fields


def test_it_refuses_an_unknown_applicant_type(personas):
    with pytest.raises(ValidationFailed) as caught:
        services.create_application_category(
            actor=personas.system_admin, name="未知", type="robot", at=timezone.now()
        )

    assert "type" in caught.value.fields


@pytest.mark.parametrize("persona", ["security_admin", "audit_admin", "handler"])
def test_it_lets_only_the_system_admin_change_dictionaries(personas, persona):
    user = getattr(personas, persona)
    existing = services.create_item_type(
        actor=personas.system_admin, name="便民服务", code="GG1", at=timezone.now()
    )

    with pytest.raises(PermissionDenied):
        services.create_item_type(actor=user, name="越权类型", at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.update_item_type(actor=user, item_type=existing, name="越权", at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.delete_item_type(actor=user, item_type=existing, at=timezone.now())

    existing.refresh_from_db()
    assert existing.name == "便民服务"
    assert not ItemType.objects.filter(name="越权类型").exists()
