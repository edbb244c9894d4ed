"""Economic indicators: figures by month as statistics report them, what is worked out from
them (当月, 同比, 环比, 完成率, 序时进度), who keeps them, and the pages and API that show them."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zoneops.common.exceptions import ApplicationError
from zoneops.enterprises.enums import Metric
from zoneops.enterprises.tests.factories import make_enterprise, make_monthly_figures
from zoneops.indicators.enums import IndicatorKind
from zoneops.indicators.models import Indicator, IndicatorTarget, IndicatorValue
from zoneops.indicators.selectors import economy_overview, indicator_year, indicator_years
from zoneops.indicators.services import indicator_save, indicator_value_save
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in
from zoneops.pytest_clock import frozen_on

TODAY = date(2020, 7, 10)


_frozen = frozen_on(TODAY)


def _indicator(code="CZSR", name="全部财政收入", unit="亿元", **fields):
    return indicator_save(indicator=Indicator(code=code, name=name, unit=unit, **fields), by=None)


def _values(indicator, year, cumulatives):
    for month, value in enumerate(cumulatives, start=1):
        indicator_value_save(
            value=IndicatorValue(indicator=indicator, year=year, month=month, value=Decimal(value)),
            by=None,
        )


@pytest.fixture
def revenue(db):
    """A flow: 2018 and 2019, each month's 1-N月."""
    indicator = _indicator()
    _values(indicator, 2018, [1, 2, 3.5, 5, 6, 7, 8, 9, 10, 11, 12, "16.662"])
    _values(indicator, 2019, [2, 3, 5, 7, 9, 11, 13, 15, 17, 19, 20, "21.7"])
    return indicator


def test_a_flow_gives_its_months_growth_and_changes(revenue):
    year = indicator_year(indicator=revenue, year=2019)
    december = year.months[11]
    assert december.value == Decimal("21.7") and december.period_label == "2019年1-12月"
    assert december.yoy == Decimal("30.24")  # 21.7 against 16.662
    assert december.month_value == Decimal("1.7")  # 21.7 - 20
    assert december.month_yoy == Decimal("-63.53")  # 1.7 against 2018's 4.662 (16.662 - 12)
    assert december.mom == Decimal("70.00")  # 1.7 against November's 1
    january = year.months[0]
    assert january.month_value == Decimal(2)
    # January's 环比 is against the December before: 2 against 2018's 4.662.
    assert january.mom == Decimal("-57.10")


def test_a_stock_is_the_months_end_and_has_no_single_month(db):
    stock = _indicator("LJ", "累计整车产量", "万辆", kind=IndicatorKind.STOCK)
    _values(stock, 2019, [32, 33])
    year = indicator_year(indicator=stock, year=2019)
    assert year.months[1].period_label == "2019年2月"
    assert year.months[1].month_value == Decimal(33)
    assert year.months[1].month_yoy is None
    assert year.months[1].mom == Decimal("3.13")
    assert year.months[2].value is None and year.latest().month == 2


def test_completion_against_the_target_and_the_schedule(revenue):
    IndicatorTarget.objects.create(indicator=revenue, year=2019, value=Decimal(24))
    year = indicator_year(indicator=revenue, year=2019)
    # 1-10月: 19 of 24 is 79.2%, behind 序时进度 83.3%.
    assert year.completion(10) == Decimal("79.2")
    assert year.schedule(10) == Decimal("83.3")
    assert year.behind(10)
    # The year's end: 21.7 of 24 is 90.4% against 100%.
    assert year.completion() == Decimal("90.4") and year.behind()
    IndicatorTarget.objects.filter(indicator=revenue).update(value=Decimal(20))
    assert not indicator_year(indicator=revenue, year=2019).behind()


def test_a_roll_up_sums_the_enterprises_figures_in_its_unit(db):
    for revenue in (600, 400):  # 万元 a month
        make_monthly_figures(make_enterprise(), year=2019, monthly_revenue=revenue, months=3)
    indicator = _indicator("ZYYWSR", "主营业务收入", "亿元", enterprise_metric=Metric.REVENUE)
    year = indicator_year(indicator=indicator, year=2019)
    assert [m.value for m in year.months[:3]] == [Decimal("0.1"), Decimal("0.2"), Decimal("0.3")]
    assert year.months[2].month_value == Decimal("0.1")
    assert year.months[3].value is None
    with pytest.raises(ApplicationError, match="由企业经济数据汇总"):
        indicator_value_save(
            value=IndicatorValue(indicator=indicator, year=2019, month=4, value=1), by=None
        )


def test_a_roll_up_needs_a_unit_and_kind_that_fit(db):
    with pytest.raises(ValidationError) as refused:
        _indicator("X", "从业人员", "万元", enterprise_metric=Metric.EMPLOYEES)
    assert set(refused.value.message_dict) == {"unit", "kind"}


def test_an_indicator_with_typed_figures_cannot_become_a_roll_up(revenue):
    revenue.enterprise_metric = Metric.REVENUE
    with pytest.raises(ApplicationError, match="已录入24个月"):
        indicator_save(indicator=revenue, by=None)
    assert not Indicator.objects.get(pk=revenue.pk).enterprise_metric


def test_figures_are_refused_for_a_month_to_come_and_twice_for_a_month(revenue):
    with pytest.raises(ApplicationError, match="2020年8月还未到"):
        indicator_value_save(
            value=IndicatorValue(indicator=revenue, year=2020, month=8, value=1), by=None
        )
    with pytest.raises(ValidationError, match="已登记"):
        indicator_value_save(
            value=IndicatorValue(indicator=revenue, year=2019, month=3, value=1), by=None
        )
    assert IndicatorValue.objects.get(indicator=revenue, year=2019, month=3).value == 5


def test_reading_all_indicators_does_not_grow_with_them(revenue, django_assert_num_queries):
    for number in range(5):
        _indicator(f"I{number}", f"指标{number}", "万台")
    indicators = list(Indicator.objects.all())
    with django_assert_num_queries(2):
        years = indicator_years(indicators=indicators, year=2019)
    assert len(years) == 6


def test_the_economy_page_and_the_year_page(revenue, django_assert_max_num_queries):
    staff = signed_in(make_user(RoleCode.STAFF))
    with django_assert_max_num_queries(20):
        page = staff.get(reverse("admin:indicators_indicator_overview"), {"year": 2019})
    text = page.content.decode()
    assert page.status_code == 200
    assert "2019年1-12月经济运行情况" in text and "21.70" in text and "30.24" in text
    year_page = staff.get(
        reverse("admin:indicators_indicator_year", args=[revenue.pk]), {"year": "2019"}
    )
    assert year_page.status_code == 200
    assert 'class="chart"' in year_page.content.decode()
    assert "2019年1-10月" in year_page.content.decode()
    # 1-10月 against the year's target: completion and 序时进度 of October, not of the year.
    IndicatorTarget.objects.create(indicator=revenue, year=2019, value=Decimal(24))
    october = staff.get(reverse("admin:indicators_indicator_overview"), {"year": 2019, "month": 10})
    row = october.content.decode().split(f'id="indicator-{revenue.pk}"')[1].split("</tr>")[0]
    assert "79.2" in row and "83.3" in row and "zo-behind" in row
    for bad in (
        {"year": "0"},
        {"year": "99999"},
        {"month": "13"},
        {"year": "2019\x00"},
        {"year": "²"},
    ):
        answer = staff.get(reverse("admin:indicators_indicator_overview"), bad)
        # Refused with the field's message; the page shows this year instead.
        assert answer.status_code == 200 and 'class="zo-error"' in answer.content.decode()
        assert "2020年1-" in answer.content.decode()
    huge = reverse("admin:indicators_indicator_year", args=[2**64])
    assert staff.get(huge).status_code == 404


def test_the_source_department_and_the_statistician_keep_the_figures(revenue, org):
    revenue.department = org["approvals"]
    indicator_save(indicator=revenue, by=None)
    # Staff of another department read the figures but do not write them.
    other = signed_in(make_user(RoleCode.STAFF, departments=[org["investment"]]))
    assert other.get("/api/v1/indicators/values", {"year": 2019}).json()["count"] == 12
    answer = other.post(
        "/api/v1/indicators/values",
        {"indicator_id": revenue.pk, "year": 2020, "month": 1, "value": "1"},
        content_type="application/json",
    )
    assert answer.status_code in (400, 403)
    assert not IndicatorValue.objects.filter(year=2020).exists()
    source = signed_in(make_user(RoleCode.STAFF, departments=[org["approvals"]]))
    answer = source.post(
        "/api/v1/indicators/values",
        {"indicator_id": revenue.pk, "year": 2020, "month": 2, "value": "1"},
        content_type="application/json",
    )
    assert answer.status_code == 201
    # The inspector reads everything and keeps nothing here.
    inspector = signed_in(make_user(RoleCode.INSPECTOR))
    assert inspector.get(reverse("admin:indicators_indicatorvalue_add")).status_code == 403
    statistician = signed_in(make_user(RoleCode.STATISTICIAN))
    assert statistician.get(reverse("admin:indicators_indicatorvalue_add")).status_code == 200
    created = statistician.post(
        "/api/v1/indicators/values",
        {"indicator_id": revenue.pk, "year": 2020, "month": 1, "value": "2.5"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    again = statistician.post(
        "/api/v1/indicators/values",
        {"indicator_id": revenue.pk, "year": 2020, "month": 1, "value": "9"},
        content_type="application/json",
    )
    assert again.status_code == 400 and "已登记" in again.json()["message"]
    value_id = created.json()["id"]
    stale = statistician.patch(
        f"/api/v1/indicators/values/{value_id}",
        {"version": 0, "value": "3"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    changed = statistician.patch(
        f"/api/v1/indicators/values/{value_id}",
        {"version": 1, "value": "3"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and Decimal(changed.json()["value"]) == 3
    too_big = statistician.post(
        "/api/v1/indicators/values",
        {"indicator_id": revenue.pk, "year": 2020, "month": 2, "value": "1e20"},
        content_type="application/json",
    )
    assert too_big.status_code in (400, 422) and "value" in str(too_big.json())


def test_the_api_gives_the_economy_and_a_year(revenue):
    client = signed_in(make_user(RoleCode.STAFF))
    economy = client.get("/api/v1/indicators/economy", {"year": 2019, "month": 10}).json()
    assert economy["period_label"] == "2019年1-10月"
    (row,) = economy["rows"]
    assert Decimal(row["latest"]["value"]) == 19 and Decimal(row["latest"]["yoy"]) == Decimal(
        "72.73"
    )
    year = client.get(f"/api/v1/indicators/{revenue.pk}/year", {"year": 2019}).json()
    assert len(year["months"]) == 12 and Decimal(year["months"][11]["yoy"]) == Decimal("30.24")
    assert client.get("/api/v1/indicators/99999999999999999999/year").status_code in (
        400,
        404,
        422,
    )


def test_the_economy_opens_on_the_latest_month_with_figures(revenue):
    overview = economy_overview(year=2019, month=12)
    assert overview.rows[0].month.value == Decimal("21.7")
    client = signed_in(make_user(RoleCode.STAFF))
    # On 2020-07-10, with no figure of 2020 yet, the last month over: 1-6月.
    assert client.get("/api/v1/indicators/economy").json()["month"] == 6
    # The figures reach May: the economy opens on 1-5月, not on June.
    _values(revenue, 2020, [3, 4, 6, 8, 10])
    assert client.get("/api/v1/indicators/economy").json()["month"] == 5
    page = client.get(reverse("admin:indicators_indicator_overview")).content.decode()
    assert "2020年1-5月经济运行情况" in page


def test_a_figure_cannot_be_emptied_by_the_api(revenue):
    client = signed_in(make_user(RoleCode.STATISTICIAN))
    value = IndicatorValue.objects.get(indicator=revenue, year=2019, month=12)
    answer = client.patch(
        f"/api/v1/indicators/values/{value.pk}",
        {"version": value.version, "value": None},
        content_type="application/json",
    )
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "value"
    value.refresh_from_db()
    assert value.value == Decimal("21.7")
