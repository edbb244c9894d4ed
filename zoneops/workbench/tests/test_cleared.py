"""日清日结统计: items finished on the day they arrived over a period, per kind and department,
summed over every source (a fake one registered here proves the sum), and its Excel export."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from zoneops.casework.workbench import work_sources
from zoneops.common.periods import Period
from zoneops.orgs.models import Department
from zoneops.orgs.tests.factories import make_department, signed_in
from zoneops.workbench import selectors
from zoneops.workbench.selectors import cleared_same_day_total
from zoneops.workbench.tests.conftest import FROZEN

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(FROZEN, tick=False)]
PAGE = "/admin/workbench/carryover/cleared/"
NOVEMBER = {"year": "2026", "first_month": "11", "last_month": "11"}


class FakeSource:
    """Another app's kind of work: 8000 items cleared the day they arrived, 10 of them in a
    department given."""

    key = "fake"
    label = "示例事项"
    order = 99

    def items(self, *, user, on, until, departments):
        return []

    def finished(self, *, user, on, departments):
        return []

    def cleared_same_day(self, *, start, end, departments=None):
        return 8000 if departments is None else 10 * bool(departments)


@pytest.fixture
def with_fake(monkeypatch):
    monkeypatch.setattr(selectors, "work_sources", lambda: (*work_sources(), FakeSource()))


def test_the_existing_kinds_count_what_was_finished_the_day_it_arrived(world):
    # The problem routed and resolved today; the decision done on the meeting's day.
    assert cleared_same_day_total(start=date(2026, 11, 1), end=date(2026, 11, 30)) == 2
    assert cleared_same_day_total(start=date(2026, 10, 1), end=date(2026, 10, 31)) == 0
    approvals = {world.org["approvals"].pk}
    assert (
        cleared_same_day_total(
            start=date(2026, 11, 1), end=date(2026, 11, 30), departments=approvals
        )
        == 1
    )


def test_every_source_is_summed(world, with_fake):
    assert cleared_same_day_total(start=date(2026, 11, 1), end=date(2026, 11, 30)) == 8002


def test_the_page_by_kind_and_department(world, with_fake):
    page = signed_in(world.inspector).get(PAGE, NOVEMBER).content.decode()
    assert "2026年11月日清日结情况统计表" in page
    assert 'id="cleared-total">8002<' in page
    table = page.split('id="cleared-counts"')[1].split("</table>")[0]
    assert "示例事项" in table and "招商局" in table and "行政审批局" in table


def test_a_staff_member_counts_his_departments_only(world):
    page = signed_in(world.other).get(PAGE, NOVEMBER).content.decode()
    assert 'id="cleared-total">1<' in page
    assert "招商局" not in page.split('id="cleared-counts"')[1].split("</table>")[0]


def test_the_export_is_a_real_workbook(world, with_fake):
    response = signed_in(world.inspector).get(PAGE + "export/", NOVEMBER)
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = rows.to_python()
    assert rows[0][0] == "2026年11月日清日结情况统计表"
    header = next(row for row in rows if row and row[0] == "部门")
    assert header[-2:] == ["示例事项", "合计"]
    total = next(row for row in rows if row and row[0] == "合计")
    assert total[-1] == 8002


def test_each_line_counts_what_its_departments_ask_of_each_kind(world):
    # Reached on its planned day: one with a department of its own, one its project's.
    from zoneops.meetings.tests.factories import make_milestone
    from zoneops.orgs.selectors import department_descendant_ids

    for name, department in (("竣工验收", world.org["approvals"]), ("设备进场", None)):
        make_milestone(
            world.project,
            name,
            planned_on=date(2026, 11, 17),
            actual_on=date(2026, 11, 17),
            responsible_department=department,
        )
    counts = selectors.cleared_same_day_counts(user=world.inspector, period=Period(2026, 11, 11))
    sources = work_sources()
    start, end = date(2026, 11, 1), date(2026, 11, 30)
    assert counts.total.counts == [
        source.cleared_same_day(start=start, end=end) for source in sources
    ]
    assert counts.total.total == 4  # a problem, a decision, two milestones
    for line in counts.lines:
        bureau = Department.objects.get(name=line.name)
        below = department_descendant_ids(department_ids=[bureau.pk])
        asked = [
            source.cleared_same_day(start=start, end=end, departments=below) for source in sources
        ]
        assert line.counts == asked
    assert sorted(line.name for line in counts.lines) == ["招商局", "行政审批局"]


WRONG_PERIODS = [
    {"year": "99999999999999999999999", "first_month": "1", "last_month": "2"},
    {"year": "2026", "first_month": "5", "last_month": "2"},
    {"year": "0001", "first_month": "1", "last_month": "1"},
    {"year": "20\x0026", "first_month": "x", "last_month": "13"},
]


def test_a_wrong_period_says_why(world):
    client = signed_in(world.staff)
    for query in WRONG_PERIODS:
        response = client.get(PAGE, query)
        assert response.status_code == 200
        assert 'class="zo-error"' in response.content.decode()
        assert client.get(PAGE + "export/", query).status_code == 200


def test_the_query_count_grows_neither_with_rows_nor_with_departments(world):
    """Two bureaus with a same-day item, then six with five more items: the same queries."""
    from zoneops.meetings.tests.factories import make_problem

    client = signed_in(world.inspector)
    client.get(PAGE, NOVEMBER)
    with CaptureQueriesContext(connection) as two_bureaus:
        client.get(PAGE, NOVEMBER)

    for number in range(5):
        bureau = make_department(f"新设局{number}")
        make_problem(
            world.project,
            f"当日问题{number}",
            department=bureau if number < 4 else world.org["investment"],
            routed_on=date(2026, 11, 18),
            due_on=date(2026, 11, 25),
            resolved_on=date(2026, 11, 18),
        )
    with CaptureQueriesContext(connection) as six_bureaus:
        page = client.get(PAGE, NOVEMBER).content.decode()

    table = page.split('id="cleared-counts"')[1].split("</table>")[0]
    assert all(f"新设局{number}" in table for number in range(4))
    assert 'id="cleared-total">7<' in page
    assert len(six_bureaus.captured_queries) == len(two_bureaus.captured_queries) <= 16
