"""The demo organisation: Tianshui's city government, its departments with their
sections, and the seven counties and districts with their service halls.

Names follow the real structure of 天水市; phone numbers and street addresses are
invented for the demo.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tongban.accounts import services as accounts
from tongban.accounts.models import Department, DepartmentKind
from tongban.core.demo import DemoContext


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    parent: str | None = None
    short_name: str = ""
    phone: str = ""
    address: str = ""


CITY = Unit(
    "TS",
    "天水市人民政府",
    DepartmentKind.GOVERNMENT,
    short_name="天水市政府",
    phone="0938-8213001",
    address="天水市秦州区民主西路1号",
)

# (code, name, short name, kind, phone, address, sections as (code suffix, name))
_CITY_DEPARTMENTS: list[tuple[str, str, str, str, str, str, list[tuple[str, str]]]] = [
    (
        "FGW",
        "天水市发展和改革委员会",
        "市发展改革委",
        DepartmentKind.DEPARTMENT,
        "0938-8213101",
        "天水市秦州区民主西路1号市政府综合楼",
        [("TZK", "固定资产投资科"), ("JGK", "价格管理科"), ("SPK", "行政审批科")],
    ),
    (
        "SCJG",
        "天水市市场监督管理局",
        "市市场监管局",
        DepartmentKind.DEPARTMENT,
        "0938-8211234",
        "天水市秦州区岷山路27号",
        [("DJK", "登记注册科"), ("SPK", "食品经营监督管理科"), ("ZSCQ", "知识产权科")],
    ),
    (
        "ZRZY",
        "天水市自然资源局",
        "市自然资源局",
        DepartmentKind.DEPARTMENT,
        "0938-8215301",
        "天水市秦州区藉河南路8号",
        [("BDC", "不动产登记科"), ("GHK", "国土空间规划科"), ("GDK", "耕地保护监督科")],
    ),
    (
        "ZJJ",
        "天水市住房和城乡建设局",
        "市住建局",
        DepartmentKind.DEPARTMENT,
        "0938-8216401",
        "天水市秦州区建设路66号",
        [("SPK", "行政审批科"), ("FDC", "房地产市场监管科"), ("JZK", "建筑市场监管科")],
    ),
    (
        "WJW",
        "天水市卫生健康委员会",
        "市卫生健康委",
        DepartmentKind.DEPARTMENT,
        "0938-8217501",
        "天水市秦州区青年北路18号",
        [("YZK", "医政医管科"), ("JKK", "疾病预防控制科"), ("ZHJD", "综合监督科")],
    ),
    (
        "GAJ",
        "天水市公安局",
        "市公安局",
        DepartmentKind.DEPARTMENT,
        "0938-8218601",
        "天水市秦州区自由路2号",
        [("HZK", "户政管理科"), ("CRJ", "出入境管理科"), ("ZAK", "治安管理科")],
    ),
    (
        "SHJ",
        "天水市生态环境局",
        "市生态环境局",
        DepartmentKind.DEPARTMENT,
        "0938-8219701",
        "天水市秦州区环城西路35号",
        [("HPK", "环境影响评价科"), ("JCK", "生态环境监测科")],
    ),
    (
        "JTJ",
        "天水市交通运输局",
        "市交通运输局",
        DepartmentKind.DEPARTMENT,
        "0938-8220801",
        "天水市麦积区羲皇大道北路12号",
        [("YSK", "运输管理科"), ("GLK", "公路建设管理科")],
    ),
    (
        "RSJ",
        "天水市人力资源和社会保障局",
        "市人社局",
        DepartmentKind.DEPARTMENT,
        "0938-8221901",
        "天水市秦州区大众路40号",
        [("JYK", "就业促进科"), ("SBK", "社会保险科"), ("ZNK", "职业能力建设科")],
    ),
    (
        "MZJ",
        "天水市民政局",
        "市民政局",
        DepartmentKind.DEPARTMENT,
        "0938-8222011",
        "天水市秦州区新华路15号",
        [("HYDJ", "婚姻登记处"), ("SJK", "社会救助科"), ("YLK", "养老服务科")],
    ),
    (
        "WLJ",
        "天水市文化和旅游局",
        "市文旅局",
        DepartmentKind.DEPARTMENT,
        "0938-8223121",
        "天水市秦州区伏羲路9号",
        [("SCK", "文化市场管理科"), ("LYK", "旅游发展科")],
    ),
    (
        "CGJ",
        "天水市城市管理局",
        "市城管局",
        DepartmentKind.DEPARTMENT,
        "0938-8224231",
        "天水市秦州区成纪大道20号",
        [("SRK", "市容环境卫生科"), ("SZK", "市政公用事业科")],
    ),
    (
        # The city service hall: the departments' windows sit here, the platform is run
        # from its IT section, and its electronic supervision office (电子监察室) is
        # where the supervisors work.
        "ZWFW",
        "天水市政务服务中心",
        "市政务服务中心",
        DepartmentKind.HALL,
        "0938-8225001",
        "天水市秦州区藉河南路政务服务大楼",
        [("ZHK", "综合受理科"), ("XXK", "信息技术科"), ("DZJC", "电子监察室")],
    ),
]

# (code, area, short name, phone, address of the service hall); the county's government
# is "<area>人民政府" and its hall "<area>政务服务中心".
_COUNTIES: list[tuple[str, str, str, str, str]] = [
    ("QZQ", "秦州区", "秦州区", "0938-8280001", "天水市秦州区建设路109号"),
    ("MJQ", "麦积区", "麦积区", "0938-2730001", "天水市麦积区羲皇大道中路28号"),
    ("GGX", "甘谷县", "甘谷县", "0938-5820001", "天水市甘谷县大像山镇康庄路16号"),
    ("WSX", "武山县", "武山县", "0938-3420001", "天水市武山县城关镇北顺路8号"),
    ("QAX", "秦安县", "秦安县", "0938-6520001", "天水市秦安县兴国镇成纪大道6号"),
    ("QSX", "清水县", "清水县", "0938-7210001", "天水市清水县永清镇轩辕大道22号"),
    (
        "ZJC",
        "张家川回族自治县",
        "张家川县",
        "0938-7120001",
        "天水市张家川回族自治县张家川镇东大街11号",
    ),
]

HALL_SECTIONS = [("SLK", "综合受理科"), ("SPK", "审批服务科")]


def _units() -> list[Unit]:
    """Every unit in creation order (a parent always before its children)."""
    units = [CITY]
    for code, name, short_name, kind, phone, address, sections in _CITY_DEPARTMENTS:
        units.append(Unit(code, name, kind, CITY.code, short_name, phone, address))
        units += [
            Unit(f"{code}-{suffix}", section, DepartmentKind.SECTION, code, phone=phone)
            for suffix, section in sections
        ]
    for code, area, short_name, phone, address in _COUNTIES:
        units.append(
            Unit(code, f"{area}人民政府", DepartmentKind.COUNTY, CITY.code, short_name, phone)
        )
        hall = f"{code}-ZWFW"
        units.append(
            Unit(
                hall,
                f"{area}政务服务中心",
                DepartmentKind.HALL,
                code,
                f"{short_name}政务服务中心",
                phone,
                address,
            )
        )
        units += [
            Unit(f"{hall}-{suffix}", section, DepartmentKind.SECTION, hall, phone=phone)
            for suffix, section in HALL_SECTIONS
        ]
    return units


UNITS: list[Unit] = _units()
CITY_DEPARTMENT_CODES = [row[0] for row in _CITY_DEPARTMENTS]
COUNTY_CODES = [row[0] for row in _COUNTIES]


def load(context: DemoContext) -> None:
    """Create the departments that do not exist yet (matched by code)."""
    existing = {d.code: d for d in Department.objects.filter(code__in=[u.code for u in UNITS])}
    created = 0
    for order, unit in enumerate(UNITS, start=1):
        department = existing.get(unit.code)
        if department is None:
            department = accounts.create_department(
                actor=None,
                code=unit.code,
                name=unit.name,
                kind=unit.kind,
                parent=context.departments[unit.parent] if unit.parent else None,
                short_name=unit.short_name,
                phone=unit.phone,
                address=unit.address,
                sort_order=order * 10,
                at=context.at,
            )
            created += 1
        context.departments[unit.code] = department
    context.count(
        _("Departments"),
        created=created,
        total=Department.objects.filter(code__in=[u.code for u in UNITS]).count(),
    )
