"""The agenda built from the records: red lights, overdue problems and late milestones as of the
meeting's date, zone-wide for 月例会/季观摩, by responsibility for 周对接/线上洽谈."""

from datetime import date

import pytest

from zoneops.common.exceptions import ApplicationError
from zoneops.meetings.enums import AgendaSource, MeetingKind
from zoneops.meetings.models import AgendaItem
from zoneops.meetings.services import (
    agenda_item_add,
    agenda_item_remove,
    decision_create,
    meeting_build_agenda,
    meeting_hold,
)
from zoneops.meetings.tests.factories import make_meeting, make_milestone, make_problem
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.tests.factories import make_project

MEETING_DAY = date(2020, 3, 30)


@pytest.fixture
def leader(org):
    return make_user(RoleCode.LEADER, departments=[org["zone"]])


@pytest.fixture
def records(org, leader):
    """A key project of the investment bureau with a late milestone (so a red light), a project
    of the approvals bureau with an overdue problem at each bureau, and one the leader liaises
    with whose milestone was reached only after the meeting."""
    key = make_project(
        "中商高科·沧州产业园（一期）",
        responsible_department=org["investment"],
        moves=[(Stage.SIGNED, date(2019, 1, 7)), (Stage.STARTED, date(2019, 4, 22))],
        key_levels={2020: ["city"]},
    )
    approvals_project = make_project(
        "京津冀整车智能物流中心",
        responsible_department=org["approvals"],
        moves=[(Stage.SIGNED, date(2019, 1, 21))],
    )
    liaison = make_project(
        "嘉诚汽车内饰项目",
        responsible_department=org["approvals"],
        liaison_leader=leader,
        moves=[(Stage.SIGNED, date(2019, 8, 19))],
    )
    return {
        "key": key,
        "key_milestone": make_milestone(key, "主体封顶", planned_on=date(2020, 3, 1)),
        "approvals_problem": make_problem(
            approvals_project,
            "施工许可未办结",
            department=org["approvals"],
            routed_on=date(2020, 3, 2),
            due_on=date(2020, 3, 9),
        ),
        "investment_problem": make_problem(
            approvals_project,
            "投资协议补充条款未签",
            department=org["investment"],
            routed_on=date(2020, 3, 9),
            due_on=date(2020, 3, 16),
        ),
        "resolved_problem": make_problem(
            approvals_project,
            "临时用电",
            department=org["approvals"],
            routed_on=date(2020, 3, 2),
            due_on=date(2020, 3, 9),
            resolved_on=date(2020, 3, 5),
        ),
        "liaison_milestone": make_milestone(
            liaison, "设备进场", planned_on=date(2020, 3, 15), actual_on=date(2020, 4, 5)
        ),
        "future_milestone": make_milestone(liaison, "竣工验收", planned_on=date(2020, 9, 30)),
    }


def _summary(items):
    return [(item.source, item.title) for item in items]


def test_the_monthly_meeting_agenda_is_the_zones_red_and_overdue_list(records):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY)

    items = meeting_build_agenda(meeting=meeting, by=None)

    assert _summary(items) == [
        (AgendaSource.RED_LIGHT, "红灯项目：中商高科·沧州产业园（一期）"),
        (
            AgendaSource.OVERDUE_PROBLEM,
            "逾期问题：京津冀整车智能物流中心——施工许可未办结（行政审批局，2020年3月9日到期）",
        ),
        (
            AgendaSource.OVERDUE_PROBLEM,
            "逾期问题：京津冀整车智能物流中心——投资协议补充条款未签（招商局，2020年3月16日到期）",
        ),
        (
            AgendaSource.LATE_MILESTONE,
            "滞后节点：中商高科·沧州产业园（一期）——主体封顶（计划2020年3月1日完成）",
        ),
        (
            AgendaSource.LATE_MILESTONE,
            "滞后节点：嘉诚汽车内饰项目——设备进场（计划2020年3月15日完成）",
        ),
    ]
    assert [item.order for item in items] == [1, 2, 3, 4, 5]
    assert items[1].problem == records["approvals_problem"]
    assert items[3].milestone == records["key_milestone"]
    assert items[3].project == records["key"]


def test_building_again_adds_nothing_and_keeps_what_is_there(records):
    meeting = make_meeting(MeetingKind.QUARTERLY_TOUR, held_on=MEETING_DAY)
    first = meeting_build_agenda(meeting=meeting, by=None)

    again = meeting_build_agenda(meeting=meeting, by=None)

    assert len(first) == 5
    assert again == []
    assert AgendaItem.objects.filter(meeting=meeting).count() == 5


def test_a_matter_added_by_hand_is_not_added_again(records):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY)
    manual = agenda_item_add(
        meeting=meeting,
        title="审批局汇报施工许可办理情况",
        problem=records["approvals_problem"],
        by=None,
    )
    about_project = agenda_item_add(
        meeting=meeting, title="中商高科一期推进情况", project=records["key"], by=None
    )

    items = meeting_build_agenda(meeting=meeting, by=None)

    assert manual.project == records["approvals_problem"].project  # the problem brings it
    assert records["approvals_problem"] not in [item.problem for item in items]
    assert AgendaSource.RED_LIGHT not in [item.source for item in items]  # the project is on
    assert [item.order for item in items] == [3, 4, 5]
    assert about_project.order == 2


def test_the_agenda_is_read_as_of_the_meeting_date(records):
    early = make_meeting(MeetingKind.MONTHLY, held_on=date(2020, 3, 12))

    titles = [item.title for item in meeting_build_agenda(meeting=early, by=None)]

    assert titles == [
        "红灯项目：中商高科·沧州产业园（一期）",
        "逾期问题：京津冀整车智能物流中心——施工许可未办结（行政审批局，2020年3月9日到期）",
        "滞后节点：中商高科·沧州产业园（一期）——主体封顶（计划2020年3月1日完成）",
    ]


def test_a_weekly_docking_covers_the_organisers_projects_and_problems(records, org):
    meeting = make_meeting(
        MeetingKind.WEEKLY_DOCKING, held_on=MEETING_DAY, organiser=org["investment"]
    )

    titles = [item.title for item in meeting_build_agenda(meeting=meeting, by=None)]

    assert titles == [
        "红灯项目：中商高科·沧州产业园（一期）",
        "逾期问题：京津冀整车智能物流中心——投资协议补充条款未签（招商局，2020年3月16日到期）",
        "滞后节点：中商高科·沧州产业园（一期）——主体封顶（计划2020年3月1日完成）",
    ]


def test_a_department_below_the_organiser_is_covered(records, org):
    meeting = make_meeting(MeetingKind.WEEKLY_DOCKING, held_on=MEETING_DAY, organiser=org["zone"])

    assert len(meeting_build_agenda(meeting=meeting, by=None)) == 5


def test_online_talks_hosted_by_a_leader_cover_his_liaison_projects_and_departments(
    records, org, leader
):
    talks = make_meeting(MeetingKind.ONLINE_TALKS, held_on=MEETING_DAY, host=leader)
    assert talks.organiser is None
    titles = [item.title for item in meeting_build_agenda(meeting=talks, by=None)]
    assert titles == ["滞后节点：嘉诚汽车内饰项目——设备进场（计划2020年3月15日完成）"]

    leader.in_charge_of.set([org["approvals"]])
    docking = make_meeting(MeetingKind.WEEKLY_DOCKING, held_on=MEETING_DAY, host=leader)
    titles = [item.title for item in meeting_build_agenda(meeting=docking, by=None)]
    assert titles == [  # the approvals bureau's project, whichever department has its problem
        "逾期问题：京津冀整车智能物流中心——施工许可未办结（行政审批局，2020年3月9日到期）",
        "逾期问题：京津冀整车智能物流中心——投资协议补充条款未签（招商局，2020年3月16日到期）",
        "滞后节点：嘉诚汽车内饰项目——设备进场（计划2020年3月15日完成）",
    ]


def test_a_weekly_docking_without_organiser_or_host_is_refused(db):
    meeting = make_meeting(MeetingKind.WEEKLY_DOCKING, held_on=MEETING_DAY)

    with pytest.raises(ApplicationError) as caught:
        meeting_build_agenda(meeting=meeting, by=None)

    assert caught.value.field == "organiser"


def test_no_agenda_for_a_held_meeting_or_a_ceremony(records):
    held = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY)
    meeting_hold(meeting=held, by=None, minutes="纪要")
    ceremony = make_meeting(MeetingKind.CLOUD_SIGNING, held_on=date(2020, 5, 8))

    for meeting, field in ((held, "status"), (ceremony, "kind")):
        with pytest.raises(ApplicationError) as caught:
            meeting_build_agenda(meeting=meeting, by=None)
        assert caught.value.field == field


def test_an_item_with_a_decision_stays_on_the_agenda(records, org):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY)
    item = meeting_build_agenda(meeting=meeting, by=None)[0]
    decision_create(
        meeting=meeting,
        agenda_item=item,
        text="项目办牵头倒排工期",
        owner_department=org["investment"],
        due_on=date(2020, 4, 30),
        by=None,
    )

    with pytest.raises(ApplicationError):
        agenda_item_remove(item=item, by=None)


def test_a_problem_of_another_project_is_refused_on_a_manual_item(records):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY)

    with pytest.raises(ApplicationError) as caught:
        agenda_item_add(
            meeting=meeting,
            title="错配",
            project=records["key"],
            problem=records["approvals_problem"],
            by=None,
        )

    assert caught.value.field == "problem"


def test_the_agenda_is_built_in_a_fixed_number_of_queries(
    records, org, django_assert_max_num_queries
):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY)
    with django_assert_max_num_queries(20) as few:
        meeting_build_agenda(meeting=meeting, by=None)
    for index in range(10):
        project = make_project(
            f"更多项目{index}",
            responsible_department=org["investment"],
            key_levels={2020: ["district"]},
        )
        make_milestone(project, planned_on=date(2020, 2, 1))
        make_problem(
            project,
            department=org["approvals"],
            routed_on=date(2020, 3, 2),
            due_on=date(2020, 3, 9),
        )
    other = make_meeting(MeetingKind.MONTHLY, title="另一次", held_on=MEETING_DAY)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(meeting_build_agenda(meeting=other, by=None)) == 35
