"""The industry catalogue and the chains with their nodes in and out of Excel: templates that
import back (zoneops.common.importing), each row written through zoneops.industry.services."""

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.common.excel import BOOLEAN, INTEGER
from zoneops.common.importing import (
    CHOICE,
    LOOKUP,
    Column,
    DepartmentLookup,
    Lookup,
    Plan,
    Register,
    Row,
)
from zoneops.common.scope import can_write
from zoneops.common.services import record_apply
from zoneops.industry.enums import Segment, StrategicEmergingCategory
from zoneops.industry.gb4754 import GbSection
from zoneops.industry.models import ChainNode, IndustryCategory, IndustryChain
from zoneops.industry.selectors import node_labels, nodes_by_label
from zoneops.industry.services import category_save, chain_save, node_save

# --- the catalogue -----------------------------------------------------------------------------


class CategoryRegister(Register):
    """The zone's industry list, keyed by 产业编码: a known code updates its category."""

    name = "industry_categories"
    title = gettext_lazy("产业分类")
    model = IndustryCategory
    key = ("产业编码",)
    guide = (
        gettext_lazy("每行一个产业，按“产业编码”新增或更新。"),
        gettext_lazy(
            "国民经济行业代码按 GB/T 4754-2017 填大类、中类或小类（门类字母加2至4位数字，"
            "如 C36、C367、C3670），多个用逗号分隔，且须属于所填门类。"
        ),
        gettext_lazy("战略性新兴产业分类按《战略性新兴产业分类（2018）》选择；不属于则留空。"),
    )

    def declare_columns(self) -> Sequence[Column]:
        return (
            Column("产业编码", "code", required=True, width=16),
            Column("产业名称", "name", required=True, width=20),
            Column("国民经济行业门类", "gb_section", kind=CHOICE, choices=GbSection, width=30),
            Column("国民经济行业代码", "gb_codes", width=30),
            Column(
                "战略性新兴产业分类",
                "sei_category",
                kind=CHOICE,
                choices=StrategicEmergingCategory,
                width=22,
            ),
            Column("主攻方向", "is_lead", kind=BOOLEAN, width=10),
            Column("排序", "order", kind=INTEGER, width=8),
        )

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.order_by("order", "id")

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        _write_rows(
            plan,
            model=IndustryCategory,
            save=lambda record, version: category_save(
                category=record, by=by, expected_version=version
            ),
        )


# --- chains and their nodes ------------------------------------------------------------------


class ChainRegister(Register):
    """The zone's industry chains, keyed by 产业链名称: a known name updates its chain (by its
    leading department or a zone-wide role, as on its page: industry.services.chain_save)."""

    name = "industry_chains"
    title = gettext_lazy("产业链")
    model = IndustryChain
    key = ("产业链名称",)
    guide = (
        gettext_lazy("每行一条产业链，按“产业链名称”新增或更新；其环节在“产业链环节”中导入。"),
        gettext_lazy("牵头部门留空时，新增的产业链由导入人所在部门牵头（仅属一个部门时）。"),
    )

    def declare_columns(self) -> Sequence[Column]:
        return (
            Column("产业链名称", "name", required=True, width=20),
            Column(
                "所属产业",
                "industry",
                kind=LOOKUP,
                lookup=Lookup("industry.IndustryCategory"),
                width=18,
            ),
            Column(
                "牵头部门",
                "managing_department",
                kind=LOOKUP,
                lookup=DepartmentLookup(is_active=True),
                width=18,
            ),
            Column("简介", "description", width=40, multiline=True),
            Column("排序", "order", kind=INTEGER, width=8),
        )

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.select_related("industry", "managing_department").order_by("order", "id")

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        _write_rows(
            plan,
            model=IndustryChain,
            save=lambda record, version: chain_save(chain=record, by=by, expected_version=version),
        )


CHAIN, NODE, PARENT = "产业链", "环节名称", "上级环节"


class NodeRegister(Register):
    """Every chain's nodes, one row each, keyed by 产业链 + 环节名称. The chain must exist (it is
    added on the chains' page, with its managing department); 上级环节 names a node of the same
    chain, stored or in the file, in the same 环节位置."""

    name = "industry_chain_nodes"
    title = gettext_lazy("产业链环节")
    model = ChainNode
    key = (CHAIN, NODE)
    guide = (
        gettext_lazy("每行一个环节，按“产业链”和“环节名称”新增或更新。"),
        gettext_lazy(
            "产业链须已建立；“上级环节”填同一产业链、同一环节位置的环节名称，留空为顶层。"
        ),
        gettext_lazy("删除环节请在产业链页面办理（环节上有企业或项目时不能删除）。"),
    )

    def declare_columns(self) -> Sequence[Column]:
        return (
            Column(CHAIN, source="chain__name", required=True, width=20),
            Column("环节位置", "segment", kind=CHOICE, choices=Segment, required=True, width=12),
            Column(PARENT, source="parent__name", width=20, max_length=50),
            Column(NODE, "name", required=True, width=24),
            Column("说明", "description", width=32),
            Column("排序", "order", kind=INTEGER, width=8),
        )

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.order_by("chain__order", "chain_id", "segment", "order", "id")

    def _chains(self, plan: Plan) -> dict[str, IndustryChain]:
        names = {row.key[0] for row in plan.rows if row.key}
        return {chain.name: chain for chain in IndustryChain.objects.filter(name__in=names)}

    def check(self, plan: Plan, *, user: Any) -> None:
        chains = self._chains(plan)
        in_file = {(row.key[0], row.key[1]): row for row in plan.rows if row.key}
        stored = {
            (chain, name): (pk, segment)
            for pk, chain, name, segment in ChainNode.objects.filter(
                chain__name__in=list(chains)
            ).values_list("pk", "chain__name", "name", "segment")
        }
        for row in plan.rows:
            if row.key is None:
                continue
            chain_name, name = row.key
            chain = chains.get(chain_name)
            if chain is None:
                plan.error(
                    row.number,
                    CHAIN,
                    chain_name,
                    _("找不到产业链“%(chain)s”，请先在产业链页面新建。") % {"chain": chain_name},
                )
                continue
            if user is not None and not can_write(user, chain):
                plan.error(
                    row.number,
                    CHAIN,
                    chain_name,
                    _("产业链“%(chain)s”不由您的部门维护，不能导入其环节。")
                    % {"chain": chain_name},
                )
                continue
            parent = row.values.get(PARENT) or ""
            stored_parent = row.existing.values.get(PARENT) if row.existing is not None else None
            if (
                row.existing is not None
                and PARENT in row.values
                and (stored_parent or "") != parent
            ):
                row.changes[PARENT] = parent
            if not parent:
                continue
            if parent == name:
                plan.error(row.number, PARENT, parent, _("上级环节不能是环节自身。"))
                continue
            parent_row = in_file.get((chain_name, parent))
            segment = (
                parent_row.values.get("segment")
                if parent_row is not None
                else stored.get((chain_name, parent), (None, None))[1]
            )
            if segment is None:
                plan.error(
                    row.number,
                    PARENT,
                    parent,
                    _("产业链“%(chain)s”中没有环节“%(parent)s”（文件中也没有）。")
                    % {"chain": chain_name, "parent": parent},
                )
            elif segment != row.values.get("segment"):
                plan.error(
                    row.number,
                    PARENT,
                    parent,
                    _("上级环节“%(parent)s”在%(its)s，本行为%(mine)s：上下级须在同一环节位置。")
                    % {
                        "parent": parent,
                        "its": Segment(segment).label,
                        "mine": Segment(row.values["segment"]).label
                        if row.values.get("segment")
                        else "",
                    },
                )

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        chains = self._chains(plan)
        pending = [*plan.new_rows, *plan.changed_rows]
        created = updated = 0

        def write_row(row: Row, parent: ChainNode | None) -> None:
            chain_name = row.key[0]  # type: ignore[index]
            if row.existing is None:
                node = ChainNode(chain=chains[chain_name])
                values = {
                    k: v
                    for k, v in row.values.items()
                    if k in ("segment", "name", "description", "order")
                }
                record_apply(instance=node, changes=values)
                node.parent = parent
                node_save(node=node, by=by)
                return
            node = ChainNode.objects.select_related("chain").get(pk=row.existing.pk)
            changes = {k: v for k, v in row.changes.items() if k != PARENT}
            record_apply(instance=node, changes=changes)
            if PARENT in row.values:
                node.parent = parent
            node_save(node=node, by=by, expected_version=row.existing.version)

        # Parents first: a row waits until the node it names as parent is stored.
        while pending:
            waiting = []
            stored = {
                (node.chain.name, node.name): node
                for node in ChainNode.objects.filter(chain__name__in=list(chains)).select_related(
                    "chain"
                )
            }
            for row in pending:
                chain_name = row.key[0]  # type: ignore[index]
                parent_name = row.values.get(PARENT) or ""
                parent = stored.get((chain_name, parent_name)) if parent_name else None
                if parent_name and parent is None:
                    waiting.append(row)
                    continue
                before = len(plan.errors)
                plan.attempt(row, partial(write_row, row, parent))
                if len(plan.errors) == before:
                    created, updated = (
                        (created + 1, updated) if row.is_new else (created, updated + 1)
                    )
            if len(waiting) == len(pending):
                for row in waiting:
                    plan.error(
                        row.number,
                        PARENT,
                        row.values.get(PARENT),
                        _("上级环节“%(parent)s”未能导入（或与本行互为上级）。")
                        % {"parent": row.values.get(PARENT)},
                    )
                break
            pending = waiting
        plan.written = {"created": created, "updated": updated}


class ChainNodeLookup(Lookup):
    """A chain node as 链名/环节名 (a bare 环节名 too when only one chain has it)."""

    def __init__(self, **filters: Any) -> None:
        super().__init__("industry.ChainNode", field="name", **filters)

    def resolve(
        self, texts: set[str], *, user: Any, keep_ids: Any = ()
    ) -> dict[str, list[tuple[int, str]]]:
        return nodes_by_label(texts, queryset=self.queryset(user=user, keep_ids=keep_ids))

    def _labels(self, queryset: models.QuerySet) -> dict[int, str]:
        return node_labels(queryset.values_list("pk", flat=True))


def _write_rows(
    plan: Plan, *, model: type[models.Model], save: Callable[[Any, int | None], Any]
) -> None:
    """Each new and changed row written through its service (`save(record, expected version)`),
    a refused row named in the plan; the counts written."""

    def write_row(row: Row) -> None:
        if row.existing is None:
            record = model()
            record_apply(instance=record, changes=row.values)
            save(record, None)
            return
        record = model._default_manager.get(pk=row.existing.pk)
        record_apply(instance=record, changes=row.changes)
        save(record, row.existing.version)

    plan.write_each([*plan.new_rows, *plan.changed_rows], write_row)


category_register = CategoryRegister()
chain_register = ChainRegister()
node_register = NodeRegister()
