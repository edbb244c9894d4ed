"""The demo zone's investment projects (招商项目) as plain data: the article's 2019 table, the
anchor plant with its settled suppliers, and the 2020 signing and start ceremonies.

`pipeline_summary(year=2019)` over these records gives the article's table exactly:

    竣工 3 / 23亿, 续建 21 / 54亿, 新开工 27 / 61亿, 计划开工 32 / 100亿, 深度在谈 28 / 207亿

— 111 projects, 445亿元. The article's own total says 447亿元; the rows add up to 445, and the
records keep 445 so that the figure check (briefings) can show the mismatch.

Every project the article names is a real record (`is_sample=False`) under that name; every
other record is generated to make the counts and totals come out right, is marked
`is_sample=True` and its name ends with "（示例）". The article gives no amount for a named
project: those amounts are the demo's, chosen so that the rows and the key-project total fit.

Nothing here touches the database; `zoneops.demo.loader.load_projects` writes these specs
through the project services. Codes are the natural keys by which the loader finds a project
again, so they must not change once published. Generation is deterministic (explicit tables,
string-seeded `random.Random` for dates only).
"""

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from zoneops.demo.data import HYUNDAI_PLANT, ZSHK_PARK
from zoneops.parks.placement import PlacementKind, placement_kind
from zoneops.projects.enums import KeyLevel, ReportCategory, SourceChannel, Stage

BACKDATE_REASON = "演示数据：按报道补登"
SAMPLE_SUFFIX = "（示例）"
SAMPLE_NOTE = "演示用示例项目：按报道的项目个数和总投资补足，名称、投资方和金额均为虚构。"

CLOUD_SIGNING_ON = date(2020, 5, 8)  # 云签约: 56 projects, 83亿元, in 40 minutes
SPRING_START_ON = date(2020, 4, 20)  # 沧州市春季项目集中开工: 8 key projects, 9.76亿元

# "汽车主机厂及配套项目累计投资超260亿元": the auto projects (vehicle plant, parts, chain projects)
# signed or further on 2019-12-31 add up to this.
AUTO_INDUSTRIES = ("auto", "icv", "nev")
AUTO_INVESTMENT_END_2019 = Decimal(2650000)

OWNER = "zsj_staff"  # the 招商专员 who registered every demo project

P, C, D = KeyLevel.PROVINCE, KeyLevel.CITY, KeyLevel.DISTRICT
Moves = tuple[tuple[Stage, date], ...]


@dataclass(frozen=True)
class ProjectSpec:
    code: str
    name: str
    industry: str  # IndustryCategory code
    investment: Decimal  # 万元
    moves: Moves  # the first is the registration
    row_2019: str = ""  # the ReportCategory the project falls in for 2019 ("" = not counted)
    investor: str = ""
    country: str = "中国"
    investor_enterprise: str | None = None  # an Enterprise name from data.ENTERPRISES
    source: str = SourceChannel.VISIT
    park: str | None = None
    own_site: bool = False
    placed: bool = True  # False: park and own_site follow the placement rule at load time
    land_mu: Decimal | None = None
    key_levels: tuple[tuple[int, tuple[KeyLevel, ...]], ...] = ()
    leader: str | None = None  # username of the liaison leader (包联领导)
    department: str | None = None  # code of the responsible department
    parent: str | None = None  # the parent project's code (phases)
    phase: str = ""
    description: str = ""
    is_sample: bool = False
    planned_2020: bool = False  # one of "2020年总投资95亿元的21个产业谋划项目"
    termination_reason: str = ""  # why it was dropped, when its last move is 终止

    def key_in(self, year: int) -> tuple[KeyLevel, ...]:
        return dict(self.key_levels).get(year, ())


def _weekday(day: date) -> date:
    """A Saturday or Sunday moves to the Monday after (meetings and signings are on workdays)."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _moves(*pairs: tuple[Stage, date]) -> Moves:
    return tuple((stage, _weekday(on)) for stage, on in pairs)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _d(text: str) -> date:
    return date.fromisoformat(text)


S, T, DT, SG = Stage.LEAD, Stage.TALKS, Stage.DEEP_TALKS, Stage.SIGNED
LATER = (Stage.PLANNED_START, Stage.STARTED, Stage.COMPLETED, Stage.IN_PRODUCTION)
PS, ST, CP, IP = LATER
AUTO_PARK = "汽车（新能源、智能网联）产业园"
CJK_PARK = "中日韩产业园"
MATERIALS_PARK = "新材料产业园"
PIPE_PARK = "管道升级产业园"
AEROSPACE_PARK = "航空航天产业园"
MILITARY_CIVIL_PARK = "军民两用航天科创产业园"
TSINGHUA_PARK = "沧州清华汽车科技园"

# --- Named projects (the article's names; amounts and dates are the demo's) -------------------

# The 2019 key projects (省市重点): exactly 10, 61.16亿元 in all. The article counts them as
# 竣工投产 2 / 续建 3 / 新开工 5 but names three completed ones (隆泰万通, 瑞荣, 海纳川). We keep
# its total of 10 and its three named completed projects, so the records hold 竣工 3 / 续建 3 /
# 新开工 4: the article's "2 / 3 / 5" then differs from the records, and that mismatch stays
# visible to the figure check instead of being hidden by dropping a named project.
ANCHOR: tuple[ProjectSpec, ...] = (
    ProjectSpec(
        "DEMO-BHCZ",
        "北京现代沧州工厂项目",
        "auto",
        Decimal(745000),
        _moves((ST, _d("2015-04-03")), (IP, _d("2016-10-18"))),
        investor="北京现代汽车有限公司",
        country="中国（中韩合资）",
        investor_enterprise=HYUNDAI_PLANT,
        own_site=True,
        land_mu=Decimal(2865),
        description="北京现代第四工厂、首个京外整车基地：整车年产能30万辆、发动机20万台。"
        "2015年4月开工，2016年10月竣工投产；工厂及配套项目总投资约120亿元，其中工厂项目"
        "74.5亿元。",
    ),
    ProjectSpec(
        "DEMO-MOBIS",
        "现代摩比斯汽车零部件项目",
        "auto",
        Decimal(150000),
        _moves((SG, _d("2015-05-18")), (ST, _d("2015-08-10")), (IP, _d("2016-09-26"))),
        investor="现代摩比斯",
        country="韩国",
        own_site=True,
        land_mu=Decimal(420),
        description="北京现代沧州工厂的模块及核心零部件配套项目。",
    ),
    ProjectSpec(
        "DEMO-BMS",
        "北汽倍摩斯汽车零部件项目",
        "auto",
        Decimal(60000),
        _moves((SG, _d("2015-09-14")), (ST, _d("2016-03-21")), (IP, _d("2017-04-17"))),
        investor="北汽倍摩斯",
        park=AUTO_PARK,
        land_mu=Decimal(180),
    ),
    ProjectSpec(
        "DEMO-BQHY",
        "北汽韩一汽车零部件项目",
        "auto",
        Decimal(45000),
        _moves((SG, _d("2015-11-09")), (ST, _d("2016-04-11")), (IP, _d("2017-03-20"))),
        investor="北汽韩一",
        country="中国（中韩合资）",
        park=CJK_PARK,
        land_mu=Decimal(130),
    ),
    ProjectSpec(
        "DEMO-HGZS",
        "韩国株山汽车零部件项目",
        "auto",
        Decimal(30000),
        _moves((SG, _d("2016-02-22")), (ST, _d("2016-06-13")), (IP, _d("2017-06-26"))),
        investor="韩国株山",
        country="韩国",
        park=CJK_PARK,
        land_mu=Decimal(90),
    ),
)

ZSHK = "DEMO-ZSHK"

NAMED: tuple[ProjectSpec, ...] = (
    # 竣工 3 / 23亿: all three are key projects and in production by the end of 2019.
    ProjectSpec(
        "DEMO-LTWT",
        "隆泰万通高端管道装备项目",
        "equipment",
        Decimal(85000),
        _moves(
            (T, _d("2017-05-15")),
            (SG, _d("2017-09-20")),
            (ST, _d("2018-04-16")),
            (CP, _d("2019-10-28")),
            (IP, _d("2019-12-16")),
        ),
        row_2019=ReportCategory.COMPLETED,
        investor="隆泰万通",
        park=PIPE_PARK,
        land_mu=Decimal(260),
        key_levels=((2019, (P, C)),),
        description="省市双重点项目，2019年底已竣工投产。",
    ),
    ProjectSpec(
        "DEMO-RRCKD",
        "瑞荣汽车CKD及轮胎组装机项目",
        "auto",
        Decimal(35000),
        _moves(
            (T, _d("2017-11-06")),
            (SG, _d("2018-03-12")),
            (ST, _d("2018-06-18")),
            (CP, _d("2019-08-26")),
            (IP, _d("2019-10-15")),
        ),
        row_2019=ReportCategory.COMPLETED,
        investor="瑞荣汽车",
        park=AUTO_PARK,
        land_mu=Decimal(110),
        key_levels=((2019, (C,)),),
        description="市重点项目，2019年底已竣工投产。",
    ),
    ProjectSpec(
        "DEMO-HNC",
        "海纳川沧州汽车零部件产业园",
        "auto",
        Decimal(110000),
        _moves(
            (SG, _d("2017-06-05")),
            (ST, _d("2017-10-16")),
            (CP, _d("2019-06-24")),
            (IP, _d("2019-09-02")),
        ),
        row_2019=ReportCategory.COMPLETED,
        investor="北京海纳川汽车部件股份有限公司",
        own_site=True,
        land_mu=Decimal(330),
        key_levels=((2019, (C,)),),
        description="市重点项目，2019年底已竣工投产。",
    ),
    # 中商高科·沧州产业园: the parent counts by its phases (一期 新开工, 二期/三期 计划开工).
    ProjectSpec(
        ZSHK,
        "中商高科·沧州产业园",
        "equipment",
        Decimal(450000),
        _moves((T, _d("2018-03-19")), (SG, _d("2018-08-20")), (ST, _d("2019-04-22"))),
        investor="中商高科",
        park=ZSHK_PARK,
        description="中商高科沧州产业新城：智能制造集聚区、大企业定制区、研发及商务区、生活配套"
        "住宅区、生活配套商业区域；分期开发、梯次推进。",
    ),
    ProjectSpec(
        "DEMO-ZSHK-1",
        "中商高科·沧州产业园（一期）",
        "equipment",
        Decimal(120000),
        _moves((SG, _d("2018-08-20")), (ST, _d("2019-04-22"))),
        row_2019=ReportCategory.NEWLY_STARTED,
        investor="中商高科",
        park=ZSHK_PARK,
        land_mu=Decimal(395),
        key_levels=((2019, (C,)),),
        parent=ZSHK,
        phase="一期",
        description="首期占地395亩、建筑面积约26万平方米的智能制造区，2019年开工建设，"
        "17栋建筑已封顶；招商方向为高端装备制造、电子信息、汽车零部件、生物技术与医疗、"
        "环保能源。",
    ),
    ProjectSpec(
        "DEMO-ZSHK-2",
        "中商高科·沧州产业园（二期）",
        "equipment",
        Decimal(150000),
        _moves((SG, _d("2018-08-20")), (PS, _d("2019-11-18"))),
        row_2019=ReportCategory.PLANNED_START,
        investor="中商高科",
        park=ZSHK_PARK,
        parent=ZSHK,
        phase="二期",
        description="做好建设、招商、运营前期准备，分期开发。",
    ),
    ProjectSpec(
        "DEMO-ZSHK-3",
        "中商高科·沧州产业园（三期）",
        "equipment",
        Decimal(180000),
        _moves(
            (SG, _d("2018-08-20")),
        ),
        row_2019=ReportCategory.PLANNED_START,
        investor="中商高科",
        park=ZSHK_PARK,
        parent=ZSHK,
        phase="三期",
        description="做好建设、招商、运营前期准备，分期开发。",
    ),
    # Auto chain projects, under construction at the end of 2019.
    ProjectSpec(
        "DEMO-MBSHF",
        "北京现代摩比斯后服务配套北方基地",
        "auto",
        Decimal(60000),
        _moves(
            (T, _d("2017-08-14")),
            (DT, _d("2017-12-11")),
            (SG, _d("2018-04-09")),
            (ST, _d("2018-09-17")),
        ),
        row_2019=ReportCategory.CONTINUING,
        investor="现代摩比斯",
        country="韩国",
        park=AUTO_PARK,
        land_mu=Decimal(170),
        key_levels=((2019, (C,)),),
        description="汽车后市场服务：北京现代摩比斯售后配件的北方配套基地。",
    ),
    ProjectSpec(
        "DEMO-JJJWL",
        "京津冀整车智能物流中心",
        "logistics",
        Decimal(52000),
        _moves(
            (T, _d("2018-05-14")),
            (DT, _d("2018-10-15")),
            (SG, _d("2019-01-21")),
            (ST, _d("2019-05-20")),
        ),
        row_2019=ReportCategory.NEWLY_STARTED,
        park=AUTO_PARK,
        land_mu=Decimal(210),
        key_levels=((2019, (C,)),),
        description="整车仓储、分拨和智能物流，服务北京现代沧州工厂和京津冀整车市场。",
    ),
    # "新引进嘉诚汽车内饰、龙山汽车配件、泰通机械设备等6个项目": signed in 2019 (计划开工).
    ProjectSpec(
        "DEMO-JCNS",
        "嘉诚汽车内饰项目",
        "auto",
        Decimal(15000),
        _moves(
            (T, _d("2019-03-11")),
            (DT, _d("2019-05-13")),
            (SG, _d("2019-08-19")),
            (PS, _d("2019-11-11")),
        ),
        row_2019=ReportCategory.PLANNED_START,
        investor="嘉诚汽车内饰",
        park=AUTO_PARK,
        land_mu=Decimal(45),
    ),
    ProjectSpec(
        "DEMO-LSPJ",
        "龙山汽车配件项目",
        "auto",
        Decimal(12000),
        _moves((T, _d("2019-04-08")), (SG, _d("2019-09-23"))),
        row_2019=ReportCategory.PLANNED_START,
        investor="龙山汽车配件",
        park=AUTO_PARK,
        land_mu=Decimal(36),
    ),
    ProjectSpec(
        "DEMO-TTJX",
        "泰通机械设备项目",
        "auto",
        Decimal(8000),
        _moves((T, _d("2019-05-06")), (DT, _d("2019-07-15")), (SG, _d("2019-10-28"))),
        row_2019=ReportCategory.PLANNED_START,
        investor="泰通机械设备",
        park=AUTO_PARK,
        land_mu=Decimal(25),
    ),
    # New materials.
    ProjectSpec(
        "DEMO-ZXWB",
        "中兴5G微波陶瓷介电新材料项目",
        "new-materials",
        Decimal(60000),
        _moves(
            (T, _d("2019-01-14")),
            (DT, _d("2019-04-15")),
            (SG, _d("2019-07-08")),
            (PS, _d("2019-10-14")),
        ),
        row_2019=ReportCategory.PLANNED_START,
        investor="中兴",
        park=MATERIALS_PARK,
        land_mu=Decimal(150),
        description="已落地的新材料项目，2020年加快推进。",
    ),
    ProjectSpec(
        "DEMO-YCTL",
        "亚超特铝复合材料项目",
        "new-materials",
        Decimal(18000),
        _moves(
            (T, _d("2019-02-18")),
            (DT, _d("2019-05-20")),
            (SG, _d("2019-09-09")),
            (PS, _d("2019-11-25")),
            (ST, SPRING_START_ON),
        ),
        row_2019=ReportCategory.PLANNED_START,
        investor="亚超特铝",
        park=MATERIALS_PARK,
        land_mu=Decimal(60),
        key_levels=((2020, (C,)),),
        description="掌握行业领先技术的高端新材料项目，2020年春季集中开工。",
    ),
    ProjectSpec(
        "DEMO-GGHC",
        "国工恒昌新型高强高导铜合金引线框架材料项目",
        "new-materials",
        Decimal(15000),
        _moves((T, _d("2019-03-04")), (SG, _d("2019-08-12")), (ST, SPRING_START_ON)),
        row_2019=ReportCategory.PLANNED_START,
        investor="国工恒昌",
        park=MATERIALS_PARK,
        land_mu=Decimal(50),
        key_levels=((2020, (C,)),),
        description="掌握行业领先技术的高端新材料项目，2020年春季集中开工。",
    ),
    ProjectSpec(
        "DEMO-LZJ",
        "联之捷国防军工特种焊材及工艺项目",
        "new-materials",
        Decimal(12000),
        _moves(
            (T, _d("2019-04-22")),
            (DT, _d("2019-07-01")),
            (SG, _d("2019-10-21")),
            (ST, SPRING_START_ON),
        ),
        row_2019=ReportCategory.PLANNED_START,
        investor="联之捷",
        park=MATERIALS_PARK,
        land_mu=Decimal(40),
        key_levels=((2020, (C,)),),
        description="掌握行业领先技术的高端新材料项目，2020年春季集中开工。",
    ),
    ProjectSpec(
        "DEMO-TAHJ",
        "钛合金新材料项目",
        "new-materials",
        Decimal(60000),
        _moves((T, _d("2019-03-18")), (DT, _d("2019-09-16"))),
        row_2019=ReportCategory.DEEP_TALKS,
        park=MATERIALS_PARK,
        planned_2020=True,
        description="在谈的高端新材料项目。",
    ),
    ProjectSpec(
        "DEMO-FHLJT",
        "氟化锂晶体项目",
        "new-materials",
        Decimal(25000),
        _moves((T, _d("2019-05-27")), (DT, _d("2019-10-21"))),
        row_2019=ReportCategory.DEEP_TALKS,
        park=MATERIALS_PARK,
        planned_2020=True,
        description="在谈的高端新材料项目。",
    ),
    ProjectSpec(
        "DEMO-ZXXP",
        "中兴第三代宽禁带化合物半导体芯片生产基地",
        "electronics",
        Decimal(300000),
        _moves((T, _d("2019-07-22")), (DT, _d("2019-11-25"))),
        row_2019=ReportCategory.DEEP_TALKS,
        investor="中兴",
        own_site=True,
        description="依托沧州中兴新5G产业引导基金力促落地的中兴系5G产业项目。",
    ),
    # "2020年总投资95亿元的21个产业谋划项目 … 投资5亿元以上项目的13个": in deep talks at the end
    # of 2019; these five are the ones the article names.
    ProjectSpec(
        "DEMO-JMHT",
        "军民两用航天科创产业园",
        "aerospace",
        Decimal(120000),
        _moves((T, _d("2019-04-15")), (DT, _d("2019-08-26"))),
        row_2019=ReportCategory.DEEP_TALKS,
        investor="中国航天科工集团",
        park=MILITARY_CIVIL_PARK,
        planned_2020=True,
        description="与中国航天科工集团合作，已汇聚几十家有意向的军民融合企业，正在编制园区规划。",
    ),
    ProjectSpec(
        "DEMO-ATLS",
        "奥特莱斯商业综合体",
        "commercial",
        Decimal(80000),
        _moves((T, _d("2018-11-19")), (DT, _d("2019-06-17"))),
        row_2019=ReportCategory.DEEP_TALKS,
        own_site=True,
        planned_2020=True,
    ),
    ProjectSpec(
        "DEMO-GCLH",
        "谷川联行产业园",
        "electronics",
        Decimal(60000),
        _moves((T, _d("2019-06-10")), (DT, _d("2019-10-14"))),
        row_2019=ReportCategory.DEEP_TALKS,
        investor="谷川联行",
        own_site=True,
        planned_2020=True,
    ),
    ProjectSpec(
        "DEMO-BMZZ",
        "宝马汽车零部件再制造项目",
        "auto",
        Decimal(50000),
        _moves((T, _d("2019-05-13")), (DT, _d("2019-11-11"))),
        row_2019=ReportCategory.DEEP_TALKS,
        park=AUTO_PARK,
        planned_2020=True,
    ),
    ProjectSpec(
        "DEMO-LHUG",
        "联合U谷产业园",
        "equipment",
        Decimal(60000),
        _moves((T, _d("2019-02-25")), (DT, _d("2019-07-29"))),
        row_2019=ReportCategory.DEEP_TALKS,
        investor="联合U谷",
        own_site=True,
        planned_2020=True,
    ),
)

# The names as the article writes them; each is (the start of) a real project's name.
ARTICLE_PROJECT_NAMES: tuple[str, ...] = (
    "北京现代沧州工厂",
    "现代摩比斯",
    "北汽倍摩斯",
    "北汽韩一",
    "韩国株山",
    "隆泰万通高端管道装备项目",
    "瑞荣汽车CKD及轮胎组装机项目",
    "海纳川沧州汽车零部件产业园",
    "中商高科·沧州产业园",
    "北京现代摩比斯后服务配套北方基地",
    "京津冀整车智能物流中心",
    "嘉诚汽车内饰",
    "龙山汽车配件",
    "泰通机械设备",
    "中兴5G微波陶瓷介电新材料项目",
    "钛合金",
    "氟化锂晶体",
    "亚超特铝复合材料",
    "国工恒昌新型高强高导铜合金引线框架材料",
    "联之捷国防军工特种焊材及工艺",
    "中兴第三代宽禁带化合物半导体芯片生产基地",
    "军民两用航天科创产业园",
    "奥特莱斯商业综合体",
    "谷川联行产业园",
    "宝马汽车零部件再制造",
    "联合U谷产业园",
)

# --- Generated projects ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One generated project of a table: its industry and amount (万元); the rest is derived."""

    industry: str
    amount: int
    key: tuple[KeyLevel, ...] = ()  # key levels in the year the project counts for
    event: str = ""  # "spring_start" or "cloud_signing"
    planned_2020: bool = False


def _samples(industry: str, *amounts: int, **extra: object) -> tuple[Sample, ...]:
    return tuple(Sample(industry, amount, **extra) for amount in amounts)  # type: ignore[arg-type]


SPRING, CLOUD = "spring_start", "cloud_signing"

# 21 of the "25家知名汽配项目" (the other four are named): in production before 2019.
SETTLED_PARTS = _samples(
    "auto",
    *(50000, 48000, 50000, 45000, 45000, 42000, 40000, 38000, 36000, 35000, 32000),
    *(30000, 30000, 28000, 26000, 25000, 24000, 22000, 20000, 18000, 15000),
)
# 续建 21 / 54亿: 北京现代摩比斯后服务配套北方基地 (6亿, key) + these 20.
CONTINUING = (
    Sample("auto", 45000, key=(C,)),
    Sample("equipment", 38600, key=(P,)),
    *_samples("auto", 32000, 28000, 26000, 24000, 18000, 15000, 12000),
    *_samples("nev", 36000),
    *_samples("new-materials", 30000, 22000),
    *_samples("equipment", 26000, 20000),
    *_samples("electronics", 18000),
    *_samples("aerospace", 25000),
    *_samples("biomedicine", 20000),
    *_samples("pharma-logistics", 16000),
    *_samples("logistics", 14000),
    *_samples("aiot", 14400),
)
# 新开工 27 / 61亿: 中商高科一期 (12亿) and 京津冀整车智能物流中心 (5.2亿), both key, + these 25.
NEWLY_STARTED = (
    Sample("new-materials", 36000, key=(C,)),
    Sample("auto", 30000, key=(C,)),
    *_samples("auto", 30000, 25000, 22000, 20000, 16000, 12000, 8000),
    *_samples("icv", 18000),
    *_samples("new-materials", 28000, 20000, 15000),
    *_samples("equipment", 22000, 16000),
    *_samples("electronics", 24000, 12000),
    *_samples("aerospace", 20000),
    *_samples("aiot", 8000, 5000, 4500),
    *_samples("biomedicine", 18000),
    *_samples("pharma-logistics", 15000),
    *_samples("rnd", 3500),
    *_samples("logistics", 10000),
)
# 计划开工 32 / 100亿: nine named (二期, 三期, 中兴微波陶瓷, 嘉诚, 龙山, 泰通, 亚超特铝, 国工恒昌,
# 联之捷 — 52.5亿) + these 23: the other three of the "6 new" auto projects, the five others of the
# spring 2020 start (2020 district key projects), and fifteen more.
PLANNED_START = (
    *_samples("auto", 10000, 9000, 6000),
    Sample("auto", 14000, key=(D,), event=SPRING),
    Sample("equipment", 12000, key=(D,), event=SPRING),
    Sample("electronics", 10600, key=(D,), event=SPRING),
    Sample("biomedicine", 9000, key=(D,), event=SPRING),
    Sample("new-materials", 7000, key=(D,), event=SPRING),
    *_samples("auto", 50000, 40000, 30000, 20000),
    *_samples("nev", 60000),
    *_samples("icv", 25000),
    *_samples("new-materials", 45000, 30000),
    *_samples("aerospace", 40000),
    *_samples("equipment", 35000),
    *_samples("electronics", 28000),
    *_samples("biomedicine", 25000),
    *_samples("pharma-logistics", 12400),
    *_samples("rnd", 4000),
    *_samples("aiot", 8000),
)
# 深度在谈 28 / 207亿: eight named (75.5亿) + these 20. The "在谈项目12个" auto-parts projects
# and two more complete the 21 planning projects of 2020 (95亿, 13 of them ≥5亿); six of the
# twelve sign at the 2020-05-08 云签约. The six large ones are longer-term prospects.
DEEP_TALKS = (
    *_samples("auto", 60000, 50000, 50000, planned_2020=True),
    *_samples("auto", 55000, 50000, event=CLOUD, planned_2020=True),
    *_samples("auto", 22000, 18000, 15000, planned_2020=True),
    *_samples("auto", 25000, 20000, 16000, 14000, event=CLOUD, planned_2020=True),
    *_samples("pharma-logistics", 50000, planned_2020=True),
    *_samples("aerospace", 50000, planned_2020=True),
    *_samples("nev", 250000),
    *_samples("icv", 150000),
    *_samples("biomedicine", 120000),
    *_samples("aiot", 100000),
    *_samples("logistics", 100000),
    *_samples("equipment", 100000),
)
# 2020-05-08 云签约 56 / 83亿: six of 2019's deep talks (18亿) + 50 registered in early 2020, in
# the article's six fields (汽车零部件制造、生物医药、新材料、高新技术研发、商业综合体、产业基金).
CLOUD_SIGNING_NEW = (
    *_samples("auto", 25000, 22000, 20000, 18000, 16000, 15000, 13000, 12000, 10000, 9000),
    *_samples("auto", 8000, 6000, 4000, 2000),
    *_samples("biomedicine", 30000, 20000, 15000, 12000, 10000, 8000, 6000, 5000, 4000),
    *_samples("new-materials", 30000, 25000, 20000, 15000, 12000, 10000, 10000, 8000, 6000, 4000),
    *_samples("rnd", 8000, 6000, 5000, 5000, 4000, 4000, 3000, 3000, 2000),
    *_samples("commercial", 40000, 25000, 15000),
    *_samples("fund", 50000, 20000, 15000, 10000, 5000),
)

# Words the generated names are made of.
PRODUCTS: dict[str, tuple[str, ...]] = {
    "auto": _words(
        "汽车座椅总成 车身冲压件 汽车线束 汽车制动系统 电动助力转向系统 汽车空调系统 汽车灯具 "
        "铝合金轮毂 发动机缸体缸盖铸造 变速器齿轮 汽车玻璃 安全气囊及安全带 汽车排气系统 "
        "底盘结构件 汽车密封条 汽车减震器 汽车电子控制单元 汽车内外饰件 汽车仪表板总成 "
        "汽车散热器 汽车保险杠 汽车门锁系统 悬架弹簧 汽车轮毂轴承 车用传感器 汽车热管理系统 "
        "汽车模具 汽车焊装夹具 汽车地毯及隔音件 汽车天窗 汽车后视镜 汽车油箱总成 汽车车桥 "
        "汽车滤清器 汽车雨刮系统 车用铝压铸件 汽车顶棚 汽车车门总成 汽车转向节 汽车紧固件 "
        "汽车橡胶减振件"
    ),
    "nev": _words("动力电池模组 新能源汽车驱动电机 氢燃料电池系统 新能源专用车"),
    "icv": _words("智能座舱 车路协同路侧设备 自动驾驶域控制器 车载毫米波雷达"),
    "new-materials": _words(
        "高性能铝合金板带 碳纤维复合材料 特种陶瓷 高温合金 石墨烯导热膜 电子级铜箔 "
        "稀土永磁材料 特种工程塑料 高纯金属靶材 非晶合金 纳米涂层材料 玄武岩纤维 锂电池隔膜 "
        "增材制造金属粉末 高强度钢丝 特种玻璃纤维"
    ),
    "aerospace": _words("航空精密零部件 卫星物联网终端 无人机研发制造 航空复合材料构件"),
    "aiot": _words("工业物联网平台 智能传感器 人工智能视觉检测 边缘计算设备 北斗导航终端"),
    "electronics": _words("5G通信模组 印制电路板 功率半导体模块 光通信器件 智能终端制造"),
    "equipment": _words(
        "数控机床 工业机器人 智能焊接装备 高端阀门 精密液压件 环保装备 石油化工装备 智能仓储装备"
    ),
    "biomedicine": _words(
        "生物制药 医疗器械 体外诊断试剂 中药饮片 原料药绿色制造 医用敷料 康复辅具 医用耗材 "
        "化学制剂 生物疫苗"
    ),
    "pharma-logistics": _words("医药冷链物流中心 医药流通配送中心 医疗器械物流仓储"),
    "logistics": _words("智慧物流园 冷链物流中心 汽车零部件物流中心"),
    "rnd": _words(
        "新能源汽车研发中心 工业设计研发中心 检验检测中心 新材料研发中试基地 "
        "智能制造技术研究院 汽车电子研发中心 环保技术研发中心 软件研发中心 科技企业孵化基地"
    ),
    "commercial": _words("城市商业综合体 邻里商业中心 酒店及商务中心"),
    "fund": _words("汽车产业发展基金 5G产业投资基金 新材料产业基金 生物医药创投基金 科创基金"),
}
BRANDS = _words(
    "鑫泰 华瑞 博远 恒通 宏达 金诺 沧源 瑞祥 明德 海川 德润 嘉禾 泰和 永昌 汇通 顺达 泊海 "
    "信远 正和 临港 冀达 同创 众鑫 泊润 新锐 京沧 渤海 运河 狮城 燕赵 长河 盛源 沧晟 联润 "
    "御河 瀛海 宁澜 东升 佳禾 立信 沧隆 锦程 诚远"
)
KOREAN_BRANDS = _words("昌原精工 庆山精密 蔚山机电 大邱工业 釜山产业 东明精机 光州技研")
JAPANESE_BRANDS = _words("山崎精机 丸信工业 大和化成 松本电装")
ORIGINS = _words("北京 天津 保定 沧州 石家庄 廊坊 唐山 上海 苏州 宁波 深圳")
TRADES = {
    "auto": "汽车部件",
    "nev": "新能源科技",
    "icv": "智能科技",
    "new-materials": "新材料科技",
    "aerospace": "航空科技",
    "aiot": "智能科技",
    "electronics": "电子科技",
    "equipment": "装备制造",
    "biomedicine": "生物医药",
    "pharma-logistics": "医药物流",
    "logistics": "物流",
    "rnd": "科技研发",
    "commercial": "商业管理",
    "fund": "股权投资基金管理",
}
SOURCES = (
    SourceChannel.VISIT,
    SourceChannel.EVENT,
    SourceChannel.REFERRAL,
    SourceChannel.VISIT,
    SourceChannel.ASSOCIATION,
    SourceChannel.HIGHER_LEVEL,
)


class _Namer:
    """Names and investors for generated projects, unique, in the order they are asked for."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.used: set[str] = set()
        self.foreign = 0

    def name(self, industry: str, country: str) -> tuple[str, str]:
        k = self.counts.get(industry, 0)
        self.counts[industry] = k + 1
        products = PRODUCTS[industry]
        product = products[k % len(products)]
        if country in ("韩国", "日本"):
            brands = KOREAN_BRANDS if country == "韩国" else JAPANESE_BRANDS
            self.foreign += 1
            offset = self.foreign
        else:
            brands = BRANDS
            offset = k * 7 + len(industry)
        for step in range(len(brands)):
            brand = brands[(offset + step) % len(brands)]
            prefix = country if country in ("韩国", "日本") else ""
            name = f"{prefix}{brand}{product}项目{SAMPLE_SUFFIX}"
            if name not in self.used:
                break
        self.used.add(name)
        if country in ("韩国", "日本"):
            investor = f"{brand}株式会社"
        else:
            origin = ORIGINS[(k + len(product)) % len(ORIGINS)]
            investor = f"{origin}{brand}{TRADES[industry]}有限公司"
        return name, investor


def _between(rng: random.Random, start: str, end: str) -> date:
    first, last = _d(start), _d(end)
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _before(rng: random.Random, day: date, low: int, high: int) -> date:
    return day - timedelta(days=rng.randint(low, high))


def _country(group: str, index: int, industry: str) -> str:
    """Hyundai's suppliers are mostly Korean; a share of the newer auto projects is Korean or
    Japanese (中日韩产业园)."""
    if industry != "auto":
        return "中国"
    if group == "PT":
        return "韩国" if index % 5 in (0, 1, 3) else "中国"
    if index % 4 == 1:
        return "韩国"
    if index % 7 == 3:
        return "日本"
    return "中国"


def _timeline(group: str, index: int, sample: Sample, rng: random.Random) -> Moves:
    """The moves of a generated project, by the row it belongs in."""
    if group == "PT":  # settled supplier, in production before 2019
        started = _between(rng, "2015-09-01", "2017-09-29")
        produced = min(started + timedelta(days=rng.randint(300, 480)), _d("2018-12-20"))
        return _moves((SG, _before(rng, started, 45, 150)), (ST, started), (IP, produced))
    if group in ("XJ", "XK"):
        started = (
            _between(rng, "2017-04-03", "2018-11-30")
            if group == "XJ"
            else _between(rng, "2019-03-04", "2019-11-29")
        )
        signed = _before(rng, started, 30, 200)
        deep = _before(rng, signed, 30, 120)
        return _moves((T, _before(rng, deep, 30, 150)), (DT, deep), (SG, signed), (ST, started))
    if group == "JH":
        signed = _between(rng, "2019-01-14", "2019-12-13")
        deep = _before(rng, signed, 30, 120)
        moves = [(T, _before(rng, deep, 30, 150)), (DT, deep), (SG, signed)]
        planned = signed + timedelta(days=rng.randint(20, 90))
        if index % 2 == 0 and planned <= _d("2019-12-27"):
            moves.append((PS, planned))
        if sample.event == SPRING:
            moves.append((ST, SPRING_START_ON))
        return _moves(*moves)
    if group == "ZT":
        deep = _between(rng, "2019-03-04", "2019-12-16")
        talks = _before(rng, deep, 45, 300)
        moves = [(T, talks), (DT, deep)]
        if index % 3 == 0:
            moves.insert(0, (S, _before(rng, talks, 15, 60)))
        if sample.event == CLOUD:
            moves.append((SG, CLOUD_SIGNING_ON))
        return _moves(*moves)
    if group == "QY":  # registered in early 2020, signed at the 云签约
        talks = _between(rng, "2020-01-06", "2020-04-24")
        moves = [(T, talks)]
        deep = talks + timedelta(days=rng.randint(7, 30))
        if index % 5 in (0, 2) and deep <= _d("2020-05-01"):
            moves.append((DT, deep))
        moves.append((SG, CLOUD_SIGNING_ON))
        return _moves(*moves)
    raise ValueError(group)


ROWS = {
    "PT": "",
    "XJ": ReportCategory.CONTINUING,
    "XK": ReportCategory.NEWLY_STARTED,
    "JH": ReportCategory.PLANNED_START,
    "ZT": ReportCategory.DEEP_TALKS,
    "QY": "",
}


def generate_samples() -> tuple[ProjectSpec, ...]:
    namer = _Namer()
    specs = []
    groups = (
        ("PT", SETTLED_PARTS),
        ("XJ", CONTINUING),
        ("XK", NEWLY_STARTED),
        ("JH", PLANNED_START),
        ("ZT", DEEP_TALKS),
        ("QY", CLOUD_SIGNING_NEW),
    )
    for group, samples in groups:
        rng = random.Random(f"zoneops-demo-{group}")  # noqa: S311  demo dates, not secrets
        for index, sample in enumerate(samples):
            country = _country(group, index, sample.industry)
            name, investor = namer.name(sample.industry, country)
            moves = _timeline(group, index, sample, rng)
            key_year = 2020 if sample.event == SPRING else 2019
            source = SOURCES[index % len(SOURCES)]
            if group == "QY" and index % 5 != 4:
                source = SourceChannel.ONLINE_HALL  # "客商不见面，招商不断线"
            specs.append(
                ProjectSpec(
                    f"DEMO-{group}-{index + 1:02d}",
                    name,
                    sample.industry,
                    Decimal(sample.amount),
                    moves,
                    row_2019=ROWS[group],
                    investor=investor,
                    country=country,
                    source=source,
                    placed=False,
                    key_levels=((key_year, sample.key),) if sample.key else (),
                    description=SAMPLE_NOTE,
                    is_sample=True,
                    planned_2020=sample.planned_2020,
                )
            )
    return tuple(specs)


LIAISON_COUNT = 31
# Each leader's projects are the business of the project service office he is in charge of.
LEADER_DEPARTMENTS = {
    "director": "xmfw-1",
    "leader": "xmb",
    "leader2": "xmfw-2",
    "leader3": "xmfw-3",
}


def _with_liaison(specs: tuple[ProjectSpec, ...]) -> tuple[ProjectSpec, ...]:
    """The article's 包联 ("对省市重点项目、投资亿元以上的产业项目和民生工程共31个，确定了包联
    领导和责任部门"): the 10 key projects of 2019 and the 21 largest other industrial projects
    signed, planned or building at the end of 2019. No 民生工程 is an investment project here.
    """
    key = [s for s in specs if s.key_in(2019)]
    building = (
        ReportCategory.CONTINUING,
        ReportCategory.NEWLY_STARTED,
        ReportCategory.PLANNED_START,
    )
    others = sorted(
        (
            s
            for s in specs
            if not s.key_in(2019)
            and s.row_2019 in building
            and s.industry not in ("commercial", "fund")
            and s.investment >= 10000
        ),
        key=lambda s: (-s.investment, s.code),
    )
    chosen = {s.code for s in key} | {s.code for s in others[: LIAISON_COUNT - len(key)]}
    biggest_key = {s.code for s in sorted(key, key=lambda s: -s.investment)[:3]}
    result = []
    for spec in specs:
        if spec.code in chosen:
            if spec.code in biggest_key:
                leader = "director"
            elif spec.industry in ("auto", "icv", "nev", "logistics"):
                leader = "leader"
            elif spec.industry in ("new-materials", "aerospace", "electronics", "aiot", "rnd"):
                leader = "leader2"
            else:
                leader = "leader3"
            spec = replace(spec, leader=leader, department=LEADER_DEPARTMENTS[leader])
        result.append(spec)
    return tuple(result)


# Parents before their phases: the loader creates them in this order.
PROJECTS: tuple[ProjectSpec, ...] = _with_liaison(ANCHOR + NAMED + generate_samples())
BY_CODE = {spec.code: spec for spec in PROJECTS}

KEY_2019_CODES = tuple(s.code for s in PROJECTS if s.key_in(2019))
LIAISON_CODES = tuple(s.code for s in PROJECTS if s.leader)
PLANNED_2020_CODES = tuple(s.code for s in PROJECTS if s.planned_2020)
# The ceremonies' projects, for the meetings feature to attach to the 云签约 and 集中开工 records.
CLOUD_SIGNING_CODES = tuple(s.code for s in PROJECTS if (SG, CLOUD_SIGNING_ON) in s.moves)
SPRING_START_CODES = tuple(s.code for s in PROJECTS if (ST, SPRING_START_ON) in s.moves)
CLOUD_SIGNING_NAMES = tuple(BY_CODE[code].name for code in CLOUD_SIGNING_CODES)
SPRING_START_NAMES = tuple(BY_CODE[code].name for code in SPRING_START_CODES)

# Small tech projects go into an incubator or centre (孵化器), by industry.
TECH_CARRIERS = {
    "icv": "自动驾驶实验中心",
    "aiot": "国家级创业中心",
    "electronics": "国家级创业中心",
    "biomedicine": "国家级创业中心",
    "rnd": "大学科技研究中心",
    "new-materials": "金属新材料实验中心",
    "aerospace": "航天（沧州）科技成果转化中心",
}
INDUSTRY_PARKS = {
    "auto": (AUTO_PARK,),
    "nev": (AUTO_PARK,),
    "icv": (AUTO_PARK,),
    "new-materials": (MATERIALS_PARK,),
    "aerospace": (AEROSPACE_PARK,),
    "equipment": (PIPE_PARK, ZSHK_PARK),
    "electronics": (ZSHK_PARK, TSINGHUA_PARK),
    "aiot": (TSINGHUA_PARK,),
    "biomedicine": (ZSHK_PARK, TSINGHUA_PARK),
    "rnd": (TSINGHUA_PARK,),
    "pharma-logistics": (CJK_PARK,),  # 日韩经济特色的商贸物流
    "logistics": (CJK_PARK,),
}
# 中商高科·沧州产业园 took tenants only once its first phase was built (2020 on).
NEW_PARKS = {ZSHK_PARK}


ARTICLE_PLACEMENT = "文章所载实际选址"


def place(spec: ProjectSpec) -> tuple[str | None, bool, str]:
    """(park name, own site, reason) of a project: the kind of site by the zone's rule
    (zoneops.parks.placement: 重大项目独立选址、中小项目进产业园、小微科技项目进孵化器), the
    carrier of that kind by the demo's tables. A project the article places (`spec.placed`)
    stays where the article puts it; where that departs from the rule the reason says so and
    the placement is recorded as an override. A fund (产业基金) needs no site and is not placed."""
    kind, _why = placement_kind(
        investment=spec.investment,
        land_mu=spec.land_mu,
        industry_code=spec.industry,
        is_tech=False,
    )
    if spec.placed:
        actual = (
            PlacementKind.OWN_SITE
            if spec.own_site
            else PlacementKind.INCUBATOR
            if spec.park in TECH_CARRIERS.values()
            else PlacementKind.PARK
        )
        reason = (
            "" if actual == kind or (spec.park is None and not spec.own_site) else ARTICLE_PLACEMENT
        )
        return spec.park, spec.own_site, reason
    if spec.industry == "fund":
        return None, False, ""
    if kind == PlacementKind.OWN_SITE:
        return None, True, ""
    if kind == PlacementKind.INCUBATOR:
        return TECH_CARRIERS.get(spec.industry, TECH_CARRIERS["aiot"]), False, ""
    if spec.country in ("韩国", "日本"):
        return CJK_PARK, False, ""
    parks = INDUSTRY_PARKS.get(spec.industry, (AUTO_PARK,))
    registered = spec.moves[0][1]
    if registered.year < 2020:
        parks = tuple(p for p in parks if p not in NEW_PARKS) or (TSINGHUA_PARK,)
    return parks[int(spec.code[-2:]) % len(parks)], False, ""


def land_for(spec: ProjectSpec, park: str | None) -> Decimal | None:
    """Land of a generated project: about 350万元 of investment per 亩; none for a project in a
    centre or for a fund."""
    if not spec.is_sample or spec.industry == "fund" or park in TECH_CARRIERS.values():
        return spec.land_mu
    return max(Decimal(10), (spec.investment / 350).quantize(Decimal(1)))
