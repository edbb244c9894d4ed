"""今日事项 through the browser: the first page after login, for each role, within scope, with
its query count fixed whatever the rows."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zoneops.meetings.tests.factories import make_milestone, make_problem
from zoneops.orgs.tests.factories import signed_in
from zoneops.workbench.tests.conftest import FROZEN, TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(FROZEN, tick=False)]
INDEX = "/admin/"


def _page(user, query=""):
    response = signed_in(user).get(INDEX + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_back_office_and_the_login_land_on_the_days_page(world, client):
    # The site's root is the public investment hall (portal); the back office is /admin/.
    response = signed_in(world.staff).get(INDEX)
    assert "今日事项" in response.content.decode()
    response = client.post(
        reverse("admin:login"),
        {"username": world.staff.username, "password": "pass-Word-123", "next": INDEX},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == INDEX


def test_staff_sees_his_own_day_by_standing(world):
    page = _page(world.staff)
    late, today = (page.split(f'id="{anchor}-rows"')[1] for anchor in ("late", "today"))
    assert "用地指标未落实" in late.split("</table>")[0]
    assert "施工许可待办" in today.split("</table>")[0]
    assert "主体封顶" in today.split("</table>")[0]
    assert "逾期2天" in page  # the problem's clock badge
    # Not his: another bureau's decision and request; not yet due: a problem due in 12 days.
    for other in ("协调电力接入", "原料运输受限", "道路配套"):
        assert other not in page
    # Finished today: the day's cleared list.
    finished = page.split('id="finished-rows"')[1].split("</table>")[0]
    assert "图纸会审" in finished and "按期解决" in finished
    # The sidebar still reaches every register.
    assert reverse("admin:projects_problem_changelist") in page


def test_a_head_switches_to_his_departments(world):
    page = _page(world.head)
    assert "按部门" in page
    page = _page(world.head, "?view=departments")
    counts = page.split('id="department-counts"')[1].split("</table>")[0]
    assert "招商局" in counts and "行政审批局" not in counts


def test_a_leader_sees_what_he_supervises_and_the_departments_in_his_charge(world):
    page = _page(world.leader)
    # He hosted the meeting and liaises with the enterprise: both marked as supervised.
    assert "协调电力接入" in page and "原料运输受限" in page
    assert page.count('class="wb-sup"') == 2
    page = _page(world.leader, "?view=departments")
    counts = page.split('id="department-counts"')[1].split("</table>")[0]
    assert "行政审批局" in counts and "招商局" not in counts
    assert "电力接入（测试项目）" in page


def test_an_inspector_sees_the_zones_overdue_items(world):
    page = _page(world.inspector, "?view=overdue")
    late = page.split('id="late-rows"')[1].split("</table>")[0]
    assert "用地指标未落实" in late and "协调电力接入" in late
    assert "施工许可待办" not in page


def test_staff_cannot_switch_to_a_view_not_his(world):
    page = _page(world.staff, "?view=overdue")
    assert 'id="department-counts"' not in page and "协调电力接入" not in page


def test_an_enterprise_user_is_refused(world):
    response = signed_in(world.enterprise_user).get(INDEX)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_past_day_shows_what_was_not_cleared(world):
    page = _page(world.other, "?day=2026-11-17")
    today = page.split('id="today-rows"')[1].split("</table>")[0]
    assert "协调电力接入" in today and "未清" in today
    assert "当日到期的事项：已办结 0 项，已顺延 0 项，未清 1 项。" in page


def test_a_wrong_day_says_so_and_shows_today(world):
    client = signed_in(world.staff)
    for day in ["2026-13-01", "9999-01-01", "2026-11-19", "x\x00y", "0001-01-01", "9" * 40]:
        response = client.get(INDEX, {"day": day}, follow=True)
        assert response.status_code == 200
        page = response.content.decode()
        assert "无效" in page and "2026年11月18日" in page


def _count(client, query=""):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(INDEX + query).status_code == 200
    return len(queries)


ROLES = ["staff", "head", "leader", "inspector"]


def test_the_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    # Counted with one row of each kind first (a section without rows of a kind is not read),
    # then with five more of each.
    def add(number):
        for department in (world.org["investment"], world.org["approvals"]):
            make_problem(
                world.project,
                f"新问题{department.pk}-{number}",
                department=department,
                routed_on=date(2026, 11, 2),
                due_on=date(2026, 11, 10 + number),
            )
        make_milestone(world.project, f"新节点{number}", planned_on=TODAY)

    add(0)
    clients, before = {}, {}
    for role in ROLES:
        clients[role] = signed_in(getattr(world, role))
        clients[role].get(INDEX + _query(role))  # the session, permissions, calendar warmed
        before[role] = _count(clients[role], _query(role))
    for number in range(1, 6):
        add(number)
    for role in ROLES:
        with django_assert_max_num_queries(before[role]):
            page = clients[role].get(INDEX + _query(role)).content.decode()
        assert "新问题" in page, role


def _query(role):
    if role == "inspector":
        return "?view=overdue"
    return "?view=departments" if role in ("head", "leader") else ""


def test_a_long_section_lists_the_earliest_due_and_counts_every_row(world, monkeypatch):
    """A bureau with hundreds of overdue items: the page lists the longest overdue first, up to
    a bound, says how many it leaves out and lists them all when asked; the counts are whole."""
    monkeypatch.setattr("zoneops.workbench.selectors.ROWS_LISTED", 2)
    for number in range(3):
        make_problem(
            world.project,
            f"积压问题{number}",
            department=world.org["investment"],
            routed_on=date(2026, 10, 1),
            due_on=date(2026, 10, 10 + number),
        )
    page = _page(world.staff)
    late = page.split('id="late-rows"')[1].split("</table>")[0]
    assert "积压问题0" in late and "积压问题1" in late
    assert "积压问题2" not in late and "用地指标未落实" not in late  # due later
    assert "只列出期限最早的 2 项，共 4 项。" in late
    tile = page.split('id="board-tiles"')[1].split("</div>")[0]
    assert "<b>4</b>" in tile
    assert "?view=mine&amp;rows=all#late" in late
    every = _page(world.staff, "?view=mine&rows=all").split('id="late-rows"')[1]
    every = every.split("</table>")[0]
    assert all(f"积压问题{n}" in every for n in range(3)) and "用地指标未落实" in every
    assert "只列出" not in every
    # A head's view by department counts every row too, in SQL: the departments' late counts
    # add up to the tile, beyond the rows listed.
    page = _page(world.head, "?view=departments")
    tile = page.split('id="board-tiles"')[1].split("</b>")[0]
    table = page.split('id="department-counts"')[1].split("</table>")[0]
    late = [
        int(n)
        for n in re.findall(r'<td class="zo-num">(?:<span class="wb-uncleared">)?(\d+)', table)[::4]
    ]
    assert sum(late) == int(tile.rsplit(">", 1)[1]) >= 4
    assert "只列出期限最早的 2 项" in page.split('id="late-rows"')[1].split("</table>")[0]
