"""Reads of the enterprise register: liaison (包联) and the scope it gives, "my liaison", the
zone's coverage table, and figures with their year-on-year change (never typed in)."""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.amounts import AmountSum
from zoneops.common.growth import month_from_cumulative, yoy_percent
from zoneops.common.scope import DataScope, scope_fields, scope_for, scope_queryset
from zoneops.enterprises.enums import (
    FLOW_METRICS,
    METRICS,
    STOCK_METRICS,
    LiaisonKind,
    LiaisonLevel,
)
from zoneops.enterprises.models import (
    Enterprise,
    EnterpriseFigure,
    LiaisonAssignment,
    period_label,
)
from zoneops.enterprises.permissions import ASSIGN_LIAISON
from zoneops.orgs.models import Membership, User
from zoneops.projects.models import Problem, Project
from zoneops.projects.selectors import projects_liaised_by, projects_under_liaison
from zoneops.projects.selectors.problems import problems_open_as_of

# --- Liaison and the data scope it gives ---------------------------------------------------


def _own_departments(user_id: int) -> QuerySet[Membership, Any]:
    return Membership.objects.filter(user_id=user_id).values("department_id")


def liaisons_of(
    *,
    user_id: int,
    on: date,
    department_ids: frozenset[int] = frozenset(),
    own_department_ids: Collection[int] | None = None,
) -> QuerySet[LiaisonAssignment]:
    """Assignments in force on the day of the person himself, of the departments he belongs
    to (部门包联 reaches its members; `own_department_ids` when already read) and of the
    departments his scope covers."""
    own = _own_departments(user_id) if own_department_ids is None else list(own_department_ids)
    condition = Q(person_id=user_id) | Q(department_id__in=own)
    if department_ids:
        condition |= Q(department_id__in=department_ids)
    return LiaisonAssignment.objects.active(on=on).filter(condition)


def liaison_enterprise_ids(
    *, on: date, department_ids: frozenset[int], person_id: int | None = None
) -> QuerySet[LiaisonAssignment, Any]:
    """The ids of the enterprises the departments, or the person himself, liaise with (包联) on
    the day, as a subquery (`enterprise__in=...`); a department's members are not counted."""
    condition = Q(department__in=department_ids)
    if person_id is not None:
        condition |= Q(person_id=person_id)
    return LiaisonAssignment.objects.active(on=on).filter(condition).values("enterprise_id")


def liaison_scope(model: type[models.Model], scope: DataScope, write: bool) -> Q | None:
    """Scope provider: a staff member also reaches the records of the enterprises he liaises
    with — the enterprise, and every record that names it (figures, its projects, their
    problems, its requests) through the model's `scope_enterprise_field` (for writing, its
    `scope_write_enterprise_field`: liaison does not let him rearrange liaison)."""
    enterprise_field = scope_fields(model, "enterprise_field", write=write)
    if enterprise_field is None or scope.user_id is None or not scope.is_staff:
        return None
    enterprises = liaisons_of(
        user_id=scope.user_id,
        on=timezone.localdate(),
        department_ids=scope.department_ids,
        # As values where the scope has them: beside a subquery the planner read every
        # assignment (43,000 on the large zone) instead of the person's and departments' own.
        own_department_ids=scope.member_of,
    ).values("enterprise_id")
    return Q(**{f"{enterprise_field}__in": enterprises})


def liaison_may_arrange(*, user: Any, enterprise: Enterprise) -> bool:
    """Whether the user may assign and end liaison for the enterprise: he holds ASSIGN_LIAISON,
    and the enterprise is his departments' responsibility (服务责任部门) or his scope is the
    whole zone. Liaison never counts: it does not let anyone rearrange liaison."""
    if not user.has_perm(ASSIGN_LIAISON):
        return False
    scope = scope_for(user)
    return scope.everything or enterprise.responsible_department_id in scope.department_ids


def liaison_widens_scope_of(*, user: Any, person: Any = None, department: Any = None) -> bool:
    """Whether an assignment naming `person` or `department` would widen what `user` himself
    sees: he is the person, or the department is one he belongs to or his scope covers (a
    部门包联 reaches them). A zone-wide scope cannot be widened."""
    scope = scope_for(user)
    if scope.everything:
        return False
    if person is not None and person.pk == user.pk:
        return True
    if department is None:
        return False
    return department.pk in scope.department_ids or (
        _own_departments(user.pk).filter(department_id=department.pk).exists()
    )


def liaison_enterprises(*, user: Any, on: date | None = None) -> QuerySet[Enterprise]:
    """The enterprises the person liaises with on the day, himself or through his department."""
    on = on or timezone.localdate()
    assignments = liaisons_of(user_id=user.pk, on=on).values("enterprise_id")
    return Enterprise.objects.filter(pk__in=assignments).select_related("park", "industry")


@dataclass(frozen=True)
class LiaisonEnterpriseRow:
    enterprise: Enterprise
    assignments: list[LiaisonAssignment]
    open_problems: int
    overdue_problems: int
    latest: "FigureRow | None"

    @property
    def kinds(self) -> str:
        return "、".join(dict.fromkeys(a.get_kind_display() for a in self.assignments))


@dataclass(frozen=True)
class LiaisonProjectRow:
    project: Project
    as_leader: bool
    as_department: bool
    open_problems: int
    overdue_problems: int


@dataclass
class MyLiaison:
    """What a person liaises with: a window of his enterprises (by name), of his projects
    (newest first) and of the problems open there (the most urgent first), each with how many
    there are in all, and the offsets the windows were read from."""

    on: date
    enterprises: list[LiaisonEnterpriseRow] = field(default_factory=list)
    projects: list[LiaisonProjectRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    enterprises_total: int = 0
    projects_total: int = 0
    problems_total: int = 0
    overdue: int = 0  # of the open problems, those past their due date on `on`
    enterprises_offset: int = 0
    projects_offset: int = 0
    problems_offset: int = 0


def _window(
    queryset: QuerySet, offset: int, limit: int | None, *, past_end_shows_last: bool
) -> tuple[list[Any], int, int]:
    """The rows from `offset` (all of them without a limit), how many there are in all and
    the offset read: one query when the window holds them all, else a count too. An offset
    past the end reads the last window instead when `past_end_shows_last` (a page's pager)."""
    if limit is None and not offset:
        rows = list(queryset)
        return rows, len(rows), 0
    rows = list(queryset[offset : None if limit is None else offset + limit])
    if not offset and limit is not None and len(rows) < limit:
        return rows, len(rows), 0
    total = queryset.count()
    if not rows and total and past_end_shows_last:
        offset = (total - 1) // limit * limit if limit else 0
        rows = list(queryset[offset : None if limit is None else offset + limit])
    return rows, total, offset


def _open_and_overdue(problems: QuerySet, key: str, on: date) -> dict[Any, tuple[int, int]]:
    """Per `key` (a project or its investor), how many problems are open and how many overdue."""
    rows = (
        problems.order_by()
        .values(by=F(key))
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=on)))
    )
    return {row["by"]: (row["open"], row["overdue"]) for row in rows}


def my_liaison(
    *,
    user: Any,
    on: date | None = None,
    enterprises_offset: int = 0,
    projects_offset: int = 0,
    problems_offset: int = 0,
    limit: int | None = None,
    past_end_shows_last: bool = False,
) -> MyLiaison:
    """What a person liaises with and what is open there, in a fixed number of queries: the
    enterprises, projects and open problems from their offsets, `limit` of each (all without
    one), with their totals and the open and overdue problems counted per row in the database.
    With `past_end_shows_last` an offset past a list's end reads its last window."""
    on = on or timezone.localdate()
    # His departments as values: PostgreSQL reads "him or his departments" through the two
    # indexes (a BitmapOr); given as a subquery, it read every project and every assignment.
    own_departments = set(_own_departments(user.pk).values_list("department_id", flat=True))
    liaisons = liaisons_of(user_id=user.pk, on=on, own_department_ids=own_departments)
    enterprises, enterprises_total, enterprises_offset = _window(
        Enterprise.objects.filter(pk__in=liaisons.values("enterprise_id"))
        .select_related("park")
        .order_by("name", "pk"),
        enterprises_offset,
        limit,
        past_end_shows_last=past_end_shows_last,
    )
    by_enterprise: dict[int, list[LiaisonAssignment]] = {e.pk: [] for e in enterprises}
    for assignment in liaisons.filter(enterprise__in=list(by_enterprise)).order_by(
        "kind", "started_on", "pk"
    ):
        by_enterprise[assignment.enterprise_id].append(assignment)
    liaised = projects_liaised_by(user=user, own_department_ids=own_departments)
    projects, projects_total, projects_offset = _window(
        liaised.order_by("-id"), projects_offset, limit, past_end_shows_last=past_end_shows_last
    )
    open_problems = problems_open_as_of(as_of=on, user=user).filter(
        Q(project__in=liaised.values("pk"))
        | Q(project__investor_enterprise__in=liaisons.values("enterprise_id"))
    )
    problems, problems_total, problems_offset = _window(
        open_problems.select_related("project", "department").order_by("due_on", "id"),
        problems_offset,
        limit,
        past_end_shows_last=past_end_shows_last,
    )
    overdue = (
        sum(1 for problem in problems if problem.due_on < on)
        if len(problems) == problems_total
        else open_problems.filter(due_on__lt=on).count()
    )
    of_projects = _open_and_overdue(
        open_problems.filter(project__in=[project.pk for project in projects]), "project_id", on
    )
    of_enterprises = _open_and_overdue(
        open_problems.filter(project__investor_enterprise__in=list(by_enterprise)),
        "project__investor_enterprise_id",
        on,
    )
    latest = latest_figures(enterprise_ids=list(by_enterprise))
    result = MyLiaison(
        on=on,
        problems=problems,
        enterprises_total=enterprises_total,
        projects_total=projects_total,
        problems_total=problems_total,
        overdue=overdue,
        enterprises_offset=enterprises_offset,
        projects_offset=projects_offset,
        problems_offset=problems_offset,
    )
    for enterprise in enterprises:
        found, late = of_enterprises.get(enterprise.pk, (0, 0))
        result.enterprises.append(
            LiaisonEnterpriseRow(
                enterprise=enterprise,
                assignments=by_enterprise[enterprise.pk],
                open_problems=found,
                overdue_problems=late,
                latest=latest.get(enterprise.pk),
            )
        )
    for project in projects:
        found, late = of_projects.get(project.pk, (0, 0))
        result.projects.append(
            LiaisonProjectRow(
                project=project,
                as_leader=project.liaison_leader_id == user.pk,
                as_department=project.responsible_department_id in own_departments,
                open_problems=found,
                overdue_problems=late,
            )
        )
    return result


# --- The zone's coverage table -------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    key: str
    label: str
    objects: int  # projects or enterprises
    persons: int  # leaders or inspectors
    departments: int


@dataclass(frozen=True)
class CoveragePerson:
    user_id: int
    name: str
    title: str
    projects: int
    province_city: int
    district: int
    inspected: int


@dataclass
class LiaisonCoverage:
    on: date
    rows: list[CoverageRow]
    people: list[CoveragePerson]
    enterprises_total: int


COVERAGE_PROJECTS = "projects"
COVERAGE_PROVINCE_CITY = "province_city"
COVERAGE_DISTRICT = "district"
COVERAGE_INSPECTORS = "inspectors"


def _coverage_row(key: str, label: str, queryset: QuerySet, objects: str) -> CoverageRow:
    counts = queryset.aggregate(
        objects=Count(objects, distinct=True),
        persons=Count("person", distinct=True),
        departments=Count("department", distinct=True),
    )
    return CoverageRow(key, label, counts["objects"], counts["persons"], counts["departments"])


def liaison_coverage(*, user: Any = None, on: date | None = None) -> LiaisonCoverage:
    """The zone's 包联 table from the records: projects with a 包联领导 and a 责任部门; the
    enterprises under liaison on the province's and city's list and those the zone added
    (区级, not counted twice); the inspectors and their enterprises (纪检包联).

    Projects are counted within the user's data scope (all of them for a zone-wide role);
    the liaison roster is read by every staff member. Eight queries whatever the size.
    """
    on = on or timezone.localdate()
    projects = projects_under_liaison(user=user)
    project_counts = projects.aggregate(
        objects=Count("pk", distinct=True),
        persons=Count("liaison_leader", distinct=True),
        departments=Count("responsible_department", distinct=True),
    )
    active = LiaisonAssignment.objects.active(on=on)
    if user is not None:
        active = scope_queryset(active, user)
    staff_kinds = (LiaisonKind.LEADER, LiaisonKind.DEPARTMENT)
    province_city = active.filter(kind__in=staff_kinds, level=LiaisonLevel.PROVINCE_CITY)
    district = active.filter(kind__in=staff_kinds, level=LiaisonLevel.DISTRICT).exclude(
        enterprise__in=province_city.values("enterprise_id")
    )
    rows = [
        CoverageRow(
            COVERAGE_PROJECTS,
            _("项目包联（包联领导和责任部门）"),
            project_counts["objects"],
            project_counts["persons"],
            project_counts["departments"],
        ),
        _coverage_row(
            COVERAGE_PROVINCE_CITY, _("工业企业包联（省市确定）"), province_city, "enterprise"
        ),
        _coverage_row(
            COVERAGE_DISTRICT, _("纳入区级包联的企业（省市名单以外）"), district, "enterprise"
        ),
        _coverage_row(
            COVERAGE_INSPECTORS,
            _("纪检监察干部包联企业"),
            active.filter(kind=LiaisonKind.INSPECTOR),
            "enterprise",
        ),
    ]
    enterprises_total = active.values("enterprise_id").distinct().count()
    return LiaisonCoverage(
        on=on,
        rows=rows,
        people=_coverage_people(projects=projects, active=active),
        enterprises_total=enterprises_total,
    )


def _coverage_people(*, projects: QuerySet, active: QuerySet) -> list[CoveragePerson]:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in projects.values("liaison_leader").annotate(n=Count("pk")):
        counts[row["liaison_leader"]]["projects"] = row["n"]
    per_person = (
        active.filter(person__isnull=False)
        .values("person", "kind", "level")
        .annotate(n=Count("enterprise", distinct=True))
    )
    for row in per_person:
        if row["kind"] == LiaisonKind.INSPECTOR:
            key = "inspected"
        elif row["level"] == LiaisonLevel.PROVINCE_CITY:
            key = "province_city"
        else:
            key = "district"
        counts[row["person"]][key] += row["n"]
    users = User.objects.in_bulk(list(counts))
    people = [
        CoveragePerson(
            user_id=pk,
            name=str(users[pk]),
            title=users[pk].title,
            projects=values.get("projects", 0),
            province_city=values.get("province_city", 0),
            district=values.get("district", 0),
            inspected=values.get("inspected", 0),
        )
        for pk, values in counts.items()
        if pk in users
    ]
    return sorted(
        people,
        key=lambda p: (-(p.projects + p.province_city + p.district), -p.inspected, p.name),
    )


# --- Figures and their year-on-year change --------------------------------------------------


def _previous_value(metric: str) -> Case:
    """The same period a year earlier: 1-N月 against 1-N月; a year against the year before
    (its own report, else December's cumulative)."""
    same_months = EnterpriseFigure.objects.filter(
        enterprise=OuterRef("enterprise"), year=OuterRef("year") - 1, month=OuterRef("month")
    ).values(metric)[:1]
    year_before = (
        EnterpriseFigure.objects.filter(
            enterprise=OuterRef("enterprise"), year=OuterRef("year") - 1
        )
        .filter(Q(month__isnull=True) | Q(month=12))
        .order_by(F("month").asc(nulls_first=True))
        .values(metric)[:1]
    )
    output: Any = EnterpriseFigure._meta.get_field(metric)
    return Case(
        When(month__isnull=True, then=Subquery(year_before, output_field=output)),
        default=Subquery(same_months, output_field=output),
        output_field=output,
    )


def figures_with_previous(queryset: QuerySet[EnterpriseFigure]) -> QuerySet[EnterpriseFigure]:
    """Each row with `previous_<metric>`: the same period of the year before (one query)."""
    return queryset.annotate(
        **{f"previous_{metric}": _previous_value(metric) for metric in METRICS}
    ).select_related("enterprise")


@dataclass(frozen=True)
class FigureRow:
    figure: EnterpriseFigure
    values: dict[str, Decimal | int | None]
    previous: dict[str, Decimal | int | None]
    yoy: dict[str, Decimal | None]
    month_values: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def period_label(self) -> str:
        return self.figure.period_label


def figure_row(
    figure: EnterpriseFigure, previous: dict[str, Any] | None = None, month_before: Any = None
) -> FigureRow:
    """A figure with its YoY; `previous` defaults to the `previous_<metric>` annotations."""
    values = {metric: getattr(figure, metric) for metric in METRICS}
    if previous is None:
        previous = {metric: getattr(figure, f"previous_{metric}", None) for metric in METRICS}
    month_values: dict[str, Decimal | None] = {}
    if figure.month is not None:
        for metric in FLOW_METRICS:
            month_values[metric] = month_from_cumulative(
                month=figure.month,
                cumulative=values[metric],
                cumulative_before=None if month_before is None else getattr(month_before, metric),
            )
    return FigureRow(
        figure=figure,
        values=values,
        previous=previous,
        yoy={metric: yoy_percent(values[metric], previous.get(metric)) for metric in METRICS},
        month_values=month_values,
    )


def enterprise_figure_of(
    *, enterprise: Enterprise, year: int, month: int | None
) -> EnterpriseFigure | None:
    """The stored figures of one period (a month's 1-N月 row, or the year's own row)."""
    rows = EnterpriseFigure.objects.filter(enterprise=enterprise, year=year)
    if month is None:
        return rows.filter(month__isnull=True).first()
    return rows.filter(month=month).first()


def enterprise_figure_series(
    *, enterprise: Enterprise, year: int, user: Any = None
) -> list[FigureRow]:
    """An enterprise's figures of a year, months first then the year, each with 1-N月, the
    month's own value (当月, from two cumulatives) and YoY — from one query."""
    queryset = EnterpriseFigure.objects.filter(enterprise=enterprise, year__in=[year - 1, year])
    if user is not None:
        queryset = scope_queryset(queryset, user)
    rows = list(queryset)
    by_period = {(row.year, row.month): row for row in rows}
    series = []
    for row in sorted(
        (r for r in rows if r.year == year), key=lambda r: (r.month is None, r.month or 0)
    ):
        if row.month is None:
            before = by_period.get((year - 1, None)) or by_period.get((year - 1, 12))
        else:
            before = by_period.get((year - 1, row.month))
        previous = {metric: getattr(before, metric) if before else None for metric in METRICS}
        month_before = by_period.get((year, row.month - 1)) if row.month else None
        series.append(figure_row(row, previous, month_before))
    return series


def latest_figures(*, enterprise_ids: list[int]) -> dict[int, FigureRow]:
    """Each enterprise's most recent monthly figures with their YoY, in one query."""
    if not enterprise_ids:
        return {}
    latest = (
        EnterpriseFigure.objects.filter(enterprise=OuterRef("enterprise"), month__isnull=False)
        .order_by("-year", "-month")
        .values("pk")[:1]
    )
    figures = figures_with_previous(
        EnterpriseFigure.objects.filter(enterprise_id__in=enterprise_ids).filter(
            pk=Subquery(latest)
        )
    )
    return {figure.enterprise_id: figure_row(figure) for figure in figures}


@dataclass(frozen=True)
class FiguresTotal:
    """The zone's total of a period and its YoY on a like-for-like basis (同口径): the
    enterprises that reported both this period and the same period a year earlier."""

    year: int
    month: int | None
    enterprises: int
    values: dict[str, Decimal | int]
    comparable: dict[str, Decimal | int]
    previous: dict[str, Decimal | int]
    yoy: dict[str, Decimal | None]

    @property
    def period_label(self) -> str:
        return period_label(self.year, self.month)


def _sums(queryset: QuerySet) -> dict[str, Any]:
    totals = queryset.aggregate(
        enterprises=Count("enterprise", distinct=True),
        **{m: Sum(m) if m in STOCK_METRICS else AmountSum(m) for m in METRICS},
    )
    return {key: (value if value is not None else 0) for key, value in totals.items()}


def figures_total(*, year: int, month: int | None = None, user: Any = None) -> FiguresTotal:
    """The sum over the enterprises (e.g. the zone's 营业收入 for 2019年1-10月), three queries."""
    base = EnterpriseFigure.objects.all()
    if user is not None:
        base = scope_queryset(base, user)
    current = base.of_period(year, month)
    before = base.of_period(year - 1, month)
    total = _sums(current)
    comparable = _sums(
        current.filter(
            Exists(
                EnterpriseFigure.objects.of_period(year - 1, month).filter(
                    enterprise=OuterRef("enterprise")
                )
            )
        )
    )
    previous = _sums(
        before.filter(
            Exists(
                EnterpriseFigure.objects.of_period(year, month).filter(
                    enterprise=OuterRef("enterprise")
                )
            )
        )
    )
    values = {metric: total[metric] for metric in METRICS}
    return FiguresTotal(
        year=year,
        month=month,
        enterprises=total["enterprises"],
        values=values,
        comparable={metric: comparable[metric] for metric in METRICS},
        previous={metric: previous[metric] for metric in METRICS},
        yoy={metric: yoy_percent(comparable[metric], previous[metric]) for metric in METRICS},
    )


def figures_monthly_sums(
    *, years: Iterable[int], metrics: Iterable[str]
) -> dict[tuple[int, int], dict[str, Decimal | int]]:
    """The zone's sum of each metric for every month's 1-N月 of these years, one query:
    (year, month) → metric → sum; a month no enterprise reported is absent."""
    wanted = [metric for metric in METRICS if metric in set(metrics)]
    if not wanted:
        return {}
    rows: Any = (
        EnterpriseFigure.objects.filter(year__in=list(years), month__isnull=False)
        .values("year", "month")
        .annotate(**{m: Sum(m) if m in STOCK_METRICS else AmountSum(m) for m in wanted})
        .order_by()
    )
    sums: dict[tuple[int, int], dict[str, Decimal | int]] = {}
    for row in rows:
        found = {metric: row[metric] for metric in wanted if row[metric] is not None}
        sums[(row["year"], row["month"])] = found
    return sums


def figures_latest_month(*, year: int, up_to: int = 12) -> int | None:
    """The latest month of `year`, up to `up_to`, for which any enterprise reported its 1-N月."""
    found = EnterpriseFigure.objects.filter(year=year, month__lte=up_to).aggregate(
        latest=models.Max("month")
    )
    return found["latest"]


def figures_latest_year(*, before: int) -> int | None:
    """The latest year before `before` that has a whole year's figures (a year report or a
    December 1-12月 row) for any enterprise; None when there is none."""
    return (
        EnterpriseFigure.objects.filter(year__lt=before)
        .filter(Q(month__isnull=True) | Q(month=12))
        .aggregate(latest=models.Max("year"))["latest"]
    )


def enterprises_count_by_chain_node(*, node_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{node id: (its enterprises, the 规上 ones among them)}, in one query grouped over the
    node links. The 规上 ones are picked by an uncorrelated IN (one read of a partial index of
    them), not by joining every enterprise row: joined, PostgreSQL scanned the whole register."""
    if not node_ids:
        return {}
    links = Enterprise.chain_nodes.through.objects.filter(chainnode_id__in=node_ids)
    above_scale = Enterprise._base_manager.filter(is_above_scale_industry=True).values("pk")
    rows = (
        links.values("chainnode_id")
        # (enterprise, node) is unique: each link is one enterprise of the node.
        .annotate(n=Count("pk"), above=Count("pk", filter=Q(enterprise_id__in=above_scale)))
        .order_by()
    )
    return {row["chainnode_id"]: (row["n"], row["above"]) for row in rows}


def figures_sum_by_chain_node(
    *, year: int, node_ids: list[int], metric: str = "revenue"
) -> dict[int, Decimal]:
    """A year's figure (its own report, else December's 1-12月) summed over the enterprises on
    each chain node, in one query; an enterprise on two nodes counts on both."""
    if not node_ids:
        return {}
    aggregate = Sum(metric) if metric in STOCK_METRICS else AmountSum(metric)
    rows = (
        EnterpriseFigure.objects.of_period(year, None)
        .filter(enterprise__chain_nodes__in=node_ids)
        .values("enterprise__chain_nodes")
        .annotate(total=aggregate)
        .order_by()
    )
    return {
        row["enterprise__chain_nodes"]: Decimal(row["total"])
        for row in rows
        if row["total"] is not None
    }


def active_liaisons_prefetch(*, on: date) -> models.Prefetch:
    """`enterprise.active_liaisons`: the assignments in force on the day, one query per list."""
    active = (
        LiaisonAssignment.objects.active(on=on)
        .select_related("person", "department")
        .order_by("kind", "started_on", "id")
    )
    return models.Prefetch("liaisons", queryset=active, to_attr="active_liaisons")


def enterprises_list(
    *, user: Any, on: date | None = None, search: str = ""
) -> QuerySet[Enterprise]:
    """The register as the user may see it, with what a list shows (park, industry; the
    active liaisons and the chain nodes prefetched in one more query each); `search` finds a
    name, a former name or a credit code typed in either case."""
    on = on or timezone.localdate()
    queryset = (
        scope_queryset(Enterprise.objects.all(), user)
        .select_related("park", "industry")
        .prefetch_related(active_liaisons_prefetch(on=on), "chain_nodes")
    )
    search = search.strip()
    if search:
        queryset = queryset.filter(
            models.Q(name__icontains=search)
            | models.Q(former_names__icontains=search)
            | models.Q(credit_code__icontains=search.upper())
        )
    return queryset


def park_enterprises(*, park: Any, on: date, user: Any) -> QuerySet[Enterprise]:
    """The enterprises in a park on a day that the user may read: registered in it
    (Enterprise.park) or leasing a unit of it on the day."""
    leasing = Q(
        leases__unit__building__park=park,
        leases__starts_on__lte=on,
    ) & (Q(leases__ends_on__isnull=True) | Q(leases__ends_on__gte=on))
    ids = Enterprise.objects.filter(Q(park=park) | leasing).values("pk")
    return scope_queryset(Enterprise.objects.filter(pk__in=ids), user).order_by("name")


@dataclass(frozen=True)
class ZoneEnterpriseCounts:
    """How many enterprises the register holds, and how many of each kind the zone counts."""

    total: int
    above_scale: int
    high_tech: int
    specialised: int


def enterprises_zone_counts() -> ZoneEnterpriseCounts:
    """The zone's enterprises by kind, whoever asks: counts only, no enterprise named (the
    investment hall's figures). One query."""
    totals = Enterprise.objects.aggregate(
        total=Count("pk"),
        above_scale=Count("pk", filter=Q(is_above_scale_industry=True)),
        high_tech=Count("pk", filter=Q(is_high_tech=True)),
        specialised=Count("pk", filter=Q(is_specialized=True)),
    )
    return ZoneEnterpriseCounts(**totals)
