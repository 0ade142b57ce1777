"""The national identifiers an application form asks for: resident ID numbers
(GB 11643-1999), unified social credit codes (GB 32100-2015) and mobile numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from tongban.catalog.validators import (
    validate_credit_code,
    validate_mobile,
    validate_resident_id,
)

TODAY = dt.date(2025, 6, 30)

# The check characters are computed here independently of the module under test,
# straight from the standards' definitions.
ID_CHECK = "10X98765432"
CREDIT = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def with_id_check(first17: str) -> str:
    # GB 11643 / ISO 7064 MOD 11-2: weight of position i (from the left, 1-based) is
    # 2^(18-i) mod 11.
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    return first17 + ID_CHECK[total % 11]


def with_credit_check(first17: str) -> str:
    # GB 32100: weight of position i (0-based) is 3^i mod 31; check = 31 - sum mod 31.
    total = sum(CREDIT.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + CREDIT[(31 - total % 31) % 31]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def refusal(validator, value, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(value, **kwargs)
    return caught.value


# --- resident ID numbers ---------------------------------------------------------


def test_it_accepts_the_example_number_of_the_standard():
    # GB 11643-1999's own example (北京市朝阳区, born 1949-12-31).
    assert with_id_check("11010519491231002") == "11010519491231002X"
    assert validate_resident_id("11010519491231002X", today=TODAY) == "11010519491231002X"


def test_it_accepts_a_computed_tianshui_number_and_normalises_it():
    number = with_id_check("62050219900101123")
    assert validate_resident_id(number, today=TODAY) == number
    lower = with_id_check("11010519491231002").lower()
    assert validate_resident_id(f" {lower[:6]} {lower[6:14]} {lower[14:]} ") == lower.upper()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert validate_resident_id(full_width, today=TODAY) == number


def test_it_refuses_a_wrong_check_digit_naming_the_field():
    good = with_id_check("62050219900101123")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    error = refusal(validate_resident_id, wrong, label="申请人身份证号码", today=TODAY)
    assert error.code == "checksum"
    assert error.messages == ["「申请人身份证号码」校验位不正确，请核对号码。"]


def test_it_refuses_a_wrong_length_saying_how_long_it_is():
    error = refusal(validate_resident_id, "620502199001011", today=TODAY)
    assert error.code == "length"
    assert error.messages == ["「居民身份证号码」应为 18 位，当前为 15 位。"]


@pytest.mark.parametrize(
    "number", ["62050219900101123A", "6205021990O101123X", "6205X219900101123"]
)
def test_it_refuses_letters_other_than_a_final_x(number):
    number = number.ljust(18, "1")
    error = refusal(validate_resident_id, number, today=TODAY)
    assert error.code == "characters"
    assert "只能由数字组成，最后一位可以是 X" in error.messages[0]


def test_it_refuses_an_impossible_birth_date():
    error = refusal(validate_resident_id, with_id_check("62050219900230123"), today=TODAY)
    assert error.code == "birth_date"
    assert error.messages == ["「居民身份证号码」中的出生日期 19900230 不存在。"]


def test_it_refuses_a_birth_date_after_today_but_accepts_today():
    born_today = with_id_check("620502" + TODAY.strftime("%Y%m%d") + "123")
    assert validate_resident_id(born_today, today=TODAY) == born_today
    tomorrow = TODAY + dt.timedelta(days=1)
    error = refusal(
        validate_resident_id,
        with_id_check("620502" + tomorrow.strftime("%Y%m%d") + "123"),
        today=TODAY,
    )
    assert error.code == "birth_date"
    assert "2025-07-01" in error.messages[0]


def test_it_refuses_a_birth_date_before_1900():
    error = refusal(validate_resident_id, with_id_check("62050218991231123"), today=TODAY)
    assert error.code == "birth_date"
    # GB 11643's other example is of someone born in 1880: valid then, not for us.
    assert refusal(validate_resident_id, "440524188001010014").code == "birth_date"


@pytest.mark.parametrize("region", ["00", "99", "10", "91", "72"])
def test_it_refuses_an_unknown_province(region):
    error = refusal(validate_resident_id, with_id_check(region + "050219900101123"), today=TODAY)
    assert error.code == "region"
    assert error.messages == [f"「居民身份证号码」前两位 {region} 不是有效的省级行政区划代码。"]


@pytest.mark.parametrize("region", ["11", "15", "46", "54", "62", "65", "71", "81", "82", "83"])
def test_it_accepts_every_kind_of_region(region):
    number = with_id_check(region + "000019900101123")
    assert validate_resident_id(number, today=TODAY) == number


@pytest.mark.parametrize("value", [None, 3.5, ["62050219900101123X"], b"620502", "9" * 10_000])
def test_it_refuses_odd_input_with_a_message(value):
    error = refusal(validate_resident_id, value, today=TODAY)
    assert error.messages and "「居民身份证号码」" in error.messages[0]


provinces = st.sampled_from(
    [
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
        83,
    ]
)
valid_ids = st.builds(
    lambda province, area, born, sequence: with_id_check(
        f"{province:02d}{area:04d}{born:%Y%m%d}{sequence:03d}"
    ),
    provinces,
    st.integers(0, 9999),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)


@given(valid_ids)
def test_it_accepts_any_well_formed_number(number):
    assert validate_resident_id(number, today=TODAY) == number


@given(valid_ids, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_it_refuses_any_single_changed_character(number, position, replacement):
    if number[position] == replacement:
        replacement = "7" if replacement != "7" else "3"
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_resident_id(changed, today=TODAY)


# --- unified social credit codes -----------------------------------------------------


def test_it_accepts_the_example_code_of_the_standard():
    # The example of GB 32100-2015 (福州市, 工商 / 企业).
    assert with_credit_check("91350100M000100Y4") == "91350100M000100Y43"
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"


def test_it_normalises_case_and_spaces_in_credit_codes():
    assert validate_credit_code(" 91350100 m000100y43 ") == "91350100M000100Y43"


def test_it_refuses_a_wrong_credit_check_character():
    error = refusal(validate_credit_code, "91350100M000100Y44", label="经营者统一社会信用代码")
    assert error.code == "checksum"
    assert error.messages == ["「经营者统一社会信用代码」校验码不正确，请核对代码。"]


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z", "*", "中"])
def test_it_refuses_letters_outside_the_credit_alphabet(letter):
    error = refusal(validate_credit_code, "91350100M0001" + letter + "0Y43")
    assert error.code == "characters"
    assert "只能包含数字和除 I、O、S、V、Z 以外的大写字母" in error.messages[0]


def test_it_refuses_a_credit_code_of_the_wrong_length():
    error = refusal(validate_credit_code, "91350100M000100Y4")
    assert error.code == "length"
    assert error.messages == ["「统一社会信用代码」应为 18 位，当前为 17 位。"]


def test_it_refuses_an_unknown_registration_authority_or_category():
    assert refusal(validate_credit_code, with_credit_check("B1350100M000100Y4")).code == (
        "registration_authority"
    )
    error = refusal(validate_credit_code, with_credit_check("90350100M000100Y4"))
    assert error.code == "category"
    assert "第 2 位不是有效的机构类别代码" in error.messages[0]


def test_it_refuses_letters_in_the_region_digits():
    error = refusal(validate_credit_code, with_credit_check("9135A100M000100Y4"))
    assert error.code == "region"


valid_credit_codes = st.builds(
    lambda authority, category, region, body: with_credit_check(
        authority + category + f"{region:06d}" + body
    ),
    st.sampled_from("123456789ANY"),
    st.sampled_from("123456789"),
    st.integers(0, 999_999),
    st.text(alphabet=CREDIT, min_size=9, max_size=9),
)


@given(valid_credit_codes)
def test_it_accepts_any_well_formed_credit_code(code):
    assert validate_credit_code(code) == code


@given(valid_credit_codes, st.integers(0, 17), st.sampled_from(CREDIT))
def test_it_refuses_any_credit_code_with_one_character_changed(code, position, replacement):
    if code[position] == replacement:
        replacement = "7" if replacement != "7" else "3"
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError):
        validate_credit_code(changed)


# --- mobile numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["13812345678", "138 1234 5678", "138-1234-5678", "+8613812345678", "008613812345678"]
)
def test_it_normalises_a_mobile_number(typed):
    assert validate_mobile(typed) == "13812345678"


def test_it_accepts_every_mainland_prefix():
    for second in "3456789":
        assert validate_mobile(f"1{second}912345678") == f"1{second}912345678"


def test_it_refuses_a_mobile_number_with_a_wrong_prefix():
    error = refusal(validate_mobile, "12812345678", label="联系电话")
    assert error.code == "prefix"
    assert error.messages == ["「联系电话」不是有效的手机号码，大陆手机号码以 13–19 开头。"]


def test_it_refuses_a_mobile_number_of_the_wrong_length_or_with_letters():
    error = refusal(validate_mobile, "1381234567")
    assert error.messages == ["「手机号码」应为 11 位，当前为 10 位。"]
    assert refusal(validate_mobile, "1381234567a").code == "characters"
    assert refusal(validate_mobile, "0938-821234").code == "length"
