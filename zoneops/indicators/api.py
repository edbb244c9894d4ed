"""Indicators in the API: the definitions, the economy for a period, an indicator's year month
by month, and its monthly figures (typed in, for the indicators that are not roll-ups)."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zoneops.api.lookups import payload_names, pick_one
from zoneops.api.pagination import Pagination
from zoneops.api.schemas import Id, VersionedIn, Year, model_number, model_number_out
from zoneops.common.scope import ensure_allowed
from zoneops.common.services import record_apply
from zoneops.indicators.models import Indicator, IndicatorValue
from zoneops.indicators.selectors import (
    IndicatorMonth,
    economy_month,
    economy_overview,
    indicator_values_visible,
    indicator_year,
    indicators_visible,
)
from zoneops.indicators.services import indicator_value_save

router = Router(tags=["indicators"])

Figure = model_number_out(IndicatorValue, "value")


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    unit: str
    kind: str
    higher_is_better: bool
    places: int
    department_id: int | None
    enterprise_metric: str = Field(description="由企业经济数据汇总的项目；空为录入")


class IndicatorMonthOut(Schema):
    year: int
    month: int
    period_label: str
    value: Decimal | None = Field(description="流量为1-N月累计，存量为月末数")
    month_value: Decimal | None = Field(description="当月（流量）")
    previous: Decimal | None = Field(description="上年同期")
    yoy: Decimal | None = Field(description="同比（%）")
    month_yoy: Decimal | None = Field(description="当月同比（%）")
    mom: Decimal | None = Field(description="环比（%）")


class IndicatorYearOut(Schema):
    indicator: IndicatorOut
    year: int
    target: Decimal | None
    completion: Decimal | None = Field(description="完成率（%），最新月份对年度目标")
    schedule: Decimal | None = Field(description="序时进度（%）")
    behind: bool
    months: list[IndicatorMonthOut]


class EconomyRowOut(Schema):
    indicator: IndicatorOut
    latest: IndicatorMonthOut | None = Field(description="本期（或本期前最近一个有数值的月份）")
    target: Decimal | None
    completion: Decimal | None
    schedule: Decimal | None
    behind: bool


class EconomyOut(Schema):
    year: int
    month: int
    period_label: str
    rows: list[EconomyRowOut]


class IndicatorEconomyQuery(Schema):
    year: Year | None = None
    month: int | None = Field(None, ge=1, le=12)


class IndicatorYearQuery(Schema):
    year: Year | None = None


class IndicatorValueOut(Schema):
    id: int
    indicator_id: int
    year: int
    month: int
    value: Figure  # type: ignore[valid-type]
    note: str
    version: int


class IndicatorValueIn(Schema):
    indicator_id: Id
    year: Year
    month: int = Field(ge=1, le=12)
    value: model_number(IndicatorValue, "value")  # type: ignore[valid-type]
    note: str = ""


class IndicatorValueUpdateIn(VersionedIn):
    value: model_number(IndicatorValue, "value") | None = None  # type: ignore[valid-type]
    note: str | None = None


class IndicatorValueFilter(Schema):
    indicator_id: Id | None = None
    year: Year | None = None


def _month(month: IndicatorMonth | None) -> dict | None:
    if month is None:
        return None
    return {**month.__dict__, "period_label": month.period_label}


@router.get("/", response=list[IndicatorOut], summary="经济指标")
@paginate(Pagination)
def indicators(request):
    ensure_allowed(request.user, "view", Indicator)
    return indicators_visible(user=request.user).order_by("position", "code", "id")


@router.get("/economy", response=EconomyOut, summary="经济运行情况（1-N月）")
def economy(request, filters: Query[IndicatorEconomyQuery]) -> dict:
    ensure_allowed(request.user, "view", Indicator)
    today = timezone.localdate()
    year = filters.year or today.year
    month = filters.month or economy_month(year=year, today=today)
    found = economy_overview(year=year, month=month, user=request.user)
    return {
        "year": found.year,
        "month": found.month,
        "period_label": found.period_label,
        "rows": [
            {
                "indicator": row.indicator,
                "latest": _month(row.month),
                "target": row.year.target,
                "completion": row.completion,
                "schedule": row.schedule,
                "behind": row.behind,
            }
            for row in found.rows
        ],
    }


@router.get("/{int:indicator_id}/year", response=IndicatorYearOut, summary="指标年度逐月数据")
def year(request, indicator_id: Id, filters: Query[IndicatorYearQuery]) -> dict:
    ensure_allowed(request.user, "view", Indicator)
    found = get_object_or_404(indicators_visible(user=request.user), pk=indicator_id)
    series = indicator_year(indicator=found, year=filters.year or timezone.localdate().year)
    return {
        "indicator": found,
        "year": series.year,
        "target": series.target,
        "completion": series.completion(),
        "schedule": series.schedule(),
        "behind": series.behind(),
        "months": [_month(month) for month in series.months],
    }


@router.get("/values", response=list[IndicatorValueOut], summary="指标数值（录入的）")
@paginate(Pagination)
def values(request, filters: Query[IndicatorValueFilter]):
    ensure_allowed(request.user, "view", IndicatorValue)
    queryset = indicator_values_visible(user=request.user)
    if filters.indicator_id is not None:
        queryset = queryset.filter(indicator_id=filters.indicator_id)
    if filters.year is not None:
        queryset = queryset.filter(year=filters.year)
    return queryset.order_by("indicator_id", "-year", "-month", "id")


@router.post("/values", response={201: IndicatorValueOut}, summary="登记指标数值")
def value_create(request, payload: IndicatorValueIn):
    ensure_allowed(request.user, "add", IndicatorValue)
    indicator = pick_one(Indicator, payload.indicator_id, user=request.user, field="indicator_id")
    value = IndicatorValue(
        indicator=indicator,
        year=payload.year,
        month=payload.month,
        value=payload.value,
        note=payload.note,
    )
    ensure_allowed(request.user, "add", IndicatorValue, value)
    with payload_names({"indicator": "indicator_id"}):
        indicator_value_save(value=value, by=request.user)
    return Status(201, value)


@router.patch("/values/{int:value_id}", response=IndicatorValueOut, summary="修改指标数值")
def value_update(request, value_id: Id, payload: IndicatorValueUpdateIn):
    value = get_object_or_404(indicator_values_visible(user=request.user), pk=value_id)
    ensure_allowed(request.user, "change", IndicatorValue, value)
    # An empty value is refused naming the field, as every PATCH does (record_apply).
    record_apply(instance=value, changes=payload.dict(exclude_unset=True, exclude={"version"}))
    with payload_names({"indicator": "indicator_id"}):
        return indicator_value_save(value=value, by=request.user, expected_version=payload.version)
