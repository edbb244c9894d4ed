"""Writes of the industry catalogue and the industry chains.

A chain's nodes form a tree inside each segment: a node's parent is a node of the same chain
and the same segment, never the node itself or one of its own descendants. A node holding
enterprises or projects is not deleted (they are moved first); a node moved to another segment
takes its sub-tree with it. Who may change a chain or its nodes: its managing department and
the zone-wide roles (the models' scope); everyone reads them.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.scope import can_write
from zoneops.common.services import record_delete, record_save, required_text
from zoneops.industry.models import ChainNode, IndustryCategory, IndustryChain
from zoneops.industry.selectors import node_descendant_ids, node_member_counts
from zoneops.orgs.models import User
from zoneops.orgs.selectors import sole_department


def _check_may_change_chain(chain: IndustryChain, by: User | None) -> None:
    if getattr(by, "pk", None) and chain.pk and not can_write(by, chain):
        raise PermissionDeniedError(
            _("产业链“%(chain)s”由%(department)s维护，您可以查看但不能修改。")
            % {"chain": chain, "department": chain.managing_department or _("管委会")}
        )


# --- the catalogue -----------------------------------------------------------------------------


@transaction.atomic
def category_save(
    *, category: IndustryCategory, by: User | None, expected_version: int | None = None
) -> IndustryCategory:
    """Add or change a category of the zone's industry list (its GB/T 4754-2017 codes are
    checked and normalised by the model)."""
    category.name = required_text(category.name, field="name", message=_("请填写产业名称。"))
    return record_save(instance=category, by=by, expected_version=expected_version)


@transaction.atomic
def category_delete(*, category: IndustryCategory, by: User | None) -> None:
    """Remove a category nothing refers to (enterprises, projects, chains protect it)."""
    record_delete(instance=category, by=by)


# --- chains ----------------------------------------------------------------------------------


@transaction.atomic
def chain_save(
    *, chain: IndustryChain, by: User | None, expected_version: int | None = None
) -> IndustryChain:
    """Add or change a chain. A new chain without a managing department is kept by the
    department of the one who adds it, if he has exactly one."""
    chain.name = required_text(chain.name, field="name", message=_("请填写产业链名称。"))
    if chain.pk:
        stored = IndustryChain.objects.get(pk=chain.pk)
        _check_may_change_chain(stored, by)
    elif chain.managing_department_id is None and by is not None:
        chain.managing_department = sole_department(user=by)
    return record_save(instance=chain, by=by, expected_version=expected_version)


@transaction.atomic
def chain_delete(*, chain: IndustryChain, by: User | None) -> None:
    """Remove a chain and its nodes, only while no enterprise or project is on any of them."""
    _check_may_change_chain(chain, by)
    enterprises, projects = node_member_counts(nodes=chain.nodes.all())
    if enterprises or projects:
        message = _(
            "“%(chain)s”的环节上还有 %(enterprises)d 家企业、%(projects)d 个项目，请先移出。"
        )
        raise ApplicationError(
            message % {"chain": chain, "enterprises": enterprises, "projects": projects},
            code="protected",
        )
    # Children first: a parent is protected while it has children.
    nodes = list(chain.nodes.order_by("-id"))
    for node in _leaves_first(nodes):
        record_delete(instance=node, by=by)
    record_delete(instance=chain, by=by)


def _leaves_first(nodes: Sequence[ChainNode]) -> list[ChainNode]:
    depth: dict[int, int] = {}
    by_id = {node.pk: node for node in nodes}

    def level(node: ChainNode) -> int:
        if node.pk not in depth:
            parent = by_id.get(node.parent_id) if node.parent_id else None
            depth[node.pk] = 0 if parent is None else level(parent) + 1
        return depth[node.pk]

    return sorted(nodes, key=lambda node: -level(node))


# --- nodes -----------------------------------------------------------------------------------


def node_problem(node: ChainNode) -> tuple[str, str] | None:
    """Why the node cannot sit where it is put: (field, message); None when it can."""
    parent = node.parent
    if parent is None:
        return None
    if node.pk and parent.pk == node.pk:
        return "parent", _("上级环节不能是环节自身。")
    if parent.chain_id != node.chain_id:
        return "parent", _("上级环节“%(parent)s”属于另一条产业链，请选择“%(chain)s”的环节。") % {
            "parent": parent,
            "chain": node.chain,
        }
    if parent.segment != node.segment:
        return "parent", _(
            "上级环节“%(parent)s”在%(its)s，本环节在%(mine)s：上下级须在同一环节位置。"
        ) % {
            "parent": parent.name,
            "its": parent.get_segment_display(),
            "mine": node.get_segment_display(),
        }
    if node.pk and parent.pk in node_descendant_ids(node=node):
        return "parent", _("“%(parent)s”是本环节的下级，不能作为上级环节（会形成循环）。") % {
            "parent": parent.name
        }
    return None


@transaction.atomic
def node_save(
    *, node: ChainNode, by: User | None, expected_version: int | None = None
) -> ChainNode:
    """Add or change a node. Its parent follows the tree rules (`node_problem`); a node that
    changes segment takes its sub-tree with it."""
    node.name = required_text(node.name, field="name", message=_("请填写环节名称。"))
    _check_may_change_chain(node.chain, by)
    moved_segment = False
    if node.pk:
        stored = ChainNode.objects.select_related("chain").get(pk=node.pk)
        if stored.chain_id != node.chain_id:
            raise ApplicationError(
                _("环节不能移到另一条产业链；请在“%(chain)s”中新建该环节。")
                % {"chain": node.chain},
                field="chain",
            )
        moved_segment = stored.segment != node.segment
    problem = node_problem(node)
    if problem is not None:
        field, message = problem
        raise ApplicationError(message, field=field)
    saved = record_save(instance=node, by=by, expected_version=expected_version)
    if moved_segment:
        below = ChainNode.objects.filter(pk__in=node_descendant_ids(node=saved))
        for child in below.exclude(segment=saved.segment):
            child.segment = saved.segment
            record_save(instance=child, by=by, reason=_("随上级环节移动"))
    return saved


@transaction.atomic
def node_move(
    *,
    node: ChainNode,
    parent: ChainNode | None,
    segment: str | None = None,
    order: int | None = None,
    by: User | None,
    expected_version: int | None = None,
) -> ChainNode:
    """Put a node under another parent (None: the top of its segment), into another segment
    (a node with a parent takes its parent's segment), or at another place among its siblings."""
    node.parent = parent
    if parent is not None:
        node.segment = parent.segment
    elif segment:
        node.segment = segment
    if order is not None:
        node.order = order
    return node_save(node=node, by=by, expected_version=expected_version)


@transaction.atomic
def nodes_reorder(*, nodes: Sequence[ChainNode], by: User | None) -> list[ChainNode]:
    """Number siblings in the order given (10, 20, …); all must share chain, segment and
    parent."""
    if not nodes:
        return []
    first = nodes[0]
    for node in nodes:
        if (node.chain_id, node.segment, node.parent_id) != (
            first.chain_id,
            first.segment,
            first.parent_id,
        ):
            raise ApplicationError(
                _("只能对同一上级下的环节排序：“%(node)s”不在其中。") % {"node": node.name},
                field="nodes",
            )
    _check_may_change_chain(first.chain, by)
    for index, node in enumerate(nodes, start=1):
        if node.order != index * 10:
            node.order = index * 10
            record_save(instance=node, by=by, reason=_("调整排序"))
    return list(nodes)


@transaction.atomic
def node_delete(*, node: ChainNode, by: User | None, expected_version: int | None = None) -> None:
    """Remove a node with no sub-nodes, no enterprise and no project on it."""
    _check_may_change_chain(node.chain, by)
    enterprises, projects = node_member_counts(nodes=ChainNode.objects.filter(pk=node.pk))
    if enterprises or projects:
        raise ApplicationError(
            _(
                "环节“%(node)s”上还有 %(enterprises)d 家企业、%(projects)d 个项目，"
                "请先将它们移到其他环节再删除。"
            )
            % {"node": node.name, "enterprises": enterprises, "projects": projects},
            code="protected",
        )
    children = node.children.count()
    if children:
        raise ApplicationError(
            _("环节“%(node)s”下还有 %(children)d 个下级环节，请先删除或移走它们。")
            % {"node": node.name, "children": children},
            code="protected",
        )
    record_delete(instance=node, by=by, expected_version=expected_version)
