"""事项管理 in system management (the Django admin), driven over HTTP: one definition
(item + inline rows) validated together, saved by one service call, scoped to what
the user maintains."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.catalog import services
from tongban.catalog.models import (
    FormField,
    Item,
    Material,
    PolicyBasis,
    ProcessStep,
    Theme,
)
from tongban.catalog.services import MaterialSpec

LIST = "/admin/catalog/item/"
ADD = "/admin/catalog/item/add/"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Pages/Count 2>>endobj\ntrailer<<>>\n%%EOF\n"
INLINES = ("steps", "assisting", "materials", "form_fields", "special_procedures")


def _state():
    return (
        list(Item.objects.order_by("pk").values()),
        list(ProcessStep.objects.order_by("pk").values()),
        list(Material.objects.order_by("pk").values()),
        list(FormField.objects.order_by("pk").values()),
        AuditRecord.objects.filter(action__startswith="item.").count(),
    )


def _post(item_fields: dict, **rows) -> dict:
    """The change form's POST: the item's fields and the five inlines (each a list
    of row dicts; a row may carry ``id`` for an existing one)."""
    data = {
        "handling_type": "promised",
        "promised_limit": "10",
        "statutory_limit": "20",
        "max_extension": "10",
        "fee": "不收费",
    }
    data.update(item_fields)
    for prefix in INLINES:
        given = rows.get(prefix, [])
        initial = sum(1 for row in given if row.get("id"))
        data[f"{prefix}-TOTAL_FORMS"] = str(len(given))
        data[f"{prefix}-INITIAL_FORMS"] = str(initial)
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for index, row in enumerate(given):
            for key, value in row.items():
                data[f"{prefix}-{index}-{key}"] = value
    return data


def _new_item(personas, licence_type, **changes) -> dict:
    fields = {
        "code": "620500-SCJG-XK-100",
        "name": "食品小作坊登记",
        "short_name": "小作坊登记",
        "item_type": str(licence_type.pk),
        "department": str(personas.org.market.pk),
    }
    fields.update(changes)
    return fields


STEPS = [
    {"order": "1", "name": "受理", "role": "window_clerk"},
    {"order": "2", "name": "承办", "role": "handler", "limit_days": "6"},
    {"order": "3", "name": "批准", "role": "department_head", "limit_days": "2"},
]


@pytest.fixture
def head(client, personas):
    return log_in(client, personas.department_head)


def test_it_adds_an_item_with_its_rows_through_one_service_call(head, personas, licence_type):
    blank = SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf")
    data = _post(
        _new_item(personas, licence_type),
        steps=STEPS,
        materials=[
            {
                "order": "1",
                "name": "登记申请书",
                "required": "on",
                "essential": "on",
                "form": "original",
                "copies": "1",
                "blank_form_file": blank,
            }
        ],
        form_fields=[{"order": "1", "key": "workshop", "label": "作坊名称", "field_type": "text"}],
    )
    response = head.post(ADD, data)

    assert response.status_code == 302, response.content.decode()[-3000:]
    item = Item.objects.get(code="620500-SCJG-XK-100")
    assert [(s.name, s.limit_days) for s in item.steps.order_by("order")] == [
        ("受理", None),
        ("承办", 6),
        ("批准", 2),
    ]
    material = item.materials.get()
    assert material.blank_form.original_name == "申请书.pdf"
    assert material.blank_form.pages == 2
    assert list(item.form_fields.values_list("key", flat=True)) == ["workshop"]
    record = AuditRecord.objects.get(action="item.create", object_id=str(item.pk))
    assert record.actor_id == personas.department_head.pk
    assert [m["name"] for m in record.after["materials"]] == ["登记申请书"]
    # The blank form can be downloaded from the change page.
    page = head.get(f"{LIST}{item.pk}/change/").content.decode()
    url = f"{LIST}material/{material.pk}/blank_form/"
    assert url in page
    download = head.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_it_shows_every_rule_violation_in_place_and_saves_nothing(head, personas, licence_type):
    before = _state()
    data = _post(
        _new_item(personas, licence_type, promised_limit="12", statutory_limit="20"),
        steps=[
            {"order": "1", "name": "受理", "role": "window_clerk"},
            {"order": "2", "name": "承办", "role": "handler", "limit_days": "13"},
        ],
        materials=[
            {"order": "1", "name": "营业执照", "form": "copy", "copies": "1"},
            {"order": "2", "name": "营业执照", "form": "original", "copies": "1"},
        ],
        form_fields=[{"order": "1", "key": "Bad-Key", "label": "名称", "field_type": "text"}],
        special_procedures=[{"kind": "expert_review", "limit_days": "10"}],
    )
    data["max_extension"] = "12"
    response = head.post(ADD, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "最长延期（12 个工作日）不得超过该办件类型允许的 10 个工作日。" in page
    assert (
        "各环节时限（13 个工作日，另加协办部门并行办理 0 个工作日）超出了承诺时限 12 个工作日。"
        in page
    )
    assert "材料“营业执照”重复列出。" in page
    assert "列出了特别程序，但事项未勾选“可能需要特别程序”。" in page
    assert re.search(r"字段.名称.的键须以小写字母开头", page)  # the schema engine, on the row
    assert _state() == before


def test_it_shows_a_single_field_error_beside_the_field(head, personas, licence_type):
    before = _state()
    data = _post(
        _new_item(personas, licence_type, promised_limit="25", statutory_limit="20"),
        steps=[{"order": "1", "name": "受理", "role": "window_clerk"}],
    )
    page = head.post(ADD, data).content.decode()
    assert "承诺时限（25 个工作日）不得超过法定时限（20 个工作日）。" in page
    assert "承诺时限不得超过法定时限。" not in page  # the constraint's generic twin
    assert _state() == before


def test_it_refuses_an_upload_of_the_wrong_type(head, personas, licence_type):
    fake = SimpleUploadedFile("样表.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    before = _state()
    data = _post(
        _new_item(personas, licence_type),
        steps=STEPS,
        materials=[
            {
                "order": "1",
                "name": "申请书",
                "form": "original",
                "copies": "1",
                "blank_form_file": fake,
            }
        ],
    )
    page = head.post(ADD, data).content.decode()
    assert "不接受此类型的文件。允许的类型：" in page
    assert _state() == before


def test_it_changes_the_process_of_an_existing_item(head, personas, item):
    steps = [
        {"id": str(s.pk), "order": str(s.order), "name": s.name, "role": s.role}
        | ({"limit_days": str(s.limit_days)} if s.limit_days else {})
        for s in item.steps.order_by("order")
    ]
    steps[1]["limit_days"] = "8"  # 承办 9 → 8
    services.assign_staff(
        actor=personas.department_head,
        step=item.steps.get(name="承办"),
        users=[personas.handler],
        at=timezone.now(),
    )
    data = _post(
        {
            "name": item.name,
            "short_name": item.short_name,
            "item_type": str(item.item_type_id),
            "category": str(item.category_id),
            "department": str(item.department_id),
            "promised_limit": "15",
        },
        steps=steps,
    )
    response = head.post(f"{LIST}{item.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert item.steps.get(name="承办").limit_days == 8
    record = AuditRecord.objects.get(action="item.process")
    assert record.actor_id == personas.department_head.pk
    # The staff of the kept step are shown, read-only, in the process inline.
    page = head.get(f"{LIST}{item.pk}/change/").content.decode()
    assert "李承办" in page


def test_it_lists_only_the_items_the_user_maintains(client, personas, item, centre, licence_type):
    land = services.create_item(
        actor=None,
        code="620500-ZRZY-XK-001",
        name="建设用地规划许可",
        item_type=licence_type,
        department=personas.org.land,
        promised_limit=10,
        statutory_limit=20,
        at=timezone.now(),
    )
    log_in(client, personas.department_head)
    page = client.get(LIST).content.decode()
    assert item.code in page
    assert land.code not in page
    response = client.get(f"{LIST}{land.pk}/change/")
    assert response.status_code == 302  # "does not exist" back to the index
    log_in(client, centre)
    page = client.get(LIST).content.decode()
    assert item.code in page
    assert land.code in page
    log_in(client, personas.handler)  # no administration module at all
    assert client.get(LIST).status_code == 403


def test_it_publishes_and_withdraws_through_the_actions(head, personas, item):
    response = head.post(LIST, {"action": "publish_selected", "_selected_action": [item.pk]})
    assert response.status_code == 302
    page = head.get(LIST).content.decode()
    assert "620500-SCJG-XK-001：事项不能发布：没有申请材料。" in page
    item.refresh_from_db()
    assert not item.is_published

    services.set_materials(
        actor=personas.department_head,
        item=item,
        materials=[MaterialSpec("申请书")],
        at=timezone.now(),
    )
    head.post(LIST, {"action": "publish_selected", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert item.is_published
    head.post(LIST, {"action": "withdraw_selected", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert not item.is_published
    actions = AuditRecord.objects.filter(action__in=["item.publish", "item.withdraw"])
    assert list(actions.order_by("seq").values_list("action", flat=True)) == [
        "item.publish",
        "item.withdraw",
    ]


def test_it_keeps_policy_bases_with_their_documents(head, personas, item):
    document = SimpleUploadedFile("食品安全法.pdf", PDF, content_type="application/pdf")
    response = head.post(
        "/admin/catalog/policybasis/add/",
        {
            "name": "中华人民共和国食品安全法",
            "issuing_body": "全国人民代表大会常务委员会",
            "clause": "第三十五条　国家对食品生产经营实行许可制度。",
            "document_file": document,
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    basis = PolicyBasis.objects.get()
    assert basis.document.original_name == "食品安全法.pdf"
    assert AuditRecord.objects.filter(action="basis.create", object_id=str(basis.pk)).exists()
    download = head.get(f"/admin/catalog/policybasis/{basis.pk}/document/")
    assert b"".join(download.streaming_content) == PDF

    services.set_item_links(
        actor=personas.department_head, item=item, basis=[basis], at=timezone.now()
    )
    head.post(f"/admin/catalog/policybasis/{basis.pk}/delete/", {"post": "yes"})
    assert PolicyBasis.objects.filter(pk=basis.pk).exists()
    page = head.get(f"/admin/catalog/policybasis/{basis.pk}/change/").content.decode()
    assert "该政策依据仍被事项引用（620500-SCJG-XK-001）" in page


def test_it_leaves_themes_to_the_city_centre(client, personas, centre):
    log_in(client, personas.department_head)
    assert client.get("/admin/catalog/theme/").status_code == 200
    assert client.get("/admin/catalog/theme/add/").status_code == 403
    log_in(client, centre)
    response = client.post(
        "/admin/catalog/theme/add/", {"kind": "life_event", "name": "开办企业", "sort_order": "1"}
    )
    assert response.status_code == 302
    assert Theme.objects.get().name == "开办企业"
    assert AuditRecord.objects.filter(action="theme.create").count() == 1
