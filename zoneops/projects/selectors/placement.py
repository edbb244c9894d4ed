"""Reads of the placement rule's outcome (落地选址统计): projects by year, what the rule
suggested, how many followed it and how many departed from it, and where they went.

A project counts in the year it was signed, or — not signed (yet) — the year it was
registered (its first stage move). Dropped projects (终止) do not land and are left out. A
project's placement is its latest placement record (`project_place`): the suggestion of that
day and whether it was followed. A project placed without a record (before the rule, or by an
import) is judged by the rule as it stands; one not placed yet counts as 未落位 under the
rule's suggestion of today.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from zoneops.common.expressions import YearOf
from zoneops.common.scope import scope_queryset
from zoneops.parks.models import Park
from zoneops.parks.placement import (
    PlacementKind,
    PlacementSuggestion,
    placement_kind_case,
    placement_kind_of,
    placement_kind_of_case,
    placement_suggest,
)
from zoneops.projects.enums import Stage
from zoneops.projects.models import Project, ProjectPlacement, StageMove

OWN_SITE_KEY = 0  # the carriers table's row for 独立选址 (park ids are positive)


def counted_on_expression(prefix: str = "") -> Coalesce:
    """The day a project counts on in the yearly table: signed, else registered."""
    project = OuterRef(f"{prefix}pk" if not prefix else f"{prefix}id")
    first = StageMove.objects.filter(project=project).order_by("moved_on", "id")
    return Coalesce(
        f"{prefix}signed_on", Subquery(first.values("moved_on")[:1]), output_field=DateField()
    )


def placements_counted(*, user: Any = None) -> QuerySet[Any]:
    """The placement records of the projects the user sees, with `counted_on` (the day their
    project counts on) and the project and park for lists."""
    queryset = ProjectPlacement.objects.select_related("project", "park", "by")
    if user is not None:
        queryset = queryset.filter(project__in=scope_queryset(Project.objects.all(), user))
    return queryset.annotate(counted_on=counted_on_expression("project__"))


def placement_overrides(*, user: Any = None, year: int | None = None) -> QuerySet:
    """The placements that departed from the rule, with their reasons (newest first)."""
    queryset = placements_counted(user=user).filter(followed=False)
    if year is not None:
        queryset = queryset.filter(counted_on__year=year)
    return queryset.order_by("-counted_on", "-id")


@dataclass
class OutcomeRow:
    year: int
    suggested: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PlacementKind, 0))
    followed: int = 0
    overridden: int = 0
    unplaced: int = 0

    @property
    def total(self) -> int:
        return sum(self.suggested.values())

    def add(self, other: "OutcomeRow") -> None:
        for kind, count in other.suggested.items():
            self.suggested[kind] += count
        self.followed += other.followed
        self.overridden += other.overridden
        self.unplaced += other.unplaced


@dataclass
class CarrierRow:
    key: int  # a park's id, or OWN_SITE_KEY
    label: str
    kind_label: str
    by_year: dict[int, tuple[int, int]] = field(default_factory=dict)  # year → (placed, overridden)

    @property
    def placed(self) -> int:
        return sum(placed for placed, _over in self.by_year.values())

    @property
    def overridden(self) -> int:
        return sum(over for _placed, over in self.by_year.values())


@dataclass
class PlacementOutcomes:
    years: list[int]
    rows: list[OutcomeRow]
    total: OutcomeRow
    carriers: list[CarrierRow]


def _counted_in(
    queryset: QuerySet, *, prefix: str, year_from: int | None, year_to: int | None
) -> QuerySet:
    """`year`, the year the project counts in (None: no stage move yet), for the rows within
    the years asked (a whole year compares as its two ends: no function on the column)."""
    queryset = queryset.annotate(counted_on=counted_on_expression(prefix))
    if year_from is not None:
        queryset = queryset.filter(counted_on__gte=date(year_from, 1, 1))
    if year_to is not None:
        queryset = queryset.filter(counted_on__lte=date(year_to, 12, 31))
    return queryset.annotate(year=YearOf("counted_on"))


def _where() -> Case:
    """The carriers table's row of a placement: OWN_SITE_KEY, its park's id, or None."""
    return Case(
        When(own_site=True, then=Value(OWN_SITE_KEY)),
        default=F("park_id"),
        output_field=IntegerField(),
    )


def _outcome_counts(
    *, user: Any, year_from: int | None, year_to: int | None
) -> list[tuple[int, str, bool, int | None, int]]:
    """(year, suggested kind, followed, where, projects), counted in the database: the
    projects placed by a record by their latest record, the others by the rule as it stands
    against where they are (two queries, whatever the number of projects)."""
    projects = Project.objects.exclude(stage=Stage.TERMINATED)
    if user is not None:
        projects = scope_queryset(projects, user)
    newer = ProjectPlacement.objects.filter(project=OuterRef("project")).filter(
        Q(placed_on__gt=OuterRef("placed_on"))
        | Q(placed_on=OuterRef("placed_on"), pk__gt=OuterRef("pk"))
    )
    recorded = (
        _counted_in(
            ProjectPlacement.objects.filter(project__in=projects.values("pk")).exclude(
                Exists(newer)
            ),
            prefix="project__",
            year_from=year_from,
            year_to=year_to,
        )
        .annotate(kind=F("suggested_kind"), where=_where())
        .order_by()
        .values_list("year", "kind", "followed", "where")
        .annotate(count=Count("pk"))
    )
    unrecorded = (
        _counted_in(
            projects.exclude(Exists(ProjectPlacement.objects.filter(project=OuterRef("pk")))),
            prefix="",
            year_from=year_from,
            year_to=year_to,
        )
        .annotate(kind=placement_kind_case(), chosen=placement_kind_of_case(), where=_where())
        .order_by()
        .values_list("year", "kind", "chosen", "where")
        .annotate(count=Count("pk"))
    )
    rows = [
        (year, kind, bool(followed), where, count)
        for year, kind, followed, where, count in recorded
    ]
    rows += [
        (year, kind, chosen == kind, where, count)
        for year, kind, chosen, where, count in unrecorded
    ]
    return [row for row in rows if row[0] is not None]  # not registered yet: no year


def placement_outcomes(
    *, user: Any = None, year_from: int | None = None, year_to: int | None = None
) -> PlacementOutcomes:
    """The rule's outcome by year, counted in the database (two queries whatever the number
    of projects, plus one for the parks' names)."""
    by_year: dict[int, OutcomeRow] = {}
    carriers: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for year, kind, followed, where, projects in _outcome_counts(
        user=user, year_from=year_from, year_to=year_to
    ):
        outcome = by_year.setdefault(year, OutcomeRow(year=year))
        outcome.suggested[kind] += projects
        if where is None:
            outcome.unplaced += projects
            continue
        if followed:
            outcome.followed += projects
        else:
            outcome.overridden += projects
        cell = carriers[where][year]
        cell[0] += projects
        cell[1] += 0 if followed else projects
    years = sorted(by_year)
    total = OutcomeRow(year=0)
    for year in years:
        total.add(by_year[year])
    return PlacementOutcomes(
        years=years,
        rows=[by_year[year] for year in years],
        total=total,
        carriers=_carrier_rows(carriers),
    )


def _carrier_rows(carriers: dict[int, dict[int, list[int]]]) -> list[CarrierRow]:
    parks = {park.pk: park for park in Park.objects.filter(pk__in=[k for k in carriers if k])}
    result = []
    for key, years in carriers.items():
        if key == OWN_SITE_KEY:
            label, kind_label, order = _("独立选址"), "", (0, 0, 0)
        else:
            park = parks[key]
            label, kind_label = park.name, park.get_kind_display()
            order = (1, park.order, park.pk)
        row = CarrierRow(
            key=key,
            label=str(label),
            kind_label=str(kind_label),
            by_year={year: (cell[0], cell[1]) for year, cell in sorted(years.items())},
        )
        result.append((order, row))
    return [row for _order, row in sorted(result, key=lambda pair: pair[0])]


def project_suggestion(*, project: Project, on: date) -> PlacementSuggestion:
    """The rule's suggestion for a project as it stands (its investment, land, industry)."""
    return placement_suggest(
        investment=project.total_investment,
        land_mu=project.land_mu,
        industry_id=project.industry_id,
        is_tech=project.is_tech,
        on=on,
    )


@dataclass(frozen=True)
class ProjectPlacementState:
    """A project's page: the rule's suggestion today, its placement and whether it follows."""

    suggestion: PlacementSuggestion
    placed: bool
    chosen_kind: PlacementKind | None
    follows: bool
    history: list[ProjectPlacement]  # newest first

    @property
    def latest(self) -> ProjectPlacement | None:
        return self.history[0] if self.history else None


def project_placement_state(*, project: Project, on: date) -> ProjectPlacementState:
    suggestion = project_suggestion(project=project, on=on)
    placed = project.own_site or project.park_id is not None
    chosen = placement_kind_of(
        park_kind=project.park.kind if project.park is not None else None,
        own_site=project.own_site,
    )
    history = list(
        ProjectPlacement.objects.filter(project=project)
        .select_related("park", "by")
        .order_by("-placed_on", "-id")
    )
    return ProjectPlacementState(
        suggestion=suggestion,
        placed=placed,
        chosen_kind=chosen,
        follows=placed and chosen == suggestion.kind,
        history=history,
    )
