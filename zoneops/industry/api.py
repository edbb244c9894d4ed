"""The industry catalogue and chains in the API: categories (with the category of a GB/T
4754-2017 code), chains with their node tree, nodes through the services. Enterprises and
projects are put on nodes through their own routers (their write scope decides)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from zoneops.api.lookups import payload_names, pick_many, pick_one
from zoneops.api.pagination import Pagination
from zoneops.api.schemas import Id, VersionedIn
from zoneops.common.scope import ensure_allowed
from zoneops.industry.enums import Segment, StrategicEmergingCategory
from zoneops.industry.gb4754 import GbSection
from zoneops.industry.models import ChainNode, IndustryCategory, IndustryChain
from zoneops.industry.selectors import (
    categories_visible,
    category_for_code,
    chain_tree,
    chains_with_counts,
    nodes_visible,
)
from zoneops.industry.services import (
    category_save,
    node_delete,
    node_move,
    node_save,
    nodes_reorder,
)

router = Router(tags=["industry"])


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    gb_section: str
    gb_section_label: str = Field(alias="get_gb_section_display")
    gb_codes: list[str] = Field(alias="gb_code_list")
    sei_category: str
    sei_category_label: str = Field(alias="get_sei_category_display")
    is_strategic_emerging: bool
    is_lead: bool
    order: int
    version: int


class CategoryIn(Schema):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=50)
    gb_section: GbSection | None = None
    gb_codes: str = Field("", max_length=300, description="如 C36,C3670")
    sei_category: StrategicEmergingCategory | None = None
    is_lead: bool = False
    order: int = Field(0, ge=0, le=2_147_483_647)


class CategoryUpdateIn(VersionedIn):
    name: str | None = Field(None, min_length=1, max_length=50)
    gb_section: GbSection | None = None
    gb_codes: str | None = Field(None, max_length=300)
    sei_category: StrategicEmergingCategory | None = None
    is_lead: bool | None = None
    order: int | None = Field(None, ge=0, le=2_147_483_647)


class NodeOut(Schema):
    id: int
    chain_id: int
    segment: Segment
    segment_label: str = Field(alias="get_segment_display")
    parent_id: int | None
    name: str
    description: str
    order: int
    version: int


class TreeNodeOut(Schema):
    id: int
    parent_id: int | None
    name: str
    depth: int
    order: int
    enterprises: int
    projects: int


class SegmentOut(Schema):
    segment: str
    label: str
    nodes: list[TreeNodeOut]


class ChainOut(Schema):
    id: int
    name: str
    industry_id: int | None
    description: str
    managing_department_id: int | None
    order: int
    node_count: int = 0
    enterprise_count: int = 0
    project_count: int = 0
    version: int


class ChainDetailOut(ChainOut):
    segments: list[SegmentOut]


class NodeIn(Schema):
    chain_id: Id
    segment: Segment
    parent_id: Id | None = None
    name: str = Field(min_length=1, max_length=50)
    description: str = Field("", max_length=300)
    order: int = Field(0, ge=0, le=2_147_483_647)


class NodeUpdateIn(VersionedIn):
    name: str | None = Field(None, min_length=1, max_length=50)
    description: str | None = Field(None, max_length=300)


class NodeMoveIn(VersionedIn):
    parent_id: Id | None = Field(None, description="新的上级环节；null 为所在环节位置的顶层")
    segment: Segment | None = Field(None, description="无上级时移到的环节位置")
    order: int | None = Field(None, ge=0, le=2_147_483_647)


class ReorderIn(Schema):
    node_ids: list[Id] = Field(
        min_length=1, max_length=500, description="同一上级下的环节，按新顺序"
    )


# --- the catalogue -----------------------------------------------------------------------------


@router.get(
    "/categories", response=list[CategoryOut], summary="产业分类（国民经济行业、战略性新兴产业）"
)
@paginate(Pagination)
def categories(request):
    ensure_allowed(request.user, "view", IndustryCategory)
    return categories_visible(user=request.user).order_by("order", "id")


@router.get(
    "/categories/for-code/{code}",
    response=CategoryOut,
    summary="按国民经济行业代码（最长匹配）找本区产业",
)
def category_for_industry_code(request, code: str):
    ensure_allowed(request.user, "view", IndustryCategory)
    category = category_for_code(code[:10])
    if category is None:
        raise Http404
    return category


@router.get("/categories/{int:category_id}", response=CategoryOut, summary="产业分类")
def category(request, category_id: Id):
    ensure_allowed(request.user, "view", IndustryCategory)
    return get_object_or_404(categories_visible(user=request.user), pk=category_id)


@router.post("/categories", response={201: CategoryOut}, summary="新增产业分类")
def category_create(request, payload: CategoryIn):
    ensure_allowed(request.user, "add", IndustryCategory)
    data = payload.dict()
    data["gb_section"] = data["gb_section"] or ""
    data["sei_category"] = data["sei_category"] or ""
    return Status(201, category_save(category=IndustryCategory(**data), by=request.user))


@router.patch("/categories/{int:category_id}", response=CategoryOut, summary="修改产业分类")
def category_update(request, category_id: Id, payload: CategoryUpdateIn):
    category = get_object_or_404(categories_visible(user=request.user), pk=category_id)
    ensure_allowed(request.user, "change", IndustryCategory, category)
    for name, value in payload.dict(exclude_unset=True, exclude={"version"}).items():
        if name in ("gb_section", "sei_category", "gb_codes") and value is None:
            value = ""
        if value is not None:
            setattr(category, name, value)
    return category_save(category=category, by=request.user, expected_version=payload.version)


# --- chains ----------------------------------------------------------------------------------


@router.get("/chains", response=list[ChainOut], summary="产业链")
@paginate(Pagination)
def chains(request):
    ensure_allowed(request.user, "view", IndustryChain)
    return chains_with_counts(user=request.user).order_by("order", "id")


@router.get("/chains/{int:chain_id}", response=ChainDetailOut, summary="产业链及其环节树")
def chain(request, chain_id: Id):
    ensure_allowed(request.user, "view", IndustryChain)
    found = get_object_or_404(chains_with_counts(user=request.user), pk=chain_id)
    segments = [
        SegmentOut(
            segment=segment.segment,
            label=segment.label,
            nodes=[
                TreeNodeOut(
                    id=item.node.pk,
                    parent_id=item.node.parent_id,
                    name=item.node.name,
                    depth=item.depth,
                    order=item.node.order,
                    enterprises=item.enterprises,
                    projects=item.projects,
                )
                for item in segment.nodes
            ],
        )
        for segment in chain_tree(chain=found)
    ]
    return ChainDetailOut(
        id=found.pk,
        name=found.name,
        industry_id=found.industry_id,
        description=found.description,
        managing_department_id=found.managing_department_id,
        order=found.order,
        node_count=found.node_count,  # type: ignore[attr-defined]
        enterprise_count=found.enterprise_count,  # type: ignore[attr-defined]
        project_count=found.project_count,  # type: ignore[attr-defined]
        version=found.version,
        segments=segments,
    )


# --- nodes -----------------------------------------------------------------------------------


def _node_for_change(request, node_id: int, action: str = "change") -> ChainNode:
    node = get_object_or_404(nodes_visible(user=request.user), pk=node_id)
    ensure_allowed(request.user, action, ChainNode, node)
    return node


@router.get("/nodes/{int:node_id}", response=NodeOut, summary="产业链环节")
def node(request, node_id: Id):
    ensure_allowed(request.user, "view", ChainNode)
    return get_object_or_404(nodes_visible(user=request.user), pk=node_id)


@router.post("/nodes", response={201: NodeOut}, summary="新增产业链环节")
def node_create(request, payload: NodeIn):
    user = request.user
    chain = pick_one(IndustryChain, payload.chain_id, user=user, field="chain_id")
    parent = pick_one(ChainNode, payload.parent_id, user=user, field="parent_id")
    created = ChainNode(
        chain=chain,
        segment=payload.segment,
        parent=parent,
        name=payload.name,
        description=payload.description,
        order=payload.order,
    )
    ensure_allowed(user, "add", ChainNode, created)
    with payload_names({"parent": "parent_id", "chain": "chain_id"}):
        return Status(201, node_save(node=created, by=user))


@router.patch("/nodes/{int:node_id}", response=NodeOut, summary="修改产业链环节")
def node_update(request, node_id: Id, payload: NodeUpdateIn):
    found = _node_for_change(request, node_id)
    for name, value in payload.dict(exclude_unset=True, exclude={"version"}).items():
        if value is not None:
            setattr(found, name, value)
    return node_save(node=found, by=request.user, expected_version=payload.version)


@router.post(
    "/nodes/{int:node_id}/move",
    response=NodeOut,
    summary="移动产业链环节（换上级、环节位置或排序）",
)
def node_move_to(request, node_id: Id, payload: NodeMoveIn):
    found = _node_for_change(request, node_id)
    parent = pick_one(ChainNode, payload.parent_id, user=request.user, field="parent_id")
    with payload_names({"parent": "parent_id"}):
        return node_move(
            node=found,
            parent=parent,
            segment=payload.segment,
            order=payload.order,
            by=request.user,
            expected_version=payload.version,
        )


@router.post("/nodes/reorder", response=list[NodeOut], summary="同级环节排序")
def node_reorder(request, payload: ReorderIn):
    nodes = pick_many(ChainNode, payload.node_ids, user=request.user, field="node_ids")
    for found in nodes:
        ensure_allowed(request.user, "change", ChainNode, found)
    return nodes_reorder(nodes=nodes, by=request.user)


@router.delete("/nodes/{int:node_id}", response={204: None}, summary="删除产业链环节")
def node_remove(request, node_id: Id):
    found = _node_for_change(request, node_id, "delete")
    node_delete(node=found, by=request.user)
    return Status(204, None)
