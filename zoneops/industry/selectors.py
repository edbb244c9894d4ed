"""Reads of the industry catalogue and chains: a GB/T 4754-2017 code's category, a chain's
tree by segment with what is on each node, the nodes a register names."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from zoneops.common.selectors import related_count
from zoneops.industry.enums import Segment
from zoneops.industry.gb4754 import normalise_industry_code, split_gb_codes
from zoneops.industry.models import ChainNode, IndustryCategory, IndustryChain, node_path_label


def categories_visible(*, user: Any) -> QuerySet[IndustryCategory]:
    return IndustryCategory.objects.visible_to(user)


def chains_visible(*, user: Any) -> QuerySet[IndustryChain]:
    return IndustryChain.objects.visible_to(user).select_related("industry", "managing_department")


def nodes_visible(*, user: Any) -> QuerySet[ChainNode]:
    return ChainNode.objects.visible_to(user).select_related("chain", "parent")


def categories_public() -> QuerySet[IndustryCategory]:
    """The zone's industries as the public reads them (the catalogue, whoever asks)."""
    return IndustryCategory.objects.order_by("order", "id")


def chain_department_of(*, industry_id: int) -> Any:
    """The department leading the first chain of an industry (by the chains' order), or None:
    who answers for attracting investment into it."""
    chain = (
        IndustryChain.objects.filter(industry_id=industry_id, managing_department__isnull=False)
        .select_related("managing_department")
        .order_by("order", "id")
        .first()
    )
    return chain.managing_department if chain is not None else None


# --- the catalogue -----------------------------------------------------------------------------


def category_code_index() -> dict[str, int]:
    """Every GB/T 4754-2017 code of the catalogue → its category's id (one query). A code
    listed by two categories goes to the first in the catalogue's order."""
    index: dict[str, int] = {}
    for pk, codes in IndustryCategory.objects.order_by("order", "id").values_list("pk", "gb_codes"):
        for code in split_gb_codes(codes):
            index.setdefault(code, pk)
    return index


def category_id_for_code(industry_code: str, *, index: dict[str, int]) -> int | None:
    """The category whose longest code starts an enterprise's industry code: C3670 goes to the
    category listing C3670, else C367, else C36; None when no code matches."""
    code = normalise_industry_code(industry_code)
    for length in range(len(code), 2, -1):
        found = index.get(code[:length])
        if found is not None:
            return found
    return None


def categories_for_codes(industry_codes: Iterable[str]) -> dict[str, IndustryCategory | None]:
    """Each industry code → the zone's category (longest matching code), in two queries."""
    index = category_code_index()
    ids = {code: category_id_for_code(code, index=index) for code in set(industry_codes)}
    categories = IndustryCategory.objects.in_bulk({pk for pk in ids.values() if pk})
    return {code: categories.get(pk) if pk else None for code, pk in ids.items()}


def category_for_code(industry_code: str) -> IndustryCategory | None:
    return categories_for_codes([industry_code])[industry_code]


# --- chains ----------------------------------------------------------------------------------


def node_descendant_ids(*, node: ChainNode) -> set[int]:
    """The ids of every node under this one (one query: a chain holds tens of nodes)."""
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in ChainNode.objects.filter(chain_id=node.chain_id).values_list(
        "pk", "parent_id"
    ):
        if parent is not None:
            children[parent].append(pk)
    found: set[int] = set()
    todo = list(children.get(node.pk, []))
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def node_member_counts(*, nodes: QuerySet[ChainNode]) -> tuple[int, int]:
    """How many enterprises and projects are on these nodes (each counted once)."""
    ids = list(nodes.values_list("pk", flat=True))
    enterprise = ChainNode._meta.get_field("enterprises").related_model
    project = ChainNode._meta.get_field("projects").related_model
    return (
        enterprise._default_manager.filter(chain_nodes__in=ids).distinct().count(),  # type: ignore[union-attr]
        project._default_manager.filter(chain_node__in=ids).count(),  # type: ignore[union-attr]
    )


@dataclass
class TreeNode:
    node: ChainNode
    depth: int
    enterprises: int
    projects: int
    children: list["TreeNode"] = field(default_factory=list)


@dataclass
class TreeSegment:
    segment: str
    label: str
    nodes: list[TreeNode]  # depth first, each under its parent


def chains_counted(chains: QuerySet[IndustryChain]) -> QuerySet[IndustryChain]:
    """The chains with their nodes, enterprises and projects counted (the list, the API)."""
    return chains.annotate(
        node_count=related_count(IndustryChain, "nodes"),
        enterprise_count=related_count(IndustryChain, "nodes__enterprises"),
        project_count=related_count(IndustryChain, "nodes__projects"),
    )


def nodes_counted(nodes: QuerySet[ChainNode]) -> QuerySet[ChainNode]:
    """The nodes with the enterprises and projects on each counted."""
    return nodes.annotate(
        enterprise_count=related_count(ChainNode, "enterprises"),
        project_count=related_count(ChainNode, "projects"),
    )


def chain_nodes_counted(*, chain: IndustryChain) -> QuerySet[ChainNode]:
    return nodes_counted(ChainNode.objects.filter(chain=chain)).order_by("order", "id")


def chain_tree(*, chain: IndustryChain) -> list[TreeSegment]:
    """The chain's nodes by segment (上游, 中游, 下游, 配套服务), each segment's nodes depth
    first under their parents, with the enterprises and projects on each (one query)."""
    nodes = list(chain_nodes_counted(chain=chain))
    items = {
        node.pk: TreeNode(node, 0, node.enterprise_count, node.project_count)  # type: ignore[attr-defined]
        for node in nodes
    }
    roots: dict[str, list[TreeNode]] = defaultdict(list)
    for node in nodes:
        item = items[node.pk]
        parent = items.get(node.parent_id) if node.parent_id else None
        if parent is not None:
            parent.children.append(item)
        else:
            roots[node.segment].append(item)

    def walk(item: TreeNode, depth: int, out: list[TreeNode]) -> None:
        item.depth = depth
        out.append(item)
        for child in item.children:
            walk(child, depth + 1, out)

    segments = []
    for segment in Segment:
        flat: list[TreeNode] = []
        for root in roots.get(segment.value, []):
            walk(root, 0, flat)
        segments.append(TreeSegment(segment.value, str(segment.label), flat))
    return segments


def chains_with_counts(*, user: Any) -> QuerySet[IndustryChain]:
    return chains_counted(chains_visible(user=user))


# --- nodes as registers name them: 链名/环节名 ------------------------------------------------


def split_node_label(text: str) -> tuple[str, str]:
    """(chain name, node name) of "链名/环节名"; ("", name) when the chain is not given."""
    text = (text or "").strip().replace("／", "/")
    if "/" in text:
        chain, name = text.split("/", 1)
        return chain.strip(), name.strip()
    return "", text


def nodes_by_label(
    texts: Iterable[str], *, queryset: QuerySet[ChainNode] | None = None
) -> dict[str, list[tuple[int, str]]]:
    """Each "链名/环节名" (or a bare 环节名) → the nodes it names, as (pk, 链名/环节名); one query.
    A bare name found on two chains names both (the caller says which to choose)."""
    wanted = {text: split_node_label(text) for text in texts if text}
    names = {name for _chain, name in wanted.values()}
    base = queryset if queryset is not None else ChainNode.objects.all()
    rows = list(base.filter(name__in=names).values_list("pk", "name", "chain__name"))
    found: dict[str, list[tuple[int, str]]] = {}
    for text, (chain, name) in wanted.items():
        matches = [
            (pk, node_path_label(chain_name, node_name))
            for pk, node_name, chain_name in rows
            if node_name == name and (not chain or chain_name == chain)
        ]
        if matches:
            found[text] = matches
    return found


def node_labels(ids: Iterable[int]) -> dict[int, str]:
    """pk → 链名/环节名 (one query)."""
    return {
        pk: node_path_label(chain, name)
        for pk, name, chain in ChainNode.objects.filter(pk__in=list(ids)).values_list(
            "pk", "name", "chain__name"
        )
    }
