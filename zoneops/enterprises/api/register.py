"""REST API of the enterprise register: enterprises, their figures with YoY, liaison (包联),
"my liaison", the coverage table, and Excel in and out. Mounted at /api/v1/enterprises/."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Query, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zoneops.api.lookups import payload_names, pick_many, pick_one
from zoneops.api.pagination import MAX_OFFSET, Pagination
from zoneops.api.schemas import Id, VersionedIn, Year, model_number, model_number_out
from zoneops.common.excel import xlsx_response
from zoneops.common.importing import (
    import_batch_confirm,
    import_batch_upload,
)
from zoneops.common.models import ImportBatch
from zoneops.common.scope import ensure_allowed, scope_for
from zoneops.common.services import record_apply
from zoneops.enterprises.api.router import router
from zoneops.enterprises.enums import METRICS, LiaisonKind, LiaisonLevel
from zoneops.enterprises.excel import register_for
from zoneops.enterprises.models import Enterprise, EnterpriseFigure, LiaisonAssignment
from zoneops.enterprises.selectors import (
    enterprise_figure_of,
    enterprise_figure_series,
    enterprises_list,
    figure_row,
    figures_total,
    figures_with_previous,
    liaison_coverage,
    my_liaison,
)
from zoneops.enterprises.services import (
    enterprise_create,
    enterprise_figure_save,
    enterprise_save,
    liaison_assign,
    liaison_end,
)
from zoneops.enterprises.services.chains import (
    enterprise_chain_nodes_set,
    enterprises_put_on_node,
    enterprises_take_off_node,
)
from zoneops.industry.models import ChainNode
from zoneops.orgs.models import Department, User

# --- Schemas ---------------------------------------------------------------------------------


class LiaisonBrief(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    level: str
    person_id: int | None
    person_name: str | None = None
    department_id: int | None
    department_name: str | None = None
    started_on: date
    ended_on: date | None

    @staticmethod
    def resolve_person_name(obj: LiaisonAssignment) -> str | None:
        return str(obj.person) if obj.person_id else None

    @staticmethod
    def resolve_department_name(obj: LiaisonAssignment) -> str | None:
        return str(obj.department) if obj.department_id else None


class LiaisonOut(LiaisonBrief):
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    note: str
    version: int


class EnterpriseOut(Schema):
    id: int
    name: str
    former_names: list[str] = Field(alias="former_name_list")
    credit_code: str | None
    legal_representative: str
    registered_capital: model_number_out(Enterprise, "registered_capital") | None = Field(
        description="注册资本（万元）"
    )
    established_on: date | None
    address: str
    park_id: int | None
    park_name: str | None = None
    park_unit: str
    industry_id: int | None
    industry_name: str | None = None
    industry_code: str
    chain_node_ids: list[int] = Field([], description="产业链环节")
    responsible_department_id: int | None = Field(description="服务责任部门")
    country: str
    is_above_scale_industry: bool = Field(description="规上工业")
    is_above_quota_trade: bool = Field(description="限上")
    is_high_tech: bool = Field(description="高新技术企业")
    is_specialized: bool = Field(description="专精特新")
    is_tech_sme: bool = Field(description="科技型中小企业")
    contact_person: str
    contact_phone: str
    note: str
    is_sample: bool
    liaisons: list[LiaisonBrief] = Field([], description="当前有效的包联")
    version: int

    @staticmethod
    def resolve_park_name(obj: Enterprise) -> str | None:
        return obj.park.name if obj.park_id else None

    @staticmethod
    def resolve_industry_name(obj: Enterprise) -> str | None:
        return obj.industry.name if obj.industry_id else None

    @staticmethod
    def resolve_chain_node_ids(obj: Enterprise) -> list[int]:
        return [node.pk for node in obj.chain_nodes.all()]

    @staticmethod
    def resolve_liaisons(obj: Enterprise) -> list:
        return list(getattr(obj, "active_liaisons", []))

    @staticmethod
    def resolve_note(obj: Enterprise, context: Any) -> str:
        # The committee's own remark on the enterprise (备注): its login reads the rest of the
        # record, as on its profile page, but not that.
        request = (context or {}).get("request")
        if request is not None and scope_for(request.user).is_enterprise_user:
            return ""
        return obj.note


class EnterpriseFields(Schema):
    former_names: str | None = None
    credit_code: str | None = Field(None, description="统一社会信用代码（18位）")
    legal_representative: str | None = None
    registered_capital: model_number(Enterprise, "registered_capital") | None = Field(
        None, description="注册资本（万元）"
    )
    established_on: date | None = None
    address: str | None = None
    park_id: Id | None = None
    park_unit: str | None = None
    industry_id: Id | None = None
    industry_code: str | None = Field(None, description="GB/T 4754-2017，如 C3670")
    chain_node_ids: list[Id] | None = Field(
        None, max_length=100, description="产业链环节（整体替换；[] 为不在任何环节）"
    )
    responsible_department_id: Id | None = Field(
        None, description="服务责任部门（变更须原责任部门负责人、主要领导或系统管理员）"
    )
    country: str | None = None
    is_above_scale_industry: bool | None = None
    is_above_quota_trade: bool | None = None
    is_high_tech: bool | None = None
    is_specialized: bool | None = None
    is_tech_sme: bool | None = None
    contact_person: str | None = None
    contact_phone: str | None = None
    note: str | None = None


class EnterpriseIn(EnterpriseFields):
    name: str = Field(min_length=1, max_length=200)


class EnterpriseUpdateIn(EnterpriseFields, VersionedIn):
    name: str | None = Field(None, min_length=1, max_length=200)


class EnterpriseFilter(Schema):
    q: str | None = Field(None, description="名称、曾用名或信用代码")
    park_id: Id | None = None
    industry_id: Id | None = None
    chain_node_id: Id | None = Field(None, description="在该产业链环节上的企业")
    country: str | None = None
    is_above_scale_industry: bool | None = None
    is_above_quota_trade: bool | None = None
    is_high_tech: bool | None = None
    is_specialized: bool | None = None
    is_tech_sme: bool | None = None


Metrics = dict[str, Decimal | int | None]


class FigureOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    year: int
    month: int | None = Field(description="月份：各项为1至该月累计数；空为全年")
    period_label: str
    values: Metrics
    previous: Metrics = Field(description="上年同期")
    yoy: dict[str, Decimal | None] = Field(description="同比增长（%）")
    note: str
    version: int

    @staticmethod
    def resolve_values(obj: EnterpriseFigure) -> dict:
        return figure_row(obj).values

    @staticmethod
    def resolve_previous(obj: EnterpriseFigure) -> dict:
        return figure_row(obj).previous

    @staticmethod
    def resolve_yoy(obj: EnterpriseFigure) -> dict:
        return figure_row(obj).yoy


class FigureRowOut(Schema):
    id: int
    year: int
    month: int | None
    period_label: str
    values: Metrics
    month_values: dict[str, Decimal | None] = Field(description="当月数（由两期累计数相减）")
    previous: Metrics
    yoy: dict[str, Decimal | None]
    version: int


class FigureIn(Schema):
    year: Year
    month: int | None = Field(None, ge=1, le=12, description="空为全年")
    revenue: model_number(EnterpriseFigure, "revenue") | None = None
    output_value: model_number(EnterpriseFigure, "output_value") | None = None
    tax: model_number(EnterpriseFigure, "tax") | None = None
    employees: model_number(EnterpriseFigure, "employees") | None = None
    rnd_spending: model_number(EnterpriseFigure, "rnd_spending") | None = None
    exports: model_number(EnterpriseFigure, "exports") | None = None
    note: str = ""
    version: int | None = Field(None, description="修改已有一期时，读取时的版本")


class FigureFilter(Schema):
    enterprise_id: Id | None = None
    year: Year | None = None
    month: int | None = Field(None, ge=0, le=12, description="0 为全年")


class YearQuery(Schema):
    year: Year


class TotalQuery(YearQuery):
    month: int | None = Field(None, ge=1, le=12, description="1-N月；空为全年")


class TotalOut(Schema):
    year: int
    month: int | None
    period_label: str
    enterprises: int
    values: Metrics
    comparable: Metrics = Field(description="同口径本期（两期均有数据的企业）")
    previous: Metrics = Field(description="同口径上年同期")
    yoy: dict[str, Decimal | None]


class LiaisonIn(Schema):
    enterprise_id: Id
    kind: LiaisonKind
    level: LiaisonLevel = LiaisonLevel.DISTRICT
    person_id: Id | None = None
    department_id: Id | None = None
    started_on: date
    note: str = ""


class LiaisonEndIn(VersionedIn):
    on: date
    reason: str = ""


class LiaisonFilter(Schema):
    enterprise_id: Id | None = None
    kind: LiaisonKind | None = None
    person_id: Id | None = None
    department_id: Id | None = None
    active_on: date | None = Field(None, description="只列出该日有效的包联")


class MyEnterpriseOut(Schema):
    enterprise_id: int
    enterprise_name: str
    kinds: str
    open_problems: int
    overdue_problems: int
    latest_period: str | None
    latest_revenue: Decimal | None
    latest_revenue_yoy: Decimal | None


class MyProjectOut(Schema):
    project_id: int
    project_name: str
    stage: str
    as_leader: bool
    as_department: bool
    open_problems: int
    overdue_problems: int


class MyProblemOut(Schema):
    id: int
    title: str
    project_id: int
    department_id: int
    status: str
    due_on: date
    overdue: bool


class MyLiaisonOut(Schema):
    on: date
    enterprises_count: int = Field(description="包联企业总数；enterprises 只含本页")
    projects_count: int = Field(description="包联项目总数；projects 只含本页")
    problems_count: int = Field(description="未解决的问题总数；problems 只含本页（按办结期限）")
    problems_overdue: int = Field(description="未解决的问题中已逾期的个数")
    enterprises: list[MyEnterpriseOut]
    projects: list[MyProjectOut]
    problems: list[MyProblemOut]


class CoverageRowOut(Schema):
    key: str
    label: str
    objects: int
    persons: int
    departments: int


class CoveragePersonOut(Schema):
    user_id: int
    name: str
    title: str
    projects: int
    province_city: int
    district: int
    inspected: int


class CoverageOut(Schema):
    on: date
    rows: list[CoverageRowOut]
    people: list[CoveragePersonOut]
    enterprises_total: int


class ImportBatchOut(Schema):
    id: int
    register_name: str = Field(alias="register")
    filename: str
    status: str
    summary: dict[str, Any]
    can_confirm: bool = Field(description="确认后会写入数据（预览无错误、文件仍在、有新增或更新）")
    expired: bool = Field(description="预览超过 24 小时未确认，文件已删除，须重新上传")


# --- Liaison, my liaison, coverage (before /{int:enterprise_id}) ---------------------------------


@router.get("/liaisons", response=list[LiaisonOut], summary="包联安排")
@paginate(Pagination)
def liaisons(request, filters: Query[LiaisonFilter]):
    ensure_allowed(request.user, "view", LiaisonAssignment)
    queryset = LiaisonAssignment.objects.visible_to(request.user).select_related(
        "enterprise", "person", "department"
    )
    if filters.active_on:
        queryset = queryset.active(on=filters.active_on)
    for name in ("enterprise_id", "kind", "person_id", "department_id"):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    return queryset


@router.post("/liaisons", response={201: LiaisonOut}, summary="安排包联")
def liaison_create(request, payload: LiaisonIn):
    ensure_allowed(request.user, "add", LiaisonAssignment)
    enterprise = get_object_or_404(
        Enterprise.objects.visible_to(request.user), pk=payload.enterprise_id
    )
    with payload_names({"person": "person_id", "department": "department_id"}):
        assignment = liaison_assign(
            enterprise=enterprise,
            kind=payload.kind,
            level=payload.level,
            person=pick_one(User, payload.person_id, user=request.user, field="person_id"),
            department=pick_one(
                Department, payload.department_id, user=request.user, field="department_id"
            ),
            started_on=payload.started_on,
            note=payload.note,
            by=request.user,
        )
    return Status(201, assignment)


@router.post("/liaisons/{int:liaison_id}/end", response=LiaisonOut, summary="结束包联（记录保留）")
def liaison_finish(request, liaison_id: Id, payload: LiaisonEndIn):
    assignment = get_object_or_404(
        LiaisonAssignment.objects.visible_to(request.user).select_related("enterprise"),
        pk=liaison_id,
    )
    ensure_allowed(request.user, "change", LiaisonAssignment)  # who may end it: the service
    return liaison_end(
        assignment=assignment,
        on=payload.on,
        reason=payload.reason,
        by=request.user,
        expected_version=payload.version,
    )


@router.get("/my-liaison", response=MyLiaisonOut, summary="我的包联：企业、项目和未解决的问题")
def my_liaison_view(
    request,
    window: Query[Pagination.Input],
    on: date | None = None,
    projects_offset: int | None = Query(
        None, ge=0, le=MAX_OFFSET, description="项目从第几条起（不填则同 offset）"
    ),
    problems_offset: int | None = Query(
        None, ge=0, le=MAX_OFFSET, description="问题从第几条起（不填则同 offset）"
    ),
):
    """The enterprises (by name), the projects (newest first) and the open problems (the
    most urgent first): `limit` of each, the enterprises from `offset`, the projects from
    `projects_offset` and the problems from `problems_offset` (else `offset` too), with their
    totals."""
    ensure_allowed(request.user, "view", LiaisonAssignment)
    mine = my_liaison(
        user=request.user,
        on=on,
        enterprises_offset=window.offset,
        projects_offset=window.offset if projects_offset is None else projects_offset,
        problems_offset=window.offset if problems_offset is None else problems_offset,
        limit=window.limit,
    )
    return {
        "on": mine.on,
        "enterprises_count": mine.enterprises_total,
        "projects_count": mine.projects_total,
        "problems_count": mine.problems_total,
        "problems_overdue": mine.overdue,
        "enterprises": [
            {
                "enterprise_id": row.enterprise.pk,
                "enterprise_name": row.enterprise.name,
                "kinds": row.kinds,
                "open_problems": row.open_problems,
                "overdue_problems": row.overdue_problems,
                "latest_period": row.latest.period_label if row.latest else None,
                "latest_revenue": row.latest.values["revenue"] if row.latest else None,
                "latest_revenue_yoy": row.latest.yoy["revenue"] if row.latest else None,
            }
            for row in mine.enterprises
        ],
        "projects": [
            {
                "project_id": row.project.pk,
                "project_name": row.project.name,
                "stage": row.project.stage,
                "as_leader": row.as_leader,
                "as_department": row.as_department,
                "open_problems": row.open_problems,
                "overdue_problems": row.overdue_problems,
            }
            for row in mine.projects
        ],
        "problems": [
            {
                "id": problem.pk,
                "title": problem.title,
                "project_id": problem.project_id,
                "department_id": problem.department_id,
                "status": problem.status,
                "due_on": problem.due_on,
                "overdue": problem.due_on < mine.on,
            }
            for problem in mine.problems
        ],
    }


@router.get("/coverage", response=CoverageOut, summary="包联情况表")
def coverage(request, on: date | None = None):
    ensure_allowed(request.user, "view", LiaisonAssignment)
    return liaison_coverage(user=request.user, on=on)


# --- Figures ---------------------------------------------------------------------------------


@router.get("/figures", response=list[FigureOut], summary="企业经济数据（含同比）")
@paginate(Pagination)
def figures(request, filters: Query[FigureFilter]):
    ensure_allowed(request.user, "view", EnterpriseFigure)
    queryset = EnterpriseFigure.objects.visible_to(request.user)
    if filters.enterprise_id is not None:
        queryset = queryset.filter(enterprise_id=filters.enterprise_id)
    if filters.year is not None:
        queryset = queryset.filter(year=filters.year)
    if filters.month == 0:
        queryset = queryset.filter(month__isnull=True)
    elif filters.month is not None:
        queryset = queryset.filter(month=filters.month)
    return figures_with_previous(queryset)


@router.get("/figures/total", response=TotalOut, summary="企业经济数据合计（同口径同比）")
def figures_sum(request, query: Query[TotalQuery]):
    ensure_allowed(request.user, "view", EnterpriseFigure)
    return figures_total(year=query.year, month=query.month, user=request.user)


@router.get("/figures/export.xlsx", summary="导出企业经济数据（可改后导入）", response={200: None})
def figures_export(request, year: Year | None = None):
    ensure_allowed(request.user, "view", EnterpriseFigure)
    queryset = EnterpriseFigure.objects.visible_to(request.user)
    if year is not None:
        queryset = queryset.filter(year=year)
    return _xlsx(register_for("enterprise_figures"), queryset, request.user)


# --- Excel -----------------------------------------------------------------------------------


def _xlsx(register: Any, queryset: Any, user: Any) -> HttpResponse:
    return xlsx_response(register.export(queryset, user=user), f"{register.title}.xlsx")


@router.get("/export.xlsx", summary="导出企业名录（可改后导入）", response={200: None})
def enterprises_export(request):
    ensure_allowed(request.user, "view", Enterprise)
    if scope_for(request.user).is_enterprise_user:
        # The register's workbook is the committee's template (备注 and all, to edit and
        # import back); an enterprise reads its own record through its pages and the API.
        raise PermissionDenied
    return _xlsx(
        register_for("enterprises"), Enterprise.objects.visible_to(request.user), request.user
    )


@router.post(
    "/import/{register_name}",
    response={201: ImportBatchOut},
    summary="上传 Excel 并预览（不写入）；register_name：enterprises 或 enterprise_figures",
)
def import_upload(request, register_name: str, file: File[UploadedFile]):
    target = register_for(register_name)
    batch = import_batch_upload(
        register=target, filename=file.name or "", data=file, by=request.user
    )
    return Status(201, batch)


@router.post(
    "/import/{register_name}/{int:batch_id}/confirm", response=ImportBatchOut, summary="确认导入"
)
def import_confirm(request, register_name: str, batch_id: Id):
    target = register_for(register_name)
    batch = get_object_or_404(
        ImportBatch.objects.visible_to(request.user), pk=batch_id, register=target.name
    )
    import_batch_confirm(batch=batch, register=target, by=request.user)
    batch.refresh_from_db()
    return batch


# --- Enterprises -----------------------------------------------------------------------------


@router.get("/", response=list[EnterpriseOut], summary="企业名录")
@paginate(Pagination)
def enterprises(request, filters: Query[EnterpriseFilter]):
    ensure_allowed(request.user, "view", Enterprise)
    queryset = enterprises_list(user=request.user, search=filters.q or "")
    for name in (
        "park_id",
        "industry_id",
        "country",
        "is_above_scale_industry",
        "is_above_quota_trade",
        "is_high_tech",
        "is_specialized",
        "is_tech_sme",
    ):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if filters.chain_node_id is not None:
        queryset = queryset.filter(chain_nodes=filters.chain_node_id)
    return queryset


@router.post("/", response={201: EnterpriseOut}, summary="登记企业")
def enterprise_register(request, payload: EnterpriseIn):
    ensure_allowed(request.user, "add", Enterprise)
    data = payload.dict(exclude_none=True)
    node_ids = data.pop("chain_node_ids", None)
    nodes = _nodes(request, node_ids)
    with transaction.atomic():
        enterprise = enterprise_create(name=data.pop("name"), by=request.user, **data)
        if nodes:
            enterprise_chain_nodes_set(enterprise=enterprise, nodes=nodes, by=request.user)
    return Status(201, _detail(request, enterprise.pk))


def _nodes(request, ids: list[int] | None) -> list[ChainNode] | None:
    if ids is None:
        return None
    return pick_many(ChainNode, ids, user=request.user, field="chain_node_ids")


def _detail(request, enterprise_id: Id) -> Enterprise:
    return get_object_or_404(enterprises_list(user=request.user), pk=enterprise_id)


@router.get("/{int:enterprise_id}", response=EnterpriseOut, summary="企业")
def enterprise_detail(request, enterprise_id: Id):
    ensure_allowed(request.user, "view", Enterprise)
    return _detail(request, enterprise_id)


@router.patch("/{int:enterprise_id}", response=EnterpriseOut, summary="修改企业")
def enterprise_change(request, enterprise_id: Id, payload: EnterpriseUpdateIn):
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=enterprise_id)
    ensure_allowed(request.user, "change", Enterprise, enterprise)
    changes = payload.dict(exclude_unset=True, exclude={"version", "chain_node_ids"})
    nodes = (
        _nodes(request, payload.chain_node_ids)
        if "chain_node_ids" in payload.model_fields_set
        else None
    )
    if "chain_node_ids" in payload.model_fields_set and nodes is None:
        nodes = []  # null: on no node, as []
    with transaction.atomic():
        record_apply(instance=enterprise, changes=changes)
        enterprise_save(enterprise=enterprise, by=request.user, expected_version=payload.version)
        if nodes is not None:
            enterprise_chain_nodes_set(enterprise=enterprise, nodes=nodes, by=request.user)
    return _detail(request, enterprise_id)


class ChainNodeMembersIn(Schema):
    node_id: Id
    enterprise_ids: list[Id] = Field(min_length=1, max_length=1000)


class ChainNodeMembersOut(Schema):
    node_id: int
    changed: int


@router.post(
    "/chain-node/add", response=ChainNodeMembersOut, summary="归入产业链环节（须可修改每家企业）"
)
def chain_node_add(request, payload: ChainNodeMembersIn):
    ensure_allowed(request.user, "change", Enterprise)
    node = pick_one(ChainNode, payload.node_id, user=request.user, field="node_id")
    enterprises = pick_many(
        Enterprise, payload.enterprise_ids, user=request.user, field="enterprise_ids"
    )
    added = enterprises_put_on_node(enterprises=enterprises, node=node, by=request.user)
    return ChainNodeMembersOut(node_id=node.pk, changed=added)


@router.post("/chain-node/remove", response=ChainNodeMembersOut, summary="移出产业链环节")
def chain_node_remove(request, payload: ChainNodeMembersIn):
    ensure_allowed(request.user, "change", Enterprise)
    node = pick_one(ChainNode, payload.node_id, user=request.user, field="node_id")
    enterprises = pick_many(
        Enterprise, payload.enterprise_ids, user=request.user, field="enterprise_ids"
    )
    removed = enterprises_take_off_node(enterprises=enterprises, node=node, by=request.user)
    return ChainNodeMembersOut(node_id=node.pk, changed=removed)


def _row(row: Any) -> dict[str, Any]:
    return {
        "id": row.figure.pk,
        "year": row.figure.year,
        "month": row.figure.month,
        "period_label": row.period_label,
        "values": row.values,
        "month_values": row.month_values,
        "previous": row.previous,
        "yoy": row.yoy,
        "version": row.figure.version,
    }


@router.get(
    "/{int:enterprise_id}/figures",
    response=list[FigureRowOut],
    summary="企业一年的经济数据（1-N月累计、当月、同比）",
)
def enterprise_figures(request, enterprise_id: Id, query: Query[YearQuery]):
    ensure_allowed(request.user, "view", EnterpriseFigure)
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=enterprise_id)
    series = enterprise_figure_series(enterprise=enterprise, year=query.year, user=request.user)
    return [_row(row) for row in series]


@router.put("/{int:enterprise_id}/figures", response=FigureRowOut, summary="登记或修改一期经济数据")
def enterprise_figure_put(request, enterprise_id: Id, payload: FigureIn):
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=enterprise_id)
    existing = enterprise_figure_of(enterprise=enterprise, year=payload.year, month=payload.month)
    if existing is None:  # whose enterprise it is, the service decides
        ensure_allowed(request.user, "add", EnterpriseFigure)
    else:
        ensure_allowed(request.user, "change", EnterpriseFigure, existing)
    figure = enterprise_figure_save(
        enterprise=enterprise,
        year=payload.year,
        month=payload.month,
        values={metric: getattr(payload, metric) for metric in METRICS},
        note=payload.note,
        by=request.user,
        expected_version=payload.version,
    )
    return _row(
        figure_row(figures_with_previous(EnterpriseFigure.objects.filter(pk=figure.pk)).get())
    )
