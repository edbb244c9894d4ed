"""The demo zone's economic indicators (经济运行): the article's figures for 2019, the year
before them, and sample months from 2020 to the last month over before the load.

The article: "主营业务收入突破1000亿元" — a roll-up of the enterprises' 营业收入 (their figures
add up to more than 1000亿元 in 2019, zoneops.demo.enterprises_data), against the 千亿级 target;
"全部财政收入21.7亿元，同比增长30.24%" — so 2018's is 16.662亿元 (21.7 / 1.3024, which shows as
16.66 and gives 30.24% again); 北京现代沧州工厂 "整车产量16.3万台 … 累计突破47.7万辆",
"发动机产量5.73万台，出口2.2万台以上", "累计纳税超20亿元"; "汽车主机厂及配套项目累计投资超260亿元".
The months of 2018 and 2019 spread the year as statistics do (a weak February, a strong
December) and are marked as sample; only the year's figure of 2019 is the article's.
Everything is found again by code, and by indicator, year and month: a second load creates
nothing twice and leaves alone what a user changed.
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from zoneops.common.periods import month_before
from zoneops.common.services import records_bulk_create
from zoneops.demo.enterprises_data import LATER_GROWTH, LATER_GROWTH_DEFAULT, MONTH_SHARES
from zoneops.demo.results import DemoResult
from zoneops.enterprises.enums import Metric
from zoneops.indicators.enums import IndicatorKind
from zoneops.indicators.models import Indicator, IndicatorTarget, IndicatorValue
from zoneops.indicators.selectors import indicator_year
from zoneops.indicators.services import indicator_save, indicator_target_save
from zoneops.orgs.models import Department

FLOW, STOCK = IndicatorKind.FLOW, IndicatorKind.STOCK


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    unit: str
    kind: IndicatorKind
    department: str  # the source department's code
    position: int
    places: int = 2
    metric: str = ""  # a roll-up of the enterprises' figures
    years: tuple[tuple[int, str], ...] = ()  # a flow's year totals, a stock's year-end values
    base: str = ""  # a stock's value at the end of the first year before `years`
    note: str = ""


INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "ZYYWSR",
        "主营业务收入",
        "亿元",
        FLOW,
        "jfj",
        10,
        metric=Metric.REVENUE,
        note="各企业营业收入1-N月数据之和（千亿级开发区）。",
    ),
    IndicatorSpec(
        "CZSR", "全部财政收入", "亿元", FLOW, "czj", 20, years=((2018, "16.662"), (2019, "21.7"))
    ),
    IndicatorSpec(
        "ZCCL",
        "北京现代沧州工厂整车产量",
        "万台",
        FLOW,
        "jfj",
        30,
        years=((2018, "14.6"), (2019, "16.3")),
    ),
    IndicatorSpec(
        "FDJCL",
        "北京现代沧州工厂发动机产量",
        "万台",
        FLOW,
        "jfj",
        40,
        years=((2018, "5.02"), (2019, "5.73")),
    ),
    IndicatorSpec(
        "FDJCK",
        "发动机出口量",
        "万台",
        FLOW,
        "jfj",
        50,
        years=((2018, "1.86"), (2019, "2.23")),
        note="出口越南、菲律宾。",
    ),
    IndicatorSpec(
        "ZCLJCL",
        "北京现代沧州工厂累计整车产量",
        "万辆",
        STOCK,
        "jfj",
        60,
        years=((2018, "14.6"), (2019, "16.3")),  # the year's output added to the stock
        base="16.82",  # from mass production in October 2016 to the end of 2017
        note="自2016年10月量产以来累计。",
    ),
    IndicatorSpec(
        "XDLJNS",
        "北京现代沧州工厂累计纳税",
        "亿元",
        STOCK,
        "czj",
        70,
        years=((2018, "6.1"), (2019, "7.4")),  # the year's taxes added to the stock
        base="6.8",
        note="自投产以来累计。",
    ),
    IndicatorSpec(
        "QCLJTZ",
        "汽车主机厂及配套项目累计投资",
        "亿元",
        STOCK,
        "jfj",
        80,
        years=((2018, "21"), (2019, "24")),  # the year's investment added to the stock
        base="216",
        note="北京现代沧州工厂及25个汽车零部件配套项目。",
    ),
)

# Targets of the year: 2019's 千亿级 main business revenue (the article), and sample ones
# for the later years at the year before's figure plus the growth aimed for.
TARGETS_2019 = {"ZYYWSR": Decimal(1000)}
TARGET_GROWTH = {"ZYYWSR": Decimal("0.08"), "CZSR": Decimal("0.07")}


def _growth(code: str, year: int) -> Decimal:
    """The zone's growth of the year, give or take a few points of the indicator's own that
    change from year to year (deterministic from its code)."""
    digest = hashlib.sha256(f"{code}-{year}".encode()).digest()
    own = Decimal(digest[0] % 41 - 20) / 1000  # -2.0 … +2.0 points
    return Decimal(LATER_GROWTH.get(year, LATER_GROWTH_DEFAULT)) + own


def _year_totals(spec: IndicatorSpec, last_year: int) -> dict[int, Decimal]:
    """A flow's year totals (a stock's additions), the article's years and then grown."""
    totals = {year: Decimal(text) for year, text in spec.years}
    year = max(totals)
    while year < last_year:
        totals[year + 1] = totals[year] * (1 + _growth(spec.code, year + 1))
        year += 1
    return totals


def _cumulatives(total: Decimal) -> list[Decimal]:
    """1-N月 of a year's total, month by month, December the total exactly."""
    months, running = [], Decimal(0)
    for month, share in enumerate(MONTH_SHARES, start=1):
        running = total if month == 12 else running + total * share / 1000
        months.append(running.quantize(Decimal("0.0001"), ROUND_HALF_UP))
    return months


def _values(spec: IndicatorSpec, last: date) -> dict[tuple[int, int], Decimal]:
    """(year, month) → the figure, up to `last`: 1-N月 for a flow; a stock's value at the end
    of the month (the year before's end plus the year's 1-N月 additions)."""
    found: dict[tuple[int, int], Decimal] = {}
    stock = Decimal(spec.base or 0)
    for year, total in sorted(_year_totals(spec, last.year).items()):
        for month, cumulative in enumerate(_cumulatives(total), start=1):
            if (year, month) > (last.year, last.month):
                break
            found[(year, month)] = cumulative if spec.kind == FLOW else stock + cumulative
        stock += total
    return found


def load_indicators(*, result: DemoResult, today: date | None) -> None:
    """Create whatever of the indicators, their figures and targets is missing: up to
    December 2019 without `today` (the article's zone), else to the last month over."""
    last = month_before(today) if today is not None else date(2019, 12, 1)
    departments = {d.code: d for d in Department.objects.filter(code__in={"jfj", "czj"})}
    existing = {i.code: i for i in Indicator.objects.filter(code__in=[s.code for s in INDICATORS])}
    stored = set(
        IndicatorValue.objects.filter(indicator__code__in=list(existing)).values_list(
            "indicator__code", "year", "month"
        )
    )
    values: list[IndicatorValue] = []
    for spec in INDICATORS:
        indicator = existing.get(spec.code)
        if indicator is None:
            indicator = indicator_save(
                indicator=Indicator(
                    code=spec.code,
                    name=spec.name,
                    unit=spec.unit,
                    kind=spec.kind,
                    places=spec.places,
                    department=departments.get(spec.department),
                    enterprise_metric=spec.metric,
                    position=spec.position,
                    note=spec.note,
                ),
                by=None,
            )
            existing[spec.code] = indicator
            result.created["indicators"] += 1
        if spec.metric:
            continue
        for (year, month), value in _values(spec, last).items():
            if (spec.code, year, month) in stored:
                continue
            # Only a year's December figure of the article's years is the article's own.
            article = month == 12 and any(year == y for y, _text in spec.years)
            values.append(
                IndicatorValue(
                    indicator=indicator,
                    year=year,
                    month=month,
                    value=value,
                    is_sample=not article,
                    note="" if article else "示例数据",
                )
            )
    if values:
        records_bulk_create(model=IndicatorValue, instances=values, by=None)
        result.created["indicator_values"] += len(values)
    _load_targets(existing=existing, last=last, result=result)


def _load_targets(*, existing: dict[str, Indicator], last: date, result: DemoResult) -> None:
    stored = set(
        IndicatorTarget.objects.filter(indicator__in=list(existing.values())).values_list(
            "indicator__code", "year"
        )
    )
    wanted: dict[tuple[str, int], tuple[Decimal, bool]] = {
        (code, 2019): (value, False) for code, value in TARGETS_2019.items()
    }
    for code, growth in TARGET_GROWTH.items():
        if code not in existing:
            continue
        # Set in January from the year before's figure, read as every page reads it (a
        # roll-up from the enterprises' figures).
        for year in range(2020, last.year + 1):
            before = indicator_year(indicator=existing[code], year=year - 1).latest()
            if before is not None and before.month == 12 and before.value is not None:
                wanted[(code, year)] = ((before.value * (1 + growth)).quantize(Decimal(1)), True)
    for (code, year), (value, sample) in wanted.items():
        if (code, year) in stored or code not in existing:
            continue
        indicator_target_save(
            target=IndicatorTarget(
                indicator=existing[code],
                year=year,
                value=value,
                is_sample=sample,
                note="示例数据" if sample else "千亿级开发区",
            ),
            by=None,
        )
        result.created["indicator_targets"] += 1
