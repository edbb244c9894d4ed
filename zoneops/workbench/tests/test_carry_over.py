"""日清日结: an item due today is carried over with a reason by whoever answers for it; every
refusal says why and writes nothing; the record's own deadline never moves."""

from datetime import date

import pytest
from django.urls import reverse

from zoneops.common.exceptions import ApplicationError
from zoneops.orgs.tests.factories import signed_in
from zoneops.projects.models import Problem
from zoneops.workbench.models import CarryOver
from zoneops.workbench.services import carry_over_item
from zoneops.workbench.tests.conftest import FROZEN, TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(FROZEN, tick=False)]
CARRY = "/admin/workbench/carryover/carry-over/"


def test_carry_over_is_written_shown_and_leaves_the_deadline_alone(world):
    client = signed_in(world.staff)
    response = client.post(
        CARRY,
        {
            "source": "problems",
            "record_pk": world.today_problem.pk,
            "reason": "等待市规划局会签意见",
            "new_date": "2026-11-20",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "已顺延：施工许可待办" in page
    carry_over = CarryOver.objects.get()
    assert (carry_over.user, carry_over.day, carry_over.new_date) == (
        world.staff,
        TODAY,
        date(2026, 11, 20),
    )
    assert carry_over.department == world.org["investment"]
    assert carry_over.history.count() == 1
    today = page.split('id="today-rows"')[1].split("</table>")[0]
    assert "已顺延至11月20日：等待市规划局会签意见" in today
    # The clocked record keeps its deadline and its clock: only its extension step moves them.
    problem = Problem.objects.get(pk=world.today_problem.pk)
    assert problem.due_on == TODAY and problem.version == world.today_problem.version
    assert "今日到期的事项：已办结 0 项，已顺延 1 项，待清 1 项。" in page


def _refused(user, data, message):
    response = signed_in(user).post(CARRY, data, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    found = [m for m in page.split("\n") if "未能顺延" in m]
    assert found and message in found[0], found
    assert not CarryOver.objects.exists()


def test_a_carry_over_needs_a_reason(world):
    data = {"source": "problems", "record_pk": world.today_problem.pk, "reason": "   "}
    _refused(world.staff, data, "顺延理由")
    with pytest.raises(ApplicationError, match="请填写顺延理由"):
        carry_over_item(
            source="problems", record_pk=world.today_problem.pk, reason=" ", by=world.staff
        )


def test_only_ones_own_items_are_carried_over(world):
    data = {"source": "problems", "record_pk": world.today_problem.pk, "reason": "不是我的"}
    _refused(world.other, data, "不在您的今日事项中")


def test_only_items_due_today_are_carried_over(world):
    data = {"source": "problems", "record_pk": world.late_problem.pk, "reason": "来不及"}
    _refused(world.staff, data, "不是今天")


def test_an_item_is_carried_over_once_a_day(world):
    carry_over_item(
        source="milestones", record_pk=world.milestone.pk, reason="雨天", by=world.staff
    )
    with pytest.raises(ApplicationError, match="已经顺延过"):
        carry_over_item(
            source="milestones", record_pk=world.milestone.pk, reason="又是雨天", by=world.head
        )
    assert CarryOver.objects.count() == 1


BAD_INPUT = [
    ({"source": "no-such-kind", "record_pk": "1", "reason": "x"}, "没有“no-such-kind”这类事项"),
    ({"source": "problems", "record_pk": "99999999999999999999999", "reason": "x"}, "事项编号"),
    ({"source": "problems", "record_pk": "abc", "reason": "x"}, "事项编号"),
    ({"source": "problems", "record_pk": "TODAY_PK", "reason": "等\x00待"}, "顺延理由"),
    ({"source": "problems", "record_pk": "TODAY_PK", "reason": "x" * 501}, "顺延理由"),
    (
        {
            "source": "problems",
            "record_pk": "TODAY_PK",
            "reason": "x",
            "new_date": "9999-12-31",
        },
        "预计完成日期",
    ),
    (
        {
            "source": "problems",
            "record_pk": "TODAY_PK",
            "reason": "x",
            "new_date": "2026-11-18",
        },
        "应晚于今天",
    ),
    (
        {
            "source": "problems",
            "record_pk": "TODAY_PK",
            "reason": "x",
            "new_date": "2026-02-30",
        },
        "预计完成日期",
    ),
    ({}, "顺延理由"),
]


def test_bad_input_says_why_and_writes_nothing(world):
    for data, message in BAD_INPUT:
        data = {
            key: str(world.today_problem.pk) if value == "TODAY_PK" else value
            for key, value in data.items()
        }
        _refused(world.staff, data, message)


def test_an_inspector_may_not_carry_over_and_a_get_is_refused(world):
    response = signed_in(world.inspector).post(CARRY, {"source": "problems"})
    assert response.status_code == 403
    assert signed_in(world.staff).get(CARRY).status_code == 405
    assert not CarryOver.objects.exists()


def test_the_register_lists_carry_overs_read_only(world):
    carry_over_item(
        source="milestones", record_pk=world.milestone.pk, reason="雨天", by=world.staff
    )
    client = signed_in(world.staff)
    page = client.get(reverse("admin:workbench_carryover_changelist")).content.decode()
    assert "主体封顶" in page and "项目节点" in page
    assert client.get(reverse("admin:workbench_carryover_add")).status_code == 403
