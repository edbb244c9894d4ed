"""`zoneops bench <target>`: benchmarks on the configured database, not tests.

Each target is a module of `zoneops.demo.bench` with `add_arguments(parser)` and a `Run` that
times it and prints medians and ratios against a floor measured in the same run.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from zoneops.demo.bench import exports, imports, load, pages, search

TARGETS = {
    "import": (imports, "招商项目 Excel 导入"),
    "export": (exports, "招商项目 Excel 导出（流式，内存不随行数增长）"),
    "pages": (pages, "后台页面与 API 列表的服务器用时"),
    "search": (search, "全局搜索"),
    "load": (load, "多用户并发压测（zoneops serve，真实 HTTP）"),
}


class Command(BaseCommand):
    help = "基准测试：在当前数据库上计时，并与同一次运行中测得的下限比较。"

    def add_arguments(self, parser: CommandParser) -> None:
        targets = parser.add_subparsers(
            dest="target", required=True, metavar="{" + ",".join(TARGETS) + "}"
        )
        for name, (module, title) in TARGETS.items():
            module.add_arguments(targets.add_parser(name, help=title))

    def handle(self, *args: Any, **options: Any) -> None:
        module, _title = TARGETS[options.pop("target")]
        # As `zoneops gen` does: a new data folder or database gets its tables first.
        call_command("migrate", interactive=False, verbosity=0)
        module.Run(self)(**options)
