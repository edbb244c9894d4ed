"""Briefings: a period's text written from the records, on screen, as .docx and in the API;
every figure computed now and traceable to the query that gave it."""

import io
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from zoneops.briefings.selectors import BriefingPeriod, briefing_for
from zoneops.common.exceptions import ApplicationError
from zoneops.indicators.models import Indicator, IndicatorValue
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in
from zoneops.projects.enums import Stage
from zoneops.projects.tests.factories import make_project

TODAY = date(2020, 7, 10)


@pytest.fixture(autouse=True)
def _frozen():
    moment = datetime.combine(TODAY, time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def records(db):
    lead = (Stage.LEAD, date(2018, 3, 1))
    make_project("竣工一", investment=230000, moves=[lead, (Stage.COMPLETED, date(2019, 6, 1))])
    make_project("在谈一", investment=100000, moves=[lead, (Stage.DEEP_TALKS, date(2019, 2, 1))])
    make_project("在谈二", investment=50000, moves=[lead, (Stage.DEEP_TALKS, date(2019, 4, 1))])
    fiscal = Indicator.objects.create(code="CZSR", name="全部财政收入", unit="亿元")
    for year, value in ((2018, "16.662"), (2019, "21.7")):
        IndicatorValue.objects.create(indicator=fiscal, year=year, month=12, value=Decimal(value))


def test_the_period_is_named_as_reports_name_it():
    assert BriefingPeriod.of(year=2019, kind="quarter", number=3).label(TODAY) == "2019年前三季度"
    assert BriefingPeriod.of(year=2019, kind="quarter", number=2).label(TODAY) == "2019年上半年"
    assert BriefingPeriod.of(year=2020, kind="month", number=6).label(TODAY) == "2020年1-6月"
    assert BriefingPeriod.of(year=2019, kind="year").label(TODAY) == "2019年"
    assert BriefingPeriod.of(year=2020, kind="year").label(TODAY) == "2020年1-12月"
    with pytest.raises(ApplicationError) as refused:
        BriefingPeriod.of(year=2019, kind="quarter", number=5)
    assert refused.value.field == "number"


def test_a_briefing_is_written_from_the_records(records):
    briefing = briefing_for(year=2019, kind="year")
    texts = {section.key: section.text for section in briefing.sections}
    assert texts["pipeline"] == (
        "2019年，共洽谈项目3个，总投资38亿元。其中，竣工项目1个，总投资23亿元；"
        "深度在谈项目2个，总投资15亿元。"
    )
    assert texts["economy"] == "2019年，全区全部财政收入21.7亿元，同比增长30.24%。"
    # Nothing held in the period: no section says "0".
    assert "events" not in texts and "service" not in texts
    figures = next(s for s in briefing.sections if s.key == "pipeline").paragraphs[0].figures
    assert [str(figure) for figure in figures[:4]] == ["3个", "38亿元", "1个", "23亿元"]
    assert figures[0].url.startswith(reverse("admin:projects_project_summary"))
    assert "pipeline_summary(year=2019" in figures[0].query


def test_the_page_the_word_file_and_the_api(records):
    client = signed_in(make_user(RoleCode.STATISTICIAN))
    page = client.get(reverse("briefings:index"), {"year": 2019, "kind": "year"})
    text = page.content.decode()
    assert page.status_code == 200 and "2019年工作简报" in text
    assert 'title="招商项目情况表（按项目类别），截至2019年12月31日"' in text
    assert "仅含您数据范围内的记录" not in text
    # A department's staff get their scope's briefing, and are told so.
    staff = signed_in(make_user(RoleCode.STAFF))
    narrow = staff.get(reverse("briefings:index"), {"year": 2019, "kind": "year"})
    assert "仅含您数据范围内的记录" in narrow.content.decode()
    assert "共洽谈项目" not in narrow.content.decode()
    download = client.get(reverse("briefings:download"), {"year": 2019, "kind": "year"})
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    document = Document(io.BytesIO(download.content))
    lines = [paragraph.text for paragraph in document.paragraphs]
    assert lines[0] == "2019年工作简报"
    assert "附：数据来源" in lines
    sources = lines[lines.index("附：数据来源") + 1 :]
    assert "1. 21.7亿元：经济指标“全部财政收入”2019年1-12月" in sources
    assert not any("selectors" in line for line in sources)  # no code in a clerk's document
    answer = client.get("/api/v1/briefings/", {"year": 2019, "kind": "year"}).json()
    assert answer["title"] == "2019年工作简报" and answer["whole_zone"] is True
    keys = [section["key"] for section in answer["sections"]]
    assert "pipeline" in keys


def test_bad_periods_are_refused_with_the_field_named(records):
    client = signed_in(make_user(RoleCode.STATISTICIAN))
    page = client.get(reverse("briefings:index"), {"year": 2019, "kind": "quarter", "number": 7})
    assert page.status_code == 200 and "季度应为1至4" in page.content.decode()
    for query in ({"year": "0"}, {"year": "x"}, {"year": 2019, "kind": "week"}):
        assert client.get(reverse("briefings:download"), query).status_code == 400
        assert client.get("/api/v1/briefings/", query).status_code in (400, 422)
    refused = client.get("/api/v1/briefings/", {"year": 2019, "kind": "quarter", "number": 5})
    assert refused.status_code == 400 and "季度" in refused.json()["message"]


def test_the_check_page_the_upload_and_the_api(records):
    client = signed_in(make_user(RoleCode.STATISTICIAN))
    text = (
        "2019年,共洽谈项目3个,总投资40亿元。"
        "其中,竣工项目1个,总投资23亿元;深度在谈项目2个,总投资15亿元。"
    )
    page = client.post(reverse("briefings:check"), {"text": text})
    body = page.content.decode()
    assert page.status_code == 200
    assert 'class="check-mismatch"' in body and "合计应为38亿元" in body
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    upload = SimpleUploadedFile("汇报.docx", out.getvalue())
    uploaded = client.post(reverse("briefings:check"), {"file": upload})
    assert "合计应为38亿元" in uploaded.content.decode()
    answer = client.post(
        "/api/v1/briefings/check", {"text": text}, content_type="application/json"
    ).json()
    statuses = {figure["text"]: figure["status"] for figure in answer["figures"]}
    assert statuses["40亿元"] == "mismatch" and statuses["3个"] == "match"
    (wrong,) = [f for f in answer["figures"] if f["text"] == "40亿元"]
    assert wrong["records"]["text"] == "38" and wrong["records"]["url"]


def test_bad_text_and_files_are_refused_with_a_message(records):
    client = signed_in(make_user(RoleCode.STATISTICIAN))
    for data, message in (
        ({"text": ""}, "请粘贴或上传"),
        ({"text": "x" * 100_001}, "文字过长"),
        ({"text": "2019年\x00共3个"}, 'class="zo-error"'),
        ({"file": SimpleUploadedFile("a.pdf", b"%PDF")}, "只能上传"),
        ({"file": SimpleUploadedFile("a.docx", b"not a zip")}, "不是有效的Word"),
        ({"file": SimpleUploadedFile("a.txt", b"")}, "空文件"),
    ):
        page = client.post(reverse("briefings:check"), data)
        assert page.status_code == 200 and message in page.content.decode(), message
    answer = client.post("/api/v1/briefings/check", {"text": ""}, content_type="application/json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "text"
    gbk = SimpleUploadedFile("a.txt", "2019年，共洽谈项目3个".encode("gb18030"))
    assert "check-match" in client.post(reverse("briefings:check"), {"file": gbk}).content.decode()


def test_sums_are_compared_as_the_total_is_rounded_and_rough_totals_are_not(records):
    from zoneops.briefings.selectors import figure_check

    def text(total: str, first: str, second: str) -> str:
        return (
            f"2019年，共洽谈项目3个，总投资{total}亿元。其中，竣工项目1个，总投资{first}亿元；"
            f"深度在谈项目2个，总投资{second}亿元。"
        )

    # 446.95 is 447 once rounded as the total is; a rough total says no exact sum.
    assert not figure_check(text=text("447", "223.4", "223.55")).inconsistencies
    assert not figure_check(text=text("超400", "23", "15")).inconsistencies
    assert len(figure_check(text=text("447", "23", "15")).inconsistencies) == 1


def test_a_docx_that_unpacks_too_large_is_refused_before_it_is_parsed(records):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b"a" * (60 * 2**20))
    client = signed_in(make_user(RoleCode.STATISTICIAN))
    upload = SimpleUploadedFile("炸弹.docx", out.getvalue())
    assert len(out.getvalue()) < 2**20
    page = client.post(reverse("briefings:check"), {"file": upload})
    assert "解压后过大" in page.content.decode()


def test_a_briefings_queries_do_not_grow_with_the_records(records, settings):
    settings.ZONEOPS_CACHE_SECONDS = 0  # the computation's queries, not the cache's hit
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        briefing_for(year=2019, kind="year")
    lead = (Stage.LEAD, date(2018, 3, 1))
    for number in range(6):
        make_project(f"新项目{number}", investment=10000, moves=[lead])
    with CaptureQueriesContext(connection) as more:
        again = briefing_for(year=2019, kind="year")
    assert len(more.captured_queries) == len(few.captured_queries)
    pipeline = next(s for s in again.sections if s.key == "pipeline")
    assert "共洽谈项目9个" in pipeline.text  # the six new leads count in 2019's table
