"""The leaders' cockpit: one page whose panels each load by a request of their own, within the
viewer's data scope, with every figure linked to the records behind it."""

import json
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zoneops.cockpit.selectors import PANELS
from zoneops.enterprises.tests.factories import make_enterprise
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


def _projects(department, count, start=0):
    for number in range(start, start + count):
        make_project(
            f"项目{number}",
            investment=10000 * (number + 1),
            moves=[(Stage.LEAD, date(2020, 2, 3)), (Stage.STARTED, date(2020, 5, 6))],
            responsible_department=department,
        )


def test_the_page_and_the_wall_display(org):
    client = signed_in(make_user(RoleCode.PRINCIPAL, departments=[org["zone"]]))
    page = client.get(reverse("cockpit:index"))
    text = page.content.decode()
    assert page.status_code == 200 and 'id="nav-sidebar"' in text
    for key in PANELS:
        assert f'hx-get="{reverse("cockpit:panel", args=[key])}"' in text
    wall = client.get(reverse("cockpit:index"), {"wall": "1"}).content.decode()
    assert '<meta http-equiv="refresh" content="300">' in wall and "cockpit-panels" in wall
    assert 'id="nav-sidebar"' not in wall and "退出全屏" in wall


def test_every_panel_answers_within_the_viewers_scope(org):
    _projects(org["investment"], 3)
    _projects(org["approvals"], 2, start=3)
    principal = signed_in(make_user(RoleCode.PRINCIPAL, departments=[org["zone"]]))
    for key in PANELS:
        answer = principal.get(reverse("cockpit:panel", args=[key]))
        assert answer.status_code == 200, key
        assert "截至2020年7月10日" in answer.content.decode(), key
    pipeline = principal.get(reverse("cockpit:panel", args=["pipeline"])).content.decode()
    assert ">5<" in pipeline.replace(" ", "")  # five projects zone-wide
    staff = signed_in(make_user(RoleCode.STAFF, departments=[org["approvals"]]))
    own = staff.get(reverse("cockpit:panel", args=["pipeline"])).content.decode()
    assert ">2<" in own.replace(" ", "")  # his department's two
    assert principal.get(reverse("cockpit:panel", args=["nothing"])).status_code == 404


def test_a_panels_queries_do_not_grow_with_the_records(org, django_assert_max_num_queries):
    client = signed_in(make_user(RoleCode.PRINCIPAL, departments=[org["zone"]]))
    _projects(org["investment"], 2)
    counts = {}
    for key in PANELS:
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("cockpit:panel", args=[key]))
        counts[key] = len(few.captured_queries)
    _projects(org["approvals"], 6, start=2)
    for key in PANELS:
        with django_assert_max_num_queries(counts[key]):
            client.get(reverse("cockpit:panel", args=[key]))


def test_the_api_gives_each_panels_figures(org):
    _projects(org["investment"], 3)
    client = signed_in(make_user(RoleCode.PRINCIPAL, departments=[org["zone"]]))
    keys = [panel["key"] for panel in client.get("/api/v1/cockpit/panels").json()]
    assert keys == list(PANELS)
    pipeline = client.get("/api/v1/cockpit/panels/pipeline").json()
    assert pipeline["as_of"] == "2020-07-10"
    assert pipeline["tiles"][0]["value"] == "3" and pipeline["tiles"][0]["url"]
    assert pipeline["chart"]["labels"][0] == "线索"
    assert client.get("/api/v1/cockpit/panels/nothing").status_code == 404
    enterprise = make_enterprise()
    enterprise_user = signed_in(make_user(RoleCode.ENTERPRISE, enterprise=enterprise))
    assert enterprise_user.get("/api/v1/cockpit/panels/pipeline").status_code == 403


def test_the_economy_shows_each_targets_trend_against_the_schedule(org):
    from decimal import Decimal

    from zoneops.cockpit.selectors import economy_panel
    from zoneops.indicators.models import Indicator, IndicatorTarget, IndicatorValue

    fiscal = Indicator.objects.create(code="CZSR", name="全部财政收入", unit="亿元")
    IndicatorTarget.objects.create(indicator=fiscal, year=2020, value=Decimal(24))
    for month, value in ((1, 2), (2, 3), (3, 6)):
        IndicatorValue.objects.create(indicator=fiscal, year=2020, month=month, value=value)
    panel = economy_panel(user=None, today=TODAY)
    chart = json.loads(panel.chart)
    assert chart["labels"] == ["1月", "2月", "3月"]
    schedule, trend = chart["datasets"]
    assert schedule["data"] == [8.3, 16.7, 25.0]
    assert trend["label"] == "全部财政收入完成率" and trend["data"][2] == 25.0
    assert panel.rows[0].value == "6" and not panel.rows[0].alert  # 25% against 25%
