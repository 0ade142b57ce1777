"""Random applicants (people and organisations, with valid ID numbers and credit
codes) and their filled-in application forms.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from tongban.catalog.models import FieldType
from tongban.catalog.validators import CREDIT_ALPHABET, credit_check_char, id_check_char

from .. import services
from ..models import ApplicantKind, IdType
from .staff import ItemProfile

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红玉兰志文斌海燕飞鹏宇浩晨欣怡佳琪子涵雨轩博"  # noqa: E501
TOWNS = ("秦州区", "麦积区", "甘谷县", "武山县", "秦安县", "清水县", "张家川回族自治县")
STREETS = ("民主西路", "建设路", "岷山路", "藉河南路", "羲皇大道", "成纪大道", "伏羲路", "大众路")
TRADES = ("商贸", "餐饮", "建筑工程", "科技", "农业发展", "文化传媒", "医药", "物流")
REGIONS = ("620502", "620503", "620521", "620522", "620523", "620524", "620525")


def _person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _i in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def _resident_id(rng: random.Random, today: dt.date) -> str:
    born = dt.date(rng.randint(1955, min(2003, today.year - 18)), 1, 1) + dt.timedelta(
        days=rng.randint(0, 364)
    )
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + id_check_char(first17)


def _credit_code(rng: random.Random) -> str:
    first17 = "91620500" + "".join(rng.choice(CREDIT_ALPHABET) for _i in range(9))
    return first17 + credit_check_char(first17)


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"


def _address(rng: random.Random) -> str:
    return f"天水市{rng.choice(TOWNS)}{rng.choice(STREETS)}{rng.randint(1, 300)}号"


@dataclass
class Applicant:
    data: services.ApplicantData
    person_name: str
    person_id: str
    company_name: str
    credit_code: str


def _applicant(rng: random.Random, profile: ItemProfile, today: dt.date) -> Applicant:
    person = _person_name(rng)
    person_id = _resident_id(rng, today)
    company = f"天水{rng.choice('瑞丰恒达鑫源华泰金诚宏远')}{rng.choice(TRADES)}有限公司"
    code = _credit_code(rng)
    wants_company = any(f.field_type == FieldType.CREDIT_CODE for f in profile.fields)
    if wants_company or rng.random() < 0.2:
        data = services.ApplicantData(
            kind=ApplicantKind.ORGANISATION,
            name=company,
            id_type=IdType.CREDIT_CODE,
            id_number=code,
            mobile=_mobile(rng),
            address=_address(rng),
            contact_name=person,
        )
    else:
        data = services.ApplicantData(
            kind=ApplicantKind.PERSON,
            name=person,
            id_type=IdType.RESIDENT_ID,
            id_number=person_id,
            mobile=_mobile(rng),
            address=_address(rng),
        )
    return Applicant(data, person, person_id, company, code)


def _form_data(rng: random.Random, profile: ItemProfile, who: Applicant, day: dt.date) -> dict:
    """A valid filled-in application form for the item (required fields always,
    optional ones mostly)."""
    data: dict[str, Any] = {}
    for f in profile.fields:
        if not f.required and rng.random() < 0.3:
            continue
        kind = f.field_type
        key = f.key
        if kind == FieldType.TEXT:
            if "representative" in key or "person" in key or "contact" in key:
                value: Any = who.person_name
            elif "name" in key:
                value = who.company_name
            else:
                value = "详见申请材料"
        elif kind == FieldType.LONG_TEXT:
            value = "依法依规开展相关活动，具体内容详见申请材料。"
        elif kind == FieldType.NUMBER:
            low = int(f.min_value) if f.min_value is not None else 1
            high = int(f.max_value) if f.max_value is not None else 1000
            value = rng.randint(low, max(low, min(high, low + 999)))
        elif kind == FieldType.DATE:
            value = day.isoformat()
        elif kind in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
            options = [o.strip() for o in (f.choices or "").splitlines() if o.strip()]
            if not options:
                continue
            value = rng.choice(options)
            if kind == FieldType.MULTI_CHOICE:
                value = [value]
        elif kind == FieldType.ID_NUMBER:
            value = who.person_id
        elif kind == FieldType.CREDIT_CODE:
            value = who.credit_code
        elif kind == FieldType.MOBILE:
            value = who.data.mobile
        elif kind == FieldType.ADDRESS:
            value = who.data.address
        else:
            continue
        data[key] = value
    return data
