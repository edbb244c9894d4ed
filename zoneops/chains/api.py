"""REST API of the chain map: the chains, a chain's map with each node's strength and gap flag,
the attraction target list, and a lead started from a gap."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from zoneops.api.schemas import Id, model_number, model_number_out
from zoneops.chains.excel import gaps_title, gaps_workbook
from zoneops.chains.selectors import chain_gaps, chain_map, chains_summary, chains_visible
from zoneops.chains.services import gap_start_lead
from zoneops.common.excel import xlsx_response
from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import ensure_allowed, pickable_queryset
from zoneops.industry.models import ChainNode, IndustryChain
from zoneops.orgs.models import User
from zoneops.projects.models import Project

router = Router(tags=["chains"])


class ChainGapsOut(Schema):
    id: int
    name: str
    nodes: int
    gaps: int


class StageCountOut(Schema):
    stage: str
    label: str
    count: int


class MapNodeOut(Schema):
    id: int
    name: str
    segment: str
    segment_label: str
    parent_id: int | None
    depth: int
    enterprises: int = Field(description="本地企业数")
    above_scale: int = Field(description="其中规上工业企业数")
    revenue: Decimal = Field(description="营业收入（万元），最近完整年度")
    projects_by_stage: list[StageCountOut]
    landed: int = Field(description="签约及以后阶段的项目数")
    talks: int = Field(description="在谈项目数（线索、洽谈、深度在谈）")
    is_gap: bool = Field(description="缺链：无本地企业且无签约及以后的项目")
    level: int = Field(description="强度 0（缺链）至 4")


class ChainMapOut(Schema):
    id: int
    name: str
    year: int = Field(description="营业收入所取的年度")
    nodes: list[MapNodeOut]
    gaps: int


class GapOut(Schema):
    node_id: int
    node: str
    chain_id: int
    chain: str
    segment: str
    segment_label: str
    parent: str
    talks: int
    talks_projects: list[str]


class LeadIn(Schema):
    name: str = Field(min_length=1, max_length=200, description="项目名称")
    investor_name: str = Field("", max_length=200, description="投资方")
    total_investment: model_number(Project, "total_investment") = Field(
        Decimal(0), description="总投资（万元）"
    )
    owner_id: Id | None = Field(None, description="招商负责人，默认本人")


class LeadOut(Schema):
    id: int
    code: str
    name: str
    stage: str
    chain_node_id: int | None
    total_investment: model_number_out(Project, "total_investment")
    owner_id: int | None


@router.get("/", response=list[ChainGapsOut], summary="产业链及缺链环节数")
def chains(request):
    ensure_allowed(request.user, "view", IndustryChain)
    return [
        {"id": row.chain.pk, "name": row.chain.name, "nodes": row.nodes, "gaps": row.gaps}
        for row in chains_summary(user=request.user)
    ]


@router.get("/{int:chain_id}/map", response=ChainMapOut, summary="产业链图谱")
def chain_map_detail(request, chain_id: Id):
    ensure_allowed(request.user, "view", IndustryChain)
    chain = get_object_or_404(chains_visible(user=request.user), pk=chain_id)
    view = chain_map(chain=chain, on=timezone.localdate())
    nodes = [
        {
            "id": cell.node.pk,
            "name": cell.node.name,
            "segment": cell.node.segment,
            "segment_label": column.label,
            "parent_id": cell.node.parent_id,
            "depth": cell.depth,
            "enterprises": cell.enterprises,
            "above_scale": cell.above_scale,
            "revenue": cell.revenue,
            "projects_by_stage": [
                {"stage": s.stage.value, "label": s.label, "count": s.count} for s in cell.stages
            ],
            "landed": cell.landed,
            "talks": cell.talks,
            "is_gap": cell.is_gap,
            "level": cell.level,
        }
        for column in view.columns
        for cell in column.cells
    ]
    return {
        "id": chain.pk,
        "name": chain.name,
        "year": view.year,
        "nodes": nodes,
        "gaps": view.gaps,
    }


def _chain_or_none(request, chain_id: int | None) -> IndustryChain | None:
    if chain_id is None:
        return None
    return get_object_or_404(chains_visible(user=request.user), pk=chain_id)


@router.get("/gaps", response=list[GapOut], summary="招商目标清单（缺链环节）")
def gaps(request, chain: Id | None = None):
    ensure_allowed(request.user, "view", IndustryChain)
    rows = chain_gaps(user=request.user, chain=_chain_or_none(request, chain))
    return [
        {
            "node_id": row.node.pk,
            "node": row.node.name,
            "chain_id": row.chain.pk,
            "chain": row.chain.name,
            "segment": row.node.segment,
            "segment_label": row.segment_label,
            "parent": row.parent_name,
            "talks": row.talks,
            "talks_projects": [project.name for project in row.talks_projects],
        }
        for row in rows
    ]


@router.get("/gaps/export", summary="招商目标清单（Excel）")
def gaps_export(request, chain: Id | None = None):
    ensure_allowed(request.user, "view", IndustryChain)
    chosen = _chain_or_none(request, chain)
    title = gaps_title(chosen)
    rows = chain_gaps(user=request.user, chain=chosen)
    return xlsx_response(gaps_workbook(rows=rows, title=title), f"{title}.xlsx")


@router.post("/nodes/{int:node_id}/lead", response={201: LeadOut}, summary="缺链环节发起招商")
def start_lead(request, node_id: Id, payload: LeadIn):
    ensure_allowed(request.user, "view", IndustryChain)
    ensure_allowed(request.user, "add", Project)
    nodes = ChainNode.objects.filter(chain__in=chains_visible(user=request.user))
    node = get_object_or_404(nodes.select_related("chain__industry"), pk=node_id)
    owner = None
    if payload.owner_id is not None:
        owner = (
            pickable_queryset(User.objects.all(), request.user).filter(pk=payload.owner_id).first()
        )
        if owner is None:
            raise ApplicationError(_("没有这位招商负责人。"), field="owner_id")
    project = gap_start_lead(
        node=node,
        name=payload.name,
        investor_name=payload.investor_name,
        total_investment=payload.total_investment,
        owner=owner,
        by=request.user,
    )
    return Status(201, project)
