"""Enterprise requests in Excel: the register of requests and the statistics table, read back
with python-calamine."""

import io
from datetime import date

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zoneops.common.models import CalendarYear
from zoneops.common.workcalendar import calendar_cache_clear
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.enterprises.request_excel import request_statistics_workbook, requests_workbook
from zoneops.enterprises.selectors.requests import requests_statistics
from zoneops.enterprises.services.requests import request_answer, request_resume, request_suspend
from zoneops.enterprises.tests.factories import make_enterprise, make_request

REGISTER_HEADERS = [
    "序号",
    "企业",
    "统一社会信用代码",
    "诉求",
    "诉求内容",
    "类型",
    "类别",
    "领域",
    "渠道",
    "相关项目",
    "提交日期",
    "承办部门",
    "受理日期",
    "办理时限（工作日）",
    "批准延期（工作日）",
    "暂停计时（工作日）",
    "办结期限",
    "状态",
    "预警",
    "答复日期",
    "用时（工作日）",
    "答复内容",
    "评价",
    "评价意见",
    "重办次数",
    "退回理由",
]


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


def read(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


@pytest.fixture
def requests(org):
    enterprise = make_enterprise("北京现代沧州工厂")
    answered = make_request(
        enterprise,
        title="物流车辆进园受限",
        accepted=date(2026, 3, 2),
        department=org["approvals"],
        answered=date(2026, 3, 4),
        rated=date(2026, 3, 5),
        score=4,
        comment="解决及时",
    )
    submitted = make_request(enterprise, title='=HYPERLINK("x")', filed_on=date(2026, 3, 3))
    return answered, submitted


def test_the_register_has_chinese_headers_and_one_row_per_request(requests):
    answered, _submitted = requests

    rows = read(requests_workbook(requests=EnterpriseRequest.objects.order_by("pk")))

    assert rows[0][0] == "企业诉求登记表"
    assert "共2件" in rows[1][0]
    assert rows[2] == REGISTER_HEADERS
    first = dict(zip(REGISTER_HEADERS, rows[3], strict=True))
    assert first["序号"] == 1
    assert first["企业"] == "北京现代沧州工厂"
    assert first["统一社会信用代码"] == answered.enterprise.credit_code
    assert first["诉求"] == "物流车辆进园受限"
    assert (first["类型"], first["类别"], first["领域"]) == ("求助", "堵点", "物流")
    assert first["渠道"] == "包联人员代报"
    assert first["提交日期"] == date(2026, 3, 2)
    assert first["承办部门"] == "行政审批局"
    assert first["受理日期"] == date(2026, 3, 2)
    assert first["办理时限（工作日）"] == 5
    assert first["办结期限"] == answered.due_on
    assert first["状态"] == "已评价"
    assert first["预警"] == "按期答复"
    assert first["答复日期"] == date(2026, 3, 4)
    assert first["用时（工作日）"] == 2
    assert first["评价"] == 4
    assert first["评价意见"] == "解决及时"
    assert first["重办次数"] == 0


def test_a_submitted_request_leaves_the_later_columns_empty(requests):
    rows = read(requests_workbook(requests=EnterpriseRequest.objects.order_by("pk")))

    second = dict(zip(REGISTER_HEADERS, rows[4], strict=True))
    assert second["状态"] == "待受理"
    assert second["承办部门"] == "" and second["受理日期"] == "" and second["预警"] == ""
    assert second["用时（工作日）"] == ""


# Accepted in December: the limit runs into next year, which nobody has entered.
@pytest.mark.time_machine("2026-12-01T10:00+08:00", tick=False)
def test_a_deadline_in_a_year_not_entered_is_flagged_provisional(org):
    today = timezone.localdate()
    CalendarYear.objects.filter(year__gt=today.year).delete()
    running = make_request(
        make_enterprise(), accepted=today, department=org["approvals"], limit_days=250
    )
    assert running.due_on.year > today.year and running.due_provisional

    rows = read(requests_workbook(requests=[running]))

    row = dict(zip(REGISTER_HEADERS, rows[3], strict=True))
    assert row["办结期限"] == running.due_on
    assert row["预警"].startswith("正常：剩") and "期限待定" in row["预警"]


def test_a_suspended_clock_shows_in_the_warning_and_its_days_are_not_counted_as_used(org):
    enterprise = make_enterprise("北京现代沧州工厂")
    waiting = make_request(
        enterprise, title="等企业补材料", accepted=date(2026, 3, 2), department=org["approvals"]
    )
    request_suspend(request=waiting, reason="请补充材料。", on=date(2026, 3, 4), by=None)
    done = make_request(
        enterprise, title="补材料后答复", accepted=date(2026, 3, 2), department=org["approvals"]
    )
    request_suspend(request=done, reason="请补充材料。", on=date(2026, 3, 4), by=None)
    request_resume(request=done, on=date(2026, 3, 9), by=None)  # stood 3 working days
    request_answer(request=done, answer="已办结", on=date(2026, 3, 11), by=None)

    rows = read(requests_workbook(requests=EnterpriseRequest.objects.order_by("pk")))

    first, second = (dict(zip(REGISTER_HEADERS, row, strict=True)) for row in rows[3:5])
    assert first["预警"] == "暂停计时（自2026年3月4日起，待企业补充材料）"
    assert first["暂停计时（工作日）"] == ""  # still standing: counted when it runs again
    assert (second["暂停计时（工作日）"], second["办结期限"]) == (3, date(2026, 3, 12))
    assert (second["预警"], second["用时（工作日）"]) == ("按期答复", 4)  # 7 less the 3 stood


def test_a_text_that_looks_like_a_formula_is_written_as_text(requests):
    rows = read(requests_workbook(requests=EnterpriseRequest.objects.order_by("pk")))

    assert rows[4][3] == '\'=HYPERLINK("x")'


def test_the_register_takes_a_plain_list_too(requests):
    answered, _submitted = requests

    rows = read(requests_workbook(requests=[answered]))

    assert len(rows) == 4 and rows[3][3] == "物流车辆进园受限"


def test_the_statistics_table_puts_the_total_first(requests, org):
    statistics = requests_statistics(
        user=None, start=date(2026, 1, 1), end=date(2026, 10, 31), by="topic"
    )

    rows = read(request_statistics_workbook(statistics=statistics, title="2026年1-10月诉求统计"))

    assert rows[0][0] == "2026年1-10月诉求统计"
    assert "2026年1月1日至2026年10月31日" in rows[1][0]
    assert rows[2] == [
        "领域",
        "提交（件）",
        "已答复（件）",
        "未办结（件）",
        "逾期未办结（件）",
        "按期答复率（%）",
        "平均用时（工作日）",
        "平均评分",
        "评价（次）",
        "满意率（%）",
        "重办（件）",
        "重办率（%）",
    ]
    total, logistics = rows[3], rows[4]
    assert total[:5] == ["合计", 2, 1, 1, 0]
    assert logistics[0] == "物流"
    assert logistics[5] == 100.0  # on time
    assert logistics[6] == 2.0 and logistics[7] == 4.0 and logistics[8] == 1
    assert logistics[9] == 100.0 and logistics[10] == 0 and logistics[11] == 0.0


def test_a_rate_without_a_denominator_shows_a_dash(org):
    make_request(make_enterprise(), title="刚提交", filed_on=date(2026, 3, 3))
    statistics = requests_statistics(
        user=None, start=date(2026, 3, 1), end=date(2026, 3, 31), by="kind"
    )

    rows = read(request_statistics_workbook(statistics=statistics, title="2026年3月"))

    assert rows[3][:6] == ["合计", 1, 0, 1, 0, "—"]
    assert rows[4][0] == "求助"
