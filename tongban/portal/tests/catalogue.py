"""A small public catalogue built through the catalogue services: published items of
every handling type in the city and in a county, a draft and an expired item, with
materials, downloadable forms, policy basis, themes and audiences. Used by the portal
tests and by the catalogue API tests."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.accounts.models import DepartmentKind
from tongban.catalog import services
from tongban.catalog.models import FieldType, HandlingType, Item, PolicyBasis, Theme, ThemeKind
from tongban.catalog.rules import AssistingSpec
from tongban.catalog.services import FieldSpec, MaterialSpec
from tongban.core import files
from tongban.core.clock import local_date, now
from tongban.core.models import StoredFile
from tongban.dictionaries import services as dictionaries
from tongban.dictionaries.models import (
    ApplicantType,
    ApplicationCategory,
    ItemCategory,
    ItemType,
)


def xlsx_bytes(title: str = "食品经营许可申请书") -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = title
    book.active["A2"] = "申请人（签字）："
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pdf_bytes(text: str = "example") -> bytes:
    """A tiny, well-formed one-page PDF (distinct per ``text``)."""
    body = (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n"
    )
    return body + f"% {text}\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".encode()


def store(name: str, data: bytes, allowed=files.FORMS) -> StoredFile:
    return files.store_upload(SimpleUploadedFile(name, data), allowed=allowed)


def dictionary_entry(model, create, name: str, **kwargs):
    """A dictionary entry (seeded by migrations, but gone after a live-server flush)."""
    return model.objects.filter(name=name).first() or create(
        actor=None, name=name, at=timezone.now(), **kwargs
    )


@dataclass
class Catalogue:
    food: Item  # promised, market department, materials with forms, basis, special procedures
    residence: Item  # immediate, in the county's service hall
    planning: Item  # joint, natural resources with market assisting
    draft: Item
    expired: Item
    blank_form: StoredFile
    example: StoredFile
    basis: PolicyBasis
    draft_basis: PolicyBasis  # only a draft rests on it
    startup: Theme
    newborn: Theme
    elderly: Theme  # a theme of kind AUDIENCE
    licence_type: ItemType
    service_type: ItemType
    market_category: ItemCategory


def publish(item: Item, *, actor, materials, basis=(), themes=(), categories=(), form=()) -> Item:
    services.set_materials(actor=actor, item=item, materials=materials, at=timezone.now())
    if form:
        services.set_form_fields(actor=actor, item=item, fields=form, at=timezone.now())
    services.set_item_links(
        actor=actor,
        item=item,
        basis=basis,
        themes=themes,
        application_categories=categories,
        at=timezone.now(),
    )
    return services.publish_item(actor=actor, item=item, at=timezone.now())


def build_catalogue(personas) -> Catalogue:
    """Needs ``personas`` (the test organisation) and a temporary MEDIA_ROOT."""
    org = personas.org
    head = personas.department_head
    licence = dictionary_entry(ItemType, dictionaries.create_item_type, "行政许可")
    service = dictionary_entry(ItemType, dictionaries.create_item_type, "公共服务")
    market = dictionary_entry(ItemCategory, dictionaries.create_item_category, "市场准入")
    business = dictionary_entry(
        ApplicationCategory,
        dictionaries.create_application_category,
        "企业开办",
        type=ApplicantType.LEGAL_PERSON,
    )
    household = dictionary_entry(
        ApplicationCategory,
        dictionaries.create_application_category,
        "户籍办理",
        type=ApplicantType.PERSONAL,
    )
    # Themes have no service of their own yet (catalogue admin maintains them).
    startup, _ = Theme.objects.get_or_create(kind=ThemeKind.THEME, name="市场准入")
    newborn, _ = Theme.objects.get_or_create(kind=ThemeKind.LIFE_EVENT, name="新生儿出生")
    elderly, _ = Theme.objects.get_or_create(kind=ThemeKind.AUDIENCE, name="老年人")
    county_office = accounts.create_department(
        actor=None,
        code="QZQ-GA",
        name="秦州区公安分局",
        kind=DepartmentKind.DEPARTMENT,
        parent=org.county,
        at=timezone.now(),
    )

    blank = store("食品经营许可申请书.xlsx", xlsx_bytes())
    example = store("申请书示例.pdf", pdf_bytes("filled example"))
    law = store("食品安全法.pdf", pdf_bytes("law"), allowed=files.DOCUMENTS)
    draft_law = store("草案.pdf", pdf_bytes("draft law"), allowed=files.DOCUMENTS)
    basis = services.save_policy_basis(
        actor=None,
        name="中华人民共和国食品安全法",
        issuing_body="全国人民代表大会常务委员会",
        document_number="主席令第二十一号",
        clause="第三十五条 国家对食品生产经营实行许可制度。",
        effective_date=dt.date(2015, 10, 1),
        document=law,
        at=timezone.now(),
    )
    draft_basis = services.save_policy_basis(
        actor=None, name="某草案", document=draft_law, at=timezone.now()
    )

    food = services.create_item(
        actor=head,
        code="620500-SCJG-XK-001",
        name="食品经营许可证核发",
        short_name="食品经营许可",
        item_type=licence,
        category=market,
        department=org.market,
        handling_type=HandlingType.PROMISED,
        promised_limit=15,
        statutory_limit=20,
        special_procedures_allowed=True,
        fee="不收费",
        conditions="申请人应当具有与经营的食品品种、数量相适应的经营场所。",
        application_place="天水市政务服务中心二楼 12 号窗口",
        application_hours="工作日 9:00–12:00，13:30–17:30",
        contact_phone="0938-8211234",
        complaint_phone="0938-12345",
        result_name="食品经营许可证",
        online_allowed=True,
        at=timezone.now(),
    )
    publish(
        food,
        actor=head,
        materials=[
            MaterialSpec(
                "食品经营许可申请书",
                copies=1,
                notes="申请人签字",
                blank_form_id=blank.pk,
                example_id=example.pk,
            ),
            MaterialSpec("营业执照", form="copy", copies=2),
            MaterialSpec("健康证明", required=False, notes="从业人员"),
        ],
        basis=[basis],
        themes=[startup],
        categories=[business],
        form=[
            FieldSpec("company", "经营者名称", FieldType.TEXT, required=True),
            FieldSpec("credit_code", "统一社会信用代码", FieldType.CREDIT_CODE, required=True),
            FieldSpec("mobile", "联系电话", FieldType.MOBILE),
        ],
    )
    services.set_special_procedures(
        actor=head,
        item=food,
        procedures={"onsite_check": 10, "expert_review": 15},
        at=timezone.now(),
    )

    residence = services.create_item(
        actor=None,
        code="620502-GA-FW-001",
        name="居住证签发",
        item_type=service,
        department=county_office,
        handling_type=HandlingType.IMMEDIATE,
        promised_limit=0,
        statutory_limit=15,
        conditions="在本区居住半年以上",
        at=timezone.now(),
    )
    publish(
        residence,
        actor=None,
        materials=[MaterialSpec("居民身份证")],
        themes=[newborn, elderly],
        categories=[household],
    )

    planning = services.create_item(
        actor=None,
        code="620500-ZRZY-XK-003",
        name="建设工程规划许可证核发",
        item_type=licence,
        department=org.land,
        handling_type=HandlingType.JOINT,
        promised_limit=20,
        statutory_limit=20,
        assisting=[AssistingSpec(org.market.pk, 5, "核查经营范围")],
        at=timezone.now(),
    )
    publish(planning, actor=None, materials=[MaterialSpec("建设工程规划许可申请表")])

    draft = services.create_item(
        actor=head,
        code="620500-SCJG-XK-009",
        name="食品生产许可（草稿）",
        item_type=licence,
        department=org.market,
        promised_limit=10,
        statutory_limit=20,
        at=timezone.now(),
    )
    services.set_materials(
        actor=head,
        item=draft,
        materials=[MaterialSpec("草稿材料", blank_form_id=blank.pk)],
        at=timezone.now(),
    )
    services.set_item_links(actor=head, item=draft, basis=[draft_basis], at=timezone.now())

    yesterday = local_date(now()) - dt.timedelta(days=1)
    expired = services.create_item(
        actor=head,
        code="620500-SCJG-XK-010",
        name="食品摊贩登记（已废止）",
        item_type=licence,
        department=org.market,
        promised_limit=5,
        statutory_limit=20,
        valid_from=yesterday - dt.timedelta(days=30),
        valid_to=yesterday,
        at=timezone.now(),
    )
    publish(
        expired,
        actor=head,
        materials=[MaterialSpec("登记表", blank_form_id=blank.pk)],
        basis=[draft_basis],
    )
    for item in (food, residence, planning, draft, expired):
        item.refresh_from_db()
    return Catalogue(
        food=food,
        residence=residence,
        planning=planning,
        draft=draft,
        expired=expired,
        blank_form=blank,
        example=example,
        basis=basis,
        draft_basis=draft_basis,
        startup=startup,
        newborn=newborn,
        elderly=elderly,
        licence_type=licence,
        service_type=service,
        market_category=market,
    )
