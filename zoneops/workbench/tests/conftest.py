"""A small zone on a Wednesday (2026-11-18): two bureaus, a person per role, and work of every
existing kind late, due today, due soon, due later, and finished today."""

from datetime import date
from types import SimpleNamespace

import pytest

from zoneops.enterprises.tests.factories import make_enterprise, make_liaison, make_request
from zoneops.meetings.services import decision_create, decision_done, meeting_hold
from zoneops.meetings.tests.factories import make_meeting, make_milestone, make_problem
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.tests.factories import make_project

TODAY = date(2026, 11, 18)  # a Wednesday; three working days on: Monday 2026-11-23
FROZEN = "2026-11-18T10:00+08:00"


@pytest.fixture
def world(org):
    investment, approvals = org["investment"], org["approvals"]
    staff = make_user(RoleCode.STAFF, departments=[investment])
    other = make_user(RoleCode.STAFF, departments=[approvals])
    head = make_user(RoleCode.DEPARTMENT_HEAD, departments=[investment])
    leader = make_user(RoleCode.LEADER, departments=[org["zone"]], in_charge_of=[approvals])
    inspector = make_user(RoleCode.INSPECTOR)
    enterprise = make_enterprise("沧州测试企业")
    enterprise_user = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    project = make_project("测试项目", responsible_department=investment)
    w = SimpleNamespace(
        org=org,
        staff=staff,
        other=other,
        head=head,
        leader=leader,
        inspector=inspector,
        enterprise_user=enterprise_user,
        project=project,
    )
    w.late_problem = make_problem(
        project,
        "用地指标未落实",
        department=investment,
        routed_on=date(2026, 11, 9),
        due_on=date(2026, 11, 16),
    )
    w.today_problem = make_problem(
        project,
        "施工许可待办",
        department=investment,
        routed_on=date(2026, 11, 11),
        due_on=TODAY,
    )
    w.soon_problem = make_problem(
        project,
        "电力接入",
        department=approvals,
        routed_on=date(2026, 11, 13),
        due_on=date(2026, 11, 20),
    )
    w.later_problem = make_problem(
        project,
        "道路配套",
        department=investment,
        routed_on=date(2026, 11, 16),
        due_on=date(2026, 11, 30),
    )
    w.cleared_problem = make_problem(
        project,
        "图纸会审",
        department=investment,
        routed_on=TODAY,
        due_on=date(2026, 11, 25),
        resolved_on=TODAY,
    )
    w.milestone = make_milestone(
        project, "主体封顶", planned_on=TODAY, responsible_department=investment
    )
    meeting = make_meeting(held_on=date(2026, 11, 16), host=leader)
    meeting_hold(meeting=meeting, minutes="会议纪要", by=None)
    w.decision = decision_create(
        meeting=meeting,
        text="协调电力接入",
        due_on=date(2026, 11, 17),
        owner_department=approvals,
        by=None,
    )
    w.done_decision = decision_create(
        meeting=meeting,
        text="明确责任人",
        due_on=date(2026, 11, 17),
        owner_department=approvals,
        by=None,
    )
    decision_done(decision=w.done_decision, done_on=date(2026, 11, 16), by=None)
    # Accepted on Friday with three working days: due today.
    w.request = make_request(
        enterprise,
        title="原料运输受限",
        accepted=date(2026, 11, 13),
        department=approvals,
        limit_days=3,
    )
    make_liaison(enterprise, person=leader)
    return w
