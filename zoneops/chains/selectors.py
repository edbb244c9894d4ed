"""Reads of the chain map: each node's strength and the gap rule (缺链), in one place.

A node is a gap when no enterprise of the register is on it and no project on it has reached
签约 or later (a dropped project counts for nothing). The figures are the zone's: a gap is a
gap whoever looks; the lists a node links to are scoped as usual.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects

from zoneops.common.scope import scope_queryset
from zoneops.enterprises.selectors import (
    enterprises_count_by_chain_node,
    figures_latest_year,
    figures_sum_by_chain_node,
)
from zoneops.industry.enums import Segment
from zoneops.industry.models import ChainNode, IndustryChain
from zoneops.projects.enums import PIPELINE, STAGE_ORDER, Stage
from zoneops.projects.models import Project

# 签约 and every stage after it: the node is being filled.
LANDED_STAGES: tuple[Stage, ...] = PIPELINE[STAGE_ORDER[Stage.SIGNED] :]
# 线索, 洽谈, 深度在谈: talks about the node (在谈).
TALKS_STAGES: tuple[Stage, ...] = PIPELINE[: STAGE_ORDER[Stage.SIGNED]]
# Segments as the map's columns, left to right.
SEGMENT_ORDER: tuple[Segment, ...] = (
    Segment.UPSTREAM,
    Segment.MIDSTREAM,
    Segment.DOWNSTREAM,
    Segment.SUPPORT,
)


def _stage_key(stage: Stage) -> str:
    return f"stage_{stage.value}"


def is_gap(*, enterprises: int, landed: int) -> bool:
    """The gap rule (缺链): no enterprise of the register on the node, no project on it at 签约
    or later."""
    return enterprises == 0 and landed == 0


def nodes_with_strength(queryset: QuerySet[ChainNode] | None = None) -> list[Any]:
    """The nodes, each with `enterprise_count`, `above_scale_count`, a count per pipeline stage
    (`stage_<code>`), `landed_count`, `talks_count` and `is_gap`, in three queries whatever
    their number: the nodes, their enterprises' links grouped by node, their projects grouped
    by node and stage. (Counted by a subquery per node and count, fourteen of them, PostgreSQL
    joined the whole register once per node for the 规上 count.)"""
    queryset = ChainNode.objects.all() if queryset is None else queryset
    nodes: list[Any] = list(queryset.select_related("chain", "parent"))
    ids = [node.pk for node in nodes]
    enterprises = enterprises_count_by_chain_node(node_ids=ids)
    stages: dict[tuple[int, str], int] = {}
    if ids:
        # Every project on the node, as the map has always counted them (phases included).
        rows = (
            Project._base_manager.filter(chain_node_id__in=ids)
            .values("chain_node_id", "stage")
            .annotate(n=Count("pk"))
            .order_by()
        )
        stages = {(row["chain_node_id"], row["stage"]): row["n"] for row in rows}
    for node in nodes:
        counts = {stage: stages.get((node.pk, stage.value), 0) for stage in PIPELINE}
        node.enterprise_count, node.above_scale_count = enterprises.get(node.pk, (0, 0))
        for stage, count in counts.items():
            setattr(node, _stage_key(stage), count)
        node.landed_count = sum(counts[stage] for stage in LANDED_STAGES)
        node.talks_count = sum(counts[stage] for stage in TALKS_STAGES)
        node.is_gap = is_gap(enterprises=node.enterprise_count, landed=node.landed_count)
    return nodes


def latest_complete_year(on: date) -> int:
    """The year whose revenue the map shows on a day: the latest year before the day's year
    that the register holds whole-year figures for (a zone whose 2025 reports are not in yet
    shows 2024's), else the calendar year before it."""
    return figures_latest_year(before=on.year) or on.year - 1


def strength_level(*, enterprises: int, above_scale: int, landed: int) -> int:
    """The shade of a node, 0 (a gap) to 4: local enterprises, 规上 ones counting twice, and
    projects signed or later."""
    score = enterprises + above_scale + landed
    if score == 0:
        return 0
    if score <= 1:
        return 1
    if score <= 3:
        return 2
    if score <= 8:
        return 3
    return 4


@dataclass(frozen=True)
class StageCount:
    stage: Stage
    label: str
    count: int


@dataclass
class NodeStrength:
    node: ChainNode
    depth: int
    enterprises: int
    above_scale: int
    revenue: Decimal
    stages: list[StageCount]
    landed: int
    talks: int
    is_gap: bool
    level: int
    parent_elsewhere: bool = False  # its parent stands in another segment's column

    @property
    def talks_only(self) -> bool:
        return self.is_gap and self.talks > 0


def node_strength(node: Any, *, revenue: Decimal, depth: int = 0) -> NodeStrength:
    """One node's strength from the annotations of `nodes_with_strength`."""
    stages = [
        StageCount(stage, str(stage.label), getattr(node, _stage_key(stage)))
        for stage in PIPELINE
        if getattr(node, _stage_key(stage))
    ]
    return NodeStrength(
        node=node,
        depth=depth,
        enterprises=node.enterprise_count,
        above_scale=node.above_scale_count,
        revenue=revenue,
        stages=stages,
        landed=node.landed_count,
        talks=node.talks_count,
        is_gap=bool(node.is_gap),
        level=strength_level(
            enterprises=node.enterprise_count,
            above_scale=node.above_scale_count,
            landed=node.landed_count,
        ),
    )


@dataclass
class SegmentColumn:
    segment: Segment
    label: str
    cells: list[NodeStrength] = field(default_factory=list)

    @property
    def gaps(self) -> int:
        return sum(1 for cell in self.cells if cell.is_gap)


@dataclass
class ChainMap:
    chain: IndustryChain
    year: int
    columns: list[SegmentColumn]

    @property
    def cells(self) -> list[NodeStrength]:
        return [cell for column in self.columns for cell in column.cells]

    @property
    def gaps(self) -> int:
        return sum(column.gaps for column in self.columns)

    @property
    def nodes(self) -> int:
        return len(self.cells)


def _tree_order(nodes: Iterable[Any]) -> list[tuple[Any, int, bool]]:
    """Nodes of one segment, each under its parent (depth first, by order): (node, depth,
    whether the parent stands in another column)."""
    nodes = list(nodes)
    ids = {node.pk for node in nodes}
    children: dict[int | None, list[Any]] = {}
    for node in nodes:
        parent = node.parent_id if node.parent_id in ids else None
        children.setdefault(parent, []).append(node)
    ordered: list[tuple[Any, int, bool]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for node in sorted(children.get(parent, []), key=lambda n: (n.order, n.pk)):
            if node.pk in seen:  # a loop someone typed in: drawn once
                continue
            seen.add(node.pk)
            ordered.append((node, depth, depth == 0 and node.parent_id is not None))
            walk(node.pk, depth + 1)

    walk(None, 0)
    # Whatever a loop of parents kept out of the walk still shows, at the top.
    ordered.extend((node, 0, True) for node in nodes if node.pk not in seen)
    return ordered


def chain_map(*, chain: IndustryChain, on: date) -> ChainMap:
    """A chain's nodes by segment, each with its strength: five queries whatever its size."""
    year = latest_complete_year(on)
    nodes = nodes_with_strength(ChainNode.objects.filter(chain=chain))
    revenue = figures_sum_by_chain_node(year=year, node_ids=[node.pk for node in nodes])
    columns = []
    for segment in SEGMENT_ORDER:
        column = SegmentColumn(segment=segment, label=str(segment.label))
        for node, depth, elsewhere in _tree_order(n for n in nodes if n.segment == segment):
            cell = node_strength(node, revenue=revenue.get(node.pk, Decimal(0)), depth=depth)
            cell.parent_elsewhere = elsewhere
            column.cells.append(cell)
        columns.append(column)
    return ChainMap(chain=chain, year=year, columns=columns)


def chains_visible(*, user: Any) -> QuerySet[IndustryChain]:
    return scope_queryset(IndustryChain.objects.select_related("industry"), user)


@dataclass(frozen=True)
class ChainSummary:
    chain: IndustryChain
    nodes: int
    gaps: int


def chains_summary(*, user: Any) -> list[ChainSummary]:
    """Each chain the user reads with its count of nodes and of gaps (four queries)."""
    chains = list(chains_visible(user=user))
    gap_counts: dict[int, int] = {}
    node_counts: dict[int, int] = {}
    for node in nodes_with_strength(ChainNode.objects.filter(chain__in=chains)):
        node_counts[node.chain_id] = node_counts.get(node.chain_id, 0) + 1
        if node.is_gap:
            gap_counts[node.chain_id] = gap_counts.get(node.chain_id, 0) + 1
    return [
        ChainSummary(chain=c, nodes=node_counts.get(c.pk, 0), gaps=gap_counts.get(c.pk, 0))
        for c in chains
    ]


@dataclass
class GapRow:
    node: ChainNode
    talks: int
    talks_projects: list[Project]  # the ones in talks that the user may see

    @property
    def chain(self) -> IndustryChain:
        return self.node.chain

    @property
    def segment_label(self) -> str:
        return str(self.node.get_segment_display())  # type: ignore[attr-defined]

    @property
    def parent_name(self) -> str:
        return self.node.parent.name if self.node.parent is not None else ""


def chain_gaps(*, user: Any, chain: IndustryChain | None = None) -> list[GapRow]:
    """The attraction target list (招商目标清单): every gap of the chains the user reads (or of
    one chain), by chain, segment and order, with the projects in talks on it."""
    nodes = ChainNode.objects.filter(chain__in=chains_visible(user=user))
    if chain is not None:
        nodes = nodes.filter(chain=chain)
    talks = scope_queryset(
        Project.objects.filter(stage__in=TALKS_STAGES).order_by("stage_since", "id"), user
    )
    gaps = [node for node in nodes_with_strength(nodes) if node.is_gap]
    prefetch_related_objects(gaps, Prefetch("projects", queryset=talks, to_attr="talks_visible"))
    rank = {segment.value: index for index, segment in enumerate(SEGMENT_ORDER)}
    rows = [
        GapRow(node=node, talks=node.talks_count, talks_projects=node.talks_visible)
        for node in gaps
    ]
    rows.sort(
        key=lambda r: (
            r.node.chain.order,
            r.node.chain_id,
            rank.get(r.node.segment, 9),
            r.node.order,
            r.node.pk,
        )
    )
    return rows


@dataclass
class ChainOpportunities:
    """A chain as the public sees it: its nodes by segment and the gaps among them (the links
    the zone invites investors to fill)."""

    chain: IndustryChain
    columns: list[SegmentColumn]

    @property
    def gaps(self) -> list[NodeStrength]:
        return [cell for column in self.columns for cell in column.cells if cell.is_gap]

    @property
    def nodes(self) -> int:
        return sum(len(column.cells) for column in self.columns)


def chains_opportunities() -> list[ChainOpportunities]:
    """Every chain of the zone with its nodes and gaps, whoever asks (the chains are the zone's
    public catalogue and a gap is a gap whoever looks): counts only, no project or enterprise
    named. Four queries whatever the number of chains."""
    chains = list(IndustryChain.objects.select_related("industry").order_by("order", "id"))
    by_chain: dict[int, list[Any]] = {chain.pk: [] for chain in chains}
    for node in nodes_with_strength(ChainNode.objects.filter(chain__in=chains)):
        by_chain[node.chain_id].append(node)
    result = []
    for chain in chains:
        columns = []
        for segment in SEGMENT_ORDER:
            column = SegmentColumn(segment=segment, label=str(segment.label))
            nodes = (n for n in by_chain[chain.pk] if n.segment == segment)
            for node, depth, elsewhere in _tree_order(nodes):
                cell = node_strength(node, revenue=Decimal(0), depth=depth)
                cell.parent_elsewhere = elsewhere
                column.cells.append(cell)
            if column.cells:
                columns.append(column)
        result.append(ChainOpportunities(chain=chain, columns=columns))
    return result
