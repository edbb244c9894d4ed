"""The figures of any period, a project's cases, and the day's work (the workbench source)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from zoneops.approvals.enums import Decision, SuspensionKind
from zoneops.approvals.models import Case
from zoneops.approvals.selectors import approval_figures, project_cases
from zoneops.approvals.services import (
    case_accept,
    case_conclude,
    case_decide,
    case_suspend,
)
from zoneops.approvals.tests.factories import make_case, make_item
from zoneops.approvals.workbench import CaseSource
from zoneops.casework.workbench import work_sources
from zoneops.common.workcalendar import calendar_cache_clear, working_days_between
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_department, make_user
from zoneops.projects.tests.factories import make_project


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


def _through(case, *, accepted, concluded, by=None):
    case_accept(case=case, by=by, on=accepted)
    case_decide(case=case, decision=Decision.GRANTED, by=by, on=concluded)
    case_conclude(case=case, by=by, on=concluded)
    return case


@pytest.fixture
def zone(org):
    housing = make_department("住房和城乡建设局", parent=org["zone"])
    planning = make_item(org["approvals"], statutory_days=20, promised_days=10, in_centre=True)
    filing = make_item(
        org["approvals"],
        name="企业投资项目备案",
        statutory_days=5,
        promised_days=1,
        taken_over=True,
        taken_over_on=date(2019, 3, 1),
        taken_over_document="沧政字〔2019〕12号",
    )
    works = make_item(
        housing,
        name="建筑工程施工许可",
        statutory_days=15,
        promised_days=9,
        in_centre=True,
        taken_over=True,
        taken_over_on=date(2020, 2, 1),
        taken_over_document="沧政字〔2020〕3号",
    )
    withdrawn = make_item(org["approvals"], name="已取消事项", withdrawn_on=date(2019, 6, 1))
    return {
        "housing": housing,
        "planning": planning,
        "filing": filing,
        "works": works,
        "withdrawn": withdrawn,
    }


def test_the_figures_of_a_period_come_from_the_cases_and_the_catalogue(org, zone):
    # Same day: received, accepted and concluded on 2019-03-04.
    _through(
        make_case(zone["filing"], received_on=date(2019, 3, 4)),
        accepted=date(2019, 3, 4),
        concluded=date(2019, 3, 4),
    )
    # On time, 5 working days used.
    _through(
        make_case(zone["planning"], received_on=date(2019, 3, 4)),
        accepted=date(2019, 3, 4),
        concluded=date(2019, 3, 11),
    )
    # Late: 9 promised, concluded after 11 working days.
    _through(
        make_case(zone["works"], received_on=date(2019, 4, 1)),
        accepted=date(2019, 4, 1),
        concluded=date(2019, 4, 17),
    )
    # Concluded in 2020: out of the 2019 period.
    _through(
        make_case(zone["planning"], received_on=date(2019, 12, 30)),
        accepted=date(2019, 12, 30),
        concluded=date(2020, 1, 6),
    )

    figures = approval_figures(start=date(2019, 1, 1), end=date(2019, 12, 31))

    total = figures.total
    assert (total.concluded, total.on_time) == (3, 2)
    assert total.on_time_rate == Decimal("66.7")
    assert total.average_days == Decimal("5.3")  # (0 + 5 + 11) / 3
    # Items in the catalogue at the end of 2019: planning, filing, works (the withdrawn is out).
    assert total.items == 3
    assert (total.promised, total.statutory) == (20, 40)
    assert total.promised_ratio == Decimal("50.0")
    assert total.centre_share == Decimal("66.7")
    assert total.taken_over == 1  # works only from 2020
    assert figures.cleared_same_day == 1 and figures.received == 4
    housing = next(row for row in figures.departments if row.key == zone["housing"].pk)
    assert (housing.concluded, housing.on_time, housing.items) == (1, 0, 1)
    assert [row.concluded for row in figures.items][:2] == [1, 1]

    # Any days: the first quarter of 2020, and the works item taken over by then.
    spring = approval_figures(start=date(2020, 1, 1), end=date(2020, 3, 31))
    assert (spring.total.concluded, spring.total.taken_over) == (1, 2)


def test_a_case_suspended_is_on_time_by_the_deadline_moved(org, zone):
    case = make_case(zone["planning"], received_on=date(2019, 5, 6))
    case_accept(case=case, by=None, on=date(2019, 5, 6))
    case_suspend(
        case=case, kind=SuspensionKind.HEARING, reason="听证", by=None, on=date(2019, 5, 7)
    )
    from zoneops.approvals.services import case_resume

    case_resume(case=case, by=None, on=date(2019, 5, 21))
    case_decide(case=case, decision=Decision.GRANTED, by=None, on=date(2019, 5, 24))
    case_conclude(case=case, by=None, on=date(2019, 5, 24))
    figures = approval_figures(start=date(2019, 5, 1), end=date(2019, 5, 31))
    assert figures.total.on_time == 1
    assert figures.total.average_days == Decimal(14 - 10)  # 14 working days less 10 suspended


def test_the_days_used_are_each_cases_working_days_less_its_suspension(org, zone):
    # The clocks start before the period (one in 2018, one the week before), inside it, and
    # one case's suspended days exceed its clock (it counts nil, not less).
    cases = [
        _through(
            make_case(zone["planning"], received_on=received),
            accepted=received,
            concluded=concluded,
        )
        for received, concluded in [
            (date(2018, 11, 20), date(2019, 2, 12)),
            (date(2019, 9, 24), date(2019, 10, 9)),
            (date(2019, 10, 8), date(2019, 10, 8)),
            (date(2019, 10, 14), date(2019, 11, 29)),
            (date(2019, 10, 21), date(2019, 10, 25)),
        ]
    ]
    Case.objects.filter(pk=cases[-1].pk).update(suspended_days=30)
    works = _through(
        make_case(zone["works"], received_on=date(2019, 10, 8)),
        accepted=date(2019, 10, 8),
        concluded=date(2019, 12, 31),
    )
    cases = [*Case.objects.filter(pk__in=[case.pk for case in cases]), works]

    for start, end in [
        (date(2019, 10, 1), date(2019, 12, 31)),
        (date(2019, 1, 1), date(2019, 12, 31)),
    ]:
        figures = approval_figures(start=start, end=end)
        done = [case for case in cases if start <= case.concluded_on <= end]
        used = sum(
            max(
                working_days_between(case.clock_from, case.concluded_on).days - case.suspended_days,
                0,
            )
            for case in done
        )
        assert (figures.total.concluded, figures.total.days_used) == (len(done), used)
        assert figures.total.on_time == sum(case.concluded_on <= case.due_on for case in done)
        housing = next(row for row in figures.departments if row.key == zone["housing"].pk)
        works_used = working_days_between(works.clock_from, works.concluded_on).days
        assert (housing.concluded, housing.days_used) == (1, works_used)


def test_the_figures_do_not_grow_in_queries_with_the_cases(
    org, zone, django_assert_max_num_queries
):
    for day in (4, 5, 6, 7, 8):
        _through(
            make_case(zone["planning"], received_on=date(2019, 3, day)),
            accepted=date(2019, 3, day),
            concluded=date(2019, 3, day),
        )
    # Clocks started before the period take one sum more, whatever their number.
    for received in (date(2018, 12, 3), date(2018, 12, 10)):
        _through(
            make_case(zone["planning"], received_on=received),
            accepted=received,
            concluded=date(2019, 1, 15),
        )
    with django_assert_max_num_queries(7):
        approval_figures(start=date(2019, 1, 1), end=date(2019, 12, 31))


def test_a_clock_entered_in_year_one_is_counted_without_numbering_every_day_since(org, zone):
    case = _through(
        make_case(zone["planning"], received_on=date(2019, 3, 4)),
        accepted=date(2019, 3, 4),
        concluded=date(2019, 3, 11),
    )
    Case.objects.filter(pk=case.pk).update(clock_from=date(1, 1, 1))

    figures = approval_figures(start=date(2019, 1, 1), end=date(2019, 12, 31))

    used = working_days_between(date(1, 1, 1), date(2019, 3, 11)).days
    assert (figures.total.concluded, figures.total.days_used) == (1, used)


def test_a_project_lists_its_cases_with_their_clock(org, zone):
    project = make_project("中商高科·沧州产业园（一期）")
    case = make_case(zone["planning"], project=project, received_on=date(2019, 9, 2))
    case_accept(case=case, by=None, on=date(2019, 9, 2))
    make_case(zone["planning"], received_on=date(2019, 9, 2))
    rows = project_cases(project=project, on=date(2019, 12, 2))
    assert [row.pk for row in rows] == [case.pk]
    assert rows[0].clock.key == "red"


def test_the_case_source_lists_the_days_work(org, zone):
    officer = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    other = make_user(RoleCode.STAFF, departments=[zone["housing"]])
    mine = make_case(zone["planning"], received_on=date(2019, 9, 2), handler=officer)
    case_accept(case=mine, by=None, on=date(2019, 9, 2))  # due 2019-09-17
    unassigned = make_case(zone["planning"], received_on=date(2019, 9, 3))
    case_accept(case=unassigned, by=None, on=date(2019, 9, 3))
    theirs = make_case(zone["works"], received_on=date(2019, 9, 2))
    case_accept(case=theirs, by=None, on=date(2019, 9, 2))
    same_day = make_case(zone["filing"], received_on=date(2019, 9, 16))
    _through(same_day, accepted=date(2019, 9, 16), concluded=date(2019, 9, 16))

    source = next(source for source in work_sources() if source.key == "cases")
    assert isinstance(source, CaseSource)
    on = date(2019, 9, 16)
    items = source.items(user=officer, on=on, until=date(2019, 9, 30), departments=None)
    assert {item.pk for item in items} == {mine.pk, unassigned.pk}
    assert all(item.url.startswith("/admin/approvals/case/") for item in items)
    assert items[0].clock is not None
    heads = source.items(
        user=other, on=on, until=date(2019, 9, 30), departments=[zone["housing"].pk]
    )
    assert [item.pk for item in heads] == [theirs.pk]
    assert [item.pk for item in source.finished(user=officer, on=on, departments=None)] == [
        same_day.pk
    ]
    assert source.cleared_same_day(start=date(2019, 9, 1), end=date(2019, 9, 30)) == 1
    assert (
        source.cleared_same_day(
            start=date(2019, 9, 1), end=date(2019, 9, 30), departments=[zone["housing"].pk]
        )
        == 0
    )


def test_the_case_source_reads_in_a_fixed_number_of_queries(
    org, zone, django_assert_max_num_queries
):
    officer = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    for day in (2, 3, 4):
        case = make_case(zone["planning"], received_on=date(2019, 9, day))
        case_accept(case=case, by=None, on=date(2019, 9, day))
    with time_machine.travel(date(2019, 9, 20)), django_assert_max_num_queries(3):
        CaseSource().items(
            user=officer, on=date(2019, 9, 20), until=date(2019, 9, 25), departments=None
        )
