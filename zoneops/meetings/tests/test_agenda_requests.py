"""Overdue enterprise requests (企业诉求) on the agenda: read as of the meeting's date, zone-wide
for 月例会/季观摩, by responsibility and liaison (包联) for 周对接/线上洽谈, never twice."""

import json
from datetime import date

import pytest
from django.test import Client

from zoneops.common.exceptions import ApplicationError
from zoneops.enterprises.enums import LiaisonKind
from zoneops.enterprises.tests.factories import make_enterprise, make_liaison, make_request
from zoneops.meetings.enums import AgendaSource, MeetingKind
from zoneops.meetings.models import AgendaItem
from zoneops.meetings.services import (
    agenda_item_add,
    agenda_item_update,
    meeting_build_agenda,
)
from zoneops.meetings.tests.factories import make_meeting
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.tests.factories import make_project

MEETING_DAY = date(2020, 3, 30)

APPROVALS_LATE = "逾期诉求：北京现代沧州工厂——原材料运输车辆进园受限（逾期21天）"
PROJECT_LATE = "逾期诉求：中商高科——施工临时用电未接通（逾期19天）"
LIAISON_LATE = "逾期诉求：嘉诚汽车内饰——员工通勤班车线路（逾期18天）"
INVESTMENT_LATE = "逾期诉求：沧州明珠——投资协议补充条款未签（逾期14天）"


@pytest.fixture
def leader(org):
    return make_user(RoleCode.LEADER, departments=[org["zone"]])


@pytest.fixture
def records(org, leader):
    """Help requests (5 working days) accepted in March 2020, four of them overdue on the
    meeting's day: one at each bureau, one about the investment bureau's project routed to the
    approvals bureau, one of an enterprise the leader liaises with; and three that are not."""
    plant = make_enterprise("北京现代沧州工厂")
    investor = make_enterprise("中商高科")
    interior = make_enterprise("嘉诚汽车内饰")
    mingzhu = make_enterprise("沧州明珠")
    make_liaison(interior, person=leader)
    project = make_project(
        "中商高科·沧州产业园（一期）",
        responsible_department=org["investment"],
        investor_enterprise=investor,
        moves=[(Stage.SIGNED, date(2019, 1, 7))],
    )
    approvals = org["approvals"]
    return {
        "plant": plant,
        "project": project,
        "approvals_late": make_request(
            plant, title="原材料运输车辆进园受限", accepted=date(2020, 3, 2), department=approvals
        ),
        "project_late": make_request(
            investor,
            title="施工临时用电未接通",
            project=project,
            accepted=date(2020, 3, 4),
            department=approvals,
        ),
        "liaison_late": make_request(
            interior, title="员工通勤班车线路", accepted=date(2020, 3, 5), department=approvals
        ),
        "investment_late": make_request(
            mingzhu,
            title="投资协议补充条款未签",
            accepted=date(2020, 3, 9),
            department=org["investment"],
        ),
        "answered": make_request(
            plant,
            title="用工招聘",
            accepted=date(2020, 3, 2),
            department=approvals,
            answered=date(2020, 3, 6),
        ),
        "not_yet_due": make_request(
            mingzhu, title="人才公寓申请", accepted=date(2020, 3, 26), department=approvals
        ),
        "not_accepted": make_request(plant, title="政策咨询", filed_on=date(2020, 3, 2)),
    }


def _titles(items):
    return [item.title for item in items]


def test_a_monthly_meeting_gets_the_zones_overdue_requests_as_of_its_date(records):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY)

    items = meeting_build_agenda(meeting=meeting, by=None)

    assert _titles(items) == [APPROVALS_LATE, PROJECT_LATE, LIAISON_LATE, INVESTMENT_LATE]
    assert {item.source for item in items} == {AgendaSource.OVERDUE_REQUEST}
    first, about_project = items[0], items[1]
    assert (first.request, first.project) == (records["approvals_late"], None)
    assert first.note == "承办部门：行政审批局；办结期限：2020年3月9日"
    assert (about_project.request, about_project.project) == (
        records["project_late"],
        records["project"],
    )


def test_requests_not_overdue_on_an_earlier_date_are_left_off(records):
    meeting = make_meeting(MeetingKind.QUARTERLY_TOUR, held_on=date(2020, 3, 12))

    titles = _titles(meeting_build_agenda(meeting=meeting, by=None))

    assert titles == [
        "逾期诉求：北京现代沧州工厂——原材料运输车辆进园受限（逾期3天）",
        "逾期诉求：中商高科——施工临时用电未接通（逾期1天）",
    ]


def test_a_weekly_docking_gets_the_requests_of_its_departments_projects_and_liaison(records, org):
    def docking(title):
        meeting = make_meeting(
            MeetingKind.WEEKLY_DOCKING,
            title=title,
            held_on=MEETING_DAY,
            organiser=org["investment"],
        )
        return _titles(meeting_build_agenda(meeting=meeting, by=None))

    before_liaison = docking("招商局周对接")
    # The bureau liaises with the plant from before the meeting (部门包联); a liaison of its
    # section begun after the meeting does not count on the day.
    make_liaison(
        records["plant"],
        kind=LiaisonKind.DEPARTMENT,
        department=org["investment"],
        started_on=date(2020, 1, 2),
    )
    later = make_enterprise("沧州旭阳化工")
    make_liaison(
        later,
        kind=LiaisonKind.DEPARTMENT,
        department=org["investment_section"],
        started_on=date(2020, 4, 1),
    )
    make_request(
        later, title="危化品车辆停车场", accepted=date(2020, 3, 2), department=org["approvals"]
    )
    with_liaison = docking("招商局周对接（包联企业）")

    # its own department's request, and the one about its project routed elsewhere
    assert before_liaison == [PROJECT_LATE, INVESTMENT_LATE]
    assert with_liaison == [APPROVALS_LATE, PROJECT_LATE, INVESTMENT_LATE]


def test_online_talks_hosted_by_a_leader_get_the_requests_of_the_enterprises_he_liaises_with(
    records,
    leader,
):
    talks = make_meeting(MeetingKind.ONLINE_TALKS, held_on=MEETING_DAY, host=leader)

    titles = _titles(meeting_build_agenda(meeting=talks, by=None))

    assert titles == [LIAISON_LATE]


def test_building_twice_adds_no_request_again(records):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY)
    first = meeting_build_agenda(meeting=meeting, by=None)

    again = meeting_build_agenda(meeting=meeting, by=None)

    assert len(first) == 4
    assert again == []
    assert AgendaItem.objects.filter(meeting=meeting, request__isnull=False).count() == 4


def test_a_request_added_by_hand_brings_its_project_and_is_not_built_again(records):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY)
    manual = agenda_item_add(
        meeting=meeting,
        title="中商高科汇报临时用电接入",
        request=records["project_late"],
        by=None,
    )

    items = meeting_build_agenda(meeting=meeting, by=None)

    assert (manual.source, manual.project) == (AgendaSource.MANUAL, records["project"])
    assert records["project_late"] not in [item.request for item in items]
    assert _titles(items) == [APPROVALS_LATE, LIAISON_LATE, INVESTMENT_LATE]
    assert [item.order for item in items] == [2, 3, 4]


def test_a_request_of_another_project_is_refused_on_a_manual_item(records, org):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY)
    other = make_project(
        "京津冀整车智能物流中心",
        responsible_department=org["approvals"],
        moves=[(Stage.SIGNED, date(2019, 1, 21))],
    )

    with pytest.raises(ApplicationError) as caught:
        agenda_item_add(
            meeting=meeting,
            title="错配",
            project=other,
            request=records["project_late"],
            by=None,
        )
    # A request about no project leaves the project given as it is.
    item = agenda_item_add(
        meeting=meeting,
        title="物流中心与现代工厂",
        project=other,
        request=records["approvals_late"],
        by=None,
    )

    assert caught.value.field == "request"
    assert (item.project, item.request) == (other, records["approvals_late"])


def test_a_manual_item_takes_a_request_on_update_and_a_built_one_keeps_its_own(records):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY)
    manual = agenda_item_add(meeting=meeting, title="企业诉求专题", by=None)
    built = meeting_build_agenda(meeting=meeting, by=None)[0]

    agenda_item_update(item=manual, request=records["project_late"], by=None)
    with pytest.raises(ApplicationError) as caught:
        agenda_item_update(item=built, request=records["liaison_late"], by=None)

    manual.refresh_from_db()
    assert (manual.request, manual.project) == (records["project_late"], records["project"])
    assert caught.value.field == "request"


def test_the_build_reads_in_a_fixed_number_of_queries_whatever_the_requests(
    records, org, django_assert_max_num_queries
):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY)
    with django_assert_max_num_queries(20) as few:
        meeting_build_agenda(meeting=meeting, by=None)
    for index in range(10):
        about_project = index % 2 == 1
        make_request(
            records["project"].investor_enterprise if about_project else make_enterprise(),
            title=f"更多诉求{index}",
            project=records["project"] if about_project else None,
            accepted=date(2020, 3, 2),
            department=org["investment"] if about_project else org["approvals"],
        )
    other = make_meeting(MeetingKind.MONTHLY, title="另一次", held_on=MEETING_DAY)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(meeting_build_agenda(meeting=other, by=None)) == 14


# --- API ----------------------------------------------------------------------------------------


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def client(officer):
    client = Client()
    client.force_login(officer)
    return client


def _post(client, path, body=None):
    return client.post(
        f"/api/v1/meetings/{path}", json.dumps(body or {}), content_type="application/json"
    )


def test_the_api_adds_a_request_by_hand_and_shows_the_requests_on_the_agenda(
    client, officer, records
):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY, by=officer)
    mine = records["investment_late"]

    added = _post(client, f"{meeting.pk}/agenda", {"title": "明珠协议专题", "request_id": mine.pk})
    hidden = _post(
        client,
        f"{meeting.pk}/agenda",
        {"title": "别的部门的诉求", "request_id": records["approvals_late"].pk},
    )
    built = _post(client, f"{meeting.pk}/agenda/build")
    detail = client.get(f"/api/v1/meetings/{meeting.pk}").json()

    assert added.status_code == 201, added.content
    assert (added.json()["request_id"], added.json()["request_title"]) == (
        mine.pk,
        "投资协议补充条款未签",
    )
    assert hidden.status_code == 400, hidden.content
    assert {error["field"] for error in hidden.json()["errors"]} == {"request_id"}
    assert [item["request_title"] for item in built.json()] == [
        "原材料运输车辆进园受限",
        "施工临时用电未接通",
        "员工通勤班车线路",
    ]
    assert [(item["source"], item["request_id"]) for item in detail["agenda"]] == [
        (AgendaSource.MANUAL, mine.pk),
        (AgendaSource.OVERDUE_REQUEST, records["approvals_late"].pk),
        (AgendaSource.OVERDUE_REQUEST, records["project_late"].pk),
        (AgendaSource.OVERDUE_REQUEST, records["liaison_late"].pk),
    ]
    assert detail["agenda"][2]["project_id"] == records["project"].pk


# --- admin --------------------------------------------------------------------------------------


def test_the_admin_previews_the_overdue_requests_and_links_them_on_the_agenda(
    client, officer, records
):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY, by=officer)
    url = f"/admin/meetings/meeting/{meeting.pk}/build-agenda/"

    preview = client.get(url).content.decode()
    built = client.post(url)
    change = client.get(f"/admin/meetings/meeting/{meeting.pk}/change/").content.decode()

    assert APPROVALS_LATE in preview
    assert "承办部门：行政审批局；办结期限：2020年3月9日" in preview
    assert built.status_code == 302
    request = records["investment_late"]
    assert f"/admin/enterprises/enterpriserequest/{request.pk}/change/" in change
