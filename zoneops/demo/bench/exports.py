"""`zoneops bench export`: time the project register's export and measure its memory.

A benchmark, not a test: it imports N new projects (100,000 by default) through the import's
own write, then exports them as the back office does (`Register.export_to`, to a temporary
file) and times it against a floor measured in the same run — the same rows read with one raw
query and written with XlsxWriter alone. The memory of the export is measured in a child
process (zoneops.demo.bench.memory) for N rows and for a tenth of them: a streaming export takes
the same memory for both. The projects are removed afterwards (unless --keep).
"""

import tempfile
import time
from typing import Any

import xlsxwriter
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from zoneops.demo.bench import imports, memory


def add_arguments(target: CommandParser) -> None:
    target.add_argument("--rows", type=int, default=100_000, help="行数（默认 100000）")
    target.add_argument("--keep", action="store_true", help="保留导入的项目（默认删除）")


class Run:
    """One run of the export benchmark, writing to the command's output."""

    def __init__(self, command: BaseCommand) -> None:
        self.stdout, self.style = command.stdout, command.style

    def __call__(self, **options: Any) -> None:
        from django.test.utils import override_settings

        from zoneops.common.importing import import_confirm
        from zoneops.projects.excel import project_register
        from zoneops.projects.models import Project

        if Project.objects.filter(code__startswith=imports.BENCH_PREFIX).exists():
            raise CommandError(f"数据库中已有编号以 {imports.BENCH_PREFIX} 开头的项目，请先删除。")
        count = options["rows"]
        self.stdout.write(f"数据库：{connection.vendor}；{count} 行")
        references = imports._references()
        try:
            started = time.perf_counter()
            data = imports._workbook(count, references)
            with override_settings(ZONEOPS_IMPORT_MAX_ROWS=max(count, 1)), transaction.atomic():
                done = import_confirm(register=project_register, data=data, user=None)
            if done.errors:
                raise CommandError(str(done.errors[:3]))
            prepared = time.perf_counter() - started
            self.stdout.write(f"准备 {count} 个项目：{prepared:.1f} s（不计入）")
            projects = Project.objects.filter(code__startswith=imports.BENCH_PREFIX)

            floor = _floor(projects)
            self.stdout.write(f"无框架基线（一条查询 + XlsxWriter）：{floor:.2f} s")
            with tempfile.TemporaryFile() as output:
                started = time.perf_counter()
                project_register.export_to(projects, user=None, output=output)
                seconds = time.perf_counter() - started
                size = output.tell()
            self.stdout.write(
                self.style.SUCCESS(
                    f"导出 {count} 行：{seconds:.2f} s（{size / 2**20:.1f} MB），"
                    f"为基线的 {seconds / floor:.1f} 倍"
                )
            )
            for rows in sorted({max(count // 10, 1), count}):
                last = f"{imports.BENCH_PREFIX}{rows - 1:07d}"  # the first `rows` of them
                chosen = projects.filter(code__lte=last)

                def work(chosen: Any = chosen) -> None:
                    with tempfile.TemporaryFile() as output:
                        project_register.export_to(chosen, user=None, output=output)

                growth = memory.peak_growth(work)
                self.stdout.write(f"内存：导出 {rows} 行时进程增长峰值 {memory.megabytes(growth)}")
        finally:
            if not options["keep"]:
                imports._remove(references)
                self.stdout.write("已删除基准测试数据。")


def _floor(projects: Any) -> float:
    """The same rows read with one raw query and written by XlsxWriter alone, streamed."""
    from zoneops.projects.excel import project_register

    stored = {f.attname for f in projects.model._meta.concrete_fields}
    sources = sorted({c.source for c in project_register.columns} & stored)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, sources)
        rows = projects.order_by("code").values_list(*sources).iterator(chunk_size=2000)
        for index, row in enumerate(rows, start=1):
            sheet.write_row(index, 0, [str(value) if value is not None else None for value in row])
        workbook.close()
    return time.perf_counter() - started
