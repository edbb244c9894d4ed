"""Reads of key-project scheduling: overdue milestones, the key projects that owe a monthly
report, the share of the year's plan and each key project's light (红黄绿灯), as of any date.

The light (DESIGN.md): completion = 本年累计 / 年度计划 of the latest submitted report of the
year up to the date; 序时进度 = the share of the year elapsed (month / 12 at a month's end, by
days otherwise); green, yellow when completion is 10 to 30 points behind, red beyond 30 points
or with a milestone overdue. "As of" a past date reads only the reports of the months up to it
and the milestones completed by then.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, models
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.common.amounts import format_wan
from zoneops.common.growth import schedule_share, share_percent
from zoneops.common.periods import Period, format_day, format_year, month_end, month_start
from zoneops.common.scope import scope_queryset
from zoneops.common.selectors import LazyRows
from zoneops.projects.enums import KeyLevel
from zoneops.projects.models import (
    CommandHQ,
    KeyDesignation,
    Milestone,
    ProgressReport,
    Project,
)
from zoneops.projects.models.scheduling import MilestoneQuerySet

ZERO = Decimal(0)
HUNDRED = Decimal(100)
TENTH = Decimal("0.1")
YELLOW_BEHIND = Decimal(10)  # points behind 序时进度 from which a light turns yellow
RED_BEHIND = Decimal(30)  # beyond this many points it is red


class LightColour(models.TextChoices):
    GREEN = "green", gettext_lazy("绿灯")
    YELLOW = "yellow", gettext_lazy("黄灯")
    RED = "red", gettext_lazy("红灯")
    NONE = "none", gettext_lazy("未评价")


class ReportState(models.TextChoices):
    """Where a key project stands with the month's report."""

    SUBMITTED = "submitted", gettext_lazy("已报送")
    DRAFT = "draft", gettext_lazy("草稿未报送")
    MISSING = "missing", gettext_lazy("未填报")
    NOT_DUE = "not_due", gettext_lazy("无需填报")


@dataclass(frozen=True)
class OverdueMilestone:
    id: int
    name: str
    planned_on: date
    days_late: int


@dataclass(frozen=True)
class Light:
    colour: str  # a LightColour value
    completion: Decimal | None  # 本年累计 / 年度计划, in %
    schedule: Decimal  # 序时进度, in %
    behind: Decimal | None  # points by which completion trails the schedule (negative: ahead)
    overdue_milestones: tuple[OverdueMilestone, ...]
    reasons: tuple[str, ...]  # in Chinese, one sentence each
    as_of: date
    year: int
    year_plan: Decimal | None = None  # 万元
    invested_year: Decimal | None = None  # 本年累计, 万元
    report_month: date | None = None  # the month of the report the completion comes from

    @property
    def label(self) -> str:
        return str(LightColour(self.colour).label)


def _percent(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def progress_share(*, invested_year: Decimal | None, year_plan: Decimal | None) -> Decimal | None:
    """本年累计 as a share of the year's plan, in % (None without a plan)."""
    if not year_plan:
        return None
    return share_percent(Decimal(invested_year or 0), year_plan)


def _visible(queryset: QuerySet, user: Any) -> QuerySet:
    return queryset if user is None else scope_queryset(queryset, user)


# --- Milestones -------------------------------------------------------------------------------


def milestones_overdue(
    *, as_of: date | None = None, user: Any = None, queryset: MilestoneQuerySet | None = None
) -> QuerySet[Milestone]:
    """Milestones overdue on `as_of` (today by default; `MilestoneQuerySet.overdue`: planned
    before it, not completed by then, of a project not dropped by then), zone-wide or in the
    user's scope, oldest first."""
    as_of = as_of or timezone.localdate()
    milestones = Milestone.objects.all() if queryset is None else queryset
    return (
        _visible(milestones.overdue(as_of=as_of), user)
        .select_related("project", "responsible_department")
        .order_by("planned_on", "id")
    )


def milestones_list(
    *,
    user: Any = None,
    project_id: int | None = None,
    department_id: int | None = None,
    overdue_as_of: date | None = None,
) -> QuerySet[Milestone]:
    everything = Milestone.objects.all()
    if overdue_as_of is not None:
        everything = everything.overdue(as_of=overdue_as_of)
    milestones = _visible(everything, user)
    if project_id is not None:
        milestones = milestones.filter(project_id=project_id)
    if department_id is not None:
        milestones = milestones.filter(responsible_department_id=department_id)
    return milestones.select_related("project", "responsible_department").order_by(
        "project_id", "order", "planned_on", "id"
    )


# --- Key projects and their monthly reports ------------------------------------------------------


def key_projects(*, year: int, user: Any = None) -> QuerySet[Project]:
    """The projects listed as key projects (省/市/区重点) in the year."""
    # The year's designations (an index) pick the projects: no look-up for every project.
    designated: Any = KeyDesignation.objects.filter(year=year).values("project_id")
    if connection.vendor == "postgresql":
        # Read first there: given as a subquery, PostgreSQL joined them last, after reading
        # and joining every running project (the schedule's queries took twice as long).
        # SQLite finds them by the index either way, and binding the ids cost it more.
        designated = set(designated.values_list("project_id", flat=True))
    return _visible(Project.objects.filter(pk__in=designated), user)


def _due_q(month: date) -> Q:
    """A project owes a report for the month when it had started by the month's end, was not in
    production before the month began and was not dropped by its end. (It reports the month it
    goes into production; one not yet started is followed by its milestones.)"""
    first, last = month_start(month), month_end(month)
    return (
        Q(started_on__lte=last)
        & (Q(production_on__isnull=True) | Q(production_on__gte=first))
        & (Q(terminated_on__isnull=True) | Q(terminated_on__gt=last))
    )


def key_projects_due(*, month: date, user: Any = None) -> QuerySet[Project]:
    """The key projects of the month's year that owe a report for the month."""
    return key_projects(year=month.year, user=user).filter(_due_q(month))


def key_projects_not_reported(*, month: date | None = None, user: Any = None) -> QuerySet[Project]:
    """Key projects with no submitted report for the month (default: this month); those with a
    draft carry its id as `draft_report_id`."""
    first = month_start(month or timezone.localdate())
    reports = ProgressReport.objects.filter(project=OuterRef("pk"), month=first)
    draft = reports.filter(status=ProgressReport.Status.DRAFT).values("pk")[:1]
    return (
        key_projects_due(month=first, user=user)
        .exclude(Exists(reports.filter(status=ProgressReport.Status.SUBMITTED)))
        .annotate(draft_report_id=Subquery(draft))
        .select_related("liaison_leader", "responsible_department")
        .order_by("code")
    )


def progress_reports_list(
    *,
    user: Any = None,
    month: date | None = None,
    project_id: int | None = None,
    status: str | None = None,
) -> QuerySet[ProgressReport]:
    reports = _visible(ProgressReport.objects.all(), user)
    if month is not None:
        reports = reports.filter(month=month_start(month))
    if project_id is not None:
        reports = reports.filter(project_id=project_id)
    if status:
        reports = reports.filter(status=status)
    return reports.select_related("project").order_by("-month", "project__code")


# --- Lights ----------------------------------------------------------------------------------


def _standing(
    *,
    schedule: Decimal,
    started: bool,
    year_plan: Decimal | None,
    invested_year: Decimal | None,
    report_month: date | None,
) -> tuple[str, Decimal | None, Decimal | None]:
    """A running project's colour by its completion alone (milestones aside), its completion
    and the points it trails the schedule by."""
    if not started:
        return LightColour.GREEN, None, None
    if not year_plan:
        return LightColour.NONE, None, None
    invested = (invested_year or ZERO) if report_month is not None else ZERO
    completion = _percent(invested * HUNDRED / Decimal(year_plan))
    behind = schedule - completion
    if behind > RED_BEHIND:
        return LightColour.RED, completion, behind
    if behind >= YELLOW_BEHIND:
        return LightColour.YELLOW, completion, behind
    return LightColour.GREEN, completion, behind


def _colour(
    *,
    schedule: Decimal,
    started: bool,
    terminated: bool,
    year_plan: Decimal | None,
    invested_year: Decimal | None,
    report_month: date | None,
    overdue: bool,
) -> str:
    """The light's colour alone (what `_light` says, without its sentences)."""
    if terminated:
        return LightColour.NONE
    colour, _completion, _behind = _standing(
        schedule=schedule,
        started=started,
        year_plan=year_plan,
        invested_year=invested_year,
        report_month=report_month,
    )
    return LightColour.RED if overdue else colour


def _light(
    *,
    as_of: date,
    year: int,
    started: bool,
    terminated: bool,
    year_plan: Decimal | None,
    invested_year: Decimal | None,
    report_month: date | None,
    overdue: tuple[OverdueMilestone, ...],
) -> Light:
    schedule = schedule_share(as_of=as_of, year=year)
    reasons: list[str] = []
    if terminated:
        return Light(
            colour=LightColour.NONE,
            completion=None,
            schedule=schedule,
            behind=None,
            overdue_milestones=(),
            reasons=(_("项目已终止，不再调度。"),),
            as_of=as_of,
            year=year,
        )
    colour, completion, behind = _standing(
        schedule=schedule,
        started=started,
        year_plan=year_plan,
        invested_year=invested_year,
        report_month=report_month,
    )
    if not started:
        reasons.append(_("尚未开工，按节点计划调度。"))
    elif completion is None or behind is None:
        reasons.append(_("未录入%(year)d年度投资计划，无法计算完成率。") % {"year": year})
    else:
        invested = (invested_year or ZERO) if report_month is not None else ZERO
        if report_month is None:
            reasons.append(_("%(year)d年尚未报送月度调度。") % {"year": year})
        figures = {
            "period": Period.months_to(year, report_month.month).label
            if report_month
            else format_year(year),
            "invested": format_wan(invested),
            "completion": completion,
            "schedule": schedule,
            "behind": behind,
        }
        if colour == LightColour.RED:
            reasons.append(
                _(
                    "%(period)s完成投资%(invested)s，占年度计划的%(completion)s%%，"
                    "落后序时进度（%(schedule)s%%）%(behind)s个百分点，超过30个百分点。"
                )
                % figures
            )
        elif colour == LightColour.YELLOW:
            reasons.append(
                _(
                    "%(period)s完成投资%(invested)s，占年度计划的%(completion)s%%，"
                    "落后序时进度（%(schedule)s%%）%(behind)s个百分点。"
                )
                % figures
            )
        else:
            reasons.append(
                _(
                    "%(period)s完成投资%(invested)s，占年度计划的%(completion)s%%，"
                    "序时进度%(schedule)s%%。"
                )
                % figures
            )
    if overdue:
        colour = LightColour.RED
        for milestone in overdue:
            reasons.append(
                _("节点“%(name)s”计划%(planned)s完成，已逾期%(days)d天。")
                % {
                    "name": milestone.name,
                    "planned": format_day(milestone.planned_on),
                    "days": milestone.days_late,
                }
            )
    return Light(
        colour=colour,
        completion=completion,
        schedule=schedule,
        behind=behind,
        overdue_milestones=overdue,
        reasons=tuple(reasons),
        as_of=as_of,
        year=year,
        year_plan=year_plan,
        invested_year=invested_year if report_month is not None else None,
        report_month=report_month,
    )


def _with_light_facts(projects: QuerySet, *, day: date, year: int) -> QuerySet:
    """The projects with what their light is judged on: the latest report of the year submitted
    for a month up to `day` (one subquery picks its id on an index, the report is joined once)
    and the year's plan, as `light_report_month`, `light_invested_year`, `light_report_plan`
    and `light_plan`."""
    latest = (
        ProgressReport.objects.filter(
            project=OuterRef("pk"),
            status=ProgressReport.Status.SUBMITTED,
            month__gte=date(year, 1, 1),
            month__lte=day,
        )
        .order_by("-month")
        .values("pk")[:1]
    )
    return projects.annotate(
        light_report=FilteredRelation(
            "progress_reports", condition=Q(progress_reports__pk=Subquery(latest))
        ),
        light_year_plan=FilteredRelation("annual_plans", condition=Q(annual_plans__year=year)),
    ).annotate(
        light_report_month=F("light_report__month"),
        light_invested_year=F("light_report__invested_year"),
        light_report_plan=F("light_report__year_plan"),
        light_plan=F("light_year_plan__planned_investment"),
    )


def _light_counts(projects: QuerySet, *, as_of: date, year: int) -> dict[str, int]:
    """How many of the projects have each colour: one query of bare values, however many."""
    day = min(as_of, date(year, 12, 31))
    schedule = schedule_share(as_of=day, year=year)
    late = Milestone.objects.filter(project=OuterRef("pk")).overdue(as_of=day)
    rows = (
        _with_light_facts(projects.order_by(), day=day, year=year)
        .annotate(light_overdue=Exists(late))
        .values_list(
            "started_on",
            "terminated_on",
            "light_report_month",
            "light_invested_year",
            "light_report_plan",
            "light_plan",
            "light_overdue",
        )
    )
    counts: dict[str, int] = {colour: 0 for colour in LightColour.values}
    for started_on, terminated_on, month, invested, report_plan, plan, overdue in rows:
        colour = _colour(
            schedule=schedule,
            started=started_on is not None and started_on <= day,
            terminated=terminated_on is not None and terminated_on <= day,
            year_plan=report_plan if report_plan is not None else plan,
            invested_year=invested,
            report_month=month,
            overdue=overdue,
        )
        counts[colour] += 1
    return counts


def _evaluate(projects: QuerySet, *, as_of: date, year: int) -> list[tuple[Project, Light]]:
    """The light of every project of the queryset, in two queries whatever their number."""
    day = min(as_of, date(year, 12, 31))
    rows = list(_with_light_facts(projects, day=day, year=year))
    overdue: dict[int, list[OverdueMilestone]] = defaultdict(list)
    if rows:
        milestones = (
            Milestone.objects.filter(project__in=[row.pk for row in rows])
            .overdue(as_of=day)
            .order_by("planned_on", "id")
            .values_list("project_id", "id", "name", "planned_on")
        )
        for project_id, pk, name, planned_on in milestones:
            overdue[project_id].append(
                OverdueMilestone(
                    id=pk, name=name, planned_on=planned_on, days_late=(day - planned_on).days
                )
            )
    result = []
    for project in rows:
        values: Any = project  # the annotations above
        light = _light(
            as_of=day,
            year=year,
            started=project.started_on is not None and project.started_on <= day,
            terminated=project.terminated_on is not None and project.terminated_on <= day,
            year_plan=values.light_report_plan
            if values.light_report_plan is not None
            else values.light_plan,
            invested_year=values.light_invested_year,
            report_month=values.light_report_month,
            overdue=tuple(overdue.get(project.pk, ())),
        )
        result.append((project, light))
    return result


def project_light(*, project: Project, as_of: date) -> Light:
    """A project's light on `as_of`, for the year of that date."""
    ((_project, light),) = _evaluate(
        Project.objects.filter(pk=project.pk), as_of=as_of, year=as_of.year
    )
    return light


def key_projects_with_lights(
    *, as_of: date, user: Any = None, year: int | None = None
) -> LazyRows[tuple[Project, Light]]:
    """The year's key projects (not dropped by `as_of`) with their lights, by code: all of them
    in two queries when iterated, a page of them in two more when sliced (`LazyRows`)."""
    year = year or as_of.year
    day = min(as_of, date(year, 12, 31))
    projects = (
        key_projects(year=year, user=user)
        .exclude(terminated_on__lte=day)
        .select_related("liaison_leader", "responsible_department")
        .order_by("code")
    )
    return LazyRows(projects, lambda rows: _evaluate(rows, as_of=as_of, year=year))


def key_project_lights(
    *, as_of: date, user: Any = None, year: int | None = None
) -> dict[int, Light]:
    """{project id: light} of the year's key projects, in a fixed number of queries."""
    return {
        project.pk: light
        for project, light in key_projects_with_lights(as_of=as_of, user=user, year=year)
    }


def _severity(pair: tuple[Project, Light]) -> tuple[Decimal, int, str]:
    project, light = pair
    return (-(light.behind or ZERO), -len(light.overdue_milestones), project.code)


def projects_with_red_light(*, as_of: date, user: Any = None) -> list[Project]:
    """The key projects whose light is red on `as_of`, worst first; each carries its Light as
    `project.light` (for the meeting agenda)."""
    red = [
        pair
        for pair in key_projects_with_lights(as_of=as_of, user=user)
        if pair[1].colour == LightColour.RED
    ]
    projects = []
    for project, light in sorted(red, key=_severity):
        setattr(project, "light", light)  # noqa: B010  Project has no such field
        projects.append(project)
    return projects


# --- The scheduling page (重点项目调度) ----------------------------------------------------------

LEVEL_ORDER = (KeyLevel.PROVINCE, KeyLevel.CITY, KeyLevel.DISTRICT)


def key_level_label(levels: set[str]) -> str:
    """{province, city} → "省市双重点"; otherwise the single level's name."""
    if {KeyLevel.PROVINCE, KeyLevel.CITY} <= levels:
        return _("省市双重点")
    return "、".join(str(level.label) for level in LEVEL_ORDER if level in levels)


@dataclass
class ScheduleRow:
    project: Project
    levels: str
    light: Light
    report_state: str  # a ReportState value: the month's report
    report_id: int | None  # the month's report, submitted or draft

    @property
    def report_state_label(self) -> str:
        return str(ReportState(self.report_state).label)


@dataclass
class KeyProjectSchedule:
    month: date
    as_of: date
    rows: Sequence[ScheduleRow]
    counts: dict[str, int] = field(default_factory=dict)  # light colour → projects
    not_reported: Sequence[Project] = field(default_factory=list)

    @property
    def month_label(self) -> str:
        return Period.of_month(self.month).label


def key_project_schedule(*, month: date | None = None, user: Any = None) -> KeyProjectSchedule:
    """The month's table of key projects: plan, 本年累计, share, 序时进度, light, overdue
    milestones, and who has not reported. The lights of all of them are counted in one query;
    the rows and the not-reported projects are built a page at a time (`LazyRows`), three
    queries and one a page, whatever the number of projects."""
    today = timezone.localdate()
    first = month_start(month or today)
    as_of = min(month_end(first), today)
    year = first.year
    key = key_projects(year=year, user=user).exclude(terminated_on__lt=first)
    projects = (
        key.annotate(
            month_report=FilteredRelation(
                "progress_reports", condition=Q(progress_reports__month=first)
            ),
        )
        .annotate(
            month_due=ExpressionWrapper(_due_q(first), output_field=BooleanField()),
            month_report_id=F("month_report__pk"),
            month_report_status=F("month_report__status"),
        )
        .select_related("liaison_leader", "responsible_department")
        .order_by("code")
    )
    not_reported = projects.filter(_due_q(first)).exclude(
        month_report_status=ProgressReport.Status.SUBMITTED, month_report_status__isnull=False
    )
    return KeyProjectSchedule(
        month=first,
        as_of=as_of,
        rows=LazyRows(projects, lambda rows: _schedule_rows(rows, as_of=as_of, year=year)),
        counts=_light_counts(key, as_of=as_of, year=year),
        not_reported=LazyRows(not_reported, list),
    )


def _schedule_rows(projects: QuerySet, *, as_of: date, year: int) -> list[ScheduleRow]:
    """The table's rows of the projects (annotated by `key_project_schedule`), in three queries."""
    pairs = _evaluate(projects, as_of=as_of, year=year)
    levels: dict[int, set[str]] = defaultdict(set)
    for project_id, level in KeyDesignation.objects.filter(
        year=year, project__in=[project.pk for project, _light in pairs]
    ).values_list("project_id", "level"):
        levels[project_id].add(level)
    rows = []
    for project, light in pairs:
        values: Any = project
        due = bool(values.month_due)
        if values.month_report_status == ProgressReport.Status.SUBMITTED:
            state = ReportState.SUBMITTED
        elif values.month_report_status == ProgressReport.Status.DRAFT:
            state = ReportState.DRAFT if due else ReportState.NOT_DUE
        else:
            state = ReportState.MISSING if due else ReportState.NOT_DUE
        rows.append(
            ScheduleRow(
                project=project,
                levels=key_level_label(levels[project.pk]),
                light=light,
                report_state=state,
                report_id=values.month_report_id,
            )
        )
    return rows


def command_hqs_list(*, user: Any = None) -> QuerySet[CommandHQ]:
    """Command HQs with their commander, members and projects prefetched (three queries)."""
    return (
        _visible(CommandHQ.objects.all(), user)
        .select_related("commander")
        .prefetch_related("members", "projects")
        .order_by("name")
    )


# --- a project's latest report and key level, for lists outside the back office ------------------


def projects_with_latest_report(*, user: Any) -> QuerySet[Project]:
    """The projects the user may see (an enterprise user: its own), still moving ones first and
    dropped ones last, the newest first within each; with their park, their latest submitted
    monthly report (月度调度) as `latest_month`, `latest_progress` and `latest_invested_total`,
    and their key designations prefetched for `projects_with_key_level`. A fixed number of
    queries for any number of rows."""
    latest = ProgressReport.objects.filter(
        project=OuterRef("pk"), status=ProgressReport.Status.SUBMITTED
    ).order_by("-month")
    return (
        scope_queryset(Project.objects.all(), user)
        .select_related("park")
        .annotate(
            latest_month=Subquery(latest.values("month")[:1]),
            latest_progress=Subquery(latest.values("progress")[:1]),
            latest_invested_total=Subquery(latest.values("invested_total")[:1]),
        )
        .prefetch_related("key_designations")
        .order_by(F("terminated_on").asc(nulls_first=True), "-id")
    )


def projects_with_key_level(projects: Iterable[Project]) -> list[Project]:
    """Each project (key designations prefetched) with `key_year`, the latest year it was
    listed, and `key_label`, its level that year (省市双重点, 市重点, ...)."""
    rows = list(projects)
    for project in rows:
        designations = list(project.key_designations.all())
        year = max((d.year for d in designations), default=None)
        project.key_year = year  # type: ignore[attr-defined]
        project.key_label = (  # type: ignore[attr-defined]
            key_level_label({d.level for d in designations if d.year == year}) if year else ""
        )
    return rows
