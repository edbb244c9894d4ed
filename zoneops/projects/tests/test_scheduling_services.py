from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zoneops.common.exceptions import ApplicationError, StaleEditError
from zoneops.common.inputs import DateKind, date_error
from zoneops.common.services import record_save
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.models import AnnualPlan, CommandHQ, Milestone, ProgressReport
from zoneops.projects.services.scheduling import (
    annual_plan_set,
    command_hq_create,
    command_hq_update,
    milestone_complete,
    milestone_create,
    milestone_update,
    progress_report_delete,
    progress_report_save,
    progress_report_start,
    progress_report_submit,
)
from zoneops.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def project(officer):
    return make_project(
        "海纳川沧州汽车零部件产业园",
        investment=110000,
        owner=officer,
        moves=[(Stage.SIGNED, date(2018, 6, 5)), (Stage.STARTED, date(2018, 10, 16))],
    )


def _report(project, month, amount, by, *, opening_total=None, progress="主体施工"):
    report = progress_report_start(project=project, month=month, by=by, opening_total=opening_total)
    return progress_report_save(
        report=report,
        invested_month=Decimal(amount),
        progress=progress,
        problems="",
        next_steps="主体封顶",
        by=by,
        expected_version=report.version,
    )


# --- milestones ----------------------------------------------------------------------------


def test_milestones_go_last_in_the_plan_and_are_completed_on_a_past_date(project, officer):
    permit = milestone_create(
        project=project, name="施工许可", planned_on=date(2019, 3, 31), by=officer
    )
    roof = milestone_create(
        project=project, name=" 主体封顶 ", planned_on=date(2019, 9, 30), by=officer
    )

    done = milestone_complete(milestone=roof, actual_on=date(2019, 9, 26), by=officer)

    assert (permit.order, roof.order) == (1, 2)
    assert done.name == "主体封顶"
    assert Milestone.objects.get(pk=roof.pk).actual_on == date(2019, 9, 26)
    assert done.history.first().history_change_reason == "节点完成：2019年9月26日"


def test_a_milestone_cannot_be_completed_in_the_future(project, officer):
    milestone = milestone_create(
        project=project, name="竣工验收", planned_on=date(2019, 12, 31), by=officer
    )
    tomorrow = timezone.localdate() + timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        milestone_complete(milestone=milestone, actual_on=tomorrow, by=officer)

    assert refused.value.message_dict == {"actual_on": [date_error(tomorrow, DateKind.PAST)]}
    assert Milestone.objects.get(pk=milestone.pk).actual_on is None


def test_a_milestone_record_is_not_completed_in_the_future_whatever_edge_saves_it(project):
    """The record's own date rule (`Milestone.date_kinds`), not a copy in the service: an
    importer or a form that saves the record directly is held to it too."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    milestone = Milestone(project=project, name="竣工验收", planned_on=date(2019, 12, 31))
    milestone.actual_on = tomorrow
    with pytest.raises(ValidationError) as refused:
        record_save(instance=milestone, by=None)
    assert set(refused.value.message_dict) == {"actual_on"}
    milestone.actual_on = date(1989, 12, 31)  # before the zone's records, as any record's date
    with pytest.raises(ValidationError):
        record_save(instance=milestone, by=None)
    assert not Milestone.objects.exists()


def test_a_completed_milestone_is_not_completed_twice(project, officer):
    milestone = milestone_create(
        project=project,
        name="土地摘牌",
        planned_on=date(2019, 1, 31),
        actual_on=date(2019, 1, 20),
        by=officer,
    )
    with pytest.raises(ApplicationError) as refused:
        milestone_complete(milestone=milestone, actual_on=date(2019, 2, 1), by=officer)
    assert refused.value.code == "done"
    assert "2019年1月20日" in refused.value.message


def test_updating_a_milestone_checks_the_fields_and_the_version(project, officer):
    milestone = milestone_create(
        project=project, name="设备安装", planned_on=date(2019, 10, 31), by=officer
    )
    with pytest.raises(ApplicationError) as blank:
        milestone_update(milestone=milestone, by=officer, name="  ")
    assert blank.value.field == "name"

    milestone = Milestone.objects.get(pk=milestone.pk)
    milestone_update(
        milestone=milestone, by=officer, planned_on=date(2019, 11, 30), expected_version=1
    )
    with pytest.raises(StaleEditError):
        milestone_update(
            milestone=Milestone.objects.get(pk=milestone.pk),
            by=officer,
            note="晚了",
            expected_version=1,
        )
    with pytest.raises(ApplicationError) as unknown:
        milestone_update(milestone=milestone, by=officer, project=None)
    assert unknown.value.field == "project"


# --- annual plans --------------------------------------------------------------------------


def test_annual_plan_is_set_once_per_year_and_adjusted_in_place(project, officer):
    plan = annual_plan_set(project=project, year=2019, planned_investment=30000, by=officer)
    again = annual_plan_set(
        project=project, year=2019, planned_investment="32000.50", by=officer, note="年中调整"
    )

    assert again.pk == plan.pk
    assert AnnualPlan.objects.get().planned_investment == Decimal("32000.50")
    assert (
        again.history.first().history_change_reason == "调整年度投资计划：30000万元 → 32000.5万元"
    )


@pytest.mark.parametrize(
    ("year", "amount", "field"),
    [(1800, 100, "year"), (2019, -1, "planned_investment"), (2019, "1.001", "planned_investment")],
)
def test_annual_plan_input_errors_name_the_field(project, officer, year, amount, field):
    with pytest.raises(ApplicationError) as refused:
        annual_plan_set(project=project, year=year, planned_investment=amount, by=officer)
    assert refused.value.field == field


# --- monthly reports -----------------------------------------------------------------------


def test_a_report_starts_pre_filled_from_last_month_and_the_plan(project, officer):
    annual_plan_set(project=project, year=2019, planned_investment=30000, by=officer)
    _report(project, date(2019, 1, 1), 1500, officer, opening_total=80000, progress="厂房封顶")

    february = progress_report_start(project=project, month=date(2019, 2, 15), by=officer)

    assert february.month == date(2019, 2, 1)
    assert february.status == ProgressReport.Status.DRAFT
    assert february.year_plan == Decimal(30000)
    assert february.invested_month == 0
    assert (february.invested_year, february.invested_total) == (Decimal(1500), Decimal(81500))
    assert february.progress == "厂房封顶"
    assert february.next_steps == "主体封顶"
    assert february.problems == ""


def test_cumulative_figures_are_computed_and_january_starts_from_zero(project, officer):
    _report(project, date(2019, 11, 1), 2000, officer, opening_total=70000)
    december = _report(project, date(2019, 12, 1), 3000, officer)
    january = _report(project, date(2020, 1, 1), 500, officer)

    assert (december.invested_year, december.invested_total) == (Decimal(5000), Decimal(75000))
    assert (january.invested_year, january.invested_total) == (Decimal(500), Decimal(75500))


def test_correcting_an_earlier_month_recomputes_the_later_months(project, officer):
    january = _report(project, date(2019, 1, 1), 1000, officer, opening_total=80000)
    progress_report_submit(report=january, by=officer)
    february = _report(project, date(2019, 2, 1), 2000, officer)
    march = _report(project, date(2019, 3, 1), 3000, officer)
    january = ProgressReport.objects.get(pk=january.pk)

    corrected = progress_report_save(
        report=january,
        invested_month=Decimal(1500),
        progress="更正",
        problems="",
        next_steps="",
        by=officer,
        expected_version=january.version,
    )

    february.refresh_from_db()
    march.refresh_from_db()
    assert (corrected.invested_year, corrected.invested_total) == (Decimal(1500), Decimal(81500))
    assert (february.invested_year, february.invested_total) == (Decimal(3500), Decimal(83500))
    assert (march.invested_year, march.invested_total) == (Decimal(6500), Decimal(86500))
    assert corrected.status == ProgressReport.Status.SUBMITTED
    last = march.history.first()
    assert last.history_change_reason == "随2019年1月月度调度更正重算累计"
    assert last.history_user == officer
    assert march.history.count() == 3  # started, saved, recomputed
    assert march.version == 3


def test_a_second_report_for_the_same_month_is_refused_naming_the_month(project, officer):
    progress_report_start(project=project, month=date(2019, 10, 1), by=officer)
    with pytest.raises(ApplicationError) as refused:
        progress_report_start(project=project, month=date(2019, 10, 20), by=officer)
    assert refused.value.message == "2019年10月的月度调度已存在。"
    assert refused.value.field == "month"


def test_a_future_month_is_refused(project, officer):
    today = timezone.localdate()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    with pytest.raises(ApplicationError) as refused:
        progress_report_start(project=project, month=next_month, by=officer)
    assert refused.value.field == "month"
    assert "尚未到来" in refused.value.message
    assert progress_report_start(project=project, month=today, by=officer).month == today.replace(
        day=1
    )


def test_opening_balances_only_for_the_first_report(project, officer):
    with pytest.raises(ApplicationError) as january:
        progress_report_start(project=project, month=date(2019, 1, 1), by=officer, opening_year=100)
    assert january.value.field == "opening_year"
    _report(project, date(2019, 5, 1), 100, officer, opening_total=5000)
    with pytest.raises(ApplicationError) as second:
        progress_report_start(
            project=project, month=date(2019, 6, 1), by=officer, opening_total=5000
        )
    assert second.value.field == "opening_total"
    with pytest.raises(ApplicationError) as earlier:
        progress_report_start(project=project, month=date(2019, 4, 1), by=officer)
    assert earlier.value.message == "该项目的月度调度自2019年5月起填报，不能补报更早的月份。"


def test_a_gap_month_filled_later_is_added_to_the_later_cumulatives(project, officer):
    _report(project, date(2019, 1, 1), 1000, officer)
    march = _report(project, date(2019, 3, 1), 3000, officer)
    _report(project, date(2019, 2, 1), 2000, officer)

    march.refresh_from_db()
    assert (march.invested_year, march.invested_total) == (Decimal(6000), Decimal(6000))


def test_negative_or_stale_saves_are_refused(project, officer):
    report = progress_report_start(project=project, month=date(2019, 1, 1), by=officer)
    with pytest.raises(ApplicationError) as negative:
        progress_report_save(
            report=report,
            invested_month=Decimal(-5),
            progress="",
            problems="",
            next_steps="",
            by=officer,
            expected_version=report.version,
        )
    assert negative.value.field == "invested_month"
    progress_report_save(
        report=report,
        invested_month=Decimal(5),
        progress="",
        problems="",
        next_steps="",
        by=officer,
        expected_version=1,
    )
    with pytest.raises(StaleEditError):
        progress_report_save(
            report=report,
            invested_month=Decimal(6),
            progress="",
            problems="",
            next_steps="",
            by=officer,
            expected_version=1,
        )
    assert ProgressReport.objects.get().invested_month == 5


def test_submitting_needs_the_progress_text_and_happens_once(project, officer):
    report = progress_report_start(project=project, month=date(2019, 1, 1), by=officer)
    with pytest.raises(ApplicationError) as empty:
        progress_report_submit(report=report, by=officer)
    assert empty.value.field == "progress"

    report = _report(project, date(2019, 2, 1), 10, officer)
    sent = progress_report_submit(report=report, by=officer)
    assert sent.status == ProgressReport.Status.SUBMITTED
    assert sent.submitted_by == officer and sent.submitted_at is not None
    with pytest.raises(ApplicationError) as twice:
        progress_report_submit(report=sent, by=officer)
    assert twice.value.message == "2019年2月的月度调度已报送。"


def test_drafts_follow_a_plan_adjustment_and_submitted_reports_keep_theirs(project, officer):
    annual_plan_set(project=project, year=2019, planned_investment=30000, by=officer)
    january = progress_report_submit(
        report=_report(project, date(2019, 1, 1), 1000, officer), by=officer
    )
    february = progress_report_start(project=project, month=date(2019, 2, 1), by=officer)

    annual_plan_set(project=project, year=2019, planned_investment=40000, by=officer)

    january.refresh_from_db()
    february.refresh_from_db()
    assert january.year_plan == Decimal(30000)
    assert february.year_plan == Decimal(40000)


def test_only_the_latest_draft_may_be_deleted(project, officer):
    january = _report(project, date(2019, 1, 1), 1000, officer)
    february = progress_report_start(project=project, month=date(2019, 2, 1), by=officer)
    with pytest.raises(ApplicationError) as middle:
        progress_report_delete(report=january, by=officer)
    assert middle.value.field == "month"
    progress_report_delete(report=february, by=officer)
    progress_report_submit(report=january, by=officer)
    with pytest.raises(ApplicationError) as sent:
        progress_report_delete(report=january, by=officer)
    assert sent.value.field == "status"


# --- command HQs ---------------------------------------------------------------------------


def test_a_command_hq_records_who_joined_and_left(project, officer, org):
    leader = make_user(RoleCode.LEADER, departments=[org["zone"]])
    other = make_user(RoleCode.STAFF, departments=[org["investment"]])
    hq = command_hq_create(
        name="海纳川项目建设指挥部",
        commander=leader,
        members=[officer],
        projects=[project],
        established_on=date(2019, 3, 1),
        by=officer,
    )
    with pytest.raises(ApplicationError) as duplicate:
        command_hq_create(name="海纳川项目建设指挥部", commander=leader, by=officer)
    assert duplicate.value.field == "name"
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as future:  # the founding-date rule of CommandHQ
        command_hq_update(hq=hq, by=officer, established_on=tomorrow)
    assert future.value.message_dict == {"established_on": [date_error(tomorrow, DateKind.FOUNDED)]}
    hq.refresh_from_db()

    command_hq_update(hq=hq, by=officer, members=[other], expected_version=1)

    hq = CommandHQ.objects.get()
    assert list(hq.members.all()) == [other]
    assert list(hq.projects.all()) == [project]
    reason = hq.history.first().history_change_reason
    assert reason == f"成员：增加{other}，移出{officer}"


def test_a_paper_submission_is_recorded_backdated_with_a_reason(project, officer):
    report = _report(project, date(2019, 10, 1), 100, officer)
    at = datetime(2019, 11, 5, 16, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

    with pytest.raises(ApplicationError) as no_reason:
        progress_report_submit(report=report, by=officer, at=at)
    with pytest.raises(ApplicationError) as too_early:
        progress_report_submit(
            report=report, by=officer, at=at.replace(month=9), backdate_reason="补登"
        )
    sent = progress_report_submit(report=report, by=officer, at=at, backdate_reason="纸质报送补登")

    assert no_reason.value.field == "backdate_reason"
    assert too_early.value.field == "at"
    assert sent.submitted_at == at
    assert sent.history.first().history_change_reason == "报送月度调度（补登：纸质报送补登）"
