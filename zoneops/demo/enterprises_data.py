"""The demo zone's enterprise register: the enterprises the article names, generated ones to
make its liaison figures come out, their monthly figures for 2018–2019, and who liaises with
them (包联). `load_enterprise_register` writes it through the enterprise services. Idempotent.

What comes out (zoneops.enterprises.selectors.liaison_coverage, after the pipeline is loaded):
- 31 projects with a 包联领导 and a 责任部门 (the pipeline's own liaison fields);
- 44 industrial enterprises under liaison on the province's and city's list (领导包联 and the
  企业服务局's 部门包联), 28 more that the zone took into 区级 liaison;
- 12 inspectors of the 纪工委 liaising with 19 enterprises (纪检包联).
And the enterprises' 营业收入 for 2019 adds up to more than 1000亿元 ("主营业务收入突破1000亿元").

Every named enterprise is real (`is_sample=False`) but its 统一社会信用代码 and figures are the
demo's: the codes are generated with a valid GB 32100-2015 check character, and the note says
so. Every other enterprise is generated, `is_sample=True`, its name ending in "（示例）".
Enterprises are found again by credit code or name, liaisons by enterprise, kind and who,
figures by enterprise and period, accounts by username: a second run creates nothing twice
and leaves alone whatever a user edited since (the inspectors' password is set again, as the
loader does for every demo account).
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from zoneops.common.periods import month_before
from zoneops.demo.data import HYUNDAI_PLANT, ZSHK_PARK
from zoneops.demo.pipeline import AUTO_PARK, CJK_PARK, MATERIALS_PARK, PIPE_PARK, TSINGHUA_PARK
from zoneops.demo.results import DemoResult
from zoneops.enterprises.enums import LiaisonKind, LiaisonLevel
from zoneops.enterprises.models import Enterprise, EnterpriseFigure, LiaisonAssignment
from zoneops.enterprises.services import (
    FigureInput,
    enterprise_create,
    enterprise_figures_save,
    enterprise_update,
    liaison_assign,
)
from zoneops.enterprises.validators import credit_code_compose
from zoneops.industry.models import IndustryCategory
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import Department, User
from zoneops.orgs.services import user_create, user_set_password
from zoneops.parks.models import Park

REGION = "130971"  # 沧州经济开发区's administrative division code
SAMPLE_SUFFIX = "（示例）"
NAMED_NOTE = "演示数据：企业名称来自报道，统一社会信用代码和经济数据为演示生成。"
SAMPLE_NOTE = "演示用示例企业：按报道的包联企业个数和经济总量补足，名称和数据均为虚构。"
FIGURE_YEARS = (2018, 2019)

PROVINCE_CITY_FROM = date(2019, 3, 1)  # "省市确定的44家包联工业企业"
DISTRICT_FROM = date(2019, 6, 3)  # "将28家规下、限下企业纳入区级包联"
INSPECTORS_FROM = date(2019, 4, 1)  # "12名纪检监察干部包联19家重点在建企业和小微企业"

ABOVE_SCALE, ABOVE_QUOTA, HIGH_TECH, SPECIALIZED, TECH_SME = (
    "is_above_scale_industry",
    "is_above_quota_trade",
    "is_high_tech",
    "is_specialized",
    "is_tech_sme",
)

# A month's share of the year's revenue, in per mille: 春节 in February, a strong December.
MONTH_SHARES = (75, 55, 85, 83, 84, 83, 80, 81, 86, 87, 92, 109)


@dataclass(frozen=True)
class Figures:
    """A year's figures (万元; employees at the end of the year) of an enterprise."""

    revenue: Decimal
    output_value: Decimal | None
    tax: Decimal
    employees: int
    rnd_spending: Decimal | None = None
    exports: Decimal | None = None
    note: str = ""  # on the December row


@dataclass(frozen=True)
class EnterpriseSpec:
    name: str
    industry: str  # IndustryCategory code
    industry_code: str  # GB/T 4754-2017
    country: str = "中国"
    park: str | None = None
    park_unit: str = ""
    flags: tuple[str, ...] = ()
    registered_capital: Decimal | None = None
    established_on: date | None = None
    liaison: str | None = None  # LiaisonLevel, or None for no 领导/部门包联
    leader: str | None = None  # username of the liaison leader
    department: str | None = None  # code of the liaising department
    figures: dict[int, Figures] | None = None  # by year
    is_sample: bool = False


def _year_figures(
    revenue_2019: int, *, growth: str, tax_rate: str, employees: int, **extra: Any
) -> dict[int, Figures]:
    """2019's figures and 2018's from the growth 2019 had over it."""
    revenue = Decimal(revenue_2019)
    before = (revenue / (1 + Decimal(growth))).quantize(Decimal(100))
    rate = Decimal(tax_rate)
    rnd = Decimal(extra.get("rnd_rate", "0"))
    export = Decimal(extra.get("export_share", "0"))

    def figures(amount: Decimal, people: int) -> Figures:
        return Figures(
            revenue=amount,
            output_value=(amount * Decimal("1.03")).quantize(Decimal(100)),
            tax=(amount * rate).quantize(Decimal(100)),
            employees=people,
            rnd_spending=(amount * rnd).quantize(Decimal(10)) if rnd else None,
            exports=(amount * export).quantize(Decimal(100)) if export else None,
        )

    return {2018: figures(before, round(employees * 0.97)), 2019: figures(revenue, employees)}


# --- The enterprises the article names --------------------------------------------------------

# 北京现代沧州工厂: 2019 整车产量16.3万台 (about 9.3万元 of revenue a car), 发动机5.73万台 of
# which more than 2.2万台 went abroad (Vietnam, the Philippines); 累计纳税超20亿元 since 2016
# (about 1.5 + 5 + 7 + 6.5亿元).
HYUNDAI_FIGURES = {
    2018: Figures(
        revenue=Decimal(1690000),
        output_value=Decimal(1725000),
        tax=Decimal(70000),
        employees=3350,
        rnd_spending=Decimal(11000),
        exports=Decimal(30000),
        note="2018年整车产量约18万台。",
    ),
    2019: Figures(
        revenue=Decimal(1520000),
        output_value=Decimal(1560000),
        tax=Decimal(65000),
        employees=3200,
        rnd_spending=Decimal(12000),
        exports=Decimal(48400),
        note="2019年整车产量16.3万台，发动机产量5.73万台，其中出口越南、菲律宾2.2万台。",
    ),
}

PC, DI = LiaisonLevel.PROVINCE_CITY, LiaisonLevel.DISTRICT
SERVICE_BUREAU = "qyfwj"  # 企业服务局: the department that liaises with the listed enterprises

NAMED: tuple[EnterpriseSpec, ...] = (
    EnterpriseSpec(
        HYUNDAI_PLANT,
        "auto",
        "C3611",
        country="中国（中韩合资）",
        flags=(ABOVE_SCALE, HIGH_TECH),
        liaison=PC,
        leader="director",
        department=SERVICE_BUREAU,
        figures=HYUNDAI_FIGURES,
    ),
    EnterpriseSpec(
        "现代摩比斯",
        "auto",
        "C3670",
        country="韩国",
        flags=(ABOVE_SCALE, HIGH_TECH),
        liaison=PC,
        leader="leader",
        department=SERVICE_BUREAU,
        figures=_year_figures(
            452000, growth="-0.06", tax_rate="0.031", employees=1450, rnd_rate="0.012"
        ),
    ),
    EnterpriseSpec(
        "海纳川",
        "auto",
        "C3670",
        flags=(ABOVE_SCALE,),
        liaison=PC,
        leader="leader",
        department=SERVICE_BUREAU,
        figures=_year_figures(206000, growth="0.35", tax_rate="0.028", employees=820),
    ),
    EnterpriseSpec(
        "北汽倍摩斯",
        "auto",
        "C3670",
        park=AUTO_PARK,
        flags=(ABOVE_SCALE,),
        liaison=PC,
        leader="leader",
        department=SERVICE_BUREAU,
        figures=_year_figures(118000, growth="0.04", tax_rate="0.027", employees=560),
    ),
    EnterpriseSpec(
        "北汽韩一",
        "auto",
        "C3670",
        country="中国（中韩合资）",
        park=CJK_PARK,
        flags=(ABOVE_SCALE,),
        liaison=PC,
        leader="leader",
        department=SERVICE_BUREAU,
        figures=_year_figures(96500, growth="-0.03", tax_rate="0.027", employees=430),
    ),
    EnterpriseSpec(
        "韩国株山",
        "auto",
        "C3670",
        country="韩国",
        park=CJK_PARK,
        flags=(ABOVE_SCALE,),
        liaison=PC,
        leader="leader",
        department=SERVICE_BUREAU,
        figures=_year_figures(
            58000, growth="0.02", tax_rate="0.026", employees=260, export_share="0.08"
        ),
    ),
    EnterpriseSpec(
        "隆泰万通",
        "equipment",
        "C33",
        park=PIPE_PARK,
        flags=(ABOVE_SCALE, HIGH_TECH),
        liaison=PC,
        leader="leader3",
        department=SERVICE_BUREAU,
        figures=_year_figures(
            43000, growth="0.12", tax_rate="0.035", employees=310, rnd_rate="0.031"
        ),
    ),
    EnterpriseSpec(
        "瑞荣汽车",
        "auto",
        "C36",
        park=AUTO_PARK,
        flags=(ABOVE_SCALE,),
        liaison=PC,
        leader="leader",
        department=SERVICE_BUREAU,
        figures=_year_figures(31000, growth="0.18", tax_rate="0.03", employees=240),
    ),
    # 新引进 in 2019 and still building: small firms under 区级 liaison and an inspector's eye.
    EnterpriseSpec(
        "嘉诚汽车内饰", "auto", "C3670", park=AUTO_PARK, liaison=DI, department="xmfw-1"
    ),
    EnterpriseSpec(
        "龙山汽车配件", "auto", "C3670", park=AUTO_PARK, liaison=DI, department="xmfw-1"
    ),
    EnterpriseSpec(
        "泰通机械设备", "auto", "C3499", park=AUTO_PARK, liaison=DI, department="xmfw-1"
    ),
    # The 2020 spring start's new-materials firms.
    EnterpriseSpec(
        "亚超特铝", "new-materials", "C3252", park=MATERIALS_PARK, liaison=DI, department="xmfw-2"
    ),
    EnterpriseSpec(
        "国工恒昌", "new-materials", "C3240", park=MATERIALS_PARK, liaison=DI, department="xmfw-2"
    ),
    EnterpriseSpec(
        "联之捷", "new-materials", "C33", park=MATERIALS_PARK, liaison=DI, department="xmfw-2"
    ),
    # The developer of the 中商高科·沧州产业园 (L7221 园区管理服务), building its phase 1.
    EnterpriseSpec("中商高科", "equipment", "L7221", park=ZSHK_PARK),
)

# --- Generated enterprises --------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = _words(
    "恒达 鑫源 博远 华正 瑞通 宏泰 中盛 金捷 远航 泰和 德隆 永信 海通 兴业 鼎盛 天润 嘉禾 正元 "
    "汇丰 立信 通达 明阳 广源 森茂 东升 安泰 润达 信诚 宝鼎 聚力 瀚海 卓越 佳美 晨光 金石 万顺"
)
SMALL_WORDS = _words(
    "青禾 云帆 星辰 锐思 启明 智联 易达 创新 精工 蓝海 银河 合力 沃土 优品 杰瑞 科盛 翔宇 "
    "凌云 众信 长风 朗润 新源"
)

# (name ending, industry, GB/T 4754-2017 code, park) by sector
SECTORS = (
    ("汽车零部件有限公司", "auto", "C3670", AUTO_PARK),
    ("管道装备有限公司", "equipment", "C33", PIPE_PARK),
    ("新材料科技有限公司", "new-materials", "C3252", MATERIALS_PARK),
    ("机械制造有限公司", "equipment", "C3499", ZSHK_PARK),
    ("汽车零部件有限公司", "auto", "C3670", CJK_PARK),
    ("电子科技有限公司", "electronics", "C39", TSINGHUA_PARK),
)
SMALL_SECTORS = (
    ("科技有限公司", "rnd", "M7320", TSINGHUA_PARK),
    ("精密制造有限公司", "equipment", "C3499", ZSHK_PARK),
    ("汽车配件有限公司", "auto", "C3670", AUTO_PARK),
    ("新材料有限公司", "new-materials", "C3252", MATERIALS_PARK),
)
PROVINCE_CITY_COUNT = 44
DISTRICT_COUNT = 28
INSPECTOR_COUNT = 12
INSPECTED_COUNT = 19


def _digits(text: str, count: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % 10**count


def credit_code_for(name: str) -> str:
    """A valid, stable 统一社会信用代码 for a demo enterprise (organisation body from its name)."""
    return credit_code_compose(region=REGION, organisation=f"{_digits(name, 8):08d}")


def _leader_for(industry: str) -> str:
    if industry in ("auto", "icv", "nev", "logistics"):
        return "leader"
    if industry in ("new-materials", "aerospace", "electronics", "aiot", "rnd"):
        return "leader2"
    return "leader3"


def generated_industrial() -> tuple[EnterpriseSpec, ...]:
    """The listed (规上) industrial enterprises beyond the named ones: 44 in all on the list."""
    named = sum(1 for spec in NAMED if spec.liaison == PC)
    specs = []
    for index in range(PROVINCE_CITY_COUNT - named):
        word = WORDS[index]
        ending, industry, code, park = SECTORS[index % len(SECTORS)]
        country = "中国"
        if park == CJK_PARK:
            country = "日本" if index % 4 == 0 else "韩国"
        name = f"沧州{word}{ending}{SAMPLE_SUFFIX}"
        revenue = int((Decimal(800000) * Decimal("0.9") ** index).quantize(Decimal(100)))
        growth = Decimal(_digits(name, 3) % 23 - 8) / 100
        flags = [ABOVE_SCALE]
        if index % 3 == 0:
            flags.append(HIGH_TECH)
        if index % 5 == 2:
            flags.append(SPECIALIZED)
        specs.append(
            EnterpriseSpec(
                name,
                industry,
                code,
                country=country,
                park=park,
                park_unit=f"{index % 9 + 1}号厂房",
                flags=tuple(flags),
                registered_capital=Decimal(revenue // 20).quantize(Decimal(100)),
                established_on=date(2008 + index % 11, index % 12 + 1, 8),
                liaison=PC,
                leader=_leader_for(industry),
                department=SERVICE_BUREAU,
                figures=_year_figures(
                    revenue,
                    growth=str(growth),
                    tax_rate="0.03" if industry == "auto" else "0.04",
                    employees=max(40, revenue // 420),
                    rnd_rate="0.025" if HIGH_TECH in flags else "0",
                    export_share="0.12" if country != "中国" else "0",
                ),
                is_sample=True,
            )
        )
    return tuple(specs)


def generated_small() -> tuple[EnterpriseSpec, ...]:
    """Small firms below the 规上/限上 lists that the zone took into 区级 liaison."""
    named = sum(1 for spec in NAMED if spec.liaison == DI)
    offices = ("xmfw-1", "xmfw-2", "xmfw-3")
    specs = []
    for index in range(DISTRICT_COUNT - named):
        ending, industry, code, park = SMALL_SECTORS[index % len(SMALL_SECTORS)]
        name = f"沧州{SMALL_WORDS[index]}{ending}{SAMPLE_SUFFIX}"
        specs.append(
            EnterpriseSpec(
                name,
                industry,
                code,
                park=park,
                park_unit=f"{index % 6 + 1}号楼",
                flags=(TECH_SME,) if index % 2 == 0 else (),
                registered_capital=Decimal(200 + 50 * (index % 7)),
                established_on=date(2015 + index % 5, index % 12 + 1, 18),
                liaison=DI,
                department=offices[index % 3],
                is_sample=True,
            )
        )
    return tuple(specs)


# Each project service office's enterprises are followed by the leader in charge of it.
OFFICE_LEADERS = {"xmfw-1": "director", "xmfw-2": "leader2", "xmfw-3": "leader3"}

ENTERPRISES: tuple[EnterpriseSpec, ...] = NAMED + generated_industrial() + generated_small()
BY_NAME = {spec.name: spec for spec in ENTERPRISES}

# 纪工委's inspectors: the demo account `inspector` and eleven more (jgw01 … jgw11).
INSPECTOR_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("jgw01", "高文"),
    ("jgw02", "林晓东"),
    ("jgw03", "何静"),
    ("jgw04", "罗建华"),
    ("jgw05", "梁红"),
    ("jgw06", "宋志刚"),
    ("jgw07", "唐敏"),
    ("jgw08", "韩磊"),
    ("jgw09", "冯雪"),
    ("jgw10", "曹阳"),
    ("jgw11", "彭丽"),
)
INSPECTORS = ("inspector", *(username for username, _name in INSPECTOR_ACCOUNTS))


def inspected() -> tuple[tuple[str, str], ...]:
    """(inspector, enterprise): the firms building or small, two each for the first seven
    inspectors and one each for the other five — 19 enterprises in all."""
    building = ["中商高科", "嘉诚汽车内饰", "龙山汽车配件", "泰通机械设备", "亚超特铝", "国工恒昌"]
    building += ["联之捷"]
    small = [spec.name for spec in ENTERPRISES if spec.is_sample and spec.liaison == DI]
    firms = (building + small)[:INSPECTED_COUNT]
    pairs = []
    slots = [name for name in INSPECTORS[:7] for _twice in (0, 1)] + list(INSPECTORS[7:])
    for inspector, firm in zip(slots, firms, strict=True):
        pairs.append((inspector, firm))
    return tuple(pairs)


# --- Loading ----------------------------------------------------------------------------------


@transaction.atomic
def load_enterprise_register(*, result: DemoResult) -> dict[str, Enterprise]:
    """Create whatever of the register, its figures, the inspectors and the liaisons is
    missing. Needs the organisation, parks, industries and demo accounts loaded first."""
    enterprises = _load_enterprises(result=result)
    inspectors = _load_inspectors(result=result)
    _load_figures(enterprises=enterprises, result=result)
    _load_liaisons(enterprises=enterprises, inspectors=inspectors, result=result)
    return enterprises


def _load_enterprises(*, result: Any) -> dict[str, Enterprise]:
    codes = {spec.name: credit_code_for(spec.name) for spec in ENTERPRISES}
    found = Enterprise.objects.filter(
        Q(name__in=list(codes)) | Q(credit_code__in=list(codes.values()))
    )
    by_name = {e.name: e for e in found}
    by_code = {e.credit_code: e for e in found if e.credit_code}
    parks = {park.name: park for park in Park.objects.all()}
    industries = {i.code: i for i in IndustryCategory.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    enterprises = {}
    for spec in ENTERPRISES:
        fields = {
            "credit_code": codes[spec.name],
            # The liaising department serves the enterprise; the service bureau all others.
            "responsible_department": departments.get(spec.department or SERVICE_BUREAU),
            "country": spec.country,
            "park": parks.get(spec.park) if spec.park else None,
            "park_unit": spec.park_unit,
            "industry": industries.get(spec.industry),
            "industry_code": spec.industry_code,
            "registered_capital": spec.registered_capital,
            "established_on": spec.established_on,
            "address": "河北省沧州经济开发区",
            "note": SAMPLE_NOTE if spec.is_sample else NAMED_NOTE,
            "is_sample": spec.is_sample,
            **{flag: True for flag in spec.flags},
        }
        enterprise = by_code.get(codes[spec.name]) or by_name.get(spec.name)
        if enterprise is None:
            enterprise = enterprise_create(name=spec.name, by=None, **fields)
            result.created["enterprises"] += 1
        elif enterprise.credit_code is None:
            # Created before the register had its fields (the anchor plant of the accounts).
            enterprise = enterprise_update(
                enterprise=enterprise, by=None, expected_version=enterprise.version, **fields
            )
        enterprises[spec.name] = enterprise
    return enterprises


def _load_inspectors(*, result: Any) -> dict[str, User]:
    usernames = list(INSPECTORS)
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    commission = Department.objects.get(code="jgw")
    for username, display_name in INSPECTOR_ACCOUNTS:
        user = users.get(username)
        if user is None:
            users[username] = user_create(
                username=username,
                display_name=display_name,
                title="纪检监察干部",
                password=result.password,
                roles=[RoleCode.INSPECTOR],
                departments=[commission],
            )
            result.created["accounts"] += 1
        else:
            user_set_password(user=user, password=result.password)
    return users


def _monthly_rows(enterprise_id: int, figures: dict[int, Figures]) -> list[FigureInput]:
    """Each year's figures spread over the months and stored as 1-N月 cumulatives; December's
    cumulative is the year's figure exactly."""
    rows = []
    for year, year_figures in figures.items():
        running: dict[str, Decimal] = {}
        for month, share in enumerate(MONTH_SHARES, start=1):
            values: dict[str, Decimal | int | None] = {}
            for metric in ("revenue", "output_value", "tax", "rnd_spending", "exports"):
                total = getattr(year_figures, metric)
                if total is None:
                    continue
                if month == 12:
                    running[metric] = total
                else:
                    part = (total * share / 1000).quantize(Decimal("0.01"), ROUND_HALF_UP)
                    running[metric] = running.get(metric, Decimal(0)) + part
                values[metric] = running[metric]
            # Head count: the year before's end, moving to this year's end over the months.
            start = round(year_figures.employees * 0.97)
            values["employees"] = start + round((year_figures.employees - start) * month / 12)
            note = year_figures.note if month == 12 else ""
            rows.append(FigureInput(enterprise_id, year, month, values, note))
    return rows


def _load_figures(*, enterprises: dict[str, Enterprise], result: Any) -> None:
    wanted = [
        row
        for spec in ENTERPRISES
        if spec.figures
        for row in _monthly_rows(enterprises[spec.name].pk, spec.figures)
    ]
    stored = set(
        EnterpriseFigure.objects.filter(
            enterprise__in=[e.pk for e in enterprises.values()], year__in=FIGURE_YEARS
        ).values_list("enterprise_id", "year", "month")
    )
    missing = [row for row in wanted if (row.enterprise_id, row.year, row.month) not in stored]
    if missing:
        enterprise_figures_save(rows=missing, by=None)
        result.created["enterprise_figures"] += len(missing)


# The zone's growth of the enterprises' figures in the years after the article (sample): the
# pandemic year, the rebound, then steady years; a year not listed grows as the last one.
LATER_GROWTH = {2020: "-0.06", 2021: "0.11", 2022: "0.04", 2023: "0.07", 2024: "0.06"}
LATER_GROWTH_DEFAULT = "0.05"


def _later_figures(spec: EnterpriseSpec, years: range) -> dict[int, Figures]:
    """The enterprise's 2019 figures carried on through `years` at the zone's growth, give or
    take a few points of its own (deterministic from its name)."""
    assert spec.figures is not None
    base = spec.figures[2019]
    digest = hashlib.sha256(spec.name.encode()).digest()
    own = Decimal(digest[0] % 7 - 3) / 100  # -3 … +3 points a year
    figures, factor, people = {}, Decimal(1), base.employees
    for year in years:
        factor *= 1 + Decimal(LATER_GROWTH.get(year, LATER_GROWTH_DEFAULT)) + own
        people = round(people * (1 + float(own) / 2))

        def grown(value: Decimal | None, factor: Decimal = factor) -> Decimal | None:
            return None if value is None else (value * factor).quantize(Decimal(100))

        revenue, tax = grown(base.revenue), grown(base.tax)
        assert revenue is not None and tax is not None
        figures[year] = Figures(
            revenue=revenue,
            output_value=grown(base.output_value),
            tax=tax,
            employees=people,
            rnd_spending=grown(base.rnd_spending),
            exports=grown(base.exports),
            note="示例数据",
        )
    return figures


def load_later_figures(*, result: DemoResult, today: date) -> None:
    """The enterprises' monthly figures from 2020 to the last month over before `today`
    (sample figures, as statistics publish a month once it is over). Idempotent."""
    last = month_before(today)  # statistics publish a month once it is over
    years = range(FIGURE_YEARS[-1] + 1, last.year + 1)
    if not years:
        return
    enterprises = {
        e.name: e
        for e in Enterprise.objects.filter(name__in=[s.name for s in ENTERPRISES if s.figures])
    }
    wanted = [
        row
        for spec in ENTERPRISES
        if spec.figures and spec.name in enterprises
        for row in _monthly_rows(enterprises[spec.name].pk, _later_figures(spec, years))
        if (row.year, row.month or 12) <= (last.year, last.month)
    ]
    stored = set(
        EnterpriseFigure.objects.filter(
            enterprise__in=[e.pk for e in enterprises.values()], year__in=list(years)
        ).values_list("enterprise_id", "year", "month")
    )
    missing = [row for row in wanted if (row.enterprise_id, row.year, row.month) not in stored]
    if missing:
        enterprise_figures_save(rows=missing, by=None)
        result.created["enterprise_figures"] += len(missing)


def _load_liaisons(
    *, enterprises: dict[str, Enterprise], inspectors: dict[str, User], result: Any
) -> None:
    leaders = {
        u.username: u
        for u in User.objects.filter(username__in=[*OFFICE_LEADERS.values(), "leader"])
    }
    departments = {
        d.code: d for d in Department.objects.filter(code__in=[SERVICE_BUREAU, *OFFICE_LEADERS])
    }
    existing = set(
        LiaisonAssignment.objects.filter(
            enterprise__in=[e.pk for e in enterprises.values()]
        ).values_list("enterprise_id", "kind", "person_id", "department_id")
    )
    wanted: list[dict[str, Any]] = []
    for spec in ENTERPRISES:
        if spec.liaison is None:
            continue
        started = PROVINCE_CITY_FROM if spec.liaison == PC else DISTRICT_FROM
        leader = spec.leader or OFFICE_LEADERS.get(spec.department or "")
        enterprise = enterprises[spec.name]
        if leader:
            wanted.append(
                {
                    "enterprise": enterprise,
                    "kind": LiaisonKind.LEADER,
                    "level": spec.liaison,
                    "person": leaders[leader],
                    "started_on": started,
                }
            )
        if spec.department:
            wanted.append(
                {
                    "enterprise": enterprise,
                    "kind": LiaisonKind.DEPARTMENT,
                    "level": spec.liaison,
                    "department": departments[spec.department],
                    "started_on": started,
                }
            )
    for username, name in inspected():
        wanted.append(
            {
                "enterprise": enterprises[name],
                "kind": LiaisonKind.INSPECTOR,
                "level": DI,
                "person": inspectors[username],
                "started_on": INSPECTORS_FROM,
            }
        )
    for item in wanted:
        person, department = item.get("person"), item.get("department")
        key = (
            item["enterprise"].pk,
            item["kind"],
            person.pk if person else None,
            department.pk if department else None,
        )
        if key in existing:
            continue
        liaison_assign(by=None, **item)
        result.created["liaisons"] += 1
