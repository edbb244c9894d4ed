"""Reads of the pipeline: where each project stood on any date, and the yearly tables."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.amounts import AmountSum
from zoneops.common.caching import cached_selector
from zoneops.common.expressions import DaysBetween
from zoneops.common.scope import scope_queryset
from zoneops.orgs.models import Membership
from zoneops.projects.enums import (
    PIPELINE,
    KeyLevel,
    ReportCategory,
    SourceChannel,
    Stage,
    SummaryDimension,
)
from zoneops.projects.models import KeyDesignation, Project, StageMove

ZERO = Decimal(0)
DIMENSIONS = tuple(SummaryDimension.values)


def _projects(user: Any) -> QuerySet:
    """Every project, or the ones in the user's data scope."""
    queryset = Project.objects.all()
    return queryset if user is None else scope_queryset(queryset, user)


def projects_with_stage_as_of(*, as_of: date, queryset: QuerySet | None = None) -> QuerySet:
    """Projects annotated with `stage_at`: their stage on `as_of`, read from the moves.

    A project registered after `as_of` has no stage then (NULL).
    """
    queryset = Project.objects.all() if queryset is None else queryset
    last_move = StageMove.objects.filter(project=OuterRef("pk"), moved_on__lte=as_of).order_by(
        "-moved_on", "-id"
    )
    return queryset.annotate(stage_at=Subquery(last_move.values("to_stage")[:1]))


def report_category_expression(*, year: int) -> Case:
    """The row of the yearly table a project falls in, given its `stage_at` at the year's end."""
    first_day = date(year, 1, 1)
    return Case(
        When(
            stage_at__in=[Stage.COMPLETED, Stage.IN_PRODUCTION],
            completed_on__gte=first_day,
            then=Value(ReportCategory.COMPLETED),
        ),
        When(
            stage_at=Stage.STARTED,
            started_on__gte=first_day,
            then=Value(ReportCategory.NEWLY_STARTED),
        ),
        When(stage_at=Stage.STARTED, then=Value(ReportCategory.CONTINUING)),
        When(
            stage_at__in=[Stage.SIGNED, Stage.PLANNED_START],
            then=Value(ReportCategory.PLANNED_START),
        ),
        When(stage_at=Stage.DEEP_TALKS, then=Value(ReportCategory.DEEP_TALKS)),
        When(stage_at=Stage.TALKS, then=Value(ReportCategory.TALKS)),
        When(stage_at=Stage.LEAD, then=Value(ReportCategory.LEAD)),
        default=Value(""),
        output_field=CharField(),
    )


@dataclass
class Cell:
    count: int = 0
    investment: Decimal = ZERO  # 万元

    def add(self, count: int, investment: Decimal) -> None:
        self.count += count
        self.investment += investment


@dataclass
class SummaryRow:
    key: str
    label: str
    cells: dict[str, Cell] = field(default_factory=dict)
    total: Cell = field(default_factory=Cell)


@dataclass
class PipelineSummary:
    year: int
    as_of: date
    dimension: str
    categories: list[tuple[str, str]]
    rows: list[SummaryRow]
    total: Cell
    category_totals: dict[str, Cell]


def _period(year: int | None, as_of: date | None) -> tuple[int, date]:
    today = timezone.localdate()
    if as_of is None:
        year = year or today.year
        as_of = min(date(year, 12, 31), today)
    elif year is None:
        year = as_of.year
    return year, as_of


def category_as_of(*, year: int, as_of: date) -> Subquery:
    """The row of the year's table a project (OuterRef) falls in on `as_of` ("" for none), read
    from its last stage move by then in one subquery: the same rule as
    `report_category_expression`, whose every branch would repeat the subquery of `stage_at`.
    The project's dates are the outer row's, not joined again inside."""
    first_day = date(year, 1, 1)
    category = Case(
        When(
            Q(to_stage__in=[Stage.COMPLETED, Stage.IN_PRODUCTION])
            & Q(GreaterThanOrEqual(OuterRef("completed_on"), first_day)),
            then=Value(ReportCategory.COMPLETED),
        ),
        When(
            Q(to_stage=Stage.STARTED) & Q(GreaterThanOrEqual(OuterRef("started_on"), first_day)),
            then=Value(ReportCategory.NEWLY_STARTED),
        ),
        When(to_stage=Stage.STARTED, then=Value(ReportCategory.CONTINUING)),
        When(
            to_stage__in=[Stage.SIGNED, Stage.PLANNED_START],
            then=Value(ReportCategory.PLANNED_START),
        ),
        When(to_stage=Stage.DEEP_TALKS, then=Value(ReportCategory.DEEP_TALKS)),
        When(to_stage=Stage.TALKS, then=Value(ReportCategory.TALKS)),
        When(to_stage=Stage.LEAD, then=Value(ReportCategory.LEAD)),
        default=Value(""),
        output_field=CharField(),
    )
    last_move = StageMove.objects.filter(project=OuterRef("pk"), moved_on__lte=as_of).order_by(
        "-moved_on", "-id"
    )
    return Subquery(last_move.annotate(category=category).values("category")[:1])


def projects_counted(*, year: int, as_of: date, user: Any = None) -> QuerySet:
    """The projects in the year's table: leaf projects (a phased project counts by its phases)
    with the row they fall in on `as_of`; dropped ones and those finished before the year are out.
    """
    queryset = _projects(user).exclude(Exists(Project.objects.filter(parent=OuterRef("pk"))))
    queryset = projects_with_stage_as_of(as_of=as_of, queryset=queryset)
    return queryset.annotate(category=report_category_expression(year=year)).exclude(category="")


def key_projects_by_category(*, year: int, as_of: date, user: Any = None) -> dict[str, list[str]]:
    """The names of the year's provincial and city key projects by the table row they fall in
    on `as_of` (one query): e.g. the completed ones a report names."""
    rows = (
        projects_counted(year=year, as_of=as_of, user=user)
        .filter(
            key_designations__year=year,
            key_designations__level__in=[KeyLevel.PROVINCE, KeyLevel.CITY],
        )
        .values_list("category", "name")
        .distinct()
        .order_by("name")
    )
    found: dict[str, list[str]] = {}
    for category, name in rows:
        found.setdefault(category, []).append(name)
    return found


def _dimension_values(dimension: str, year: int) -> tuple[Any, Any]:
    """(the value expression to group by, the label expression)."""
    if dimension == "stage":
        return None, None
    if dimension == "industry":
        return F("industry_id"), F("industry__name")
    if dimension == "park":
        return (
            Case(
                When(own_site=True, then=Value(-1)),
                default=F("park_id"),
                output_field=BigIntegerField(),
            ),
            F("park__name"),
        )
    if dimension == "leader":
        return F("liaison_leader_id"), Coalesce(
            "liaison_leader__display_name", "liaison_leader__username"
        )
    if dimension == "department":
        return F("responsible_department_id"), F("responsible_department__name")
    if dimension == "key_level":
        # Each project's levels of the year as bits, read in one subquery (a level is listed
        # once a year); `_key_level_of` turns them into the row.
        bit = Case(
            *[When(level=level, then=Value(value)) for level, value in KEY_LEVEL_BITS.items()],
            default=Value(0),
            output_field=IntegerField(),
        )
        levels = (
            KeyDesignation.objects.filter(project=OuterRef("pk"), year=year)
            .order_by()
            .values("project")
            .annotate(bits=Sum(bit))
            .values("bits")
        )
        return Subquery(levels, output_field=IntegerField()), None
    raise ValueError(dimension)


KEY_LEVEL_BITS = {KeyLevel.PROVINCE: 1, KeyLevel.CITY: 2, KeyLevel.DISTRICT: 4}


def _key_level_of(bits: int | None) -> str:
    """The key-level row of a project listed at these levels (bits of KEY_LEVEL_BITS)."""
    bits = bits or 0
    province = bits & KEY_LEVEL_BITS[KeyLevel.PROVINCE]
    city = bits & KEY_LEVEL_BITS[KeyLevel.CITY]
    district = bits & KEY_LEVEL_BITS[KeyLevel.DISTRICT]
    if province and city:
        return "province_city"
    if province:
        return KeyLevel.PROVINCE.value
    if city:
        return KeyLevel.CITY.value
    if district:
        return KeyLevel.DISTRICT.value
    return "none"


KEY_LEVEL_LABELS = {
    "province_city": lambda: _("省市双重点"),
    KeyLevel.PROVINCE: lambda: str(KeyLevel.PROVINCE.label),
    KeyLevel.CITY: lambda: str(KeyLevel.CITY.label),
    KeyLevel.DISTRICT: lambda: str(KeyLevel.DISTRICT.label),
    "none": lambda: _("非重点项目"),
}


@cached_selector("projects", "industry", "parks", "enterprises")
def pipeline_summary(
    *,
    year: int | None = None,
    as_of: date | None = None,
    dimension: str = "stage",
    user: Any = None,
    categories: list[str] | None = None,
) -> PipelineSummary:
    """Counts and investment of the year's projects by table row, grouped by a dimension.

    One query whatever the number of projects. `as_of` defaults to the year's last day (or
    today for the running year); the year defaults to that of `as_of`.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    year, as_of = _period(year, as_of)
    # The leaf projects with their row, the row read once per project; those in no row ("")
    # are left out below rather than in SQL, where the subquery would be read again.
    queryset = (
        _projects(user)
        .exclude(Exists(Project.objects.filter(parent=OuterRef("pk"))))
        .annotate(category=category_as_of(year=year, as_of=as_of))
    )
    if categories:
        queryset = queryset.filter(category__in=categories)
    group, label = _dimension_values(dimension, year)
    values: dict[str, Any] = {"category": F("category")}
    if group is not None:
        values["group"] = group
    if label is not None:
        values["label"] = label
    rows_data = (
        queryset.values(**values)
        .annotate(n=Count("pk"), investment=AmountSum("total_investment", default=ZERO))
        .order_by()
    )
    category_list = [(c.value, str(c.label)) for c in ReportCategory]
    rows: dict[Any, SummaryRow] = {}
    total = Cell()
    category_totals: dict[str, Cell] = defaultdict(Cell)
    for item in rows_data:
        category = item["category"]
        if not category:
            continue  # dropped, or finished before the year
        if dimension == "stage":
            key: Any = category
            row_label = str(ReportCategory(category).label)
        elif dimension == "key_level":
            key = _key_level_of(item["group"])
            row_label = KEY_LEVEL_LABELS[key]()
        else:
            key = item["group"]
            row_label = item.get("label") or (_("独立选址") if key == -1 else _("未填写"))
        row = rows.setdefault(key, SummaryRow(key=str(key), label=str(row_label)))
        row.cells.setdefault(category, Cell()).add(item["n"], item["investment"])
        row.total.add(item["n"], item["investment"])
        total.add(item["n"], item["investment"])
        category_totals[category].add(item["n"], item["investment"])
    if dimension == "stage":
        ordered = [rows[c] for c, _label in category_list if c in rows]
    else:
        ordered = sorted(rows.values(), key=lambda r: (-r.total.investment, r.label))
    return PipelineSummary(
        year=year,
        as_of=as_of,
        dimension=dimension,
        categories=category_list,
        rows=ordered,
        total=total,
        category_totals=dict(category_totals),
    )


def _stage_rank() -> Case:
    return Case(
        *[When(to_stage=stage, then=Value(index)) for index, stage in enumerate(PIPELINE)],
        default=Value(-1),
        output_field=IntegerField(),
    )


@dataclass
class FunnelStep:
    stage: str
    label: str
    reached: int
    conversion: Decimal | None  # share of the previous step that reached this one, in %


@cached_selector("projects", "enterprises")
def pipeline_funnel(
    *,
    registered_from: date,
    registered_to: date,
    as_of: date | None = None,
    source_channel: str | None = None,
    user: Any = None,
) -> list[FunnelStep]:
    """How far the projects registered in a period got by `as_of`, stage by stage; with
    `source_channel`, only the projects from that source (线上会客厅: the hall's leads).

    A project that skipped a stage (a lead signed at once) counts as having passed it. One query.
    """
    as_of = as_of or min(registered_to, timezone.localdate())
    projects = _projects(user).exclude(Exists(Project.objects.filter(parent=OuterRef("pk"))))
    if source_channel:
        projects = projects.filter(source_channel=source_channel)
    # Registered in the period: the project's first move, the one from no stage (登记项目),
    # falls in it. The period's registrations are found by their index, not every project's.
    registered = StageMove.objects.registrations().filter(
        moved_on__range=(registered_from, registered_to)
    )
    furthest_move = (
        StageMove.objects.filter(project=OuterRef("pk"), moved_on__lte=as_of)
        .annotate(rank=_stage_rank())
        .order_by("-rank")
    )
    furthest = (
        projects.filter(pk__in=registered.values("project_id"))
        .annotate(furthest=Subquery(furthest_move.values("rank")[:1]))
        .values("furthest")
        .annotate(n=Count("pk"))
        .order_by()
    )
    at_rank: dict[int, int] = defaultdict(int)
    for item in furthest:
        if item["furthest"] is not None:  # registered after `as_of`: no stage then
            at_rank[item["furthest"]] += item["n"]
    steps: list[FunnelStep] = []
    for index, stage in enumerate(PIPELINE):
        reached = sum(n for rank, n in at_rank.items() if rank >= index)
        previous = steps[-1].reached if steps else None
        conversion = (
            (Decimal(reached * 100) / Decimal(previous)).quantize(Decimal("0.1"))
            if previous
            else None
        )
        steps.append(
            FunnelStep(stage=stage, label=str(stage.label), reached=reached, conversion=conversion)
        )
    return steps


@dataclass
class ChannelConversion:
    """How many of a source's projects registered in a period reached a stage by a day."""

    source_channel: str
    label: str
    registered: int
    reached: int
    stage_label: str
    rate: Decimal | None  # in %


def channel_conversion(
    *,
    source_channel: str,
    registered_from: date,
    registered_to: date,
    as_of: date | None = None,
    stage: str = Stage.SIGNED,
    user: Any = None,
) -> ChannelConversion:
    """The funnel's row for one source: of its projects registered in the period, how many
    reached `stage` (签约 by default) by `as_of` — the source's own funnel, first and chosen
    steps."""
    steps = pipeline_funnel(
        registered_from=registered_from,
        registered_to=registered_to,
        as_of=as_of,
        source_channel=source_channel,
        user=user,
    )
    registered = steps[0].reached if steps else 0
    step = next(step for step in steps if step.stage == stage)
    rate = (
        (Decimal(step.reached * 100) / Decimal(registered)).quantize(Decimal("0.1"))
        if registered
        else None
    )
    return ChannelConversion(
        source_channel=source_channel,
        label=str(SourceChannel(source_channel).label),
        registered=registered,
        reached=step.reached,
        stage_label=step.label,
        rate=rate,
    )


@dataclass
class StageDuration:
    stage: str
    label: str
    finished: int  # stays that ended with a move on
    average_days: Decimal | None
    ongoing: int  # projects still in the stage on `as_of`
    ongoing_average_days: Decimal | None


def stage_durations(*, as_of: date | None = None, user: Any = None) -> list[StageDuration]:
    """Time in stage: how long projects stayed in each stage before moving on, and how long
    the ones still there on `as_of` have waited. Each move keeps the day its stay ended
    (`left_on`, the next move's day), so the days are counted and summed per stage in one
    grouped query; a stay that ended after `as_of` was still running then."""
    as_of = as_of or timezone.localdate()
    day = Value(as_of, output_field=DateField())
    ended = Q(left_on__lte=as_of)
    stays = (
        StageMove.objects.filter(project__in=_projects(user).values("pk"), moved_on__lte=as_of)
        .annotate(
            # A CASE, not the bare comparison: a stay still running has no left_on (NULL).
            ended=Case(When(ended, then=Value(True)), default=Value(False)),
            days=DaysBetween(Case(When(ended, then=F("left_on")), default=day), F("moved_on")),
        )
        .values("to_stage", "ended")
        .annotate(stays=Count("pk"), total=Sum("days"))
        .order_by()
    )
    finished: dict[str, tuple[int, int]] = {}
    ongoing: dict[str, tuple[int, int]] = {}
    for row in stays:
        stage, count, days = row["to_stage"], row["stays"], row["total"]
        if row["ended"]:
            finished[stage] = (count, days)
        elif stage not in (Stage.TERMINATED, Stage.IN_PRODUCTION):
            ongoing[stage] = (count, days)
    return [
        StageDuration(
            stage=stage,
            label=str(stage.label),
            finished=finished.get(stage, (0, 0))[0],
            average_days=_average(*finished.get(stage, (0, 0))),
            ongoing=ongoing.get(stage, (0, 0))[0],
            ongoing_average_days=_average(*ongoing.get(stage, (0, 0))),
        )
        for stage in PIPELINE
    ]


def _average(count: int, total: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"))


@dataclass
class BoardFilters:
    """The project filters of the board, the list pages and the API's project list."""

    stage: str | None = None
    industry_id: int | None = None
    park_id: int | None = None
    liaison_leader_id: int | None = None
    responsible_department_id: int | None = None
    key_year: int | None = None
    q: str = ""
    include_terminated: bool = False
    include_samples: bool = True


@dataclass
class BoardColumn:
    stage: str
    label: str
    count: int
    investment: Decimal
    cards: list[Project]

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


def projects_filtered(*, user: Any, filters: BoardFilters) -> QuerySet:
    """The projects a user may see, narrowed by the board's (or a list's, or the API's) filters."""
    queryset = _projects(user)
    if filters.stage:
        queryset = queryset.filter(stage=filters.stage)
    if filters.industry_id:
        queryset = queryset.filter(industry_id=filters.industry_id)
    if filters.park_id:
        queryset = queryset.filter(park_id=filters.park_id)
    if filters.liaison_leader_id:
        queryset = queryset.filter(liaison_leader_id=filters.liaison_leader_id)
    if filters.responsible_department_id:
        queryset = queryset.filter(responsible_department_id=filters.responsible_department_id)
    if filters.key_year:
        queryset = queryset.filter(
            Exists(KeyDesignation.objects.filter(project=OuterRef("pk"), year=filters.key_year))
        )
    if filters.q:
        queryset = queryset.filter(
            Q(name__icontains=filters.q)
            | Q(code__icontains=filters.q)
            | Q(investor_name__icontains=filters.q)
        )
    if not filters.include_terminated:
        queryset = queryset.exclude(stage=Stage.TERMINATED)
    if not filters.include_samples:
        queryset = queryset.filter(is_sample=False)
    return queryset


def pipeline_board(
    *, user: Any, filters: BoardFilters | None = None, per_column: int = 30
) -> list[BoardColumn]:
    """The pipeline as a board: a column per stage with its count, investment and the largest
    projects as cards. Three queries whatever the number of projects."""
    filters = filters or BoardFilters()
    queryset = projects_filtered(user=user, filters=filters)
    totals = {
        row["stage"]: (row["n"], row["investment"])
        for row in queryset.values("stage")
        .annotate(n=Count("pk"), investment=AmountSum("total_investment", default=ZERO))
        .order_by()
    }
    # The cards' ids from a window over the bare rows, in the order of projects_stage_idx; then
    # their rows and relations for those alone. (Joined inside the window, the relations were
    # read for every project; asked for by a subquery, PostgreSQL, expecting most projects
    # back, read the whole table to match the few ids.)
    ranked = list(
        queryset.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("stage")],
                order_by=[F("total_investment").desc(), F("id").asc()],
            )
        )
        .filter(rank__lte=per_column)
        .order_by()
        .values_list("pk", flat=True)
    )
    cards: dict[str, list[Project]] = defaultdict(list)
    for project in (
        Project.objects.filter(pk__in=ranked)
        .select_related("industry", "park", "liaison_leader")
        .order_by("stage", "-total_investment", "id")
    ):
        cards[project.stage].append(project)
    stages = list(PIPELINE) + ([Stage.TERMINATED] if filters.include_terminated else [])
    return [
        BoardColumn(
            stage=stage,
            label=str(stage.label),
            count=totals.get(stage, (0, ZERO))[0],
            investment=totals.get(stage, (0, ZERO))[1],
            cards=cards.get(stage, []),
        )
        for stage in stages
    ]


# --- liaison (包联) ------------------------------------------------------------------------------


def projects_liaised_by(
    *, user: Any, own_department_ids: Collection[int] | None = None
) -> QuerySet[Project]:
    """The projects the person liaises with: as their 包联领导, or as a member of their 责任部门
    (the project's own liaison fields; dropped projects are left out). `own_department_ids`:
    his departments, when already read (as values the two indexes serve the OR)."""
    own_departments: Any = (
        Membership.objects.filter(user_id=user.pk).values("department_id")
        if own_department_ids is None
        else list(own_department_ids)
    )
    return (
        Project.objects.filter(
            Q(liaison_leader_id=user.pk) | Q(responsible_department_id__in=own_departments)
        )
        .exclude(stage=Stage.TERMINATED)
        .select_related("liaison_leader", "responsible_department", "investor_enterprise")
    )


def projects_under_liaison(*, user: Any = None) -> QuerySet[Project]:
    """The projects with both a 包联领导 and a 责任部门, dropped ones left out; all of them, or
    those in the user's data scope (the zone's coverage table counts these)."""
    return (
        _projects(user)
        .exclude(stage=Stage.TERMINATED)
        .filter(liaison_leader__isnull=False, responsible_department__isnull=False)
    )


# --- landing (落地), for targets set from above ---------------------------------------------------

# 工业 as statistics count it (GB/T 4754-2017): 采矿业 B, 制造业 C, 电力热力燃气及水 D.
INDUSTRIAL_SECTIONS = ("B", "C", "D")
# The stages a target may take as "landed" (落地): 签约 or any later one.
LANDING_STAGES: tuple[Stage, ...] = PIPELINE[PIPELINE.index(Stage.SIGNED) :]


def projects_landed(
    *, as_of: date, stages: tuple[str, ...] = LANDING_STAGES, min_investment: Decimal = ZERO
) -> QuerySet[Project]:
    """Leaf projects (a phased project counts by its phases) of at least `min_investment` 万元,
    annotated, from the stage moves up to `as_of`, with `reached_<stage>` for each of `stages`:
    the first day it reached that stage or a later one of the pipeline (a project that skipped
    签约 landed when it went further); `dropped_on`: the day it was dropped (终止), if it was;
    and `industrial`: its industry's GB section is 工业. One query, whatever the stages."""
    queryset = (
        Project.objects.exclude(Exists(Project.objects.filter(parent=OuterRef("pk"))))
        .filter(total_investment__gte=min_investment)
        .select_related("industry", "park", "responsible_department")
    )
    moves = StageMove.objects.filter(project=OuterRef("pk"), moved_on__lte=as_of).order_by(
        "moved_on", "id"
    )
    annotations: dict[str, Any] = {
        f"reached_{stage}": Subquery(
            moves.filter(to_stage__in=PIPELINE[PIPELINE.index(Stage(stage)) :]).values("moved_on")[
                :1
            ]
        )
        for stage in stages
    }
    dropped = moves.filter(to_stage=Stage.TERMINATED).values("moved_on")[:1]
    industrial = Q(industry__gb_section__in=INDUSTRIAL_SECTIONS)
    return queryset.annotate(
        industrial=Case(When(industrial, then=Value(True)), default=Value(False)),
        dropped_on=Subquery(dropped),
        **annotations,
    )


def park_projects(*, park: Any, user: Any) -> QuerySet:
    """The projects placed in a park (Project.park) that the user may read, by stage."""
    rank = Case(
        *[When(stage=stage, then=Value(index)) for index, stage in enumerate(PIPELINE)],
        default=Value(len(PIPELINE)),
        output_field=IntegerField(),
    )
    return _projects(user).filter(park=park).order_by(rank, "code")


def park_projects_by_stage(*, park: Any, user: Any) -> list[tuple[str, str, int]]:
    """(stage, its label, count) of the projects placed in a park that the user may read, in
    the pipeline's order; stages without a project left out."""
    rows = _projects(user).filter(park=park).order_by().values("stage").annotate(n=Count("pk"))
    counts = {row["stage"]: row["n"] for row in rows}
    return [
        (stage, str(Stage(stage).label), counts[stage])
        for stage in (*PIPELINE, Stage.TERMINATED)
        if counts.get(stage)
    ]


def stage_reached_moves(
    *, stages: Collection[str], until: date, limit: int, include_samples: bool = True
) -> QuerySet[StageMove]:
    """The latest moves into `stages` on or before `until`, newest first, with their project's
    industry and park (the hall's news of signings and starts): one query. A project dropped
    since is left out; so are sample projects unless asked for."""
    queryset = (
        StageMove.objects.filter(to_stage__in=list(stages), moved_on__lte=until)
        .exclude(project__stage=Stage.TERMINATED)
        .select_related("project__industry", "project__park")
        .order_by("-moved_on", "-id")
    )
    if not include_samples:
        queryset = queryset.filter(project__is_sample=False)
    return queryset[:limit]


OPEN_LEAD_STAGES: tuple[Stage, ...] = (Stage.LEAD, Stage.TALKS, Stage.DEEP_TALKS)


def open_leads_by_owner(*, owner_ids: Collection[int]) -> dict[int, int]:
    """How many projects before 签约 each of these people owns (an officer's open leads)."""
    rows = (
        Project.objects.filter(owner_id__in=list(owner_ids), stage__in=OPEN_LEAD_STAGES)
        .values("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["owner_id"]: row["n"] for row in rows}
