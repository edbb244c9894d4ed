"""The projects app in Excel: the pipeline tables laid out like the zone's reports upward, and
the registers that go out and come back in — projects (招商项目) and monthly progress reports
(月度调度) — on the common import framework (zoneops.common.importing)."""

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, NamedTuple

from django.db import IntegrityError, models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.common.amounts import wan_to_yi
from zoneops.common.excel import BOOLEAN, DATE, DECIMAL, MONTH, Sheet, write_workbook
from zoneops.common.exceptions import ApplicationError
from zoneops.common.importing import (
    CHOICE,
    LOOKUP,
    WRITE_CHUNK,
    Column,
    Copied,
    DepartmentLookup,
    Each,
    Lookup,
    Plan,
    Register,
    Row,
    UserLookup,
    bulk_insert,
    bulk_insert_derived,
    bulk_update,
)
from zoneops.common.periods import Period, format_as_of
from zoneops.industry.excel import ChainNodeLookup
from zoneops.industry.models import IndustryCategory
from zoneops.orgs.roles import LEADER_ROLES
from zoneops.parks.models import Park
from zoneops.parks.placement import PlacementKind, PlacementRule, PlacementSuggestion
from zoneops.projects.enums import SourceChannel, Stage, SummaryDimension
from zoneops.projects.models import (
    AnnualPlan,
    ProgressReport,
    Project,
    ProjectPlacement,
    StageMove,
)
from zoneops.projects.selectors import PipelineSummary
from zoneops.projects.services import (
    STAGE_DATE_FIELDS,
    project_code_numbered,
    project_next_code,
)
from zoneops.projects.services.placement import REASON_MAX, PlacementCheck, placement_check
from zoneops.projects.services.scheduling import OPENING_TOTAL_BOUND, OPENING_YEAR_BOUND


def pipeline_summary_title(summary: PipelineSummary) -> str:
    return _("%(period)s招商项目情况表") % {
        "period": format_as_of(year=summary.year, as_of=summary.as_of, today=timezone.localdate())
    }


def pipeline_summary_sheet(summary: PipelineSummary) -> Sheet:
    unit = _("单位：个、亿元")
    if summary.dimension == "stage":
        rows = [[_("合计"), summary.total.count, wan_to_yi(summary.total.investment)]]
        rows += [
            [row.label, row.total.count, wan_to_yi(row.total.investment)] for row in summary.rows
        ]
        return Sheet(
            name=_("招商项目"),
            title=pipeline_summary_title(summary),
            subtitle=unit,
            header_rows=[[_("项目类别"), _("项目数（个）"), _("总投资（亿元）")]],
            rows=rows,
            total_rows={0},
            column_widths=[18, 14, 16],
        )
    categories = [
        (key, label) for key, label in summary.categories if key in summary.category_totals
    ]
    dimension = str(SummaryDimension(summary.dimension).label)
    first: list[str | None] = [dimension, _("合计"), None]
    second: list[str | None] = [None, _("项目数"), _("总投资")]
    merges = [(0, 0, 1, 0, dimension), (0, 1, 0, 2, _("合计"))]
    for index, (_key, label) in enumerate(categories):
        column = 3 + index * 2
        first += [label, None]
        second += [_("项目数"), _("总投资")]
        merges.append((0, column, 0, column + 1, label))
    rows = []
    totals: list = [_("合计"), summary.total.count, wan_to_yi(summary.total.investment)]
    for key, _label in categories:
        total = summary.category_totals[key]
        totals += [total.count, wan_to_yi(total.investment)]
    rows.append(totals)
    for row in summary.rows:
        values: list = [row.label, row.total.count, wan_to_yi(row.total.investment)]
        for key, _label in categories:
            cell = row.cells.get(key)
            values += [cell.count, wan_to_yi(cell.investment)] if cell else [None, None]
        rows.append(values)
    return Sheet(
        name=_("招商项目"),
        title=pipeline_summary_title(summary),
        subtitle=unit,
        header_rows=[first, second],
        merges=merges,
        rows=rows,
        total_rows={0},
        column_widths=[22] + [10] * (len(first) - 1),
    )


def pipeline_summary_xlsx(summary: PipelineSummary) -> bytes:
    return write_workbook([pipeline_summary_sheet(summary)])


# --- The project register (招商项目) ---------------------------------------------------------

REGISTERED_ON = "registered_on"
BACKDATE_REASON = "backdate_reason"


def _staff(**filters: object) -> UserLookup:
    return UserLookup(is_staff=True, is_active=True, **filters)


class ProjectRegister(Register):
    """Projects in and out of Excel, keyed by 项目编号.

    A new row registers a project at the stage of its 阶段 column on its 登记日期 (today when
    blank; an earlier day needs a 补登原因), with its first stage move, as `project_create`
    does. A known 项目编号 updates the project field by field (version and history). The stage
    and the registration date of a stored project are not changed by an import: a different
    阶段 is refused with a pointer to 推进阶段, which asks for the date and the note that the
    as-of summaries read.
    """

    name = "projects"
    title = gettext_lazy("招商项目")
    model = Project
    key = ("项目编号",)
    blank_key_creates = True
    chunked = True  # no rule reads another row than the chunk's, but the file's codes
    guide = (
        gettext_lazy(
            "每行一个项目。已有项目按“项目编号”更新；“项目编号”留空的行登记为新项目，"
            "编号按登记年份自动生成。"
        ),
        gettext_lazy(
            "新项目按“阶段”列登记（留空为线索），“登记日期”留空为今天；"
            "登记日期早于今天时须填写“补登原因”。"
        ),
        gettext_lazy(
            "已有项目的阶段和登记日期不能通过导入修改，变更阶段请在项目页使用“推进阶段”。"
        ),
        gettext_lazy("红色列名为必填列；灰色列仅供查看，导入时忽略。金额单位为万元。"),
    )

    def file_key_kept(self, key: Any) -> bool:
        """A new project's code is numbered around the codes the file types (`_new_codes`):
        only those of that shape matter."""
        return isinstance(key, str) and project_code_numbered(key)

    def declare_columns(self) -> Sequence[Column]:
        return (
            Column(
                _("项目编号"),
                "code",
                note=_("已有项目的编号，导入时按编号更新；新项目留空则自动编号。"),
            ),
            Column(_("项目名称"), "name", required=True, width=30),
            Column(_("投资方"), "investor_name", width=24),
            Column(_("投资方国家或地区"), "investor_country", note=_("留空为“中国”。")),
            Column(_("项目来源"), "source_channel", kind=CHOICE, choices=SourceChannel, width=18),
            Column(_("产业"), "industry", kind=LOOKUP, lookup=Lookup("industry.IndustryCategory")),
            Column(
                _("产业链环节"),
                "chain_node",
                kind=LOOKUP,
                lookup=ChainNodeLookup(),
                width=28,
                note=_("填“产业链/环节名称”，如 汽车产业链/整车；留空为不在任何环节。"),
            ),
            Column(_("落地园区"), "park", kind=LOOKUP, lookup=Lookup("parks.Park"), width=18),
            Column(_("独立选址"), "own_site", kind=BOOLEAN, width=10),
            Column(
                _("偏离原因"),
                max_length=REASON_MAX,
                name=PLACEMENT_REASON,
                width=24,
                note=_("落地园区或独立选址不符合选址规则的建议时必填；按规则落地的留空。"),
            ),
            Column(_("总投资（万元）"), "total_investment", kind=DECIMAL, required=True),
            Column(_("固定资产投资（万元）"), "fixed_asset_investment", kind=DECIMAL),
            Column(_("利用外资（万美元）"), "foreign_investment_usd", kind=DECIMAL),
            Column(_("用地（亩）"), "land_mu", kind=DECIMAL, width=10),
            Column(_("预计年产值（万元）"), "expected_output", kind=DECIMAL),
            Column(_("预计年税收（万元）"), "expected_tax", kind=DECIMAL),
            Column(_("招商专员"), "owner", kind=LOOKUP, lookup=_staff()),
            Column(
                _("包联领导"),
                "liaison_leader",
                kind=LOOKUP,
                lookup=_staff(roles__code__in=sorted(LEADER_ROLES)),  # a leader (Project.clean)
                note=_("填姓名；重名时填“姓名（用户名）”。"),
            ),
            Column(
                _("责任部门"),
                "responsible_department",
                kind=LOOKUP,
                lookup=DepartmentLookup(is_active=True),
                width=18,
                note=_("填部门名称；重名时填“上级部门/部门”。"),
            ),
            Column(_("联系人"), "contacts", width=20),
            Column(_("建设内容"), "description", width=40),
            Column(
                _("阶段"),
                "stage",
                kind=CHOICE,
                choices=Stage,
                aliases=((_("新开工"), Stage.STARTED), (_("续建"), Stage.STARTED)),
                create_only=True,
                locked_hint=_("变更阶段请在项目页使用“推进阶段”，并填写发生日期。"),
                width=10,
                note=_("新项目登记时所处的阶段，留空为线索。已有项目的阶段不能通过导入修改。"),
            ),
            Column(
                _("登记日期"),
                kind=DATE,
                create_only=True,
                source=REGISTERED_ON,
                name=REGISTERED_ON,
                width=12,
                note=_("新项目进入上述阶段的日期，留空为今天；如 2019-10-01。"),
            ),
            Column(
                _("补登原因"),
                max_length=StageMove._meta.get_field("backdate_reason").max_length,
                name=BACKDATE_REASON,
                width=18,
                note=_("登记日期早于今天时必填；只用于新登记的项目。"),
            ),
            Column(_("进入当前阶段日期"), kind=DATE, readonly=True, source="stage_since"),
        )

    def annotate(self, queryset: models.QuerySet) -> models.QuerySet:
        registration = StageMove.objects.registrations().filter(project=OuterRef("pk"))
        return queryset.annotate(**{REGISTERED_ON: Subquery(registration.values("moved_on")[:1])})

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.order_by("code")

    def check(self, plan: Plan, *, user: Any) -> None:
        """A new project enters the pipeline as `project_create` allows: not as 终止, and on a
        day that is not in the future, with a reason when it is in the past."""
        from zoneops.projects.services.pipeline import check_move_date

        stage_header = self.column(_("阶段")).header
        date_header = self.column(_("登记日期")).header
        headers = {"on": date_header, "backdate_reason": self.column(_("补登原因")).header}
        today = timezone.localdate()
        verdicts: dict[tuple[date, bool], ApplicationError | None] = {}
        for row in plan.rows:
            if row.existing is not None:
                continue
            values = row.values
            if values.get("stage") == Stage.TERMINATED:
                plan.error(
                    row.number,
                    stage_header,
                    Stage.TERMINATED.label,
                    _("新项目不能直接登记为“终止”。"),
                )
            on = values.get(REGISTERED_ON) or today
            reason = bool((values.get(BACKDATE_REASON) or "").strip())
            if (on, reason) not in verdicts:  # one check per distinct day, not per row
                try:
                    check_move_date(on=on, backdate_reason="x" if reason else "", after=None)
                    verdicts[(on, reason)] = None
                except ApplicationError as error:
                    verdicts[(on, reason)] = error
            refused = verdicts[(on, reason)]
            if refused is not None:
                header = headers.get(refused.field or "", date_header)
                value = on.isoformat() if header == date_header else ""
                plan.error(row.number, header, value, refused.message)
        self._check_placements(plan)

    def _check_placements(self, plan: Plan) -> None:
        """A park or own site set by a row is placed by the rule with the check
        `project_place` makes: one or the other, and a reason in 偏离原因 when it departs from
        the suggestion."""
        headers = {
            "park": self.column(_("落地园区")).header,
            "own_site": self.column(_("独立选址")).header,
            "reason": self.column(_("偏离原因")).header,
        }
        for placing in _placements(plan):
            if placing.refused is None:
                continue
            field = placing.refused.field or "reason"  # the service's names
            if field == "park" and placing.row.existing is not None:
                message = _("已选址的项目不能清空选址：请改填落地园区或独立选址。")
            else:
                message = placing.refused.message
            plan.error(placing.row.number, headers.get(field, headers["reason"]), "", message)

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        created = self._create(plan, plan.new_rows, by=by, reason=reason)
        changed = plan.changed_rows
        bulk_update(
            model=Project,
            changes=[(row.existing.pk, row.changes) for row in changed if row.existing],
            by=by,
            reason=reason,
            timings=plan.timings,
        )
        _write_placements(plan, created, by=by)
        plan.written = {"created": len(created), "updated": len(changed)}

    def _create(self, plan: Plan, rows: list[Row], *, by: Any, reason: str) -> dict[int, int]:
        """New projects and their first stage moves, in bulk (what `project_create` writes for
        one project); the new ids by row number."""
        if not rows:
            return {}
        today = timezone.localdate()
        fields = [column.name for column in plan.columns if column.field and column.name != "stage"]
        reached = {stage.value: _dates_reached(stage) for stage in Stage}
        # In code order: two imports registering the same new codes at once take them in the
        # same order, so one waits for the other (then is refused below) instead of each for the
        # other — a deadlock on PostgreSQL.
        coded = sorted(zip(_new_codes(plan, rows, today), rows, strict=True), key=lambda p: p[0])
        codes, rows = [code for code, _row in coded], [row for _code, row in coded]
        by_id = by.pk if getattr(by, "pk", None) else None
        note = _("登记项目（Excel 导入）")
        created: dict[int, int] = {}

        def write_chunk(chunk: list[Row], chunk_codes: list[str]) -> None:
            # Column by column (bulk_insert's `columns`): no record built per row.
            given = [row.values for row in chunk]
            stages = [values.get("stage") or Stage.LEAD for values in given]
            days = [values.get(REGISTERED_ON) or today for values in given]
            columns: dict[str, list[Any]] = {name: [v[name] for v in given] for name in fields}
            columns.update(code=chunk_codes, stage=stages, stage_since=days)
            for name in DATE_FIELDS:
                columns[name] = [
                    on if name in reached[stage] else None
                    for stage, on in zip(stages, days, strict=True)
                ]
            reasons = [
                (values.get(BACKDATE_REASON) or "").strip() if on < today else ""
                for values, on in zip(given, days, strict=True)
            ]
            ids = bulk_insert(
                model=Project,
                columns=columns,
                by=by,
                reason=reason,
                key=["code"],
                timings=plan.timings,
            )
            # The first stage move, copied from the project as registered (its stage, since).
            bulk_insert_derived(
                model=StageMove,
                source=Project,
                ids=ids,
                values={
                    "project_id": Copied("id"),
                    "from_stage": "",
                    "to_stage": Copied("stage"),
                    "moved_on": Copied("stage_since"),
                    "by_id": by_id,
                    "note": note,
                    "backdate_reason": Each(reasons),
                },
                timings=plan.timings,
            )
            created.update((row.number, pk) for row, pk in zip(chunk, ids, strict=True))

        try:
            with transaction.atomic():
                # A chunk at a time: what is built to write it does not grow with the file.
                for start in range(0, len(rows), WRITE_CHUNK):
                    end = start + WRITE_CHUNK
                    write_chunk(rows[start:end], codes[start:end])
        except IntegrityError:
            # Someone registered a project with one of these codes meanwhile.
            plan.error(0, self.key[0], "", _("项目编号与刚登记的项目冲突，请重新导入。"))
            return {}
        return created


DATE_FIELDS = tuple(STAGE_DATE_FIELDS.values())
PLACEMENT_REASON = "placement_reason"
CHECKS_KEPT = 1000  # distinct placements an import's chunk checks once


class _Placing(NamedTuple):  # one per row that places a project (a tuple: made per row)
    row: Row
    check: PlacementCheck | None  # None: refused (`refused` says why)
    refused: ApplicationError | None
    park: Park | None
    own_site: bool
    # The rule's reason, put in words only for the write (a chunk's rows: kept, not decided
    # again).
    words: Callable[[], str]


def _placements(plan: Plan) -> list[_Placing]:
    """The rows that place a project — a park or own site given to a new project, or changed
    on a stored one — checked as `project_place` checks them, for the project as the row
    leaves it (three queries a chunk whatever the number of rows)."""
    if "placement_rule" not in plan.kept:  # one rule, its memo, for the whole file
        plan.kept["placement_rule"] = PlacementRule()
    if "placements" not in plan.chunk_kept:
        plan.chunk_kept["placements"] = _placements_decided(plan, plan.kept["placement_rule"])
    return plan.chunk_kept["placements"]


def _placements_decided(plan: Plan, rule: PlacementRule) -> list[_Placing]:
    rows = [
        row
        for row in plan.rows
        if (
            row.existing is None
            and (row.values.get("park_id") is not None or row.values.get("own_site"))
        )
        or (row.existing is not None and {"park_id", "own_site"} & set(row.changes))
    ]
    if not rows:
        return []

    def value(row: Row, name: str) -> Any:  # by the column's name (a relation's attname)
        if name in row.values or row.existing is None:
            return row.values.get(name)
        return row.existing.values.get(name)

    codes = dict(
        IndustryCategory.objects.filter(
            pk__in={value(row, "industry_id") for row in rows} - {None}
        ).values_list("pk", "code")
    )
    parks = Park.objects.in_bulk({value(row, "park_id") for row in rows} - {None})
    tech = dict(
        Project.objects.filter(
            pk__in=[row.existing.pk for row in rows if row.existing is not None]
        ).values_list("pk", "is_tech")
    )
    # One suggestion per kind for every row: the check reads only its kind.
    suggestions = {kind: PlacementSuggestion(kind=kind, reason="") for kind in PlacementKind}
    # The check reads the suggestion's kind, the park, own site and reason: a file's rows
    # share a handful of those, each checked once.
    checked: dict[tuple[Any, ...], tuple[PlacementCheck | None, ApplicationError | None]] = {}
    result = []
    decide = rule.decide
    for row in rows:
        kind, words = decide(
            investment=value(row, "total_investment"),
            land_mu=value(row, "land_mu"),
            industry_code=codes.get(value(row, "industry_id")),
            is_tech=tech.get(row.existing.pk, False) if row.existing is not None else False,
        )
        park_id, own_site = value(row, "park_id"), bool(value(row, "own_site"))
        park = parks.get(park_id)
        reason = row.values.get(PLACEMENT_REASON) or ""
        verdict = checked.get((kind, park_id, own_site, reason))
        if verdict is None:
            try:
                verdict = (
                    placement_check(
                        suggestion=suggestions[kind], park=park, own_site=own_site, reason=reason
                    ),
                    None,
                )
            except ApplicationError as error:
                verdict = (None, error)
            if len(checked) < CHECKS_KEPT:  # bounded: reasons may differ on every row
                checked[(kind, park_id, own_site, reason)] = verdict
        check, refused = verdict
        result.append(
            _Placing(
                row=row,
                check=check,
                refused=refused,
                park=park,
                own_site=own_site,
                words=words,
            )
        )
    return result


def _write_placements(plan: Plan, created: dict[int, int], *, by: Any) -> None:
    """The placement records of the rows that place a project (what `project_place` writes):
    the park and own site copied from the project as the import leaves it, the rule's
    suggestion and the check's verdict per row."""
    ids: list[int] = []
    kinds: list[str] = []
    words: list[str] = []
    followed: list[bool] = []
    reasons: list[str] = []
    for placing in _placements(plan):
        row, check = placing.row, placing.check
        project_id = row.existing.pk if row.existing is not None else created.get(row.number)
        if project_id is None or check is None:
            continue
        ids.append(project_id)
        kinds.append(check.suggestion.kind.value)
        words.append(placing.words()[:300])
        followed.append(check.followed)
        reasons.append(check.reason)
    today, by_id = timezone.localdate(), by.pk if getattr(by, "pk", None) else None
    for start in range(0, len(ids), WRITE_CHUNK):  # a chunk at a time, as the projects
        end = start + WRITE_CHUNK
        bulk_insert_derived(
            model=ProjectPlacement,
            source=Project,
            ids=ids[start:end],
            values={
                "project_id": Copied("id"),
                "park_id": Copied("park_id"),
                "own_site": Copied("own_site"),
                "suggested_kind": Each(kinds[start:end]),
                "suggestion": Each(words[start:end]),
                "followed": Each(followed[start:end]),
                "reason": Each(reasons[start:end]),
                "placed_on": today,
                "by_id": by_id,
            },
            timings=plan.timings,
        )


def _dates_reached(stage: Stage) -> frozenset[str]:
    """The stage-date fields a project registered at `stage` gets (签约日期 for 签约 and every
    later stage, ...), as the pipeline service sets them."""
    from zoneops.projects.services.pipeline import fill_stage_dates

    probe = Project()
    fill_stage_dates(probe, stage=stage, on=date.min)
    return frozenset(name for name in DATE_FIELDS if getattr(probe, name) is not None)


_TRAILING_NUMBER = re.compile(r"^(.*?)(\d+)$")


def _new_codes(plan: Plan, rows: list[Row], today: date) -> list[str]:
    """The rows' codes: the one typed, else the next free number of the registration year
    that no row of the file types (in this chunk or another)."""
    typed = plan.keys_in_file()
    following: dict[int, tuple[str, int, int]] = {}
    codes = []
    for row in rows:
        code = row.values.get("code")
        if code:
            codes.append(code)
            continue
        year = (row.values.get(REGISTERED_ON) or today).year
        if year not in following:
            match = _TRAILING_NUMBER.match(project_next_code(year=year))
            assert match is not None
            following[year] = (match.group(1), int(match.group(2)), len(match.group(2)))
        prefix, number, width = following[year]
        while (code := f"{prefix}{number:0{width}d}") in typed:
            number += 1
        following[year] = (prefix, number + 1, width)
        codes.append(code)
    return codes


# --- Monthly progress reports (月度调度) --------------------------------------------------------

OPENING_YEAR = "opening_year"
OPENING_TOTAL = "opening_total"


class ProgressReportRegister(Register):
    """Monthly progress reports in and out of Excel, keyed by 项目编号 + 月份.

    Every row goes through the scheduling services, as a report typed in the back office:
    a new month is started (pre-filled, cumulative figures carried on) and saved, a stored one
    is saved (later months recomputed), and 已报送 in 状态 submits it. The preview runs the
    same services and rolls them back, so it shows what they would refuse.
    """

    name = "progress-reports"
    title = gettext_lazy("月度调度")
    model = ProgressReport
    key = ("项目编号", "月份")
    dry_run = True
    guide = (
        gettext_lazy("每行一个项目一个月的月度调度，按“项目编号”和“月份”更新已有的月度调度。"),
        gettext_lazy(
            "本年累计、开工累计由系统按各月“本月完成投资”计算，不必填写；"
            "“状态”改为“已报送”即报送该月调度。"
        ),
        gettext_lazy("期初数只在项目第一次填报月度调度时填写（此前已完成的投资）。"),
        gettext_lazy("红色列名为必填列；灰色列仅供查看，导入时忽略。金额单位为万元。"),
    )

    def declare_columns(self) -> Sequence[Column]:
        return (
            Column(
                _("项目编号"),
                "project",
                kind=LOOKUP,
                lookup=Lookup("projects.Project", field="code"),
                source="project__code",
                required=True,
                dropdown=False,
            ),
            Column(_("项目名称"), readonly=True, source="project__name", width=30),
            Column(_("月份"), "month", kind=MONTH, required=True, width=10, note=_("如 2019-10。")),
            Column(_("本月完成投资（万元）"), "invested_month", kind=DECIMAL, required=True),
            Column(
                _("本年累计完成投资（万元）"), kind=DECIMAL, readonly=True, source="invested_year"
            ),
            Column(
                _("开工累计完成投资（万元）"), kind=DECIMAL, readonly=True, source="invested_total"
            ),
            Column(_("年度计划投资（万元）"), kind=DECIMAL, readonly=True, source="year_plan"),
            Column(_("形象进度"), "progress", width=40),
            Column(_("存在问题"), "problems", width=30),
            Column(_("下步计划"), "next_steps", width=30),
            Column(
                _("状态"),
                "status",
                kind=CHOICE,
                choices=ProgressReport.Status,
                keep_blank=True,
                width=10,
                note=_("改为“已报送”即报送；已报送的月度调度不能改回草稿。"),
            ),
            Column(
                _("期初本年累计（万元）"),
                kind=DECIMAL,
                name=OPENING_YEAR,
                bound=OPENING_YEAR_BOUND,
                note=_("仅项目第一次填报时填写：本月之前本年已完成的投资。"),
            ),
            Column(
                _("期初开工累计（万元）"),
                kind=DECIMAL,
                name=OPENING_TOTAL,
                bound=OPENING_TOTAL_BOUND,
                note=_("仅项目第一次填报时填写：本月之前开工以来已完成的投资。"),
            ),
        )

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.order_by("project__code", "month")

    def export_month(self, *, month: date, user: Any) -> bytes:
        """The month's reports, and a row to fill for each key project that owes one."""
        from zoneops.projects.selectors.scheduling import (
            key_projects_due,
            progress_reports_list,
        )

        first = month.replace(day=1)
        records = list(
            self.values(self.export_queryset(progress_reports_list(user=user, month=first)))
        )
        reported = ProgressReport.objects.filter(month=first).values("project_id")
        previous = ProgressReport.objects.filter(project=OuterRef("pk"), month__lt=first).order_by(
            "-month"
        )
        plan = AnnualPlan.objects.filter(project=OuterRef("pk"), year=first.year)
        due = (
            key_projects_due(month=first, user=user)
            .exclude(pk__in=reported)
            .annotate(
                last_progress=Subquery(previous.values("progress")[:1]),
                last_next_steps=Subquery(previous.values("next_steps")[:1]),
                plan=Subquery(plan.values("planned_investment")[:1]),
            )
            .order_by("code")
            .values("code", "name", "last_progress", "last_next_steps", "plan")
        )
        for project in due:
            records.append(
                {
                    "project__code": project["code"],
                    "project__name": project["name"],
                    "month": first,
                    "year_plan": project["plan"],
                    "progress": project["last_progress"] or "",
                    "next_steps": project["last_next_steps"] or "",
                    "status": ProgressReport.Status.DRAFT,
                    "version": None,
                }
            )
        records.sort(key=lambda record: record["project__code"])
        return self.export_records(records, user=user)

    def export_title(self, month: date) -> str:
        return _("%(month)s月度调度") % {"month": Period.of_month(month).label}

    def check(self, plan: Plan, *, user: Any) -> None:
        status = self.column(_("状态"))
        openings = [self.column(_("期初本年累计（万元）")), self.column(_("期初开工累计（万元）"))]
        for row in plan.rows:
            if row.existing is None:
                continue
            stored = row.existing.values.get("status")
            if (
                row.changes.get("status") == ProgressReport.Status.DRAFT
                and stored == ProgressReport.Status.SUBMITTED
            ):
                plan.error(
                    row.number,
                    status.header,
                    status.label(ProgressReport.Status.DRAFT),
                    _("已报送的月度调度不能改回草稿；数字有误请直接修改后导入。"),
                )
            for column in openings:
                if row.values.get(column.name) is not None:
                    plan.error(
                        row.number,
                        column.header,
                        row.values[column.name],
                        _("该月的月度调度已存在，期初数只在开始填报时填写。"),
                    )

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        """Row by row through the scheduling services, each month after the one before."""
        from zoneops.projects.services.scheduling import (
            progress_report_save,
            progress_report_start,
            progress_report_submit,
        )

        rows = [row for row in plan.rows if row.existing is None or row.changes]
        rows.sort(key=lambda row: (row.values["project_id"], row.values["month"]))
        projects = Project.objects.in_bulk({row.values["project_id"] for row in rows})

        def write_row(row: Row) -> None:
            values = row.values
            if row.existing is None:
                report = progress_report_start(
                    project=projects[values["project_id"]],
                    month=values["month"],
                    by=by,
                    opening_year=values.get(OPENING_YEAR),
                    opening_total=values.get(OPENING_TOTAL),
                )
            else:
                # Loaded again: saving an earlier month of the file recomputed this one.
                report = ProgressReport.objects.get(pk=row.existing.pk)
            texts = ("invested_month", "progress", "problems", "next_steps")
            if row.existing is None or any(name in row.changes for name in texts):
                report = progress_report_save(
                    report=report,
                    invested_month=values["invested_month"],
                    progress=values.get("progress", report.progress),
                    problems=values.get("problems", report.problems),
                    next_steps=values.get("next_steps", report.next_steps),
                    by=by,
                    expected_version=report.version,
                )
            if (
                values.get("status") == ProgressReport.Status.SUBMITTED
                and report.status != ProgressReport.Status.SUBMITTED
            ):
                progress_report_submit(report=report, by=by, expected_version=report.version)

        plan.write_each(rows, write_row)


project_register = ProjectRegister()
progress_report_register = ProgressReportRegister()
