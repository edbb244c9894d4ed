"""`zoneops bench import`: time a large Excel import on the configured database.

A benchmark, not a test: it writes a workbook of N new projects (100,000 by default, the size
DESIGN.md sets the budget for) in a temporary folder, times the preview (read and check) and
the confirmation (check again and insert) separately, then removes the projects it inserted
(unless --keep). It goes the way of the back office: the upload keeps the file and the cells it
checked (`import_batch_upload`), the confirmation checks again what depends on the database and
writes (`import_batch_confirm`); `--direct` reads and checks the file again at confirmation
(`import_preview`, `import_confirm`). `--baseline` also times reading, checking and inserting
the same rows with no framework at all, to compare with on the same machine.
"""

import io
import tempfile
import time
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import python_calamine
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from zoneops.demo.bench import against, memory

BENCH_PREFIX = "BENCH"


def add_arguments(target: CommandParser) -> None:
    target.add_argument("--rows", type=int, default=100_000, help="行数（默认 100000）")
    target.add_argument("--user", help="以该用户名导入（默认：系统，不受数据范围限制）")
    target.add_argument("--keep", action="store_true", help="保留导入的项目（默认删除）")
    target.add_argument(
        "--baseline", action="store_true", help="另计不用框架的读取、检查、插入用时"
    )
    target.add_argument(
        "--direct", action="store_true", help="确认时重新读取文件（不用预览时保存的检查结果）"
    )
    target.add_argument(
        "--memory",
        metavar="ROWS,ROWS",
        help="另在子进程中测量这些行数的工作簿导入（预览 + 确认，回滚）的内存增长峰值，"
        "如 50000,500000",
    )
    target.add_argument(
        "--against",
        choices=[against.PACKAGE],
        help="另用该框架（其文档推荐的批量模式）导入同一工作簿并计时，比较用时",
    )


class Run:
    """One run of the import benchmark, writing to the command's output."""

    def __init__(self, command: BaseCommand) -> None:
        self.stdout, self.stderr, self.style = command.stdout, command.stderr, command.style

    def __call__(self, **options: Any) -> None:
        from zoneops.common.exceptions import ApplicationError
        from zoneops.common.importing import (
            import_batch_confirm,
            import_batch_upload,
            import_confirm,
            import_preview,
        )
        from zoneops.projects.excel import project_register
        from zoneops.projects.models import Project

        if options.get("against") and not against.available():
            raise CommandError(against.missing_message())
        if Project.objects.filter(code__startswith=BENCH_PREFIX).exists():
            raise CommandError(
                f"数据库中已有编号以 {BENCH_PREFIX} 开头的项目（上次 --keep 留下的），请先删除。"
            )
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"没有用户 {options['user']}。")
        count = options["rows"]
        database = connection.settings_dict
        self.stdout.write(
            f"数据库：{connection.vendor} {database.get('NAME')}；{count} 行；"
            f"导入人：{user or '系统'}"
        )
        references = _references()
        with tempfile.TemporaryDirectory(prefix="zoneops-bench-") as folder:
            path = Path(folder) / "projects.xlsx"
            started = time.perf_counter()
            path.write_bytes(_workbook(count, references))
            self.stdout.write(
                f"生成工作簿：{path.stat().st_size / 2**20:.1f} MB，"
                f"{time.perf_counter() - started:.1f} s（不计入）"
            )
            data = path.read_bytes()

            floor = self._baseline(data) if options["baseline"] else None
            theirs = self._against(data) if options.get("against") else {}

            started = time.perf_counter()
            if options["direct"]:
                plan = import_preview(register=project_register, data=data, user=user)
                errors, timings = plan.errors, plan.timings
            else:
                batch = import_batch_upload(
                    register=project_register, filename=path.name, data=data, by=user
                )
                errors, timings = batch.summary["errors"], batch.summary["timings"]
            preview = time.perf_counter() - started
            self._report("预览（读取 + 检查）", preview, timings)
            if errors:
                for error in errors[:10]:
                    self.stderr.write(f"  {error}")
                raise CommandError("预览发现错误。")

            started = time.perf_counter()
            if options["direct"]:
                done = import_confirm(
                    register=project_register, data=data, user=user, reason="bench"
                )
            else:
                try:
                    done = import_batch_confirm(batch=batch, register=project_register, by=user)
                except ApplicationError as error:
                    raise CommandError(error.message) from error
            confirm = time.perf_counter() - started
            self._report("确认（再次检查 + 写入）", confirm, done.timings)
            self.stdout.write(f"写入：{done.written}")
            written = done.timings.get("write", 0)
            total = preview + confirm
            ratio = f"，为无框架基线的 {total / floor:.1f} 倍" if floor else ""
            self.stdout.write(
                self.style.SUCCESS(f"合计 {total:.2f} s；确认中写入 {written:.2f} s{ratio}")
            )
            for title, seconds in theirs.items():
                times = seconds / total
                self.stdout.write(f"{title}：{seconds:.2f} s，是 ZoneOps 的 {times:.1f} 倍")
            if not options["direct"]:
                batch.file.delete(save=False)
                batch.delete()
        if options.get("memory"):
            self._memory(options["memory"], references)
        if not options["keep"]:
            started = time.perf_counter()
            _remove(references)
            self.stdout.write(f"已删除基准测试数据（{time.perf_counter() - started:.1f} s）。")

    def _report(self, title: str, total: float, timings: dict[str, float]) -> None:
        steps = "，".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items())
        self.stdout.write(f"{title}：{total:.2f} s（{steps}）")

    def _memory(self, sizes: str, references: dict[str, Any]) -> None:
        """The peak memory growth of importing workbooks of these sizes, each measured in a
        child process (zoneops.demo.bench.memory) and rolled back."""
        from django.conf import settings
        from django.test.utils import override_settings

        from zoneops.common.importing import cells_load, import_confirm, import_preview
        from zoneops.projects.excel import project_register

        try:
            counts = [int(size) for size in sizes.split(",")]
        except ValueError as error:
            raise CommandError("--memory 应为逗号分隔的行数，如 50000,500000。") from error
        bound = settings.ZONEOPS_IMPORT_STREAM_ABOVE_MB
        for count in counts:
            data = _workbook(count, references)
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                sheet_xml = max(
                    info.file_size
                    for info in archive.infolist()
                    if info.filename.startswith("xl/worksheets/")
                )
            reader = "逐行读取" if sheet_xml > bound * 2**20 else "整表读入"

            def work(data: bytes = data, count: int = count) -> dict[str, float]:
                with (
                    override_settings(ZONEOPS_IMPORT_MAX_ROWS=count),
                    transaction.atomic(),
                    tempfile.TemporaryFile() as kept,
                ):
                    started = time.perf_counter()
                    plan = import_preview(
                        register=project_register, data=data, user=None, keep_cells=kept
                    )
                    if plan.errors:
                        raise CommandError(str(plan.errors[:3]))
                    seconds = {"read": plan.timings["read"]}
                    seconds["preview"] = time.perf_counter() - started
                    # The confirmation comes in a request of its own, with the checked cells
                    # the upload kept (import_batch_confirm): the preview's plan is gone.
                    plan = None
                    started = time.perf_counter()
                    kept.seek(0)
                    checked = cells_load(project_register, kept, data)
                    import_confirm(register=project_register, data=data, user=None, checked=checked)
                    seconds["confirm"] = time.perf_counter() - started
                    transaction.set_rollback(True)
                return seconds

            growth, seconds = memory.measured(work)
            timings = (
                f"；预览 {seconds['preview']:.1f} s（读取 {seconds['read']:.1f} s），"
                f"确认 {seconds['confirm']:.1f} s"
                if seconds
                else ""
            )
            self.stdout.write(
                f"内存：{count} 行（{len(data) / 2**20:.1f} MB，工作表 XML "
                f"{sheet_xml / 2**20:.0f} MB，{reader}）导入时进程增长峰值 "
                f"{memory.megabytes(growth)}{timings}"
            )

    def _against(self, data: bytes) -> dict[str, float]:
        """django-import-export on the same workbook, tuned as its documentation says, with
        and without full_clean (zoneops.demo.bench.against); rolled back."""
        timings = {}
        for full_clean in (False, True):
            title = f"{against.PACKAGE}（{'含' if full_clean else '不含'} full_clean）"
            seconds, written, errors = against.time_import(data, full_clean=full_clean)
            if errors or written == 0:
                raise CommandError(f"{title}：{errors} 行出错，写入 {written} 行。")
            self.stdout.write(f"{title}：{seconds:.2f} s（{written} 行，已回滚）")
            timings[title] = seconds
        return timings

    def _baseline(self, data: bytes) -> float:
        """Read, check and insert the same project rows with no framework: the floor to
        compare with. Every column the workbook fills is written as the import writes it (the
        names it gives resolved to ids by a dictionary each), so the search index's triggers
        index the same texts; the floor writes no history, stage move or placement."""
        from zoneops.common.importing.writer import STATEMENT_ROWS
        from zoneops.industry.models import IndustryCategory
        from zoneops.orgs.models import Department
        from zoneops.parks.models import Park
        from zoneops.projects.enums import SourceChannel, Stage
        from zoneops.projects.models import Project

        started = time.perf_counter()
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python()
        header, body = rows[0], rows[1:]
        read = time.perf_counter() - started
        at = {name: header.index(name) for name in header}
        industries = dict(IndustryCategory.objects.values_list("name", "id"))
        parks = dict(Park.objects.values_list("name", "id"))
        departments = dict(Department.objects.values_list("name", "id"))
        channels = {str(label): value for value, label in SourceChannel.choices}
        stages = {str(label): value for value, label in Stage.choices}
        now = "2020-01-01 00:00:00"

        def text(row: list[Any], name: str) -> str:
            return str(row[at[name]]).strip()

        def amount(row: list[Any], name: str) -> str:
            value = Decimal(repr(row[at[name]]))
            if value < 0:
                raise CommandError(f"baseline: {name} {value}")
            return str(value)

        params = []
        for row in body:
            stage = stages[text(row, "阶段")]
            on = row[at["登记日期"]]
            on = (on.date() if hasattr(on, "date") else on).isoformat()
            values = (
                text(row, "项目编号"),
                text(row, "项目名称"),
                text(row, "投资方"),
                channels[text(row, "项目来源")],
                industries[text(row, "产业")],
                parks[text(row, "落地园区")],
                amount(row, "总投资（万元）"),
                amount(row, "固定资产投资（万元）"),
                amount(row, "用地（亩）"),
                departments.get(text(row, "责任部门")),
                text(row, "联系人"),
                text(row, "建设内容"),
                stage,
                on,
                on if stage == Stage.SIGNED else None,
                now,
                now,
            )
            if not values[1]:
                raise CommandError("baseline: a row without a name")
            params.append(values)
        checked = time.perf_counter() - started
        table = Project._meta.db_table
        columns = (
            "code, name, investor_name, source_channel, industry_id, park_id, total_investment, "
            "fixed_asset_investment, land_mu, responsible_department_id, contacts, description, "
            "stage, stage_since, signed_on, created_at, updated_at, version, phase, "
            "investor_country, own_site, termination_reason, is_sample, is_tech"
        )
        constants = (1, "", "中国", False, "", False, False)
        with transaction.atomic():
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":  # the floor there is COPY
                    copy_sql = f'COPY "{table}" ({columns}) FROM STDIN'
                    with cursor.cursor.copy(copy_sql) as copy:
                        for values in params:
                            copy.write_row((*values, *constants))
                    # Django's foreign keys are checked at the commit there, which a rolled
                    # back floor would never reach: check them now, as the import's commit does.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                else:
                    # Many rows per statement, the fastest way without a framework: one
                    # statement per row (executemany) makes the search index's trigger write
                    # out its trigrams at every statement (see common.importing.writer).
                    head = f'INSERT INTO "{table}" ({columns}) VALUES '  # nosec B608 # noqa: S608  the model's table
                    one = "({}, 1, '', '中国', 0, '', 0, 0)".format(", ".join(["%s"] * 17))
                    for start in range(0, len(params), STATEMENT_ROWS):
                        chunk = params[start : start + STATEMENT_ROWS]
                        cursor.execute(
                            head + ", ".join([one] * len(chunk)),
                            [value for values in chunk for value in values],
                        )
            inserted = time.perf_counter() - started
            transaction.set_rollback(True)
        self.stdout.write(
            f"无框架基线（同样的项目行，不含历史、阶段变更、选址）：{inserted:.2f} s"
            f"（读取 {read:.2f} s，检查 {checked - read:.2f} s，"
            f"插入 {inserted - checked:.2f} s；已回滚）"
        )
        return inserted


def _references() -> dict[str, Any]:
    """Names the rows point to: the zone's own if it has some, else a few made for the run."""
    from zoneops.common.services import record_save
    from zoneops.industry.models import IndustryCategory
    from zoneops.orgs.models import Department
    from zoneops.parks.models import Park

    made: dict[str, Any] = {"made": []}
    industries = list(IndustryCategory.objects.values_list("name", flat=True)[:20])
    if not industries:
        made["made"].append(
            record_save(instance=IndustryCategory(name="基准测试产业", code="bench"), by=None)
        )
        industries = ["基准测试产业"]
    parks = list(Park.objects.values_list("name", flat=True)[:20])
    if not parks:
        made["made"].append(record_save(instance=Park(name="基准测试园区", kind="park"), by=None))
        parks = ["基准测试园区"]
    names = list(Department.objects.filter(is_active=True).values_list("name", flat=True))
    departments = [name for name in names if names.count(name) == 1][:20]
    made.update(industries=industries, parks=parks, departments=departments)
    return made


def _workbook(count: int, references: dict[str, Any]) -> bytes:
    """The register's own template with `count` new projects, as a zone would fill it."""
    from zoneops.common.excel import write_register_workbook
    from zoneops.projects.enums import SourceChannel, Stage
    from zoneops.projects.excel import project_register

    headers = [
        "项目编号",
        "项目名称",
        "投资方",
        "项目来源",
        "产业",
        "落地园区",
        "总投资（万元）",
        "固定资产投资（万元）",
        "用地（亩）",
        "责任部门",
        "联系人",
        "建设内容",
        "阶段",
        "登记日期",
        "补登原因",
        "偏离原因",
    ]
    template = {
        column.header: column for column in project_register.template_columns(user=None, labels={})
    }
    columns = [template[header] for header in headers]
    channels = [str(label) for label in SourceChannel.labels]
    stages = [str(Stage.LEAD.label), str(Stage.TALKS.label), str(Stage.SIGNED.label)]
    industries, parks = references["industries"], references["parks"]
    departments = references["departments"] or [None]
    first = date(2019, 1, 1)

    def rows():
        for index in range(count):
            amount = Decimal(10000 + (index * 7919) % 990000) / 100
            yield [
                f"{BENCH_PREFIX}{index:07d}",
                f"基准测试项目{index}",
                f"投资方{index % 997}有限公司",
                channels[index % len(channels)],
                industries[index % len(industries)],
                parks[index % len(parks)],
                amount,
                (amount / 2).quantize(Decimal("0.01")),
                Decimal(index % 300),
                departments[index % len(departments)],
                f"联系人{index % 89} 1380000{index % 10000:04d}",
                "厂房及配套设施建设",
                stages[index % len(stages)],
                first + timedelta(days=index % 365),
                "历史数据补登",
                # The parks go round in turn, not by the placement rule: say why, as a user
                # would (a zone with parks refuses a departure without a reason).
                "基准测试：园区轮流分配",
            ]

    return write_register_workbook(name="招商项目", columns=columns, rows=rows())


def _remove(references: dict[str, Any]) -> None:
    from zoneops.projects.models import Project, ProjectPlacement, StageMove

    with transaction.atomic():
        projects = Project.objects.filter(code__startswith=BENCH_PREFIX)
        for related in (StageMove, ProjectPlacement):  # what the import wrote with them
            related.objects.filter(project__in=projects.values("pk"))._raw_delete(connection.alias)
        Project.history.filter(code__startswith=BENCH_PREFIX)._raw_delete(connection.alias)
        projects._raw_delete(connection.alias)
        for record in references["made"]:
            type(record).history.filter(id=record.pk)._raw_delete(connection.alias)
            type(record).objects.filter(pk=record.pk)._raw_delete(connection.alias)
