"""The demo zone — 沧州经济开发区 as the 2020 article in `seed/` describes it — as plain data.

Names come from `seed/FACTS.md`; descriptions quote or condense the article. The loader
(`zoneops.demo.loader`) turns these constants into records; nothing here touches the database.
Department codes, park names, enterprise names and usernames are the natural keys by which
the loader finds a record again, so they must not change once published.
"""

from dataclasses import dataclass
from decimal import Decimal

from zoneops.orgs.enums import DepartmentKind, RoleCode
from zoneops.parks.enums import CarrierKind


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    kind: DepartmentKind
    parent: str | None = None  # the parent's code
    short_name: str = ""
    receives_enterprise_requests: bool = False  # the desk where requests are accepted (受理)


@dataclass(frozen=True)
class ParkSpec:
    name: str
    kind: CarrierKind
    description: str = ""
    area_mu: Decimal | None = None
    floor_area_m2: Decimal | None = None
    target_industries: str = ""


@dataclass(frozen=True)
class EnterpriseSpec:
    name: str
    country: str = "中国"


@dataclass(frozen=True)
class IndustrySpec:
    code: str  # ASCII slug, the natural key
    name: str
    gb_section: str  # GB/T 4754-2017 门类 letter; blank when the category spans several
    gb_codes: str = ""  # its GB/T 4754-2017 divisions, groups or classes
    sei: str = ""  # 战略性新兴产业分类（2018）first-level category ("1"…"9"); blank: not one
    lead: bool = False  # 主攻方向


@dataclass(frozen=True)
class AccountSpec:
    username: str
    display_name: str
    title: str
    role: RoleCode
    departments: tuple[str, ...] = ()  # codes; the first is the primary department
    in_charge_of: tuple[str, ...] = ()  # codes of the departments a leader is in charge of
    enterprise: str | None = None  # the enterprise's name, for an enterprise user


CITY = "cz"
ZONE = "czkfq"

# Listed parents first: the loader creates them in this order.
DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(CITY, "沧州市", DepartmentKind.CITY),
    DepartmentSpec(ZONE, "沧州经济开发区管委会", DepartmentKind.ZONE, CITY, short_name="管委会"),
    DepartmentSpec("dzb", "党政办公室", DepartmentKind.BUREAU, ZONE, short_name="党政办"),
    DepartmentSpec("zsj", "招商局", DepartmentKind.BUREAU, ZONE, short_name="招商局"),
    DepartmentSpec(
        "zsj-1", "招商一科（汽车产业）", DepartmentKind.SECTION, "zsj", short_name="招商一科"
    ),
    DepartmentSpec(
        "zsj-2", "招商二科（新材料）", DepartmentKind.SECTION, "zsj", short_name="招商二科"
    ),
    DepartmentSpec("xmb", "项目建设办公室", DepartmentKind.BUREAU, ZONE, short_name="项目办"),
    DepartmentSpec("spj", "行政审批局", DepartmentKind.BUREAU, ZONE, short_name="审批局"),
    DepartmentSpec(
        "spj-zwfw", "政务服务中心", DepartmentKind.SECTION, "spj", short_name="政务服务中心"
    ),
    DepartmentSpec("jfj", "经济发展局", DepartmentKind.BUREAU, ZONE, short_name="经发局"),
    DepartmentSpec("czj", "财政局", DepartmentKind.BUREAU, ZONE, short_name="财政局"),
    DepartmentSpec("jgw", "纪检监察工委", DepartmentKind.BUREAU, ZONE, short_name="纪工委"),
    DepartmentSpec(
        "zrzyj", "自然资源和规划局", DepartmentKind.BUREAU, ZONE, short_name="自然资源局"
    ),
    DepartmentSpec("zjj", "住房和城乡建设局", DepartmentKind.BUREAU, ZONE, short_name="住建局"),
    DepartmentSpec(
        "qyfwj",
        "企业服务局",
        DepartmentKind.BUREAU,
        ZONE,
        short_name="企服局",
        receives_enterprise_requests=True,
    ),
    # "成立3个项目服务办公室 … 为落地企业提供一条龙、全流程、保姆式服务"
    DepartmentSpec("xmfw-1", "项目服务一办", DepartmentKind.BUREAU, ZONE, short_name="服务一办"),
    DepartmentSpec("xmfw-2", "项目服务二办", DepartmentKind.BUREAU, ZONE, short_name="服务二办"),
    DepartmentSpec("xmfw-3", "项目服务三办", DepartmentKind.BUREAU, ZONE, short_name="服务三办"),
)

ZSHK_PARK = "中商高科·沧州产业园"

# 六个园区
SIX_PARKS: tuple[ParkSpec, ...] = (
    ParkSpec(
        ZSHK_PARK,
        CarrierKind.PARK,
        "中商高科沧州产业新城：致力于打造在全国具有标杆意义的产城融合示范区，建设内容包括"
        "智能制造集聚区、大企业定制区、研发及商务区、生活配套住宅区、生活配套商业区域等。"
        "首期（一期）占地395亩、建筑面积约26万平方米的智能制造区，17栋建筑已封顶；"
        "二期、三期做好建设、招商、运营前期准备，分期开发。",
        area_mu=Decimal("395"),
        floor_area_m2=Decimal("260000"),
        target_industries="高端装备制造、电子信息、汽车零部件、生物技术与医疗、环保能源",
    ),
    ParkSpec(
        "汽车（新能源、智能网联）产业园",
        CarrierKind.PARK,
        "以北京现代沧州工厂为龙头，汽车产业按照“一体两翼”发展模式，以智能网联汽车和新能源汽车"
        "为两只重要抓手；依托河北省战略性新兴产业示范基地（智能网联汽车）。",
        target_industries="整车、新能源汽车、智能网联汽车、关键零部件、研发检测、汽车后市场服务",
    ),
    ParkSpec(
        "中日韩产业园",
        CarrierKind.PARK,
        "河北省首批国际合作重点产业园。以现有韩日企业为依托，工业产业为基础，积极引进中日韩"
        "高端制造、日韩经济特色的商贸物流、中日韩文化等产业，将产业园打造成为融生产、生活、"
        "生态于一体的国际化智慧产业园区。",
        target_industries="中日韩高端制造、商贸物流、中日韩文化",
    ),
    ParkSpec("航空航天产业园", CarrierKind.PARK, target_industries="航空航天"),
    ParkSpec("管道升级产业园", CarrierKind.PARK),
    ParkSpec(
        "新材料产业园",
        CarrierKind.PARK,
        "以亚超特铝复合材料、国工恒昌新型高强高导铜合金引线框架材料、联之捷国防军工特种焊材"
        "及工艺3个掌握行业领先技术的高端新材料项目为基础，形成示范集聚效应，全力打造高端新材料"
        "产业园。",
        target_industries="新材料（航空航天、电子信息）",
    ),
)

# 六个中心
SIX_CENTRES: tuple[ParkSpec, ...] = (
    ParkSpec("自动驾驶实验中心", CarrierKind.CENTRE),
    ParkSpec("工业设计中心", CarrierKind.CENTRE),
    ParkSpec("汽车配件检测中心", CarrierKind.CENTRE),
    ParkSpec("金属新材料实验中心", CarrierKind.CENTRE),
    ParkSpec("大学科技研究中心", CarrierKind.CENTRE),
    ParkSpec("国家级创业中心", CarrierKind.CENTRE),
)

OTHER_CARRIERS: tuple[ParkSpec, ...] = (
    ParkSpec(
        "沧州清华汽车科技园",
        CarrierKind.PARK,
        "以企业总部办公、商务写字楼、智慧中心、人才公寓为主要产品，定位于汽车研发与制造、"
        "生物科技、智能化科技、新能源研发等高端优质企业的“4.0智慧科技中心”，入园企业可享受"
        "产业链的上下游资源优势。",
        target_industries="汽车研发与制造、生物科技、智能化科技、新能源研发",
    ),
    ParkSpec(
        "航天（沧州）科技成果转化中心",
        CarrierKind.CENTRE,
        "河北省首家航天科技成果转化中心（航天科工·科技成果转化（沧州）中心）。开展航天科技"
        "成果展示、评估、交易对接等服务，建成集航天科技成果转化展示、研发、孵化、成果转化为一体"
        "的航天军民两用技术创新示范平台和产业化基地。",
    ),
    ParkSpec(
        "军民两用航天科创产业园",
        CarrierKind.PARK,
        "沧州经济开发区与中国航天科工集团的合作项目，已汇聚几十家有意向的军民融合企业，"
        "正在编制园区规划。",
        target_industries="航空航天、军民融合",
    ),
    ParkSpec(
        "Apollo生态产业园",
        CarrierKind.PARK,
        "2020年开工建设，完善省级智能网联汽车战略性新兴产业示范基地建设。",
        target_industries="智能网联汽车、自动驾驶",
    ),
    ParkSpec(
        "武汉理工大学京津冀协同（沧州）研究院",
        CarrierKind.INSTITUTE,
        "与武汉理工大学签订协议建立。",
    ),
    ParkSpec(
        "北京工业大学沧州创新研究院",
        CarrierKind.INSTITUTE,
        "与北京工业大学签订协议建立。",
    ),
    ParkSpec("省质检院汽车零部件检测检验沧州分院", CarrierKind.INSTITUTE),
    ParkSpec(
        "沧州Apollo自动驾驶开放测试区",
        CarrierKind.TEST_AREA,
        "百度Apollo自动驾驶与车路协同项目：中国首个区级全域开放载人自动驾驶测试区域。开放测试"
        "道路里程超过100公里，其中15公里为经过道路改造的车路协同测试路段，其余为普通测试路段。",
        target_industries="自动驾驶、车路协同",
    ),
)

PARKS: tuple[ParkSpec, ...] = SIX_PARKS + SIX_CENTRES + OTHER_CARRIERS

# The zone's own industry list (FACTS.md "Main industries"): 汽车 "一体两翼" and 新材料 are the two
# lead directions; the strategic-emerging flag follows the national list (战略性新兴产业分类
# 2018): traditional vehicles, logistics, retail and finance are not on it.
INDUSTRIES: tuple[IndustrySpec, ...] = (
    IndustrySpec("auto", "汽车及零部件", "C", "C36", lead=True),  # C36 汽车制造业
    IndustrySpec("icv", "智能网联汽车", "C", "C3962", sei="5"),
    IndustrySpec("nev", "新能源汽车", "C", "C3612,C3841", sei="5"),
    IndustrySpec("new-materials", "新材料", "C", "C3072,C3240,C3985", sei="3", lead=True),
    IndustrySpec("aerospace", "航空航天", "C", "C374", sei="2"),  # C37
    IndustrySpec("aiot", "人工智能与物联网", "I", "I64,I65", sei="1"),  # I64/I65
    IndustrySpec("electronics", "电子信息", "C", "C39", sei="1"),  # C39
    IndustrySpec("equipment", "高端装备制造", "C", "C34,C35", sei="2"),  # C34/C35
    IndustrySpec("biomedicine", "生物医药", "C", "C27", sei="4"),  # C27
    IndustrySpec("pharma-logistics", "医药物流", "G", "G595"),  # G59 装卸搬运和仓储业
    IndustrySpec("commercial", "商业综合体", "F", "F52"),  # F52 零售业
    IndustrySpec("fund", "产业基金", "J", "J67"),  # J67 资本市场服务
    IndustrySpec("logistics", "现代物流", "G", "G54,G59"),  # 物流仓储
    IndustrySpec("rnd", "高新技术研发", "M", "M73", sei="9"),  # M73 研究和试验发展
    IndustrySpec("other", "其他", ""),
)

HYUNDAI_PLANT = "北京现代沧州工厂"

ENTERPRISES: tuple[EnterpriseSpec, ...] = (EnterpriseSpec(HYUNDAI_PLANT, "中国（中韩合资）"),)

# One account per role; display names are invented for the demo.
ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec("admin", "系统管理员", "系统管理员", RoleCode.ADMINISTRATOR, ("dzb",)),
    AccountSpec(
        "leader",
        "王志远",
        "管委会副主任",
        RoleCode.LEADER,
        (ZONE,),
        in_charge_of=("zsj", "xmb"),
    ),
    # Leaders who liaise with the key projects (包联领导); each is in charge of the project
    # service office that is the responsible department of his projects.
    # The director is a principal leader (主要领导): his scope is the whole zone.
    AccountSpec(
        "director",
        "赵德明",
        "管委会主任",
        RoleCode.PRINCIPAL,
        (ZONE,),
        in_charge_of=("dzb", "jfj", "czj", "xmfw-1"),
    ),
    AccountSpec(
        "leader2",
        "郑海波",
        "管委会副主任",
        RoleCode.LEADER,
        (ZONE,),
        in_charge_of=("qyfwj", "xmfw-2"),
    ),
    AccountSpec(
        "leader3",
        "马立新",
        "管委会副主任",
        RoleCode.LEADER,
        (ZONE,),
        in_charge_of=("spj", "zrzyj", "zjj", "xmfw-3"),
    ),
    AccountSpec("zsj_head", "李建国", "招商局局长", RoleCode.DEPARTMENT_HEAD, ("zsj",)),
    AccountSpec("zsj_staff", "刘洋", "招商专员", RoleCode.STAFF, ("zsj-1",)),
    AccountSpec("xmb_staff", "陈静", "项目专员", RoleCode.STAFF, ("xmb",)),
    AccountSpec("spj_staff", "杨帆", "审批专员", RoleCode.STAFF, ("spj",)),
    # The request desk (企业诉求受理): accepts the enterprises' requests and routes them.
    AccountSpec("qyfwj_staff", "张悦", "企业服务专员", RoleCode.STAFF, ("qyfwj",)),
    AccountSpec("inspector", "周正", "纪检监察干部", RoleCode.INSPECTOR, ("jgw",)),
    AccountSpec("stats", "吴敏", "统计员", RoleCode.STATISTICIAN, ("jfj",)),
    AccountSpec("enterprise", "孙丽", "企业联络员", RoleCode.ENTERPRISE, enterprise=HYUNDAI_PLANT),
)
