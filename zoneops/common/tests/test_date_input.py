"""Every date lies in the range its kind makes plausible (`zoneops.common.inputs.DateKind`): a
founding date may be long ago but not before 1900 (Excel's first day) nor after today, a day
something happened (a filing, a step) is neither before 1990 nor in the future, any other date of
a record lies between 1990 and 2100. One check, called by the records, the services, the forms,
the API and the importer; a date stored before it still exports as a day, never as -693594; a
date or a year in a filter that no record can have never answers 500, nor does working-day
arithmetic near the year 9999."""

import io
from datetime import date, timedelta

import pytest
import python_calamine
import xlsxwriter
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import timezone

from zoneops.common.excel import Sheet, write_workbook
from zoneops.common.exceptions import ApplicationError
from zoneops.common.importing import import_preview
from zoneops.common.inputs import (
    FIRST_YEAR,
    LAST_YEAR,
    DateKind,
    date_error,
    parse_month,
    read_day,
    read_month,
    year_error,
)
from zoneops.common.services import record_save
from zoneops.common.workcalendar import (
    add_working_days,
    working_day_warning,
    working_days_between,
)
from zoneops.enterprises.excel import EnterpriseRegister
from zoneops.enterprises.models import Enterprise, EnterpriseRequest
from zoneops.enterprises.tests.factories import make_enterprise, valid_credit_code
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import User
from zoneops.orgs.tests.factories import make_user


def test_the_range_of_each_kind():
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    expected = {
        DateKind.FOUNDED: (date(1900, 1, 1), today),
        DateKind.PAST: (date(1990, 1, 1), today),
        DateKind.RECORD: (date(1990, 1, 1), date(2100, 12, 31)),
        DateKind.ANY: (date(1900, 1, 1), date(2100, 12, 31)),
    }
    for kind, (first, last) in expected.items():
        assert date_error(first, kind) is None
        assert date_error(last, kind) is None
        assert date_error(first - timedelta(days=1), kind)
        assert date_error(last + timedelta(days=1), kind)
    assert "晚于今天" in date_error(tomorrow, DateKind.PAST)


def test_a_date_or_month_out_of_range_is_said_as_reports_write_it():
    """The refusal names the day or month the way a Chinese report writes it, and the bound."""
    assert date_error(date(1, 1, 1), DateKind.RECORD) == (
        "1年1月1日早于1990年1月1日（可登记的最早日期），请检查年份。"
    )
    assert date_error(date(9999, 12, 31), DateKind.RECORD) == (
        "9999年12月31日晚于2100年12月31日（可登记的最晚日期），请检查年份。"
    )
    with pytest.raises(ValidationError) as early:
        parse_month("0001-01")
    assert early.value.messages == ["1年1月早于1990年1月（可登记的最早月份），请检查年份。"]
    with pytest.raises(ValidationError) as late:
        parse_month("2200年3月")
    assert late.value.messages == ["2200年3月晚于2100年12月（可登记的最晚月份），请检查年份。"]


def test_a_record_refuses_a_founding_date_out_of_range_at_its_field(db):
    enterprise = make_enterprise("沧州甲零部件有限公司")
    for day in (date(1, 1, 1), date(1899, 12, 31), date(2099, 1, 1)):
        enterprise.established_on = day
        with pytest.raises(ValidationError) as refused:
            record_save(instance=enterprise, by=None)
        assert set(refused.value.message_dict) == {"established_on"}
    enterprise.established_on = date(1950, 5, 1)
    record_save(instance=enterprise, by=None)


@pytest.fixture
def admin_client(org):
    client = Client()
    client.force_login(make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]]))
    return client


@pytest.mark.parametrize(
    ("day", "status"),
    [("0001-01-01", 422), ("1899-12-31", 422), ("2099-01-01", 400), ("1950-05-01", 201)],
)
def test_the_api_refuses_a_founding_date_out_of_range_naming_it(admin_client, day, status):
    response = admin_client.post(
        "/api/v1/enterprises/",
        {"name": "沧州甲零部件有限公司", "established_on": day},
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    if status != 201:
        assert {e["field"] for e in response.json()["errors"]} == {"established_on"}
        assert not Enterprise.objects.exists()


@pytest.mark.parametrize(
    ("day", "status"), [("0001-01-01", 422), ("1980-01-01", 400), ("2099-01-01", 400)]
)
def test_the_api_refuses_a_filing_date_out_of_range_naming_it(admin_client, day, status):
    enterprise = make_enterprise("沧州甲零部件有限公司")
    response = admin_client.post(
        "/api/v1/enterprises/requests",
        {
            "enterprise_id": enterprise.pk,
            "title": "道路未通",
            "description": "原料车辆无法进场",
            "kind": "help",
            "category": "bottleneck",
            "topic": "land",
            "filed_on": day,
        },
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    assert {e["field"] for e in response.json()["errors"]} == {"filed_on"}
    assert not EnterpriseRequest.objects.exists()


def test_the_back_office_form_refuses_it_at_the_field(admin_client):
    response = admin_client.post(
        "/admin/enterprises/enterprise/add/",
        {"name": "沧州甲零部件有限公司", "established_on": "2099-01-01"},
    )
    assert response.status_code == 200
    assert "established_on" in response.context["adminform"].form.errors
    assert not Enterprise.objects.exists()


def test_an_excel_cell_out_of_range_is_refused_in_the_preview_naming_row_and_column(org):
    user = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("企业名录")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    rows = [
        ("0001-01-01", "text"),
        ("1899-12-31", "text"),
        (date(2099, 1, 1), "date"),
        (date(1950, 5, 1), "date"),
    ]
    for column, header in enumerate(("统一社会信用代码", "企业名称", "成立日期")):
        sheet.write_string(0, column, header)
    for row, (value, kind) in enumerate(rows, start=1):
        sheet.write_string(row, 0, valid_credit_code())
        sheet.write_string(row, 1, f"测试企业{row}")
        if kind == "date":
            sheet.write_datetime(row, 2, value, day)
        else:
            sheet.write_string(row, 2, value)
    book.close()

    plan = import_preview(register=EnterpriseRegister(), data=buffer.getvalue(), user=user)

    assert {(error.row, error.column) for error in plan.errors} == {
        (2, "成立日期"),
        (3, "成立日期"),
        (4, "成立日期"),
    }
    assert not Enterprise.objects.exists()


def _cells(content: bytes, sheet: str) -> list[list]:
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return workbook.get_sheet_by_name(sheet).to_python()


def test_a_date_stored_before_the_check_still_exports_as_a_day(org):
    """XlsxWriter writes a day before 1900 as a negative number: -693594 for year 1."""
    user = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    make_enterprise("沧州甲零部件有限公司", established_on=date(2008, 3, 8))
    make_enterprise("沧州乙物流有限公司")
    Enterprise.objects.filter(name="沧州乙物流有限公司").update(established_on=date(1, 1, 1))
    register = EnterpriseRegister()

    rows = _cells(register.export(Enterprise.objects.order_by("name"), user=user), "企业名录")

    position = rows[0].index("成立日期")
    values = {row[rows[0].index("企业名称")]: row[position] for row in rows[1:]}
    assert values == {"沧州甲零部件有限公司": date(2008, 3, 8), "沧州乙物流有限公司": "0001-01-01"}

    table = write_workbook([Sheet(name="表", rows=[[date(1, 1, 1), date(2019, 10, 1)]])])
    assert _cells(table, "表") == [["0001-01-01", date(2019, 10, 1)]]


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x-Pass-123"))
    return client


def test_every_list_filtered_by_an_impossible_date_or_year_shows_itself_unfiltered(
    superuser_client,
):
    tried = 0
    for model in admin.site._registry:
        meta = model._meta
        try:
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        for field in meta.get_fields():
            if not isinstance(field, models.DateField):
                continue
            for lookup, value in (
                ("gte", "0001-01-01"),
                ("exact", "0001-01-01"),
                ("lte", "9999-12-31"),
                ("year", "99999"),
                ("year", "0"),
            ):
                response = superuser_client.get(url, {f"{field.name}__{lookup}": value})
                assert response.status_code == 302, (url, field.name, lookup, value)
                tried += 1
    assert tried > 100


FILTERS = [
    {"as_of": "9999-12-31"},
    {"as_of": "0001-01-01"},
    {"on": "9999-12-31"},
    {"year": "0"},
    {"year": "99999"},
    {"year": "9999", "first_month": "1", "last_month": "12", "by": "topic"},
    {"month": "9999-12"},
    {"month": "0001-01"},
    {"key_year": "99999999999999999999"},
    {"registered_from": "0001-01-01", "registered_to": "9999-12-31"},
]


def _pages() -> list[str]:
    """Every page of the back office and the enterprise pages that takes no id in its path."""

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern, route)
            else:
                yield route

    return [
        "/" + route
        for route in walk(get_resolver())
        if route.startswith(("admin/", "enterprise/"))
        and "<" not in route
        and "(?P" not in route
        and "logout" not in route
    ]


def test_every_page_given_an_impossible_date_or_year_answers(superuser_client):
    pages = _pages()
    assert len(pages) > 40
    for page in pages:
        for query in FILTERS:
            response = superuser_client.get(page, query)
            assert response.status_code < 500, (page, query, response.status_code)


def test_working_day_arithmetic_near_the_last_day_refuses_instead_of_overflowing(db):
    last = date.max  # 9999-12-31, a Friday
    for start, days in ((last, 1), (last - timedelta(days=3), 5)):
        with pytest.raises(ApplicationError):
            add_working_days(start, days)
    assert working_days_between(date(9999, 12, 1), last).days == 22
    with pytest.raises(ApplicationError):
        working_day_warning(last - timedelta(days=3), 10, today=last)
    assert working_day_warning(last - timedelta(days=1), 1, today=last) == "yellow"


def test_every_year_asked_for_is_held_to_one_range(org):
    """A year's plan, figures, summary, board or statistics: FIRST_YEAR to LAST_YEAR, the years
    of the zone's records (zoneops.common.inputs), with one sentence saying so."""
    from zoneops.enterprises.admin.requests import StatisticsForm
    from zoneops.enterprises.services import FigureInput, figure_problems
    from zoneops.projects.forms import BoardFilterForm, SummaryForm
    from zoneops.projects.services.scheduling import annual_plan_check

    assert year_error(FIRST_YEAR) is None and year_error(LAST_YEAR) is None
    for year in (FIRST_YEAR - 1, LAST_YEAR + 1):
        with pytest.raises(ApplicationError) as refused:
            annual_plan_check(year=year, planned_investment=100)
        assert (refused.value.field, refused.value.message) == ("year", year_error(year))
        figures = FigureInput(enterprise_id=1, year=year, month=None, values={})
        assert figure_problems(figures) == [("year", year_error(year))]

    user = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    forms = {
        "year": lambda year: SummaryForm({"year": year}),
        "key_year": lambda year: BoardFilterForm({"key_year": year}, user=user),
        "statistics": lambda year: StatisticsForm(
            {"year": year, "first_month": 1, "last_month": 12, "by": "topic"}
        ),
    }
    for name, form in forms.items():
        field = "year" if name == "statistics" else name
        for year, fits in ((FIRST_YEAR, True), (LAST_YEAR, True), (LAST_YEAR + 1, False)):
            assert (field not in form(year).errors) is fits, (name, year)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2019-10", date(2019, 10, 1)),
        (" 2019/1 ", date(2019, 1, 1)),
        ("2019年10月", date(2019, 10, 1)),
        ("2019-10-31", date(2019, 10, 1)),
        ("2019年10月1日", date(2019, 10, 1)),
        ("0001-01", date(1, 1, 1)),  # a month, out of every record's range: parse_month says so
        ("2019-13", None),
        ("2019-02-30", None),
        ("0000-01", None),
        ("201910", None),
        ("十月", None),
        ("", None),
    ],
)
def test_a_month_is_read_from_its_text_in_one_place(text, month):
    assert read_month(text) == month
    if month is not None and not date_error(month, DateKind.RECORD):
        assert parse_month(text) == month
    else:
        with pytest.raises(ValidationError):
            parse_month(text)


@pytest.mark.parametrize(
    ("text", "leading", "day"),
    [
        ("2019-10-01", False, date(2019, 10, 1)),
        (" 2019/10/1 ", False, date(2019, 10, 1)),
        ("2019.10.01", False, date(2019, 10, 1)),
        ("2019 年 10 月 1 日", False, date(2019, 10, 1)),
        ("20191001", False, date(2019, 10, 1)),
        ("0001-01-01", False, date(1, 1, 1)),  # a day, out of every range: date_error says so
        ("2019-10-01 08:00", False, None),
        ("2019-10-01 08:00", True, date(2019, 10, 1)),  # a filter's value
        ("1-1-1,2019", True, date(1, 1, 1)),
        ("2019-02-30", False, None),
        ("2019-13-01", True, None),
        ("十月一日", False, None),
        ("", True, None),
    ],
)
def test_a_day_is_read_from_its_text_in_one_place(text, leading, day):
    assert read_day(text, leading=leading) == day
