"""The enterprise register and the enterprises' figures in and out of Excel.

Both export as templates that import back (zoneops.common.importing): Chinese headers, the
统一社会信用代码 as the key column (with 年度 and 期间 for figures), drop-down lists for the coded
columns. An import shows a preview with every error by row and column and writes nothing until
it is confirmed; the writes go through `zoneops.enterprises.services`.
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.common.excel import BOOLEAN, DATE, DECIMAL, INTEGER
from zoneops.common.exceptions import ApplicationError
from zoneops.common.importing import (
    CHOICE,
    LOOKUP,
    QUERY_CHUNK,
    Column,
    DepartmentLookup,
    Existing,
    Lookup,
    Plan,
    Register,
)
from zoneops.enterprises.enums import METRICS
from zoneops.enterprises.models import Enterprise, EnterpriseFigure
from zoneops.enterprises.services import (
    FIGURES_NOT_YOURS,
    EnterpriseRow,
    FigureInput,
    enterprise_figures_save,
    enterprises_import,
    enterprises_import_problems,
    figure_problems,
    figures_unwritable,
)
from zoneops.enterprises.services.chains import enterprise_chain_nodes_set
from zoneops.enterprises.validators import normalise_credit_code
from zoneops.industry.models import ChainNode
from zoneops.industry.selectors import categories_for_codes, node_labels, nodes_by_label

CREDIT_CODE = "统一社会信用代码"
CHAIN_NODES = "产业链环节"
NODE_SEPARATORS = re.compile(r"[；;\n]+")
CREDIT_CODE_NOTE = gettext_lazy(
    "18位，第18位为 GB 32100-2015 校验码。作为记录的键：再次导入时按它找到并更新原记录。"
)


def _normal_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return (normalise_credit_code(str(key[0])), *key[1:])


def _report_problems(plan: Plan, register: Register, rows: list, problems: list) -> None:
    columns = {name: register.column_for(name) for _index, name, _message in problems}
    named: dict[str, set[int]] = defaultdict(set)  # coded values, shown by their labels
    for index, name, _message in problems:
        column = columns[name]
        value = rows[index].values.get(column.name) if column else None
        if column is not None and column.lookup is not None and isinstance(value, int):
            named[name].add(value)
    labels = {name: columns[name].lookup.labels(pks) for name, pks in named.items()}  # type: ignore[union-attr]
    for index, name, message in problems:
        row, column = rows[index], columns[name]
        value = row.values.get(column.name) if column else None
        shown = labels.get(name, {}).get(value) if isinstance(value, int) else None
        header = column.header if column else ""
        plan.error(row.number, header, shown or (column.label(value) if column else ""), message)


class EnterpriseRegister(Register):
    name = "enterprises"
    title = gettext_lazy("企业名录")
    model = Enterprise
    key = (CREDIT_CODE,)
    guide = (
        gettext_lazy("企业名录导入模板：每行一个企业，按统一社会信用代码新增或更新。"),
        gettext_lazy("红色列名为必填；“所在园区”“产业”请从下拉列表中选择；是否类列填“是”或“否”。"),
        gettext_lazy("注册资本单位为万元（人民币）。"),
    )

    def declare_columns(self) -> Sequence[Column]:
        flag = {"kind": BOOLEAN, "width": 10}
        return (
            Column(CREDIT_CODE, "credit_code", required=True, width=22, note=CREDIT_CODE_NOTE),
            Column("企业名称", "name", required=True, width=32),
            Column("曾用名", "former_names", width=24, note=gettext_lazy("每行一个。")),
            Column("法定代表人", "legal_representative", width=12),
            Column("注册资本（万元）", "registered_capital", kind=DECIMAL, width=14),
            Column("成立日期", "established_on", kind=DATE, width=12),
            Column("地址", "address", width=32),
            Column("所在园区", "park", kind=LOOKUP, lookup=Lookup("parks.Park"), width=24),
            Column("园区内位置", "park_unit", width=12),
            Column("产业", "industry", kind=LOOKUP, lookup=Lookup("industry.IndustryCategory")),
            Column(
                "国民经济行业代码",
                "industry_code",
                width=12,
                note=gettext_lazy("GB/T 4754-2017，门类字母加2至4位数字，如 C3670。"),
            ),
            Column(
                "服务责任部门",
                "responsible_department",
                kind=LOOKUP,
                lookup=DepartmentLookup(is_active=True),
                create_only=True,
                locked_hint=gettext_lazy(
                    "变更服务责任部门请在企业页面办理（须原责任部门负责人或系统管理员）。"
                ),
                width=18,
                note=gettext_lazy("新登记企业的服务责任部门；重名时填“上级部门/部门”。"),
            ),
            Column("来源国家或地区", "country", width=14),
            Column("规上工业", "is_above_scale_industry", **flag),
            Column("限上", "is_above_quota_trade", **flag),
            Column("高新技术企业", "is_high_tech", **flag),
            Column("专精特新", "is_specialized", **flag),
            Column("科技型中小企业", "is_tech_sme", **flag),
            Column("联系人", "contact_person", width=10),
            Column("联系电话", "contact_phone", width=14),
            Column("备注", "note", width=24),
            Column(
                CHAIN_NODES,
                width=32,
                max_length=2000,
                dropdown=False,
                note=gettext_lazy("填“产业链/环节名称”，多个用分号分隔；留空为不在任何环节。"),
            ),
        )

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.order_by("name")

    def complete(self, records: list[dict[str, Any]]) -> None:
        """Each enterprise's nodes as 链名/环节名 (two queries for a chunk of the list)."""
        nodes = _stored_nodes([record["pk"] for record in records if "pk" in record])
        labels = node_labels({pk for ids in nodes.values() for pk in ids})
        for record in records:
            ids = nodes.get(record.get("pk"), ())
            record[CHAIN_NODES] = "；".join(sorted(labels[pk] for pk in ids)) or None

    def export_row(self, record: Any, labels: Any) -> list:
        row = super().export_row(record, labels)
        row[self.columns.index(self.column(CHAIN_NODES))] = record.get(CHAIN_NODES)
        return row

    def load_existing(
        self, keys: Sequence[tuple[Any, ...]], *, user: Any, lock: bool
    ) -> dict[tuple[Any, ...], Existing]:
        """A code typed with spaces or small letters finds its enterprise all the same."""
        normal = {key: _normal_key(key) for key in keys}
        found = super().load_existing(sorted(set(normal.values())), user=user, lock=lock)
        return {key: found[value] for key, value in normal.items() if value in found}

    def check(self, plan: Plan, *, user: Any) -> None:
        rows = list(plan.rows)
        problems = enterprises_import_problems(
            rows=[
                EnterpriseRow(_fields(row.values), row.existing.pk if row.existing else None)
                for row in rows
            ],
            by=user,
        )
        _report_problems(plan, self, rows, problems)
        self._check_nodes(plan)

    def _check_nodes(self, plan: Plan) -> None:
        """产业链环节: every name found (one query), and a change noted where the nodes differ
        from the stored ones (the nodes are not a field the matching compares)."""
        given = [row for row in plan.rows if CHAIN_NODES in row.values]
        texts = {
            row.number: [t.strip() for t in NODE_SEPARATORS.split(row.values[CHAIN_NODES] or "")]
            for row in given
        }
        found = nodes_by_label({text for parts in texts.values() for text in parts if text})
        stored = _stored_nodes([row.existing.pk for row in given if row.existing is not None])
        for row in given:
            ids: set[int] = set()
            for text in texts[row.number]:
                if not text:
                    continue
                matches = found.get(text, [])
                if len(matches) == 1:
                    ids.add(matches[0][0])
                    continue
                message = (
                    _("找不到产业链环节“%(value)s”，请填“产业链/环节名称”。") % {"value": text}
                    if not matches
                    else _("“%(value)s”对应多个环节：%(candidates)s，请写明产业链。")
                    % {"value": text, "candidates": "、".join(label for _pk, label in matches)}
                )
                plan.error(row.number, CHAIN_NODES, text, message)
            row.values[CHAIN_NODES] = frozenset(ids)
            if row.existing is None:
                continue
            if frozenset(stored.get(row.existing.pk, ())) != row.values[CHAIN_NODES]:
                if not row.existing.writable:
                    plan.error(
                        row.number,
                        CREDIT_CODE,
                        " ".join(str(part) for part in row.key or ()),
                        self.read_only_key_message(row.key or ()),
                    )
                row.changes[CHAIN_NODES] = row.values[CHAIN_NODES]

    def shown(self, column: Column, value: Any, plan: Plan) -> str:
        if column.header == CHAIN_NODES and isinstance(value, frozenset | set | tuple):
            return "；".join(sorted(node_labels(value).values()))
        return super().shown(column, value, plan)

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        rows = [EnterpriseRow(_fields(row.values)) for row in plan.new_rows]
        _fill_industries(rows)
        rows += [
            EnterpriseRow(_fields(row.changes), row.existing.pk)
            for row in plan.changed_rows
            if row.existing is not None and _fields(row.changes)
        ]
        try:
            created, updated = enterprises_import(rows=rows, by=by)
        except ApplicationError as error:
            plan.error(0, "", "", error.message)
            return
        self._write_nodes(plan, by=by)
        nodes_only = sum(
            1 for row in plan.changed_rows if row.existing is not None and not _fields(row.changes)
        )
        plan.written = {"created": created, "updated": updated + nodes_only}

    def _write_nodes(self, plan: Plan, *, by: Any) -> None:
        wanted = [
            row
            for row in [*plan.new_rows, *plan.changed_rows]
            if (row.changes if row.existing is not None else row.values).get(CHAIN_NODES)
            is not None
        ]
        if not wanted:
            return
        codes = {normalise_credit_code(str(row.key[0])) for row in wanted if row.key}
        enterprises = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
        all_ids = {pk for row in wanted for pk in row.values[CHAIN_NODES]}
        nodes = ChainNode.objects.in_bulk(all_ids)
        for row in wanted:
            enterprise = (
                enterprises.get(normalise_credit_code(str(row.key[0]))) if row.key else None
            )
            if enterprise is None:
                continue
            if row.existing is None and not row.values[CHAIN_NODES]:
                continue
            enterprise_chain_nodes_set(
                enterprise=enterprise,
                nodes=[nodes[pk] for pk in row.values[CHAIN_NODES]],
                by=by,
            )


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """A row's values for the register's fields (the chain nodes are set apart)."""
    return {name: value for name, value in values.items() if name != CHAIN_NODES}


def _fill_industries(rows: list[EnterpriseRow]) -> None:
    """A new enterprise given its industry code but no 产业 goes to the zone's category of that
    code (the longest matching GB/T 4754-2017 code of the catalogue)."""
    wanted = [
        row for row in rows if row.values.get("industry_code") and not row.values.get("industry_id")
    ]
    if not wanted:
        return
    found = categories_for_codes(row.values["industry_code"] for row in wanted)
    for row in wanted:
        category = found.get(row.values["industry_code"])
        if category is not None:
            row.values["industry_id"] = category.pk


def _stored_nodes(enterprise_ids: list[int]) -> dict[int, list[int]]:
    """Each enterprise's chain nodes as stored (one query)."""
    through = Enterprise.chain_nodes.through
    nodes: dict[int, list[int]] = defaultdict(list)
    for enterprise_id, node_id in through.objects.filter(
        enterprise_id__in=enterprise_ids
    ).values_list("enterprise_id", "chainnode_id"):
        nodes[enterprise_id].append(node_id)
    return nodes


class FigurePeriod(models.IntegerChoices):
    """期间 of the figures template: 1-N月 cumulative, or the whole year (stored as no month)."""

    YEAR = 0, gettext_lazy("全年")
    M1 = 1, gettext_lazy("1月")
    M2 = 2, gettext_lazy("1-2月")
    M3 = 3, gettext_lazy("1-3月")
    M4 = 4, gettext_lazy("1-4月")
    M5 = 5, gettext_lazy("1-5月")
    M6 = 6, gettext_lazy("1-6月")
    M7 = 7, gettext_lazy("1-7月")
    M8 = 8, gettext_lazy("1-8月")
    M9 = 9, gettext_lazy("1-9月")
    M10 = 10, gettext_lazy("1-10月")
    M11 = 11, gettext_lazy("1-11月")
    M12 = 12, gettext_lazy("1-12月")


PERIOD = "期间"
METRIC_HEADERS = {
    "revenue": "营业收入（万元）",
    "output_value": "工业总产值（万元）",
    "tax": "税收（万元）",
    "employees": "从业人员（人）",
    "rnd_spending": "研发费用（万元）",
    "exports": "出口交货值（万元）",
}


class FigureRegister(Register):
    name = "enterprise_figures"
    title = gettext_lazy("企业经济数据")
    model = EnterpriseFigure
    key = (CREDIT_CODE, "年度", PERIOD)
    guide = (
        gettext_lazy(
            "企业经济数据导入模板：每行为一个企业一期的数据，按统一社会信用代码、年度和期间"
            "新增或更新。"
        ),
        gettext_lazy(
            "按统计惯例，1-N月各项为1月至该月的累计数；从业人员为期末人数；全年为年报数。"
        ),
        gettext_lazy("金额单位为万元。留空的数据项表示未报送。"),
    )

    def declare_columns(self) -> Sequence[Column]:
        metrics = [
            Column(
                METRIC_HEADERS[metric],
                metric,
                kind=INTEGER if metric == "employees" else DECIMAL,
                width=14,
            )
            for metric in METRICS
        ]
        return (
            Column(
                CREDIT_CODE,
                source="enterprise__credit_code",
                required=True,
                width=22,
                note=gettext_lazy("企业的统一社会信用代码，须已在企业名录中登记。"),
            ),
            Column("企业名称", source="enterprise__name", readonly=True, width=30),
            Column("年度", "year", kind=INTEGER, required=True, width=8),
            Column(
                PERIOD,
                kind=CHOICE,
                choices=FigurePeriod,
                required=True,
                source="period",
                width=10,
                note=gettext_lazy("1月、1-2月……1-12月为累计数，全年为年报数。"),
            ),
            *metrics,
            Column("说明", "note", width=24),
        )

    def annotate(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.annotate(period=Coalesce("month", Value(0)))

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.order_by(
            "enterprise__name", "year", models.F("month").asc(nulls_first=True)
        )

    def load_existing(
        self, keys: Sequence[tuple[Any, ...]], *, user: Any, lock: bool
    ) -> dict[tuple[Any, ...], Existing]:
        normal = {key: _normal_key(key) for key in keys}
        wanted = set(normal.values())
        codes = sorted({key[0] for key in wanted})
        years = sorted({key[1] for key in wanted})
        found: dict[tuple[Any, ...], Existing] = {}
        for start in range(0, len(codes), QUERY_CHUNK):
            queryset = EnterpriseFigure._base_manager.filter(
                enterprise__credit_code__in=codes[start : start + QUERY_CHUNK], year__in=years
            )
            for record, existing in self.existing(queryset, user=user, lock=lock):
                key = (record["enterprise__credit_code"], record["year"], record["period"])
                if key in wanted:
                    found[key] = existing
        return {key: found[value] for key, value in normal.items() if value in found}

    def _enterprises(self, plan: Plan) -> dict[str, int]:
        codes = {normalise_credit_code(str(row.key[0])) for row in plan.rows if row.key}
        return dict(
            Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "pk")
        )

    def _inputs(self, plan: Plan, enterprises: dict[str, int]) -> list[tuple[Any, FigureInput]]:
        inputs = []
        for row in plan.rows:
            if row.key is None:
                continue
            enterprise_id = enterprises.get(normalise_credit_code(str(row.key[0])))
            if enterprise_id is None:
                continue
            given = row.values if row.existing is None else row.changes
            if row.existing is not None and not given:
                continue
            year, period = row.key[1], row.key[2]
            values = {metric: given[metric] for metric in METRICS if metric in given}
            note = given.get("note")
            inputs.append(
                (
                    row,
                    FigureInput(enterprise_id, int(year), int(period) or None, values, note),
                )
            )
        return inputs

    def check(self, plan: Plan, *, user: Any) -> None:
        enterprises = self._enterprises(plan)
        # The service's rule (figures_save refuses the whole file), said row by row here.
        unwritable = figures_unwritable(enterprise_ids=enterprises.values(), by=user)
        code_column = self.column(CREDIT_CODE)
        for row in plan.rows:
            if not row.key:
                continue
            enterprise_id = enterprises.get(normalise_credit_code(str(row.key[0])))
            if enterprise_id is None:
                plan.error(
                    row.number,
                    code_column.header,
                    row.key[0],
                    _("企业名录中没有统一社会信用代码为“%(code)s”的企业，请先登记该企业。")
                    % {"code": row.key[0]},
                )
            elif row.existing is None and enterprise_id in unwritable:
                plan.error(row.number, code_column.header, row.key[0], str(FIGURES_NOT_YOURS))
        for row, figure in self._inputs(plan, enterprises):
            for field_name, message in figure_problems(figure):
                column = self.column_for(field_name)
                plan.error(
                    row.number,
                    column.header if column else "",
                    column.label(row.values.get(column.name)) if column else "",
                    message,
                )

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        inputs = [figure for _row, figure in self._inputs(plan, self._enterprises(plan))]
        try:
            saved = enterprise_figures_save(rows=inputs, by=by)
        except ApplicationError as error:
            plan.error(0, "", "", error.message)
            return
        plan.written = {"created": saved.created, "updated": saved.updated}


REGISTERS: dict[str, type[Register]] = {
    EnterpriseRegister.name: EnterpriseRegister,
    FigureRegister.name: FigureRegister,
}


def register_for(name: str) -> Register:
    try:
        return REGISTERS[name]()
    except KeyError as error:
        raise ApplicationError(_("未知的导入台账“%(name)s”。") % {"name": name}) from error


def enterprises_xlsx(queryset: models.QuerySet, *, user: Any) -> bytes:
    return EnterpriseRegister().export(queryset, user=user)


def figures_xlsx(queryset: models.QuerySet, *, user: Any) -> bytes:
    return FigureRegister().export(queryset, user=user)


def export_filename(register: Register) -> str:
    return f"{register.title}.xlsx"
