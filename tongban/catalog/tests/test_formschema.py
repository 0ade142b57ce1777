"""The application form schema (预设表单): checked before it is saved, rendered for the
counter and the portal, validated on the server, described for the API."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.catalog import services
from tongban.catalog.formschema import (
    build_form_class,
    json_schema,
    schema_errors,
    upload_keys,
    validate_submission,
)
from tongban.catalog.services import FieldSpec
from tongban.catalog.validators import id_check_char
from tongban.core.errors import ValidationFailed

ID_NUMBER = "11010519491231002X"  # GB 11643-1999's example
CREDIT_CODE = "91350100M000100Y43"  # GB 32100-2015's example
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

FULL = [
    FieldSpec(
        "applicant_name",
        "申请人姓名",
        "text",
        required=True,
        help_text="与身份证件一致",
        max_length=50,
    ),
    FieldSpec(
        "postcode", "邮政编码", "text", pattern=r"\d{6}", pattern_message="邮政编码应为 6 位数字"
    ),
    FieldSpec("business_scope", "经营范围", "long_text"),
    FieldSpec(
        "area",
        "经营场所面积（平方米）",
        "number",
        required=True,
        min_value=Decimal("1"),
        max_value=Decimal("10000"),
    ),
    FieldSpec("opening_date", "拟开业日期", "date"),
    FieldSpec(
        "entity_kind",
        "主体类型",
        "choice",
        required=True,
        choices=("企业", "个体工商户", "农民专业合作社"),
    ),
    FieldSpec(
        "food_kinds",
        "经营项目",
        "multi_choice",
        required=True,
        choices=("预包装食品销售", "散装食品销售", "热食类食品制售"),
    ),
    FieldSpec("applicant_id", "申请人身份证号码", "id_number", required=True),
    FieldSpec("credit_code", "统一社会信用代码", "credit_code"),
    FieldSpec("mobile", "联系电话", "mobile", required=True),
    FieldSpec("address", "经营场所地址", "address", required=True),
    FieldSpec("licence_scan", "营业执照扫描件", "file", required=True),
]

VALID = {
    "applicant_name": "  张三 ",
    "postcode": "741000",
    "business_scope": "预包装食品销售\n散装食品销售",
    "area": 120.5,
    "opening_date": "2025-07-01",
    "entity_kind": "个体工商户",
    "food_kinds": ["散装食品销售", "预包装食品销售", "散装食品销售"],
    "applicant_id": "110105 19491231 002x",
    "credit_code": "91350100m000100y43",
    "mobile": "138 1234 5678",
    "address": "甘肃省天水市秦州区民主西路 1 号",
}


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def pdf_upload(name="营业执照.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def refusal(data, files=None, schema=FULL) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        validate_submission(schema, data, files, at=timezone.now())
    return caught.value


class Tags(HTMLParser):
    """The start tags of a page, to look at widgets by name."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def named(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for _tag, attrs in self.tags if attrs.get("name") == name]

    def one(self, tag: str, name: str) -> dict[str, str | None]:
        found = [attrs for t, attrs in self.tags if t == tag and attrs.get("name") == name]
        assert len(found) == 1, (tag, name, found)
        return found[0]


def classes(attrs) -> set[str]:
    return set((attrs.get("class") or "").split())


# --- checking the schema ------------------------------------------------------------


def test_it_accepts_a_complete_schema():
    assert schema_errors(FULL) == {}


@pytest.mark.parametrize("key", ["Name", "1st", "full-name", "a" * 41, "", "姓名"])
def test_it_refuses_a_badly_formed_key(key):
    errors = schema_errors([FieldSpec("ok", "甲", "text"), FieldSpec(key, "申请人姓名", "text")])
    assert errors == {
        "fields.1.key": [
            "字段「申请人姓名」的键须以小写字母开头，"
            "只能包含小写字母、数字和下划线，最长 40 个字符。"
        ]
    }


def test_it_refuses_a_key_used_twice_naming_the_first_use():
    errors = schema_errors(
        [
            FieldSpec("name", "申请人姓名", "text"),
            FieldSpec("mobile", "联系电话", "mobile"),
            FieldSpec("name", "法定代表人姓名", "text"),
        ]
    )
    assert errors == {"fields.2.key": ["字段「法定代表人姓名」的键“name”已被第 1 个字段使用。"]}


def test_it_requires_a_label_naming_the_field_by_number():
    errors = schema_errors([FieldSpec("a", "甲", "text"), FieldSpec("b", "  ", "text")])
    assert errors == {"fields.1.label": ["第 2 个字段缺少标签。"]}


def test_it_refuses_an_unknown_type():
    errors = schema_errors([FieldSpec("photo", "照片", "image")])
    assert errors == {"fields.0.field_type": ["字段「照片」的类型“image”无效。"]}


@pytest.mark.parametrize(
    "choices", [(), ("企业",), ("企业", "  "), "企业\n企业\n", ("企业", "企业")]
)
def test_it_requires_two_different_options_for_a_choice(choices):
    for field_type in ("choice", "multi_choice"):
        errors = schema_errors([FieldSpec("kind", "主体类型", field_type, choices=choices)])
        assert list(errors) == ["fields.0.choices"]
        assert errors["fields.0.choices"][0] in {
            "字段「主体类型」至少需要两个不同的选项。",
            "字段「主体类型」的选项“企业”重复。",
        }


def test_it_reads_options_one_per_line_as_stored():
    assert (
        schema_errors([FieldSpec("kind", "主体类型", "choice", choices="企业\n\n个体工商户\n")])
        == {}
    )


def test_it_refuses_options_on_other_types_and_line_breaks_in_options():
    assert schema_errors([FieldSpec("name", "姓名", "text", choices=("a", "b"))]) == {
        "fields.0.choices": ["只有选择类字段才有选项，请删除字段「姓名」的选项。"]
    }
    assert schema_errors([FieldSpec("kind", "类型", "choice", choices=("a\nb", "c"))]) == {
        "fields.0.choices": ["字段「类型」的某个选项含有换行。"]
    }


def test_it_refuses_a_minimum_above_the_maximum():
    errors = schema_errors(
        [FieldSpec("area", "面积", "number", min_value=Decimal("10"), max_value=Decimal("5"))]
    )
    assert errors == {"fields.0.max_value": ["字段「面积」的最小值大于最大值。"]}
    assert schema_errors([FieldSpec("area", "面积", "number", min_value=5, max_value=5)]) == {}


def test_it_allows_minimum_and_maximum_only_on_numbers_and_only_storable_ones():
    assert schema_errors([FieldSpec("name", "姓名", "text", min_value=1)]) == {
        "fields.0.min_value": ["只有数字字段才能设置最小值和最大值，请删除字段「姓名」的设置。"]
    }
    for odd in ("abc", "0.001", Decimal("1E+12"), float("nan"), True):
        errors = schema_errors([FieldSpec("area", "面积", "number", max_value=odd)])
        assert list(errors) == ["fields.0.max_value"], odd


def test_it_allows_a_maximum_length_only_on_text_types_within_bounds():
    assert schema_errors([FieldSpec("area", "面积", "number", max_length=10)]) == {
        "fields.0.max_length": ["只有文本类字段才能设置最大长度，请删除字段「面积」的设置。"]
    }
    for text_type in ("text", "long_text", "address"):
        assert schema_errors([FieldSpec("x", "说明", text_type, max_length=500)]) == {}
    for odd in (0, -1, 10_001, "50", 2.5):
        assert list(schema_errors([FieldSpec("x", "说明", "text", max_length=odd)])) == [
            "fields.0.max_length"
        ]


def test_it_refuses_a_pattern_that_does_not_compile_or_is_not_on_text():
    errors = schema_errors([FieldSpec("code", "编号", "text", pattern="([0-9]")])
    assert list(errors) == ["fields.0.pattern"]
    assert errors["fields.0.pattern"][0].startswith("字段「编号」的格式规则不是有效的正则表达式（")
    assert schema_errors([FieldSpec("day", "日期", "date", pattern=r"\d+")]) == {
        "fields.0.pattern": ["只有文本类字段才能设置格式规则，请删除字段「日期」的格式规则。"]
    }


@pytest.mark.parametrize("pattern", [r"(a+)+", r"(\w+\s?)*", r"([0-9]{1,3}\.?)+", r"(x*){2,5}"])
def test_it_refuses_a_pattern_with_nested_repetition(pattern):
    errors = schema_errors([FieldSpec("code", "编号", "text", pattern=pattern)])
    assert errors == {
        "fields.0.pattern": [
            "字段「编号」的格式规则含有嵌套重复（如 (a+)+），校验可能极其耗时，请简化。"
        ]
    }


@pytest.mark.parametrize(
    "pattern",
    [r"\d{6}", r"(\d{3,4}-)?\d{7,8}", r"[A-Z]{2}\d+", r"(\d{3})+", r"(0|[1-9]\d*)(\.\d+)?"],
)
def test_it_accepts_ordinary_patterns(pattern):
    assert schema_errors([FieldSpec("code", "编号", "text", pattern=pattern)]) == {}


def test_it_refuses_texts_longer_than_their_columns():
    errors = schema_errors([FieldSpec("x", "甲" * 101, "text", help_text="乙" * 301)])
    assert sorted(errors) == ["fields.0.help_text", "fields.0.label"]


def test_the_service_refuses_a_bad_schema_and_keeps_the_old_one(personas, item):
    services.set_form_fields(
        actor=personas.department_head,
        item=item,
        fields=[FieldSpec("name", "姓名", "text")],
        at=timezone.now(),
    )
    with pytest.raises(ValidationFailed) as caught:
        services.set_form_fields(
            actor=personas.department_head,
            item=item,
            fields=[FieldSpec("name", "姓名", "text"), FieldSpec("kind", "类型", "choice")],
            at=timezone.now(),
        )
    assert caught.value.fields == {"fields.1.choices": ["字段「类型」至少需要两个不同的选项。"]}
    assert list(item.form_fields.values_list("key", flat=True)) == ["name"]


def test_a_saved_schema_works_from_its_rows(personas, item):
    services.set_form_fields(
        actor=personas.department_head, item=item, fields=FULL, at=timezone.now()
    )
    rows = list(item.form_fields.order_by("order"))
    assert schema_errors(rows) == {}
    from_rows = validate_submission(rows, VALID, {"licence_scan": pdf_upload()}, at=timezone.now())
    from_specs = validate_submission(FULL, VALID, {"licence_scan": pdf_upload()}, at=timezone.now())
    assert {k: v for k, v in from_rows.items() if k != "licence_scan"} == {
        k: v for k, v in from_specs.items() if k != "licence_scan"
    }
    assert json_schema(rows) == json_schema(FULL)


# --- the HTML form ---------------------------------------------------------------


def test_it_renders_every_field_type_with_bootstrap_widgets():
    form = build_form_class(FULL)()
    html = render_to_string("catalog/_schema_form.html", {"form": form})
    tags = Tags(html)

    name = tags.one("input", "schema-applicant_name")
    assert (name["type"], name["maxlength"], "required" in name) == ("text", "50", True)
    assert classes(name) == {"form-control"}
    assert name["aria-describedby"] == "id_schema-applicant_name_helptext"
    assert 'id="id_schema-applicant_name_helptext">与身份证件一致</div>' in html
    assert tags.one("textarea", "schema-business_scope")["maxlength"] == "2000"
    assert tags.one("textarea", "schema-address")["maxlength"] == "200"
    area = tags.one("input", "schema-area")
    assert (area["type"], area["min"], area["max"], area["step"]) == ("number", "1", "10000", "any")
    assert tags.one("input", "schema-opening_date")["type"] == "date"
    assert classes(tags.one("select", "schema-entity_kind")) == {"form-select"}
    assert '<option value="" selected>请选择</option>' in html
    boxes = tags.named("schema-food_kinds")
    assert [b["value"] for b in boxes] == ["预包装食品销售", "散装食品销售", "热食类食品制售"]
    assert all(b["type"] == "checkbox" and classes(b) == {"form-check-input"} for b in boxes)
    assert "<legend" in html
    for key in ("applicant_id", "credit_code", "mobile"):
        assert tags.one("input", f"schema-{key}")["type"] == "text"
    upload = tags.one("input", "schema-licence_scan")
    assert upload["type"] == "file"
    assert ".pdf" in upload["accept"] and ".png" in upload["accept"]
    assert "可上传 DOCX, JPEG, JPG, OFD, PDF, PNG, XLSX 格式的文件，不超过 20 MB。" in html
    assert form.is_multipart()


def test_it_renders_fields_in_order_with_required_markers():
    html = render_to_string("catalog/_schema_form.html", {"form": build_form_class(FULL)()})
    positions = [
        html.index(f'for="id_schema-{f.key}')
        if f.field_type != "multi_choice"
        else html.index('id="id_schema-food_kinds_group"')
        for f in FULL
    ]
    assert positions == sorted(positions)
    marker = '<span class="text-danger ms-1" aria-hidden="true">*</span>'
    for spec in FULL:
        start = positions[FULL.index(spec)]
        label_end = html.index("</l", start)  # </label> or </legend>
        assert (marker in html[start:label_end]) is spec.required, spec.key
    assert "（必填）" in html
    assert '带 <span class="text-danger">*</span> 的为必填项。' in html


def test_it_shows_each_error_under_its_field_in_chinese():
    form_class = build_form_class(FULL)
    form = form_class(
        {
            "schema-applicant_name": "",
            "schema-applicant_id": "110105194912310021",
            "schema-area": "0",
        }
    )
    assert not form.is_valid()
    html = str(form)  # the form renders itself with the same template
    tags = Tags(html)
    for key in ("applicant_name", "applicant_id", "area"):
        widget = tags.one("input", f"schema-{key}")
        assert "is-invalid" in classes(widget) and "form-control" in classes(widget)
        assert widget["aria-invalid"] == "true"
    assert "is-invalid" not in classes(tags.one("input", "schema-postcode"))
    assert (
        'id="id_schema-applicant_id_error"><div>「申请人身份证号码」校验位不正确，请核对号码。</div>'
        in html
    )
    assert "<div>请填写「申请人姓名」。</div>" in html
    assert "<div>「经营场所面积（平方米）」不能小于 1。</div>" in html
    assert all("is-invalid" in classes(b) for b in tags.named("schema-food_kinds"))
    assert "<div>请选择「经营项目」。</div>" in html
    assert "<div>请上传「营业执照扫描件」。</div>" in html


def test_it_shows_non_field_errors_and_escapes_what_administrators_typed():
    schema = [FieldSpec("x", "<b>姓名</b>", "text", help_text="<script>alert(1)</script>")]
    form = build_form_class(schema)({"schema-x": "张三"})
    assert form.is_valid()
    form.add_error(None, "该申请人已有办理中的申请。")
    html = render_to_string("catalog/_schema_form.html", {"form": form})
    assert '<div class="alert alert-danger" role="alert">' in html
    assert "该申请人已有办理中的申请。" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>" not in html


def test_it_keeps_browser_autocomplete_off_at_the_counter_only():
    counter = Tags(str(build_form_class(FULL, purpose="counter")()))
    portal = Tags(str(build_form_class(FULL, purpose="portal")()))
    assert counter.one("input", "schema-mobile")["autocomplete"] == "off"
    assert counter.one("input", "schema-applicant_id")["autocomplete"] == "off"
    assert portal.one("input", "schema-mobile")["autocomplete"] == "tel-national"
    assert "autocomplete" not in portal.one("input", "schema-applicant_id")
    with pytest.raises(ValueError):
        build_form_class(FULL, purpose="kiosk")


def test_the_form_cleans_to_the_same_values_as_the_api():
    post = QueryDict(mutable=True)
    for key, value in VALID.items():
        if isinstance(value, list):
            post.setlist(f"schema-{key}", value)
        else:
            post[f"schema-{key}"] = str(value)
    upload = pdf_upload()
    form = build_form_class(FULL)(post, {"schema-licence_scan": upload})
    assert form.is_valid(), form.errors
    api = validate_submission(FULL, VALID, {"licence_scan": pdf_upload()}, at=timezone.now())
    assert form.cleaned_data.keys() == api.keys()
    assert {k: v for k, v in form.cleaned_data.items() if k != "licence_scan"} == {
        k: v for k, v in api.items() if k != "licence_scan"
    }
    assert form.cleaned_data["licence_scan"] is upload
    assert upload.read() == PDF  # rewound for whoever stores it


def test_a_key_named_like_a_form_attribute_is_just_a_field():
    schema = [FieldSpec("purpose", "用途", "text"), FieldSpec("prefix", "前缀", "text")]
    form = build_form_class(schema, purpose="portal")({"schema-purpose": "开店"})
    assert form.purpose == "portal"
    assert form.is_valid()
    assert form.cleaned_data == {"purpose": "开店", "prefix": None}


# --- server-side validation ------------------------------------------------------


def test_it_cleans_a_valid_submission_of_every_type():
    upload = pdf_upload()
    cleaned = validate_submission(FULL, VALID, {"licence_scan": upload}, at=timezone.now())
    assert cleaned == {
        "applicant_name": "张三",
        "postcode": "741000",
        "business_scope": "预包装食品销售\n散装食品销售",
        "area": "120.5",
        "opening_date": "2025-07-01",
        "entity_kind": "个体工商户",
        "food_kinds": ["预包装食品销售", "散装食品销售"],
        "applicant_id": ID_NUMBER,
        "credit_code": CREDIT_CODE,
        "mobile": "13812345678",
        "address": "甘肃省天水市秦州区民主西路 1 号",
        "licence_scan": upload,
    }
    json.dumps({k: v for k, v in cleaned.items() if k not in upload_keys(FULL)})


def test_it_gives_none_or_an_empty_list_for_empty_optional_fields():
    schema = [
        FieldSpec("note", "备注", "long_text"),
        FieldSpec("tags", "标签", "multi_choice", choices=("a", "b")),
        FieldSpec("scan", "附件", "file"),
        FieldSpec("n", "数量", "number"),
    ]
    assert validate_submission(schema, {"note": "  ", "n": None}, at=timezone.now()) == {
        "note": None,
        "tags": [],
        "scan": None,
        "n": None,
    }


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("applicant_name", "张" * 51, "「申请人姓名」最多 50 个字符，当前为 51 个。"),
        ("applicant_name", 12345, "「申请人姓名」应为文本。"),
        ("applicant_name", "张\x00三", "「申请人姓名」含有不允许的字符。"),
        ("postcode", "74100", "邮政编码应为 6 位数字"),
        ("postcode", "741000x", "邮政编码应为 6 位数字"),
        ("area", "一百", "「经营场所面积（平方米）」应为数字。"),
        ("area", True, "「经营场所面积（平方米）」应为数字。"),
        ("area", float("nan"), "「经营场所面积（平方米）」应为数字。"),
        ("area", "0.5", "「经营场所面积（平方米）」不能小于 1。"),
        ("area", 10000.01, "「经营场所面积（平方米）」不能大于 10000。"),
        ("area", "1.0000001", "「经营场所面积（平方米）」最多 6 位小数。"),
        ("area", "1e20", "「经营场所面积（平方米）」数值过大。"),
        ("opening_date", "2023-02-30", "「拟开业日期」应为有效日期，格式为 YYYY-MM-DD。"),
        ("opening_date", "20230228", "「拟开业日期」应为有效日期，格式为 YYYY-MM-DD。"),
        ("entity_kind", "外资企业", "「主体类型」请从所列选项中选择。"),
        ("entity_kind", ["企业"], "「主体类型」请从所列选项中选择。"),
        ("food_kinds", ["预包装食品销售", "烟草"], "「经营项目」只能从所列选项中选择。"),
        ("food_kinds", "预包装食品销售", "「经营项目」应为选项列表。"),
        ("applicant_id", "110105194912310021", "「申请人身份证号码」校验位不正确，请核对号码。"),
        ("applicant_id", "11010519491231002", "「申请人身份证号码」应为 18 位，当前为 17 位。"),
        ("credit_code", "91350100M000100Y44", "「统一社会信用代码」校验码不正确，请核对代码。"),
        ("mobile", "12812345678", "「联系电话」不是有效的手机号码，大陆手机号码以 13–19 开头。"),
        ("address", {"city": "天水"}, "「经营场所地址」应为文本。"),
    ],
)
def test_it_refuses_an_invalid_value_on_its_key(key, value, message):
    error = refusal({**VALID, key: value}, {"licence_scan": pdf_upload()})
    assert error.fields == {key: [message]}
    assert error.message == message


def test_it_names_missing_required_fields_in_schema_order():
    error = refusal({"postcode": "741000"})
    assert list(error.fields) == [
        "applicant_name",
        "area",
        "entity_kind",
        "food_kinds",
        "applicant_id",
        "mobile",
        "address",
        "licence_scan",
    ]
    assert error.fields["applicant_name"] == ["请填写「申请人姓名」。"]
    assert error.fields["entity_kind"] == ["请选择「主体类型」。"]
    assert error.fields["licence_scan"] == ["请上传「营业执照扫描件」。"]
    assert error.message == "请填写「申请人姓名」。"


def test_it_refuses_unknown_keys_by_name():
    error = refusal({**VALID, "salary": "1000", "x" * 300: 1}, {"licence_scan": pdf_upload()})
    assert error.fields == {
        "salary": ["表单中没有字段“salary”。"],
        "x" * 40 + "…": ["表单中没有字段“" + "x" * 40 + "…”。"],
    }


def test_it_refuses_a_png_disguised_as_a_pdf():
    disguised = SimpleUploadedFile("营业执照.pdf", PNG, content_type="application/pdf")
    error = refusal(VALID, {"licence_scan": disguised})
    [message] = error.fields["licence_scan"]
    assert message.startswith("「营业执照扫描件」：")
    assert "PNG" in message and ".pdf" in message


def test_it_refuses_files_sent_as_values_or_for_other_fields():
    error = refusal({**VALID, "licence_scan": "data:application/pdf;base64,JVBERi0="})
    assert error.fields == {
        "licence_scan": ["「营业执照扫描件」是文件，请以 multipart 方式上传，不要作为字段值提交。"]
    }
    error = refusal(VALID, {"licence_scan": pdf_upload(), "mobile": pdf_upload()})
    assert error.fields == {"mobile": ["「联系电话」不是文件字段。"]}


def test_it_refuses_two_files_for_one_field():
    from django.utils.datastructures import MultiValueDict

    uploads = MultiValueDict({"licence_scan": [pdf_upload(), pdf_upload("b.pdf")]})
    error = refusal(VALID, uploads)
    assert error.fields == {"licence_scan": ["「营业执照扫描件」只能上传一个文件。"]}


def test_it_bounds_birth_dates_by_the_time_given():
    schema = [FieldSpec("child_id", "子女身份证号码", "id_number")]
    digits = "62050220250701123"  # born 2025-07-01
    number = digits + id_check_char(digits)
    july = dt.datetime(2025, 7, 1, 9, tzinfo=dt.UTC)
    assert validate_submission(schema, {"child_id": number}, at=july) == {"child_id": number}
    with pytest.raises(ValidationFailed) as caught:
        validate_submission(schema, {"child_id": number}, at=july - dt.timedelta(days=1))
    assert "出生日期 2025-07-01 不合理" in caught.value.message


@pytest.mark.parametrize("data", [["a"], "text", 42])
def test_it_refuses_data_that_is_not_an_object(data):
    error = refusal(data)
    assert error.fields == {"__all__": ["表单数据应为由字段键和值组成的对象。"]}


def test_it_treats_no_data_as_an_empty_submission():
    schema = [FieldSpec("note", "备注", "text")]
    assert validate_submission(schema, None, at=timezone.now()) == {"note": None}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=10,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from([f.key for f in FULL] + ["other"]) | st.text(max_size=8),
        json_values,
        max_size=12,
    )
)
def test_it_never_fails_on_odd_input(data):
    try:
        cleaned = validate_submission(FULL, data, at=timezone.now())
    except ValidationFailed as exc:
        assert exc.fields and all(isinstance(m, str) for ms in exc.fields.values() for m in ms)
        json.dumps(exc.as_dict())
    else:  # pragma: no cover - the required file is never given here
        pytest.fail(f"accepted {cleaned!r}")


# --- the API description ---------------------------------------------------------


def test_it_describes_the_form_as_json_schema():
    schema = json_schema(FULL)
    json.dumps(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert schema["x-field-order"] == [f.key for f in FULL]
    assert schema["required"] == [
        "applicant_name",
        "area",
        "entity_kind",
        "food_kinds",
        "applicant_id",
        "mobile",
        "address",
    ]
    p = schema["properties"]
    assert p["applicant_name"] == {
        "title": "申请人姓名",
        "description": "与身份证件一致",
        "type": "string",
        "maxLength": 50,
        "minLength": 1,
        "x-field-type": "text",
    }
    assert p["postcode"]["pattern"] == r"^(?:\d{6})$"
    assert p["area"] == {
        "title": "经营场所面积（平方米）",
        "type": "number",
        "minimum": 1,
        "maximum": 10000,
        "x-field-type": "number",
    }
    assert p["opening_date"]["format"] == "date"
    assert p["entity_kind"]["enum"] == ["企业", "个体工商户", "农民专业合作社"]
    assert p["food_kinds"]["type"] == "array"
    assert p["food_kinds"]["items"]["enum"] == ["预包装食品销售", "散装食品销售", "热食类食品制售"]
    assert p["food_kinds"]["uniqueItems"] is True and p["food_kinds"]["minItems"] == 1
    assert p["address"]["x-field-type"] == "address"
    scan = p["licence_scan"]
    assert scan["type"] == "string" and scan["x-field-type"] == "file"
    assert scan["contentMediaType"] == "application/octet-stream"
    assert "application/pdf" in scan["x-accept"] and scan["x-required"] is True
    assert "multipart" in scan["$comment"]


def test_the_schema_patterns_match_what_the_server_accepts():
    schema = json_schema(FULL)["properties"]
    cleaned = validate_submission(FULL, VALID, {"licence_scan": pdf_upload()}, at=timezone.now())
    for key in ("applicant_id", "credit_code", "mobile", "postcode"):
        assert re.fullmatch(schema[key]["pattern"], cleaned[key]), key
    for key in ("applicant_id", "credit_code", "mobile"):
        assert not re.fullmatch(schema[key]["pattern"], VALID[key])  # raw input differs
