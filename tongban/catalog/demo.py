"""The demo catalogue: about sixty service items of Tianshui's departments and two
districts, as a citizen would find them in the service guide (办事指南).

Items are modelled on the published catalogues of Chinese prefecture-level cities:
legal names, item types and categories from the dictionaries, statutory and promised
limits in working days (immediate items 0; promised limits shorter than the
statutory ones; joint items within 45 days with the 15-day extension of 行政许可法
Art. 26), special procedures with their own limits (Art. 45), realistic materials
(some non-essential: 容缺受理), real laws and regulations as policy basis (the clause
texts are short paraphrases, not quotations), themes and life events, application
forms for the items that accept online applications, and blank application forms
generated as real .xlsx files. Codes, phone numbers and places are invented.

Everything is created through the catalogue services as the system (``actor=None``).
The step is idempotent: an item whose code exists is skipped, so once the catalogue
is loaded a start costs three queries.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import capfirst

from tongban.accounts.demo.people import USERS
from tongban.accounts.models import Department
from tongban.catalog import services
from tongban.catalog.models import Item, PolicyBasis, Theme, ThemeKind
from tongban.catalog.rules import AssistingSpec, StepSpec, default_steps
from tongban.core.demo import DemoContext
from tongban.core.files import store_bytes
from tongban.dictionaries import services as dictionaries
from tongban.dictionaries.models import ApplicationCategory, ItemCategory, ItemType, normalise_name

STAFFED_SECTIONS = frozenset(u.section for u in USERS if u.section)

HOURS = "法定工作日 上午 9:00—12:00，下午 13:30—17:30"
HALL = "天水市政务服务中心"
PROPERTY_FEE = "住宅类每件 80 元，非住宅类每件 550 元"
PROPERTY_FEE_BASIS = (
    "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
)
COMPLAINT = "12345"


# --- shapes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BlankForm:
    """A blank application form, generated as an .xlsx (title and a table of fields
    with a column to fill in; the filled example carries sample values)."""

    title: str
    fields: tuple[tuple[str, str], ...]  # (label, sample value for the filled example)
    example: bool = False


@dataclass(frozen=True)
class Mat:
    name: str
    required: bool = True
    essential: bool = True
    form: str = "original"
    copies: int = 1
    notes: str = ""
    blank: str = ""  # key of BLANK_FORMS


@dataclass(frozen=True)
class Basis:
    name: str
    issuing_body: str
    clause: str
    document_number: str = ""
    effective_date: dt.date | None = None


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    field_type: str
    required: bool = False
    help_text: str = ""
    choices: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True)
class DemoItem:
    code: str
    name: str
    short_name: str
    item_type: str
    category: str
    department: str
    handling: str
    promised: int
    statutory: int
    materials: tuple[Mat, ...]
    basis: tuple[str, ...]
    result: str = ""
    conditions: str = ""
    fee: str = "不收费"
    fee_basis: str = ""
    section: str = ""  # the section that undertakes and reviews (承办、审核)
    assisting: tuple[tuple[str, int, str], ...] = ()  # (department, limit, task)
    special: tuple[tuple[str, int], ...] = ()  # (procedure kind, limit)
    form: tuple[Field, ...] = ()  # an online application form: online_allowed
    themes: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    applications: tuple[str, ...] = ()  # application categories (申报类别)
    place: str = ""
    published: bool = True
    valid_from: dt.date | None = None
    procedure: str = ""
    steps: tuple[tuple[str, str, int | None], ...] = ()  # custom process (name, role, limit)


# --- policy bases ---------------------------------------------------------------------

NPC = "全国人民代表大会常务委员会"
STATE_COUNCIL = "国务院"
SAMR = "国家市场监督管理总局"

BASES: dict[str, Basis] = {
    "licensing": Basis(
        "《中华人民共和国行政许可法》",
        NPC,
        "行政许可的设定、实施机关和实施程序；申请、受理、审查、决定及期限以工作日计算。",
        "中华人民共和国主席令第七号",
        dt.date(2004, 7, 1),
    ),
    "company": Basis(
        "《中华人民共和国公司法》",
        NPC,
        "设立公司应当依法向公司登记机关申请设立登记；公司营业执照签发日期为公司成立日期。",
        "中华人民共和国主席令第十五号",
        dt.date(2024, 7, 1),
    ),
    "registration": Basis(
        "《中华人民共和国市场主体登记管理条例》",
        STATE_COUNCIL,
        "市场主体登记的申请材料、登记事项，申请材料齐全、符合法定形式的予以当场登记。",
        "国务院令第746号",
        dt.date(2022, 3, 1),
    ),
    "food_safety": Basis(
        "《中华人民共和国食品安全法》第三十五条",
        NPC,
        "国家对食品生产经营实行许可制度；从事食品生产、食品销售、餐饮服务，应当依法取得许可。",
        "",
        dt.date(2015, 10, 1),
    ),
    "food_licence": Basis(
        "《食品经营许可和备案管理办法》",
        SAMR,
        "食品经营许可的申请、受理、审查、决定，许可证的变更、延续、补办和注销。",
        "国家市场监督管理总局令第78号",
        dt.date(2023, 12, 1),
    ),
    "drug_law": Basis(
        "《中华人民共和国药品管理法》第五十一条",
        NPC,
        "从事药品零售活动，应当经所在地县级以上地方人民政府药品监督管理部门批准，取得药品经营许可证。",
        "",
        dt.date(2019, 12, 1),
    ),
    "drug_retail": Basis(
        "《药品经营和使用质量监督管理办法》",
        SAMR,
        "药品经营许可的申请条件、申请材料、现场检查和审批程序。",
        "国家市场监督管理总局令第84号",
        dt.date(2024, 1, 1),
    ),
    "special_equipment": Basis(
        "《中华人民共和国特种设备安全法》",
        NPC,
        "特种设备使用单位应当在特种设备投入使用前或者投入使用后三十日内办理使用登记。",
        "",
        dt.date(2014, 1, 1),
    ),
    "planning_37": Basis(
        "《中华人民共和国城乡规划法》第三十七条",
        NPC,
        "以划拨方式提供国有土地使用权的建设项目，建设单位应当申请建设用地规划许可。",
        "",
        dt.date(2008, 1, 1),
    ),
    "planning_40": Basis(
        "《中华人民共和国城乡规划法》第四十条",
        NPC,
        "在城市、镇规划区内进行建筑物、构筑物、道路、管线和其他工程建设的，建设单位或者个人应当申请办理建设工程规划许可证。",
        "",
        dt.date(2008, 1, 1),
    ),
    "planning_41": Basis(
        "《中华人民共和国城乡规划法》第四十一条",
        NPC,
        "在乡、村庄规划区内进行乡镇企业、乡村公共设施和公益事业建设的，应当申请乡村建设规划许可。",
        "",
        dt.date(2008, 1, 1),
    ),
    "land_law": Basis(
        "《中华人民共和国土地管理法》",
        NPC,
        "建设项目用地预审，农村村民宅基地的申请与审批。",
        "",
        dt.date(2020, 1, 1),
    ),
    "property": Basis(
        "《不动产登记暂行条例》",
        STATE_COUNCIL,
        "不动产登记的类型、申请材料、查验与实地查看，登记机构自受理之日起三十个工作日内办结。",
        "国务院令第656号",
        dt.date(2015, 3, 1),
    ),
    "property_rules": Basis(
        "《不动产登记暂行条例实施细则》",
        "国土资源部",
        "首次登记、转移登记、抵押登记的申请材料；实地查看和公告的情形。",
        "国土资源部令第63号",
        dt.date(2016, 1, 1),
    ),
    "building_law": Basis(
        "《中华人民共和国建筑法》第七条",
        NPC,
        "建筑工程开工前，建设单位应当向工程所在地县级以上人民政府建设行政主管部门申请领取施工许可证。",
        "",
        dt.date(1998, 3, 1),
    ),
    "building_permit": Basis(
        "《建筑工程施工许可管理办法》",
        "住房和城乡建设部",
        "申请施工许可证应当具备的条件和提交的材料，发证机关的审查期限。",
        "住房和城乡建设部令第18号",
        dt.date(2014, 10, 25),
    ),
    "presale": Basis(
        "《城市商品房预售管理办法》",
        "建设部",
        "商品房预售实行许可制度；预售应当符合的条件和申请材料。",
        "",
        dt.date(1995, 1, 1),
    ),
    "construction_quality": Basis(
        "《建设工程质量管理条例》",
        STATE_COUNCIL,
        "建设工程竣工验收合格后，建设单位应当将竣工验收报告等文件报有关部门备案。",
        "国务院令第279号",
        dt.date(2000, 1, 30),
    ),
    "drainage": Basis(
        "《城镇排水与污水处理条例》",
        STATE_COUNCIL,
        "排水户向城镇排水设施排放污水，应当申请领取污水排入排水管网许可证。",
        "国务院令第641号",
        dt.date(2014, 1, 1),
    ),
    "public_housing": Basis(
        "《公共租赁住房管理办法》",
        "住房和城乡建设部",
        "公共租赁住房的申请条件、审核与轮候配租。",
        "住房和城乡建设部令第11号",
        dt.date(2012, 7, 15),
    ),
    "medical_institutions": Basis(
        "《医疗机构管理条例》",
        STATE_COUNCIL,
        "医疗机构执业，必须进行登记，领取《医疗机构执业许可证》。",
        "国务院令第149号",
        dt.date(1994, 9, 1),
    ),
    "public_places": Basis(
        "《公共场所卫生管理条例》",
        STATE_COUNCIL,
        "公共场所经营单位应当取得卫生许可证；卫生质量应当符合国家卫生标准和要求。",
        "国发〔1987〕24号",
        dt.date(1987, 4, 1),
    ),
    "physicians": Basis(
        "《中华人民共和国医师法》",
        NPC,
        "取得医师资格的，可以向所在地县级以上地方人民政府卫生健康主管部门申请注册。",
        "",
        dt.date(2022, 3, 1),
    ),
    "radiation": Basis(
        "《放射诊疗管理规定》",
        "卫生部",
        "开展放射诊疗工作的医疗机构应当取得放射诊疗许可。",
        "卫生部令第46号",
        dt.date(2006, 3, 1),
    ),
    "maternal": Basis(
        "《中华人民共和国母婴保健法》",
        NPC,
        "医疗保健机构依法为新生儿出具统一制发的出生医学证明。",
        "",
        dt.date(1995, 6, 1),
    ),
    "family_planning": Basis(
        "《中华人民共和国人口与计划生育法》",
        NPC,
        "国家对计划生育特殊家庭给予必要的帮助和扶助。",
        "",
        dt.date(2002, 9, 1),
    ),
    "residence_permit": Basis(
        "《居住证暂行条例》",
        STATE_COUNCIL,
        "居住证的申领条件和材料；公安机关应当自受理之日起15日内制作发放居住证。",
        "国务院令第663号",
        dt.date(2016, 1, 1),
    ),
    "household": Basis(
        "《中华人民共和国户口登记条例》",
        NPC,
        "婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。",
        "",
        dt.date(1958, 1, 9),
    ),
    "passport": Basis(
        "《中华人民共和国护照法》",
        NPC,
        "公民申请普通护照应当提交的材料和公安机关出入境管理机构签发护照的期限。",
        "",
        dt.date(2007, 1, 1),
    ),
    "identity_card": Basis(
        "《中华人民共和国居民身份证法》",
        NPC,
        "居民身份证有效期满、证件损坏或者登记项目变更的，应当申请换领新证。",
        "",
        dt.date(2004, 1, 1),
    ),
    "mass_events": Basis(
        "《大型群众性活动安全管理条例》",
        STATE_COUNCIL,
        "大型群众性活动的预计参加人数在1000人以上的，承办者应当向公安机关申请安全许可。",
        "国务院令第505号",
        dt.date(2007, 10, 1),
    ),
    "pollutant_permit": Basis(
        "《排污许可管理条例》",
        STATE_COUNCIL,
        "依照法律规定实行排污许可管理的企业事业单位和其他生产经营者，应当依法申请取得排污许可证。",
        "国务院令第736号",
        dt.date(2021, 3, 1),
    ),
    "eia": Basis(
        "《中华人民共和国环境影响评价法》第二十二条",
        NPC,
        "审批部门应当自收到环境影响报告书之日起六十日内、报告表之日起三十日内作出审批决定。",
        "",
        dt.date(2003, 9, 1),
    ),
    "road_transport": Basis(
        "《中华人民共和国道路运输条例》",
        STATE_COUNCIL,
        "从事客运经营、货运经营应当具备的条件及向道路运输管理机构提出的申请。",
        "国务院令第406号",
        dt.date(2004, 7, 1),
    ),
    "ride_hailing": Basis(
        "《网络预约出租汽车经营服务管理暂行办法》",
        "交通运输部 工业和信息化部 公安部 商务部 市场监管总局 国家网信办",
        "从事网约车服务的驾驶员应当取得相应的网络预约出租汽车驾驶员证。",
        "",
        dt.date(2016, 11, 1),
    ),
    "highway": Basis(
        "《中华人民共和国公路法》",
        NPC,
        "因修建铁路、机场、电站、通信设施等需要占用、挖掘公路或者使公路改线的，应当事先征得有关交通主管部门的同意。",
        "",
        dt.date(1998, 1, 1),
    ),
    "overload": Basis(
        "《超限运输车辆行驶公路管理规定》",
        "交通运输部",
        "车辆载运不可解体物品超限行驶公路的，承运人应当申请公路超限运输许可。",
        "交通运输部令2016年第62号",
        dt.date(2016, 9, 21),
    ),
    "work_injury": Basis(
        "《工伤保险条例》",
        STATE_COUNCIL,
        "社会保险行政部门应当自受理工伤认定申请之日起60日内作出工伤认定的决定。",
        "国务院令第586号",
        dt.date(2011, 1, 1),
    ),
    "unemployment": Basis(
        "《失业保险条例》",
        STATE_COUNCIL,
        "失业人员领取失业保险金应当具备的条件和申领程序。",
        "国务院令第258号",
        dt.date(1999, 1, 22),
    ),
    "employment": Basis(
        "《中华人民共和国就业促进法》",
        NPC,
        "县级以上人民政府建立健全公共就业服务体系，为劳动者免费提供就业服务。",
        "",
        dt.date(2008, 1, 1),
    ),
    "labour_69": Basis(
        "《中华人民共和国劳动法》第六十九条",
        NPC,
        "国家确定职业分类，对规定的职业制定职业技能标准，实行职业资格证书制度。",
        "",
        dt.date(1995, 1, 1),
    ),
    "social_insurance": Basis(
        "《中华人民共和国社会保险法》第十六条",
        NPC,
        "参加基本养老保险的个人，达到法定退休年龄时累计缴费满十五年的，按月领取基本养老金。",
        "",
        dt.date(2011, 7, 1),
    ),
    "marriage": Basis(
        "《婚姻登记条例》",
        STATE_COUNCIL,
        "要求结婚的男女双方应当亲自到婚姻登记机关申请结婚登记，登记机关审查后当场予以登记。",
        "",
        None,
    ),
    "social_groups": Basis(
        "《社会团体登记管理条例》",
        STATE_COUNCIL,
        "成立社会团体应当经其业务主管单位审查同意，并向登记管理机关申请登记。",
        "国务院令第250号",
        dt.date(1998, 10, 25),
    ),
    "private_non_enterprise": Basis(
        "《民办非企业单位登记管理暂行条例》",
        STATE_COUNCIL,
        "民办非企业单位的成立登记、申请材料和登记管理机关的审查期限。",
        "国务院令第251号",
        dt.date(1998, 10, 25),
    ),
    "elderly_care": Basis(
        "《养老机构管理办法》",
        "民政部",
        "设立养老机构应当向县级以上人民政府民政部门备案。",
        "民政部令第66号",
        dt.date(2020, 11, 1),
    ),
    "social_assistance": Basis(
        "《社会救助暂行办法》",
        STATE_COUNCIL,
        "最低生活保障的申请、审核确认和救助标准。",
        "国务院令第649号",
        dt.date(2014, 5, 1),
    ),
    "elderly_rights": Basis(
        "《中华人民共和国老年人权益保障法》",
        NPC,
        "国家鼓励地方建立八十周岁以上低收入老年人高龄津贴制度。",
        "",
        dt.date(2013, 7, 1),
    ),
    "entertainment": Basis(
        "《娱乐场所管理条例》",
        STATE_COUNCIL,
        "设立娱乐场所应当向所在地县级人民政府文化主管部门提出申请，取得娱乐经营许可证。",
        "国务院令第458号",
        dt.date(2006, 3, 1),
    ),
    "travel_agencies": Basis(
        "《旅行社条例》",
        STATE_COUNCIL,
        "申请经营国内旅游业务和入境旅游业务的，应当向所在地旅游行政管理部门提出申请。",
        "国务院令第550号",
        dt.date(2009, 5, 1),
    ),
    "internet_cafes": Basis(
        "《互联网上网服务营业场所管理条例》",
        STATE_COUNCIL,
        "设立互联网上网服务营业场所经营单位，应当向县级以上地方人民政府文化行政部门提出申请。",
        "国务院令第363号",
        dt.date(2002, 11, 15),
    ),
    "city_appearance": Basis(
        "《城市市容和环境卫生管理条例》",
        STATE_COUNCIL,
        "大型户外广告的设置必须征得城市人民政府市容环境卫生行政主管部门同意后，按照有关规定办理审批手续。",
        "国务院令第101号",
        dt.date(1992, 8, 1),
    ),
    "construction_waste": Basis(
        "《城市建筑垃圾管理规定》",
        "建设部",
        "处置建筑垃圾的单位，应当向城市人民政府市容环境卫生主管部门提出申请，获得城市建筑垃圾处置核准。",
        "建设部令第139号",
        dt.date(2005, 6, 1),
    ),
    "urban_roads": Basis(
        "《城市道路管理条例》",
        STATE_COUNCIL,
        "因特殊情况需要临时占用、挖掘城市道路的，须经市政工程行政主管部门和公安交通管理部门批准。",
        "国务院令第198号",
        dt.date(1996, 10, 1),
    ),
    "investment_approval": Basis(
        "《企业投资项目核准和备案管理条例》",
        STATE_COUNCIL,
        "实行核准管理的项目，核准机关应当自受理申请之日起20个工作日内作出决定；委托评估的时间不计入核准期限。",
        "国务院令第673号",
        dt.date(2017, 2, 1),
    ),
    "government_investment": Basis(
        "《政府投资条例》",
        STATE_COUNCIL,
        "政府投资项目的项目建议书、可行性研究报告和初步设计的审批。",
        "国务院令第712号",
        dt.date(2019, 7, 1),
    ),
    "compulsory_education": Basis(
        "《中华人民共和国义务教育法》第十二条",
        NPC,
        "适龄儿童、少年免试入学；地方各级人民政府应当保障适龄儿童、少年在户籍所在地学校就近入学。",
        "",
        dt.date(2006, 9, 1),
    ),
    "property_fee": Basis(
        "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》",
        "国家发展改革委 财政部",
        "住宅类不动产登记收费标准为每件80元，非住宅类每件550元。",
        "发改价格规〔2016〕2559号",
        dt.date(2017, 1, 1),
    ),
}


# --- blank forms ----------------------------------------------------------------------

_APPLICANT = (("申请人（单位）名称", "天水市麦积山食品有限公司"),)
_ENTERPRISE = (
    ("统一社会信用代码", "91620500MA74XXXX0K"),
    ("法定代表人（负责人）", "张三"),
    ("联系电话", "13919380000"),
    ("住所（经营场所）", "天水市秦州区民主西路 88 号"),
)
_PERSON = (
    ("申请人姓名", "李四"),
    ("公民身份号码", "620502199001011234"),
    ("联系电话", "13809380000"),
    ("现居住地址", "天水市麦积区羲皇大道中路 66 号"),
)
_SIGN = (("申请人（签字/盖章）", "李四"), ("申请日期", "2026 年 3 月 2 日"))

BLANK_FORMS: dict[str, BlankForm] = {
    "company": BlankForm(
        "公司登记（备案）申请书",
        (
            ("企业名称", "天水市麦积山食品有限公司"),
            ("企业类型", "有限责任公司（自然人投资或控股）"),
            ("注册资本（万元）", "100"),
            ("经营范围", "食品销售；餐饮服务"),
            *_ENTERPRISE[1:],
            *_SIGN,
        ),
        example=True,
    ),
    "food": BlankForm(
        "食品经营许可申请书",
        (
            *_APPLICANT,
            *_ENTERPRISE,
            ("经营项目", "食品销售（预包装食品、散装食品）"),
            ("经营面积（平方米）", "120"),
            ("食品安全管理人员", "王五"),
            *_SIGN,
        ),
        example=True,
    ),
    "drug": BlankForm(
        "药品经营许可证申请表",
        (
            *_APPLICANT,
            *_ENTERPRISE,
            ("经营范围", "中成药、化学药、生物制品"),
            ("质量负责人及执业药师", "赵六（执业药师）"),
            *_SIGN,
        ),
    ),
    "land_use": BlankForm(
        "建设用地规划许可申请表",
        (
            ("建设单位", "天水市城市建设投资（集团）有限公司"),
            ("项目名称", "藉河南岸安置小区"),
            ("用地位置", "秦州区藉河南路以南"),
            ("用地面积（平方米）", "23500"),
            ("联系人及电话", "孙七 13993800000"),
            *_SIGN,
        ),
    ),
    "project_planning": BlankForm(
        "建设工程规划许可申请表",
        (
            ("建设单位", "天水市城市建设投资（集团）有限公司"),
            ("项目名称", "藉河南岸安置小区一期"),
            ("建设位置", "秦州区藉河南路以南"),
            ("总建筑面积（平方米）", "68000"),
            ("建筑层数及高度", "18 层 / 54 米"),
            ("联系人及电话", "孙七 13993800000"),
            *_SIGN,
        ),
    ),
    "property": BlankForm(
        "不动产登记申请书",
        (
            ("登记类型", "首次登记 / 转移登记 / 抵押登记"),
            ("权利人（申请人）", "李四"),
            ("证件号码", "620502199001011234"),
            ("不动产坐落", "天水市秦州区建设路 9 号 3 单元 501 室"),
            ("不动产单元号", "620502001001GB00001F00010005"),
            ("面积（平方米）", "98.6"),
            *_SIGN,
        ),
        example=True,
    ),
    "building_permit": BlankForm(
        "建筑工程施工许可证申请表",
        (
            ("建设单位", "天水市城市建设投资（集团）有限公司"),
            ("工程名称", "藉河南岸安置小区一期 1# 楼"),
            ("建设地址", "秦州区藉河南路以南"),
            ("合同价格（万元）", "5600"),
            ("施工单位", "甘肃某建设集团有限公司"),
            ("监理单位", "天水某工程监理有限公司"),
            ("计划开工日期", "2026 年 4 月 1 日"),
            *_SIGN,
        ),
    ),
    "medical": BlankForm(
        "医疗机构执业登记申请书",
        (
            ("医疗机构名称", "天水市秦州区某某诊所"),
            ("类别", "诊所"),
            ("诊疗科目", "内科、外科"),
            ("地址", "天水市秦州区青年北路 20 号"),
            ("主要负责人", "周八"),
            ("床位数 / 牙椅数", "0 / 0"),
            *_SIGN,
        ),
    ),
    "public_place": BlankForm(
        "公共场所卫生许可申请表",
        (
            *_APPLICANT,
            ("场所类别", "住宿场所 / 沐浴场所 / 美容美发场所"),
            ("营业面积（平方米）", "300"),
            ("从业人员数", "12"),
            ("地址", "天水市麦积区渭滨北路 10 号"),
            *_SIGN,
        ),
    ),
    "residence": BlankForm(
        "居住证申领登记表",
        (*_PERSON, ("户籍地址", "甘肃省定西市安定区"), ("居住事由", "就业"), *_SIGN),
    ),
    "transport": BlankForm(
        "道路旅客运输经营申请表",
        (
            *_APPLICANT,
            *_ENTERPRISE,
            ("申请经营范围", "县际班车客运"),
            ("拟投入车辆", "中型客车 5 辆"),
            *_SIGN,
        ),
    ),
    "pollutant": BlankForm(
        "排污许可证申请表",
        (
            *_APPLICANT,
            *_ENTERPRISE,
            ("行业类别", "食品制造业"),
            ("主要污染物种类", "化学需氧量、氨氮"),
            ("排放口数量", "1"),
            *_SIGN,
        ),
    ),
    "social_group": BlankForm(
        "社会团体成立登记申请表",
        (
            ("社会团体名称", "天水市羲皇文化研究会"),
            ("业务主管单位", "天水市文化和旅游局"),
            ("住所", "天水市秦州区伏羲路 9 号"),
            ("拟任负责人", "吴九"),
            ("会员数", "86"),
            *_SIGN,
        ),
    ),
    "outdoor_ad": BlankForm(
        "户外广告设施设置申请表",
        (
            *_APPLICANT,
            ("设置地点", "秦州区民主西路与建设路交叉口东北角"),
            ("设施形式", "单立柱广告牌"),
            ("规格（长×宽，米）", "12 × 4"),
            ("设置期限", "2026 年 4 月至 2027 年 3 月"),
            *_SIGN,
        ),
    ),
    "road_dig": BlankForm(
        "占用、挖掘城市道路申请表",
        (
            *_APPLICANT,
            ("占用（挖掘）地点", "麦积区羲皇大道北路 120—260 号段"),
            ("占用（挖掘）面积（平方米）", "180"),
            ("起止时间", "2026 年 5 月 6 日至 5 月 20 日"),
            ("用途", "燃气管道接驳"),
            *_SIGN,
        ),
    ),
    "waste": BlankForm(
        "城市建筑垃圾处置核准申请表",
        (
            *_APPLICANT,
            ("工程名称", "藉河南岸安置小区一期"),
            ("建筑垃圾产生量（立方米）", "12000"),
            ("运输单位及车辆数", "天水某运输公司 / 8 辆"),
            ("消纳场所", "麦积区东岔建筑垃圾消纳场"),
            *_SIGN,
        ),
    ),
}


def blank_form_bytes(form: BlankForm, *, example: bool = False) -> bytes:
    """The form as a workbook: the title, then 序号 | 项目 | 填写内容 (the filled example
    has the sample values and says so in its title)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "申请表"
    sheet.append([form.title + ("（填写示例）" if example else "")])
    sheet.merge_cells("A1:C1")
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([])
    sheet.append(["序号", "项目", "示例" if example else "填写内容"])
    for number, (label, sample) in enumerate(form.fields, start=1):
        sheet.append([number, label, sample if example else ""])
    thin = Side(style="thin")
    for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.row_dimensions[row[0].row].height = 28
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 50
    sheet.append([])
    sheet.append(["", "本人承诺所填内容及所附材料真实、有效。"])
    workbook.properties.creator = HALL
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- application forms (预设表单) -------------------------------------------------------

PERSON_FIELDS = (
    Field("applicant_name", "申请人姓名", "text", required=True),
    Field("id_number", "公民身份号码", "id_number", required=True),
    Field("mobile", "手机号码", "mobile", required=True, help_text="用于接收办理进度短信"),
    Field("address", "现居住地址", "address", required=True),
)
ENTERPRISE_FIELDS = (
    Field("enterprise_name", "单位名称", "text", required=True),
    Field("credit_code", "统一社会信用代码", "credit_code", required=True),
    Field("legal_representative", "法定代表人（负责人）", "text", required=True),
    Field("mobile", "联系人手机号码", "mobile", required=True),
    Field("address", "住所（经营场所）", "address", required=True),
)
SCOPE = Field("business_scope", "经营范围", "long_text", required=True)


# --- the items ------------------------------------------------------------------------

ID = Mat("申请人有效身份证件", form="both", notes="验原件，收复印件 1 份")
LICENCE_COPY = Mat("营业执照", form="copy", notes="加盖公章")
AGENT = Mat(
    "委托代理人身份证件及授权委托书",
    required=False,
    notes="委托他人办理时提供",
)
PLACE = Mat(
    "经营场所使用证明", form="copy", essential=False, notes="房产证明或租赁合同，可容缺后补"
)
PLAN = Mat("经营场所平面布局图", essential=False, notes="标明功能分区及主要设备布局")


def _site(floor: str) -> str:
    return f"{HALL}{floor}"


ITEMS: tuple[DemoItem, ...] = (
    # --- 市场监督管理局 ------------------------------------------------------------------
    DemoItem(
        "620500-SCJG-XK-001",
        "公司设立登记",
        "营业执照（公司设立）",
        "行政许可",
        "市场准入",
        "SCJG",
        "promised",
        1,
        3,
        (
            Mat("公司登记（备案）申请书", blank="company", notes="法定代表人签字"),
            Mat("公司章程", notes="全体股东签署"),
            Mat("股东的主体资格证明或自然人身份证件", form="copy"),
            Mat("法定代表人、董事、监事和经理的任职文件"),
            Mat("住所使用相关文件", form="copy", essential=False, notes="可容缺后补"),
        ),
        ("company", "registration"),
        result="营业执照",
        conditions="申请材料齐全、符合法定形式；企业名称符合《企业名称登记管理规定》。",
        section="SCJG-DJK",
        form=(
            *ENTERPRISE_FIELDS[:1],
            Field(
                "company_type",
                "企业类型",
                "choice",
                required=True,
                choices=("有限责任公司", "股份有限公司", "个人独资企业", "合伙企业"),
            ),
            Field(
                "registered_capital", "注册资本（万元）", "number", min_value=1, max_value=1000000
            ),
            Field("legal_representative", "法定代表人", "text", required=True),
            Field("legal_representative_id", "法定代表人身份号码", "id_number", required=True),
            Field("mobile", "联系人手机号码", "mobile", required=True),
            Field("address", "住所", "address", required=True),
            SCOPE,
        ),
        themes=("市场准入",),
        events=("开办企业",),
        applications=("设立变更",),
        place=_site("一楼 市场监管登记窗口（1-05）"),
        procedure="网上申报或窗口提交 → 审查 → 核准登记 → 发放营业执照（含电子营业执照）。",
    ),
    DemoItem(
        "620500-SCJG-XK-002",
        "食品经营许可",
        "食品经营许可证核发",
        "行政许可",
        "市场准入",
        "SCJG",
        "promised",
        5,
        10,
        (
            Mat("食品经营许可申请书", blank="food"),
            LICENCE_COPY,
            PLAN,
            Mat("食品安全管理制度文本", essential=False),
            Mat("食品安全管理人员及从业人员健康证明", form="copy"),
        ),
        ("food_safety", "food_licence"),
        result="食品经营许可证",
        conditions="具有与经营的食品品种、数量相适应的经营场所、设备设施、食品安全管理人员和管理制度。",
        section="SCJG-SPK",
        special=(("onsite_check", 5),),
        form=(
            *ENTERPRISE_FIELDS,
            Field(
                "business_items",
                "经营项目",
                "multi_choice",
                required=True,
                choices=("预包装食品销售", "散装食品销售", "热食类食品制售", "冷食类食品制售"),
            ),
            Field(
                "area", "经营面积（平方米）", "number", required=True, min_value=1, max_value=100000
            ),
        ),
        themes=("市场准入",),
        events=("开办企业",),
        applications=("准营准办",),
        place=_site("一楼 市场监管许可窗口（1-06）"),
        procedure="申请 → 受理 → 材料审查，必要时现场核查（时间不计入时限） → 决定 → 发证。",
    ),
    DemoItem(
        "620500-SCJG-XK-003",
        "药品零售企业许可",
        "药品经营许可证（零售）核发",
        "行政许可",
        "市场准入",
        "SCJG",
        "promised",
        15,
        20,
        (
            Mat("药品经营许可证申请表", blank="drug"),
            LICENCE_COPY,
            Mat("执业药师注册证及身份证明", form="copy"),
            Mat("经营场所、仓库平面布置图及使用证明", essential=False),
            Mat("药品质量管理制度文件目录"),
        ),
        ("drug_law", "drug_retail"),
        result="药品经营许可证",
        conditions="配备依法经过资格认定的药师；有与所经营药品相适应的营业场所、设备和质量管理制度。",
        section="SCJG-SPK",
        special=(("onsite_check", 10),),
        themes=("市场准入",),
        applications=("准营准办",),
        place=_site("一楼 市场监管许可窗口（1-06）"),
    ),
    DemoItem(
        "620500-SCJG-QT-004",
        "特种设备使用登记",
        "特种设备使用登记",
        "其他行政权力",
        "公共安全",
        "SCJG",
        "promised",
        5,
        15,
        (
            Mat("特种设备使用登记表", copies=2),
            Mat("特种设备产品合格证", form="copy"),
            Mat("监督检验证明", form="copy"),
            LICENCE_COPY,
        ),
        ("special_equipment",),
        result="特种设备使用登记证",
        themes=("市场准入",),
        applications=("资质认证",),
    ),
    DemoItem(
        "620500-SCJG-XK-005",
        "个体工商户登记",
        "个体工商户设立登记",
        "行政许可",
        "市场准入",
        "SCJG",
        "immediate",
        0,
        0,
        (ID, Mat("个体工商户登记（备案）申请书"), PLACE),
        ("registration",),
        result="营业执照",
        conditions="申请材料齐全、符合法定形式的，当场予以登记。",
        form=(*PERSON_FIELDS, Field("shop_name", "个体工商户名称", "text"), SCOPE),
        themes=("市场准入",),
        events=("开办企业", "就业"),
        applications=("设立变更",),
        place=_site("一楼 市场监管登记窗口（1-05）"),
    ),
    DemoItem(
        "620500-SCJG-FW-006",
        "企业开办一件事",
        "企业开办（营业执照、印章、社保登记）",
        "公共服务",
        "市场准入",
        "SCJG",
        "joint",
        3,
        3,
        (
            Mat("公司登记（备案）申请书", blank="company"),
            Mat("公司章程"),
            Mat("股东的主体资格证明或自然人身份证件", form="copy"),
            Mat("印章刻制申请信息", essential=False, notes="可在线填写"),
        ),
        ("registration", "company"),
        result="营业执照、公章、社会保险登记",
        section="SCJG-DJK",
        assisting=(("GAJ", 1, "印章刻制备案"), ("RSJ", 1, "单位社会保险登记")),
        form=(*ENTERPRISE_FIELDS, SCOPE),
        themes=("市场准入",),
        events=("开办企业",),
        applications=("设立变更",),
        place=_site("一楼 企业开办专区"),
        procedure="一次提交、并联办理：登记机关办理设立登记，公安、人社部门同步办理印章备案和社保登记。",
        steps=(
            ("受理", "window_clerk", None),
            ("承办", "handler", 1),
            ("审核", "section_head", 1),
            ("办结", "window_clerk", None),
        ),
    ),
    DemoItem(
        "620500-SCJG-QT-007",
        "企业注销登记",
        "企业注销",
        "其他行政权力",
        "市场准入",
        "SCJG",
        "promised",
        3,
        10,
        (
            Mat("注销登记申请书"),
            Mat("依法作出解散的决议或者决定"),
            Mat("经确认的清算报告"),
            Mat("清税证明", form="copy", notes="税务机关出具"),
        ),
        ("registration",),
        result="准予注销登记通知书",
        section="SCJG-DJK",
        applications=("设立变更",),
    ),
    DemoItem(
        "620500-SCJG-FW-008",
        "营业执照补领、换发",
        "营业执照补换",
        "公共服务",
        "市场准入",
        "SCJG",
        "immediate",
        0,
        0,
        (Mat("营业执照补领/换发申请书"), ID, Mat("原营业执照", required=False, notes="换发时交回")),
        ("registration",),
        result="营业执照",
        applications=("设立变更",),
        place=_site("一楼 市场监管登记窗口（1-05）"),
    ),
    # --- 自然资源局 ------------------------------------------------------------------------
    DemoItem(
        "620500-ZRZY-XK-001",
        "建设用地规划许可",
        "建设用地规划许可证核发",
        "行政许可",
        "投资建设",
        "ZRZY",
        "promised",
        10,
        20,
        (
            Mat("建设用地规划许可申请表", blank="land_use"),
            Mat("建设项目批准、核准或备案文件", form="copy"),
            Mat("标示用地范围的地形图", copies=2),
            Mat("国有土地使用权出让合同或划拨决定书", form="copy", essential=False),
        ),
        ("planning_37", "licensing"),
        result="建设用地规划许可证",
        section="ZRZY-GHK",
        themes=("投资建设",),
        applications=("建设工程",),
        place=_site("二楼 投资建设审批窗口（2-11）"),
    ),
    DemoItem(
        "620500-ZRZY-XK-002",
        "建设工程规划许可证核发",
        "建设工程规划许可证",
        "行政许可",
        "投资建设",
        "ZRZY",
        "joint",
        20,
        20,
        (
            Mat("建设工程规划许可申请表", blank="project_planning"),
            Mat("建设用地规划许可证或国有土地使用权证明", form="copy"),
            Mat("建设工程设计方案（总平面图、建筑单体图）", copies=2),
            Mat("设计方案电子文件", form="electronic"),
            Mat("人防、消防等专项设计说明", essential=False),
        ),
        ("planning_40", "licensing"),
        result="建设工程规划许可证",
        section="ZRZY-GHK",
        assisting=(("ZJJ", 5, "建筑节能与人防设计审查"), ("CGJ", 5, "市政设施配套意见")),
        special=(("expert_review", 20), ("hearing", 20)),
        form=(
            *ENTERPRISE_FIELDS,
            Field("project_name", "项目名称", "text", required=True),
            Field("floor_area", "总建筑面积（平方米）", "number", required=True, min_value=1),
        ),
        themes=("投资建设",),
        applications=("建设工程",),
        place=_site("二楼 投资建设审批窗口（2-11）"),
        procedure="受理后并联征求住建、城管部门意见；涉及重大项目的组织专家评审，利害关系人要求的依法组织听证（时间不计入时限）。",
    ),
    DemoItem(
        "620500-ZRZY-QR-003",
        "不动产首次登记",
        "不动产首次登记",
        "行政确认",
        "自然资源与不动产",
        "ZRZY",
        "promised",
        10,
        30,
        (
            Mat("不动产登记申请书", blank="property"),
            ID,
            Mat("土地权属来源证明", form="copy"),
            Mat("建设工程符合规划的材料及竣工验收材料", form="copy"),
            Mat("房屋测绘报告", copies=2),
        ),
        ("property", "property_rules", "property_fee"),
        result="不动产权证书",
        fee=PROPERTY_FEE,
        fee_basis=PROPERTY_FEE_BASIS,
        section="ZRZY-BDC",
        special=(("onsite_check", 10),),
        themes=("投资建设",),
        events=("购房",),
        applications=("住房保障", "建设工程"),
        place=_site("三楼 不动产登记大厅"),
        procedure="申请 → 受理 → 查验，必要时实地查看（时间不计入时限）→ 依法公告 → 登簿 → 发证。",
    ),
    DemoItem(
        "620500-ZRZY-QR-004",
        "不动产转移登记（存量房买卖）",
        "二手房过户",
        "行政确认",
        "自然资源与不动产",
        "ZRZY",
        "promised",
        3,
        30,
        (
            Mat("不动产登记申请书", blank="property"),
            Mat("买卖双方身份证明", form="both"),
            Mat("不动产权证书"),
            Mat("存量房买卖合同", copies=2),
            Mat("完税凭证", form="copy"),
            Mat("婚姻状况证明", required=False, essential=False),
            AGENT,
        ),
        ("property", "property_rules", "property_fee"),
        result="不动产权证书",
        fee=PROPERTY_FEE,
        fee_basis=PROPERTY_FEE_BASIS,
        section="ZRZY-BDC",
        form=(
            *PERSON_FIELDS,
            Field("property_location", "不动产坐落", "address", required=True),
            Field("certificate_number", "不动产权证书号", "text", required=True),
        ),
        events=("购房",),
        applications=("住房保障",),
        place=_site("三楼 不动产登记大厅"),
    ),
    DemoItem(
        "620500-ZRZY-QR-005",
        "不动产抵押登记",
        "抵押登记",
        "行政确认",
        "自然资源与不动产",
        "ZRZY",
        "promised",
        3,
        30,
        (
            Mat("不动产登记申请书", blank="property"),
            ID,
            Mat("不动产权证书"),
            Mat("主债权合同及抵押合同", copies=2),
        ),
        ("property", "property_rules", "property_fee"),
        result="不动产登记证明",
        fee=PROPERTY_FEE,
        section="ZRZY-BDC",
        events=("购房",),
        applications=("住房保障",),
        place=_site("三楼 不动产登记大厅"),
    ),
    DemoItem(
        "620500-ZRZY-FW-006",
        "不动产登记资料查询",
        "不动产登记查询",
        "公共服务",
        "自然资源与不动产",
        "ZRZY",
        "immediate",
        0,
        0,
        (ID, Mat("不动产登记资料查询申请表")),
        ("property", "property_rules"),
        result="不动产登记信息查询结果",
        events=("购房",),
        applications=("住房保障",),
        place=_site("三楼 不动产登记大厅"),
    ),
    DemoItem(
        "620500-ZRZY-XK-007",
        "乡村建设规划许可",
        "乡村建设规划许可证核发",
        "行政许可",
        "投资建设",
        "ZRZY",
        "promised",
        15,
        20,
        (
            Mat("乡村建设规划许可申请表"),
            Mat("村民委员会意见", notes="经村民会议或村民代表会议讨论同意"),
            Mat("建设工程设计方案", copies=2),
        ),
        ("planning_41",),
        result="乡村建设规划许可证",
        section="ZRZY-GHK",
        themes=("投资建设",),
        applications=("建设工程",),
    ),
    DemoItem(
        "620500-ZRZY-QT-008",
        "建设项目用地预审与选址意见书核发",
        "用地预审与选址意见书",
        "其他行政权力",
        "投资建设",
        "ZRZY",
        "promised",
        15,
        20,
        (
            Mat("建设项目用地预审与选址申请表"),
            Mat("项目建议书或项目申请报告", form="copy"),
            Mat("标注项目用地范围的土地利用现状图", copies=2),
        ),
        ("land_law", "planning_37"),
        result="建设项目用地预审与选址意见书",
        section="ZRZY-GHK",
        special=(("expert_review", 15),),
        themes=("投资建设",),
        applications=("建设工程",),
    ),
    # --- 住房和城乡建设局 -----------------------------------------------------------------
    DemoItem(
        "620500-ZJJ-XK-001",
        "建筑工程施工许可证核发",
        "施工许可",
        "行政许可",
        "投资建设",
        "ZJJ",
        "promised",
        3,
        7,
        (
            Mat("建筑工程施工许可证申请表", blank="building_permit"),
            Mat("建设工程规划许可证", form="copy"),
            Mat("施工图设计文件审查合格书", form="copy"),
            Mat("中标通知书及施工合同", form="copy"),
            Mat("建设资金已经落实承诺书"),
            Mat("质量安全监督手续", form="copy", essential=False, notes="可容缺后补"),
        ),
        ("building_law", "building_permit"),
        result="建筑工程施工许可证",
        section="ZJJ-SPK",
        form=(
            *ENTERPRISE_FIELDS,
            Field("project_name", "工程名称", "text", required=True),
            Field("contract_price", "合同价格（万元）", "number", required=True, min_value=0),
            Field("start_date", "计划开工日期", "date", required=True),
        ),
        themes=("投资建设",),
        applications=("建设工程",),
        place=_site("二楼 投资建设审批窗口（2-12）"),
    ),
    DemoItem(
        "620500-ZJJ-XK-002",
        "商品房预售许可",
        "商品房预售许可证核发",
        "行政许可",
        "投资建设",
        "ZJJ",
        "promised",
        7,
        10,
        (
            Mat("商品房预售许可申请表"),
            Mat("开发企业营业执照和资质证书", form="copy"),
            Mat("土地使用权证、建设工程规划许可证和施工许可证", form="copy"),
            Mat("工程施工进度说明和预售方案"),
        ),
        ("presale",),
        result="商品房预售许可证",
        section="ZJJ-FDC",
        special=(("onsite_check", 5),),
        themes=("投资建设",),
        events=("购房",),
        applications=("建设工程",),
    ),
    DemoItem(
        "620500-ZJJ-XK-003",
        "建筑业企业资质核准（施工总承包三级）",
        "建筑业企业资质",
        "行政许可",
        "投资建设",
        "ZJJ",
        "promised",
        15,
        20,
        (
            Mat("建筑业企业资质申请表"),
            LICENCE_COPY,
            Mat("技术负责人和注册人员的身份证明、职称证书、注册证书", form="copy"),
            Mat("企业安全生产许可证", form="copy", essential=False),
        ),
        ("licensing",),
        result="建筑业企业资质证书",
        section="ZJJ-JZK",
        special=(("expert_review", 20),),
        applications=("资质认证",),
    ),
    DemoItem(
        "620500-ZJJ-QT-004",
        "房屋建筑和市政基础设施工程竣工验收备案",
        "竣工验收备案",
        "其他行政权力",
        "投资建设",
        "ZJJ",
        "promised",
        3,
        5,
        (
            Mat("工程竣工验收备案表", copies=2),
            Mat("工程竣工验收报告"),
            Mat("规划、消防等部门出具的认可文件或者准许使用文件", form="copy"),
            Mat("施工单位签署的工程质量保修书"),
        ),
        ("construction_quality",),
        result="工程竣工验收备案证明",
        section="ZJJ-JZK",
        themes=("投资建设",),
        applications=("建设工程",),
    ),
    DemoItem(
        "620500-ZJJ-FW-005",
        "公共租赁住房资格审核",
        "公租房申请",
        "公共服务",
        "民生保障",
        "ZJJ",
        "joint",
        20,
        20,
        (
            Mat("公共租赁住房申请表"),
            Mat("申请人及家庭成员身份证明和户口簿", form="copy"),
            Mat("家庭收入、财产情况申报及授权核查书"),
            Mat("现住房情况证明", essential=False),
        ),
        ("public_housing",),
        result="公共租赁住房资格确认通知",
        section="ZJJ-FDC",
        assisting=(("MZJ", 10, "家庭经济状况核对"),),
        form=(
            *PERSON_FIELDS,
            Field(
                "household_size", "家庭人口数", "number", required=True, min_value=1, max_value=20
            ),
            Field(
                "housing_status",
                "现住房情况",
                "choice",
                required=True,
                choices=("无自有住房", "人均住房面积低于标准", "其他"),
            ),
        ),
        themes=("社会保障",),
        events=("购房",),
        applications=("住房保障",),
    ),
    DemoItem(
        "620500-ZJJ-XK-006",
        "城镇污水排入排水管网许可",
        "排水许可",
        "行政许可",
        "生态环境",
        "ZJJ",
        "promised",
        10,
        15,
        (
            Mat("污水排入排水管网许可申请表"),
            LICENCE_COPY,
            Mat("排水户内部排水管网、专用检测井、污水排放口位置和口径的图纸及说明"),
            Mat("排水水质检测报告", essential=False),
        ),
        ("drainage",),
        result="城镇污水排入排水管网许可证",
        section="ZJJ-SPK",
        published=False,
        applications=("准营准办",),
    ),
    # --- 卫生健康委员会 -------------------------------------------------------------------
    DemoItem(
        "620500-WJW-XK-001",
        "医疗机构执业登记",
        "医疗机构执业许可证",
        "行政许可",
        "社会事业",
        "WJW",
        "promised",
        20,
        45,
        (
            Mat("医疗机构执业登记申请书", blank="medical"),
            Mat("医疗机构用房产权证明或使用证明", form="copy"),
            Mat("医疗机构建筑设计平面图"),
            Mat("医疗机构规章制度", essential=False),
            Mat(
                "医疗机构法定代表人或主要负责人以及各科室负责人名录和有关资格证书、执业证书",
                form="copy",
            ),
        ),
        ("medical_institutions",),
        result="医疗机构执业许可证",
        section="WJW-YZK",
        special=(("onsite_check", 10),),
        themes=("医疗卫生",),
        applications=("准营准办",),
        place=_site("二楼 社会事业审批窗口（2-20）"),
    ),
    DemoItem(
        "620500-WJW-XK-002",
        "公共场所卫生许可",
        "公共场所卫生许可证",
        "行政许可",
        "社会事业",
        "WJW",
        "promised",
        10,
        20,
        (
            Mat("公共场所卫生许可申请表", blank="public_place"),
            LICENCE_COPY,
            Mat("公共场所地址方位示意图、平面图和卫生设施平面布局图"),
            Mat("公共场所卫生检测或者评价报告", essential=False, notes="可在检测完成后补交"),
            Mat("公共场所卫生管理制度"),
        ),
        ("public_places",),
        result="公共场所卫生许可证",
        section="WJW-ZHJD",
        special=(("testing", 15), ("onsite_check", 5)),
        form=(
            *ENTERPRISE_FIELDS,
            Field(
                "place_kind",
                "场所类别",
                "choice",
                required=True,
                choices=("住宿场所", "沐浴场所", "美容美发场所", "游泳场所"),
            ),
            Field("area", "营业面积（平方米）", "number", required=True, min_value=1),
        ),
        themes=("医疗卫生",),
        events=("开办企业",),
        applications=("准营准办",),
        place=_site("二楼 社会事业审批窗口（2-20）"),
    ),
    DemoItem(
        "620500-WJW-XK-003",
        "医师执业注册",
        "医师执业证书",
        "行政许可",
        "社会事业",
        "WJW",
        "promised",
        10,
        20,
        (
            Mat("医师执业注册申请审核表"),
            Mat("医师资格证书", form="copy"),
            Mat("近 6 个月内的健康体检证明"),
            Mat("拟执业机构的聘用证明"),
        ),
        ("physicians",),
        result="医师执业证书",
        section="WJW-YZK",
        form=(
            *PERSON_FIELDS,
            Field("qualification_number", "医师资格证书编码", "text", required=True),
            Field("practice_institution", "拟执业机构", "text", required=True),
            Field(
                "practice_scope",
                "执业范围",
                "choice",
                required=True,
                choices=("内科专业", "外科专业", "妇产科专业", "儿科专业", "全科医学专业"),
            ),
        ),
        themes=("医疗卫生",),
        events=("就业",),
        applications=("资质认证",),
    ),
    DemoItem(
        "620500-WJW-FW-004",
        "出生医学证明补发",
        "出生医学证明补发",
        "公共服务",
        "社会事业",
        "WJW",
        "promised",
        10,
        20,
        (
            Mat("出生医学证明补发申请表"),
            Mat("父母双方有效身份证件", form="both"),
            Mat("新生儿出生时的住院病历（分娩记录）复印件", form="copy"),
        ),
        ("maternal",),
        result="出生医学证明",
        section="WJW-JKK",
        events=("出生",),
        applications=("婚姻生育",),
    ),
    DemoItem(
        "620500-WJW-XK-005",
        "放射诊疗许可",
        "放射诊疗许可证",
        "行政许可",
        "社会事业",
        "WJW",
        "promised",
        15,
        20,
        (
            Mat("放射诊疗许可申请表"),
            Mat("医疗机构执业许可证", form="copy"),
            Mat("放射诊疗设备清单及放射防护检测报告"),
            Mat("放射工作人员资质证明和个人剂量监测资料", form="copy"),
        ),
        ("radiation",),
        result="放射诊疗许可证",
        section="WJW-YZK",
        special=(("expert_review", 15), ("testing", 20)),
        themes=("医疗卫生",),
        applications=("准营准办",),
    ),
    DemoItem(
        "620500-WJW-GF-006",
        "计划生育家庭特别扶助金申请",
        "特别扶助金",
        "行政给付",
        "民生保障",
        "WJW",
        "promised",
        15,
        20,
        (
            Mat("计划生育家庭特别扶助申请表"),
            ID,
            Mat("独生子女父母光荣证或相关证明", form="copy"),
            Mat("子女伤残或死亡证明", form="copy"),
        ),
        ("family_planning",),
        result="特别扶助金发放",
        section="WJW-JKK",
        themes=("社会保障",),
        applications=("婚姻生育",),
    ),
    # --- 公安局 ------------------------------------------------------------------------
    DemoItem(
        "620500-GAJ-QR-001",
        "居住证办理",
        "居住证申领",
        "行政确认",
        "公共安全",
        "GAJ",
        "promised",
        10,
        15,
        (
            Mat("居住证申领登记表", blank="residence"),
            ID,
            Mat("近期 1 寸免冠照片", copies=2),
            Mat(
                "居住地住址、就业、就读等证明材料",
                form="copy",
                notes="租赁合同、劳动合同或学籍证明之一",
            ),
        ),
        ("residence_permit",),
        result="居住证",
        fee="首次申领免费",
        section="GAJ-HZK",
        form=(
            *PERSON_FIELDS,
            Field("registered_residence", "户籍地址", "address", required=True),
            Field(
                "reason",
                "居住事由",
                "choice",
                required=True,
                choices=("就业", "就读", "连续居住"),
            ),
            Field("since", "在本市居住起始日期", "date", required=True),
        ),
        themes=("户籍证件",),
        events=("就业", "入学"),
        applications=("证件办理",),
        place=_site("一楼 公安综合窗口（1-12）"),
    ),
    DemoItem(
        "620500-GAJ-QR-002",
        "出生登记",
        "新生儿落户",
        "行政确认",
        "公共安全",
        "GAJ",
        "immediate",
        0,
        0,
        (
            Mat("出生医学证明"),
            Mat("父母双方居民户口簿和居民身份证", form="both"),
            Mat("父母结婚证", essential=False, notes="非婚生育的提供相关说明"),
        ),
        ("household",),
        result="居民户口簿（新生儿户口登记）",
        section="GAJ-HZK",
        themes=("户籍证件",),
        events=("出生",),
        applications=("户籍办理",),
        place=_site("一楼 公安综合窗口（1-12）"),
        steps=(("受理", "window_clerk", None), ("办结", "window_clerk", None)),
    ),
    DemoItem(
        "620500-GAJ-XK-003",
        "普通护照签发",
        "护照办理",
        "行政许可",
        "公共安全",
        "GAJ",
        "promised",
        7,
        15,
        (
            Mat("中国公民出入境证件申请表"),
            Mat("居民身份证", form="both"),
            Mat("出入境证件数字相片", notes="现场采集"),
        ),
        ("passport",),
        result="中华人民共和国普通护照",
        fee="按国家规定标准收取",
        section="GAJ-CRJ",
        themes=("户籍证件",),
        applications=("证件办理",),
        place=_site("一楼 出入境窗口（1-15）"),
    ),
    DemoItem(
        "620500-GAJ-QR-004",
        "居民身份证换领",
        "身份证换领",
        "行政确认",
        "公共安全",
        "GAJ",
        "promised",
        20,
        60,
        (Mat("居民户口簿"), Mat("原居民身份证"), Mat("数字相片", notes="现场采集")),
        ("identity_card",),
        result="居民身份证",
        fee="按国家规定标准收取",
        section="GAJ-HZK",
        themes=("户籍证件",),
        applications=("证件办理",),
        place=_site("一楼 公安综合窗口（1-12）"),
    ),
    DemoItem(
        "620500-GAJ-XK-005",
        "大型群众性活动安全许可",
        "大型活动安全许可",
        "行政许可",
        "公共安全",
        "GAJ",
        "promised",
        5,
        7,
        (
            Mat("大型群众性活动安全许可申请表"),
            Mat("承办者合法成立的证明及安全责任人身份证明", form="copy"),
            Mat("大型群众性活动方案及其说明"),
            Mat("大型群众性活动安全工作方案"),
            Mat("场所管理者出具的同意使用证明", essential=False),
        ),
        ("mass_events",),
        result="大型群众性活动安全许可决定书",
        section="GAJ-ZAK",
        special=(("onsite_check", 3),),
        themes=("文化旅游",),
        applications=("准营准办",),
    ),
    DemoItem(
        "620500-GAJ-QR-006",
        "夫妻投靠迁入户口",
        "夫妻投靠落户",
        "行政确认",
        "公共安全",
        "GAJ",
        "promised",
        10,
        20,
        (
            Mat("户口迁移申请表"),
            Mat("结婚证", form="both"),
            Mat("双方居民户口簿和居民身份证", form="both"),
            Mat("合法稳定住所证明", form="copy", essential=False),
        ),
        ("household",),
        result="准予迁入证明",
        section="GAJ-HZK",
        themes=("户籍证件",),
        events=("结婚",),
        applications=("户籍办理",),
    ),
    # --- 生态环境局 ----------------------------------------------------------------------
    DemoItem(
        "620500-SHJ-XK-001",
        "排污许可证核发",
        "排污许可",
        "行政许可",
        "生态环境",
        "SHJ",
        "promised",
        15,
        20,
        (
            Mat("排污许可证申请表", blank="pollutant"),
            Mat("自行监测方案"),
            Mat("排污口和监测孔规范化设置情况说明"),
            Mat("建设项目环境影响评价审批文件", form="copy", essential=False),
            Mat("守法承诺书"),
        ),
        ("pollutant_permit",),
        result="排污许可证",
        section="SHJ-HPK",
        special=(("onsite_check", 10), ("expert_review", 15)),
        form=(
            *ENTERPRISE_FIELDS,
            Field("industry", "行业类别", "text", required=True),
            Field(
                "management_level",
                "管理类别",
                "choice",
                required=True,
                choices=("重点管理", "简化管理"),
            ),
            Field("outlets", "排放口数量", "number", required=True, min_value=0, max_value=100),
        ),
        themes=("生态环境",),
        applications=("准营准办",),
        place=_site("二楼 生态环境窗口（2-25）"),
    ),
    DemoItem(
        "620500-SHJ-XK-002",
        "建设项目环境影响报告书审批",
        "环评报告书审批",
        "行政许可",
        "生态环境",
        "SHJ",
        "promised",
        30,
        60,
        (
            Mat("建设项目环境影响评价文件审批申请书"),
            Mat("环境影响报告书（全本）", copies=2),
            Mat("环境影响报告书删除涉密内容的说明", essential=False),
            Mat("公众参与说明"),
        ),
        ("eia",),
        result="环境影响报告书批复",
        section="SHJ-HPK",
        special=(("expert_review", 30), ("hearing", 20)),
        themes=("生态环境", "投资建设"),
        applications=("建设工程",),
    ),
    DemoItem(
        "620500-SHJ-XK-003",
        "建设项目环境影响报告表审批",
        "环评报告表审批",
        "行政许可",
        "生态环境",
        "SHJ",
        "promised",
        15,
        30,
        (
            Mat("建设项目环境影响评价文件审批申请书"),
            Mat("环境影响报告表", copies=2),
        ),
        ("eia",),
        result="环境影响报告表批复",
        section="SHJ-HPK",
        special=(("expert_review", 15),),
        themes=("生态环境", "投资建设"),
        applications=("建设工程",),
    ),
    # --- 交通运输局 ----------------------------------------------------------------------
    DemoItem(
        "620500-JTJ-XK-001",
        "道路旅客运输经营许可",
        "客运经营许可",
        "行政许可",
        "交通运输",
        "JTJ",
        "promised",
        15,
        20,
        (
            Mat("道路旅客运输经营申请表", blank="transport"),
            Mat("企业章程文本"),
            Mat("拟投入车辆承诺书", notes="含车辆数量、类型及技术等级"),
            Mat("驾驶人员从业资格证及驾驶证", form="copy"),
            Mat("安全生产管理制度文本", essential=False),
        ),
        ("road_transport",),
        result="道路运输经营许可证",
        section="JTJ-YSK",
        special=(("onsite_check", 5),),
        themes=("交通出行",),
        applications=("准营准办",),
        place=_site("二楼 交通运输窗口（2-30）"),
    ),
    DemoItem(
        "620500-JTJ-XK-002",
        "道路货物运输经营许可",
        "货运经营许可",
        "行政许可",
        "交通运输",
        "JTJ",
        "promised",
        5,
        20,
        (
            Mat("道路货物运输经营申请表"),
            ID,
            Mat("机动车辆行驶证、车辆技术等级评定结论", form="copy"),
            Mat("驾驶人员从业资格证", form="copy"),
        ),
        ("road_transport",),
        result="道路运输经营许可证",
        section="JTJ-YSK",
        form=(
            *ENTERPRISE_FIELDS,
            Field("vehicles", "拟投入车辆数", "number", required=True, min_value=1, max_value=500),
        ),
        themes=("交通出行",),
        applications=("准营准办",),
        place=_site("二楼 交通运输窗口（2-30）"),
    ),
    DemoItem(
        "620500-JTJ-XK-003",
        "网络预约出租汽车驾驶员证核发",
        "网约车驾驶员证",
        "行政许可",
        "交通运输",
        "JTJ",
        "promised",
        10,
        20,
        (
            Mat("网络预约出租汽车驾驶员证申请表"),
            Mat("机动车驾驶证", form="copy"),
            Mat("无犯罪记录证明"),
            Mat("考试合格证明", essential=False),
        ),
        ("ride_hailing",),
        result="网络预约出租汽车驾驶员证",
        section="JTJ-YSK",
        published=False,
        events=("就业",),
        applications=("资质认证",),
    ),
    DemoItem(
        "620500-JTJ-XK-004",
        "公路超限运输许可",
        "超限运输许可",
        "行政许可",
        "交通运输",
        "JTJ",
        "promised",
        2,
        5,
        (
            Mat("公路超限运输申请表"),
            Mat("车辆行驶证、道路运输证", form="copy"),
            Mat("货物的名称、外廓尺寸和质量说明"),
        ),
        ("highway", "overload"),
        result="超限运输车辆通行证",
        section="JTJ-GLK",
        themes=("交通出行",),
        applications=("准营准办",),
    ),
    DemoItem(
        "620500-JTJ-XK-005",
        "涉路施工许可",
        "占用挖掘公路许可",
        "行政许可",
        "交通运输",
        "JTJ",
        "promised",
        10,
        20,
        (
            Mat("涉路施工许可申请书"),
            Mat("设计图和施工方案"),
            Mat("保障公路、公路附属设施质量和安全的技术评价报告", essential=False),
            Mat("处置施工险情和意外事故的应急方案"),
        ),
        ("highway",),
        result="涉路施工许可决定书",
        section="JTJ-GLK",
        special=(("onsite_check", 5),),
        themes=("投资建设",),
        applications=("建设工程",),
    ),
    # --- 人力资源和社会保障局 --------------------------------------------------------------
    DemoItem(
        "620500-RSJ-QR-001",
        "工伤认定",
        "工伤认定",
        "行政确认",
        "民生保障",
        "RSJ",
        "promised",
        30,
        60,
        (
            Mat("工伤认定申请表"),
            Mat("与用人单位存在劳动关系的证明材料", form="copy"),
            Mat("医疗诊断证明或职业病诊断证明书", form="copy"),
            ID,
        ),
        ("work_injury",),
        result="认定工伤决定书",
        section="RSJ-SBK",
        special=(("appraisal", 30),),
        form=(
            *PERSON_FIELDS,
            Field("employer", "用人单位名称", "text", required=True),
            Field("employer_code", "用人单位统一社会信用代码", "credit_code", required=True),
            Field("accident_date", "事故发生日期", "date", required=True),
            Field("accident", "事故经过", "long_text", required=True),
        ),
        themes=("社会保障",),
        events=("就业",),
        applications=("社会保障",),
        place=_site("三楼 人社综合窗口（3-05）"),
    ),
    DemoItem(
        "620500-RSJ-GF-002",
        "失业保险金申领",
        "失业金申领",
        "行政给付",
        "民生保障",
        "RSJ",
        "promised",
        5,
        10,
        (
            ID,
            Mat("终止或者解除劳动合同的证明", form="copy"),
            Mat("本人社会保障卡或银行账户信息", essential=False),
        ),
        ("unemployment",),
        result="失业保险金按月发放",
        section="RSJ-SBK",
        form=(
            *PERSON_FIELDS,
            Field("last_employer", "原用人单位", "text", required=True),
            Field("separation_date", "劳动合同终止（解除）日期", "date", required=True),
        ),
        themes=("社会保障",),
        events=("就业",),
        applications=("社会保障", "就业创业"),
        place=_site("三楼 人社综合窗口（3-05）"),
    ),
    DemoItem(
        "620500-RSJ-FW-003",
        "就业创业证申领",
        "就业创业证",
        "公共服务",
        "民生保障",
        "RSJ",
        "immediate",
        0,
        0,
        (ID, Mat("就业创业证申领表")),
        ("employment",),
        result="就业创业证",
        section="RSJ-JYK",
        themes=("社会保障",),
        events=("就业",),
        applications=("就业创业",),
        place=_site("三楼 人社综合窗口（3-06）"),
    ),
    DemoItem(
        "620500-RSJ-FW-004",
        "技能人员职业资格证书补发",
        "职业资格证书补发",
        "公共服务",
        "社会事业",
        "RSJ",
        "promised",
        10,
        20,
        (ID, Mat("职业资格证书补发申请表"), Mat("近期 2 寸免冠照片", copies=2)),
        ("labour_69",),
        result="职业资格证书",
        section="RSJ-ZNK",
        events=("就业",),
        applications=("教育培训",),
    ),
    DemoItem(
        "620500-RSJ-GF-005",
        "基本养老保险待遇申领",
        "退休待遇申领",
        "行政给付",
        "民生保障",
        "RSJ",
        "promised",
        10,
        20,
        (
            Mat("基本养老保险待遇申领表"),
            ID,
            Mat("本人社会保障卡", form="copy"),
            Mat("视同缴费年限认定材料", required=False, essential=False),
        ),
        ("social_insurance",),
        result="基本养老金按月发放",
        section="RSJ-SBK",
        form=(
            *PERSON_FIELDS,
            Field("retirement_date", "退休日期", "date", required=True),
            Field(
                "payment_account",
                "养老金发放方式",
                "choice",
                required=True,
                choices=("社会保障卡金融账户", "其他银行账户"),
            ),
        ),
        themes=("社会保障",),
        events=("退休",),
        applications=("社会保障",),
        place=_site("三楼 人社综合窗口（3-05）"),
    ),
    DemoItem(
        "620500-RSJ-FW-006",
        "社会保障卡申领",
        "社保卡申领",
        "公共服务",
        "民生保障",
        "RSJ",
        "immediate",
        0,
        0,
        (ID, Mat("近期免冠彩色照片", notes="可现场采集")),
        ("social_insurance",),
        result="社会保障卡（即时制卡）",
        section="RSJ-SBK",
        themes=("社会保障",),
        events=("就业", "出生"),
        applications=("社会保障",),
        place=_site("三楼 人社综合窗口（3-07）"),
        steps=(("受理", "window_clerk", None), ("办结", "window_clerk", None)),
    ),
    # --- 民政局 ------------------------------------------------------------------------
    DemoItem(
        "620500-MZJ-QR-001",
        "内地居民结婚登记",
        "结婚登记",
        "行政确认",
        "民生保障",
        "MZJ",
        "immediate",
        0,
        0,
        (
            Mat("双方本人有效的居民身份证", form="both"),
            Mat("双方近期半身免冠合影照片", copies=3, notes="2 寸"),
            Mat(
                "本人无配偶以及与对方没有直系血亲和三代以内旁系血亲关系的签字声明", notes="现场签署"
            ),
        ),
        ("marriage",),
        result="结婚证",
        section="MZJ-HYDJ",
        themes=("社会保障",),
        events=("结婚",),
        applications=("婚姻生育",),
        place="天水市婚姻登记处（秦州区新华路 15 号）",
        steps=(
            ("受理", "window_clerk", None),
            ("审核", "handler", None),
            ("办结", "window_clerk", None),
        ),
    ),
    DemoItem(
        "620500-MZJ-QR-002",
        "社会团体成立登记",
        "社团成立登记",
        "行政确认",
        "社会事业",
        "MZJ",
        "promised",
        30,
        60,
        (
            Mat("社会团体成立登记申请表", blank="social_group"),
            Mat("业务主管单位的批准文件"),
            Mat("验资报告、场所使用权证明", form="copy"),
            Mat("发起人和拟任负责人的基本情况、身份证明", form="copy"),
            Mat("章程草案"),
        ),
        ("social_groups",),
        result="社会团体法人登记证书",
        section="MZJ-SJK",
        special=(("onsite_check", 10),),
        applications=("社会组织登记",),
    ),
    DemoItem(
        "620500-MZJ-QR-003",
        "民办非企业单位成立登记",
        "民非成立登记",
        "行政确认",
        "社会事业",
        "MZJ",
        "promised",
        30,
        60,
        (
            Mat("民办非企业单位成立登记申请书"),
            Mat("业务主管单位的批准文件"),
            Mat("场所使用权证明", form="copy"),
            Mat("验资报告"),
            Mat("拟任负责人的基本情况、身份证明", form="copy"),
            Mat("章程草案"),
        ),
        ("private_non_enterprise",),
        result="民办非企业单位登记证书",
        section="MZJ-SJK",
        applications=("社会组织登记",),
    ),
    DemoItem(
        "620500-MZJ-QT-004",
        "养老机构备案",
        "养老服务机构备案",
        "其他行政权力",
        "民生保障",
        "MZJ",
        "immediate",
        0,
        0,
        (
            Mat("养老机构备案书"),
            Mat("养老机构登记证书或营业执照", form="copy"),
            Mat("养老机构服务场所权属证明", form="copy"),
            Mat("消防、食品等相关证明", essential=False),
        ),
        ("elderly_care",),
        result="养老机构备案回执",
        section="MZJ-YLK",
        themes=("社会保障",),
        events=("退休",),
        applications=("准营准办",),
    ),
    DemoItem(
        "620500-MZJ-GF-005",
        "最低生活保障审核确认",
        "低保申请",
        "行政给付",
        "民生保障",
        "MZJ",
        "promised",
        20,
        30,
        (
            Mat("最低生活保障申请书"),
            Mat("申请人及家庭成员身份证明和户口簿", form="copy"),
            Mat("家庭经济状况核对授权书"),
            Mat("残疾、疾病等特殊情况证明", required=False, essential=False),
        ),
        ("social_assistance",),
        result="最低生活保障金按月发放",
        section="MZJ-SJK",
        special=(("onsite_check", 10),),
        form=(
            *PERSON_FIELDS,
            Field("household_size", "共同生活家庭成员人数", "number", required=True, min_value=1),
            Field("monthly_income", "家庭月总收入（元）", "number", required=True, min_value=0),
        ),
        themes=("社会保障",),
        applications=("社会保障",),
    ),
    DemoItem(
        "620500-MZJ-GF-006",
        "高龄津贴申领",
        "高龄津贴",
        "行政给付",
        "民生保障",
        "MZJ",
        "promised",
        10,
        20,
        (ID, Mat("高龄津贴申请表"), Mat("本人银行账户信息", form="copy")),
        ("elderly_rights",),
        result="高龄津贴按月发放",
        section="MZJ-YLK",
        themes=("社会保障",),
        events=("退休",),
        applications=("社会保障",),
    ),
    # --- 文化和旅游局 --------------------------------------------------------------------
    DemoItem(
        "620500-WLJ-XK-001",
        "娱乐场所经营许可",
        "娱乐经营许可证",
        "行政许可",
        "文化旅游",
        "WLJ",
        "joint",
        15,
        20,
        (
            Mat("娱乐场所经营许可申请表"),
            LICENCE_COPY,
            Mat("法定代表人、主要负责人身份证明及无犯罪记录声明", form="copy"),
            Mat("经营场所产权或使用权证明", form="copy"),
            Mat("场所平面示意图及消防安全检查合格证明", essential=False),
        ),
        ("entertainment",),
        result="娱乐经营许可证",
        section="WLJ-SCK",
        assisting=(("GAJ", 5, "治安管理条件审查"),),
        special=(("onsite_check", 5),),
        themes=("文化旅游",),
        applications=("准营准办",),
    ),
    DemoItem(
        "620500-WLJ-XK-002",
        "旅行社业务经营许可",
        "旅行社设立许可",
        "行政许可",
        "文化旅游",
        "WLJ",
        "promised",
        10,
        20,
        (
            Mat("旅行社业务经营许可申请书"),
            LICENCE_COPY,
            Mat("经营场所证明", form="copy"),
            Mat("营业设施、设备的证明或者说明"),
            Mat("质量保证金缴存承诺", essential=False),
        ),
        ("travel_agencies",),
        result="旅行社业务经营许可证",
        section="WLJ-LYK",
        form=(
            *ENTERPRISE_FIELDS,
            Field(
                "business",
                "申请经营业务",
                "multi_choice",
                required=True,
                choices=("国内旅游业务", "入境旅游业务"),
            ),
        ),
        themes=("文化旅游",),
        applications=("准营准办",),
    ),
    DemoItem(
        "620500-WLJ-XK-003",
        "互联网上网服务营业场所经营单位设立审批",
        "网吧设立",
        "行政许可",
        "文化旅游",
        "WLJ",
        "promised",
        15,
        20,
        (
            Mat("互联网上网服务营业场所经营单位设立申请表"),
            LICENCE_COPY,
            Mat("营业场所产权证明或者租赁意向书", form="copy"),
            Mat("法定代表人、主要负责人的身份证明", form="copy"),
        ),
        ("internet_cafes",),
        result="网络文化经营许可证",
        section="WLJ-SCK",
        special=(("onsite_check", 5),),
        themes=("文化旅游",),
        applications=("准营准办",),
    ),
    # --- 城市管理局 ----------------------------------------------------------------------
    DemoItem(
        "620500-CGJ-XK-001",
        "户外广告设施设置审批",
        "户外广告设置",
        "行政许可",
        "其他",
        "CGJ",
        "joint",
        10,
        20,
        (
            Mat("户外广告设施设置申请表", blank="outdoor_ad"),
            LICENCE_COPY,
            Mat("设置地点的场地使用权证明或产权人同意设置的证明", form="copy"),
            Mat("设施设计效果图、结构图及安装方案"),
            Mat("大型设施的结构安全检测报告", essential=False),
        ),
        ("city_appearance",),
        result="户外广告设施设置许可决定书",
        section="CGJ-SRK",
        assisting=(("SCJG", 3, "广告发布主体资格核查"),),
        special=(("expert_review", 10),),
        form=(
            *ENTERPRISE_FIELDS,
            Field("location", "设置地点", "address", required=True),
            Field(
                "facility",
                "设施形式",
                "choice",
                required=True,
                choices=("单立柱广告牌", "墙体广告", "屋顶广告", "电子显示屏"),
            ),
            Field(
                "area", "广告面积（平方米）", "number", required=True, min_value=1, max_value=2000
            ),
        ),
        themes=("市场准入",),
        applications=("准营准办",),
        place=_site("二楼 城市管理窗口（2-35）"),
    ),
    DemoItem(
        "620500-CGJ-XK-002",
        "城市建筑垃圾处置核准",
        "建筑垃圾处置核准",
        "行政许可",
        "生态环境",
        "CGJ",
        "promised",
        10,
        20,
        (
            Mat("城市建筑垃圾处置核准申请表", blank="waste"),
            Mat("建筑垃圾处置方案"),
            Mat("运输车辆行驶证及运输单位资质证明", form="copy"),
            Mat("消纳场所同意接收证明"),
        ),
        ("construction_waste",),
        result="城市建筑垃圾处置核准证",
        section="CGJ-SRK",
        themes=("投资建设",),
        applications=("建设工程",),
        place=_site("二楼 城市管理窗口（2-35）"),
    ),
    DemoItem(
        "620500-CGJ-XK-003",
        "占用、挖掘城市道路审批",
        "占道施工许可",
        "行政许可",
        "投资建设",
        "CGJ",
        "joint",
        7,
        20,
        (
            Mat("占用、挖掘城市道路申请表", blank="road_dig"),
            Mat("施工方案及现场平面图"),
            Mat("交通组织方案", essential=False),
            Mat("道路恢复承诺书"),
        ),
        ("urban_roads",),
        result="城市道路占用（挖掘）许可证",
        section="CGJ-SZK",
        assisting=(("GAJ", 3, "交通组织方案审查"),),
        form=(
            *ENTERPRISE_FIELDS,
            Field("location", "占用（挖掘）地点", "address", required=True),
            Field("area", "占用（挖掘）面积（平方米）", "number", required=True, min_value=1),
            Field("start_date", "开始日期", "date", required=True),
            Field("end_date", "结束日期", "date", required=True),
        ),
        themes=("投资建设",),
        applications=("建设工程",),
        place=_site("二楼 城市管理窗口（2-35）"),
    ),
    # --- 发展和改革委员会 -----------------------------------------------------------------
    DemoItem(
        "620500-FGW-QT-001",
        "企业投资项目备案",
        "项目备案",
        "其他行政权力",
        "投资建设",
        "FGW",
        "immediate",
        0,
        0,
        (
            Mat(
                "企业投资项目备案信息表",
                form="electronic",
                notes="通过投资项目在线审批监管平台填报",
            ),
        ),
        ("investment_approval",),
        result="项目备案证明",
        section="FGW-TZK",
        themes=("投资建设",),
        applications=("建设工程",),
        steps=(("受理", "window_clerk", None), ("办结", "handler", None)),
    ),
    DemoItem(
        "620500-FGW-XK-002",
        "企业投资项目核准",
        "项目核准",
        "行政许可",
        "投资建设",
        "FGW",
        "promised",
        15,
        20,
        (
            Mat("项目申请报告"),
            Mat("用地预审与选址意见书", form="copy"),
            Mat("环境影响评价审批文件", form="copy", essential=False),
            Mat("项目单位对申请材料真实性的承诺书"),
        ),
        ("investment_approval",),
        result="项目核准批复",
        section="FGW-SPK",
        special=(("expert_review", 30),),
        themes=("投资建设",),
        applications=("建设工程",),
    ),
    DemoItem(
        "620500-FGW-QT-003",
        "政府投资项目建议书审批",
        "项目建议书审批",
        "其他行政权力",
        "投资建设",
        "FGW",
        "promised",
        15,
        20,
        (Mat("项目建议书"), Mat("项目单位请示文件")),
        ("government_investment",),
        result="项目建议书批复",
        section="FGW-TZK",
        special=(("expert_review", 20),),
        published=False,
        applications=("建设工程",),
    ),
    # --- 区县 ---------------------------------------------------------------------------
    DemoItem(
        "620502-QZQ-FW-001",
        "城乡居民基本养老保险参保登记",
        "城乡居保参保",
        "公共服务",
        "民生保障",
        "QZQ",
        "immediate",
        0,
        0,
        (ID, Mat("城乡居民基本养老保险参保登记表")),
        ("social_insurance",),
        result="参保登记",
        themes=("社会保障",),
        events=("就业", "退休"),
        applications=("社会保障",),
        place="秦州区政务服务中心一楼 社保窗口",
    ),
    DemoItem(
        "620503-MJQ-XK-001",
        "农村村民宅基地审批",
        "宅基地审批",
        "行政许可",
        "农业农村",
        "MJQ",
        "promised",
        15,
        20,
        (
            Mat("农村宅基地和建房（规划许可）申请表"),
            ID,
            Mat("村民小组会议讨论通过意见及公示材料"),
            Mat("宅基地使用承诺书"),
        ),
        ("land_law", "planning_41"),
        result="农村宅基地批准书",
        themes=("投资建设",),
        events=("购房",),
        applications=("住房保障",),
        place="麦积区政务服务中心二楼 自然资源窗口",
    ),
    DemoItem(
        "620502-QZQ-FW-002",
        "中小学新生入学登记",
        "义务教育入学",
        "公共服务",
        "社会事业",
        "QZQ",
        "promised",
        10,
        20,
        (
            Mat("适龄儿童户口簿", form="both"),
            Mat("法定监护人身份证明", form="copy"),
            Mat("居住证明（房产证明或居住证）", form="copy", essential=False),
        ),
        ("compulsory_education",),
        result="入学通知",
        form=(
            Field("child_name", "儿童姓名", "text", required=True),
            Field("child_id_number", "儿童身份号码", "id_number", required=True),
            Field("guardian_name", "监护人姓名", "text", required=True),
            Field("mobile", "监护人手机号码", "mobile", required=True),
            Field("address", "现居住地址", "address", required=True),
            Field(
                "grade",
                "入学年级",
                "choice",
                required=True,
                choices=("小学一年级", "初中一年级"),
            ),
        ),
        themes=("社会保障",),
        events=("入学",),
        applications=("教育培训",),
        place="秦州区政务服务中心一楼 教育窗口",
    ),
)

THEMES = (
    "市场准入",
    "投资建设",
    "社会保障",
    "医疗卫生",
    "交通出行",
    "文化旅游",
    "生态环境",
    "户籍证件",
)
LIFE_EVENTS = ("出生", "入学", "就业", "结婚", "购房", "开办企业", "退休")


# --- loading --------------------------------------------------------------------------


@dataclass
class _Cache:
    item_types: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)
    applications: dict = field(default_factory=dict)
    themes: dict = field(default_factory=dict)
    bases: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    departments: dict = field(default_factory=dict)


def load(context: DemoContext) -> None:
    """Create the demo items that do not exist yet (matched by code), with their
    bases, themes, materials, blank forms, application forms and processes."""
    codes = [item.code for item in ITEMS]
    existing = set(Item.objects.filter(code__in=codes).values_list("code", flat=True))
    missing = [item for item in ITEMS if item.code not in existing]
    bases_before = PolicyBasis.objects.count()
    if missing:
        cache = _prepare(context, missing)
        for item in missing:
            # One item at a time: an item is there complete, or not at all.
            with transaction.atomic():
                _create(item, cache, context)
    # The models' own (translated) names: the demo adds no text of its own.
    context.count(
        capfirst(Item._meta.verbose_name_plural),
        created=len(missing),
        total=len(existing) + len(missing),
    )
    bases = PolicyBasis.objects.count()
    context.count(
        capfirst(PolicyBasis._meta.verbose_name_plural),
        created=bases - bases_before,
        total=bases,
    )


def _prepare(context: DemoContext, items: list[DemoItem]) -> _Cache:
    """Look up (or create) everything the missing items refer to, once."""
    cache = _Cache()
    cache.departments = {d.code: d for d in Department.objects.all()}
    for model, names, target, create in (
        (ItemType, {i.item_type for i in items}, cache.item_types, dictionaries.create_item_type),
        (
            ItemCategory,
            {i.category for i in items},
            cache.categories,
            dictionaries.create_item_category,
        ),
    ):
        known = {e.name_key: e for e in model.objects.all()}
        for name in names:
            entry = known.get(normalise_name(name))
            target[name] = entry or create(actor=None, name=name, at=context.at)
    known = {e.name_key: e for e in ApplicationCategory.objects.all()}
    for name in {a for i in items for a in i.applications}:
        entry = known.get(normalise_name(name))
        if entry is not None:  # an administrator may have removed one: then leave it out
            cache.applications[name] = entry
    themes = {(t.kind, t.name): t for t in Theme.objects.all()}
    for kind, names in ((ThemeKind.THEME, THEMES), (ThemeKind.LIFE_EVENT, LIFE_EVENTS)):
        for order, name in enumerate(names, start=1):
            theme = themes.get((kind, name))
            if theme is None:
                theme = services.save_theme(
                    actor=None, kind=kind, name=name, sort_order=order * 10, at=context.at
                )
            cache.themes[(kind, name)] = theme
    for key in {b for i in items for b in i.basis}:
        spec = BASES[key]
        basis = (
            PolicyBasis.objects.filter(name=spec.name, document_number=spec.document_number)
            .order_by("id")
            .first()
        )
        if basis is None:
            basis = services.save_policy_basis(
                actor=None,
                at=context.at,
                name=spec.name,
                issuing_body=spec.issuing_body,
                document_number=spec.document_number,
                clause=spec.clause,
                effective_date=spec.effective_date,
            )
        cache.bases[key] = basis
    return cache


def _stored_form(key: str, cache: _Cache, *, example: bool = False):
    if (key, example) not in cache.files:
        form = BLANK_FORMS[key]
        suffix = "（填写示例）" if example else ""
        cache.files[(key, example)] = store_bytes(
            blank_form_bytes(form, example=example),
            kind="xlsx",
            original_name=f"{form.title}{suffix}.xlsx",
        )
    return cache.files[(key, example)]


def _create(demo: DemoItem, cache: _Cache, context: DemoContext) -> None:
    department = cache.departments[demo.department]
    # A step is given a section only where the demo has staff to handle it there.
    section = cache.departments.get(demo.section) if demo.section in STAFFED_SECTIONS else None
    assisting = [
        AssistingSpec(cache.departments[code].pk, days, task) for code, days, task in demo.assisting
    ]
    if demo.steps:
        steps = [StepSpec(name, role, limit) for name, role, limit in demo.steps]
    else:
        parallel = max((a.limit_days for a in assisting), default=0)
        steps = default_steps(demo.handling, demo.promised, parallel)
    if section is not None:
        # The section undertakes and reviews; the head of the department approves.
        steps = [
            StepSpec(
                s.name, s.role, s.limit_days, section.pk if s.name in ("承办", "审核") else None
            )
            for s in steps
        ]
    materials = []
    for mat in demo.materials:
        blank = example = None
        if mat.blank:
            blank = _stored_form(mat.blank, cache).pk
            if BLANK_FORMS[mat.blank].example:
                example = _stored_form(mat.blank, cache, example=True).pk
        materials.append(
            services.MaterialSpec(
                name=mat.name,
                required=mat.required,
                essential=mat.essential,
                form=mat.form,
                copies=mat.copies,
                notes=mat.notes,
                blank_form_id=blank,
                example_id=example,
            )
        )
    form_fields = [
        services.FieldSpec(
            key=f.key,
            label=f.label,
            field_type=f.field_type,
            required=f.required,
            help_text=f.help_text,
            choices=f.choices,
            min_value=f.min_value,
            max_value=f.max_value,
        )
        for f in demo.form
    ]
    themes = [cache.themes[(ThemeKind.THEME, name)] for name in demo.themes]
    themes += [cache.themes[(ThemeKind.LIFE_EVENT, name)] for name in demo.events]
    item = services.save_item_definition(
        actor=None,
        at=context.at,
        fields={
            "code": demo.code,
            "name": demo.name,
            "short_name": demo.short_name,
            "item_type": cache.item_types[demo.item_type],
            "category": cache.categories[demo.category],
            "department": department,
            "handling_type": demo.handling,
            "promised_limit": demo.promised,
            "statutory_limit": demo.statutory,
            "special_procedures_allowed": bool(demo.special),
            "fee": demo.fee,
            "fee_basis": demo.fee_basis,
            "conditions": demo.conditions
            or "申请材料齐全、符合法定形式，申请人符合法律法规规定的条件。",
            "procedure_description": demo.procedure or "申请 → 受理 → 审查 → 决定 → 送达（办结）。",
            "result_name": demo.result,
            "application_place": demo.place or _site("一楼 综合受理窗口"),
            "application_hours": HOURS,
            "contact_phone": department.phone,
            "complaint_phone": COMPLAINT,
            "online_allowed": bool(demo.form),
            "valid_from": demo.valid_from,
        },
        steps=steps,
        assisting=assisting,
        materials=materials,
        form_fields=form_fields,
        special_procedures=dict(demo.special),
        basis=[cache.bases[key] for key in demo.basis],
        themes=themes,
        application_categories=[
            cache.applications[name] for name in demo.applications if name in cache.applications
        ],
    )
    if demo.published:
        services.publish_item(actor=None, item=item, at=context.at)
