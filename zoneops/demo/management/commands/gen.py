"""`zoneops gen --scale small|medium|large [--seed N] [--reset]`: a large synthetic zone for
benchmarks (zoneops.demo.generator). Migrates, loads the demo's organisation and accounts, and
writes ten years ending today; refuses a database that already holds a zone unless --reset."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zoneops.common.models import CalendarYear
from zoneops.config.env import private_dir
from zoneops.demo.generator import SCALES, ZoneExists, generate, scale_of
from zoneops.demo.management.commands.demo import Command as DemoCommand
from zoneops.demo.management.commands.demo import demo_password


class Command(BaseCommand):
    help = (
        "生成大规模模拟开发区数据（十年，截至今天），用于性能测试。"
        "Generate a large synthetic zone (ten years ending today) for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="small",
            help="规模 / size: large (30,000 projects…), medium (1/10), small (1/100), tiny.",
        )
        parser.add_argument("--seed", type=int, default=1, help="随机种子 / random seed.")
        parser.add_argument("--factor", type=float, default=None, help=_HIDDEN)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="先清空数据库 / erase the database first (no question asked).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(settings.DATA_DIR)
        private_dir(data_dir)
        factor = options["factor"]
        if factor is not None and not 0 < factor <= 10:
            raise CommandError("--factor 应在 0 与 10 之间 / --factor must be within (0, 10].")
        if options["reset"]:
            # The demo's own reset: its SQLite file deleted, or PostgreSQL flushed.
            DemoCommand()._reset(data_dir=data_dir, interactive=False)
        call_command("migrate", interactive=False, verbosity=0)
        if not CalendarYear.objects.exists():  # a flushed PostgreSQL database lost the seed
            call_command("calendar_seed", verbosity=0)
        password, _generated = demo_password(data_dir=data_dir)
        scale = scale_of(options["scale"], factor)
        self.stdout.write(f"生成 / generating {options['scale']} (seed {options['seed']}): {scale}")
        try:
            ctx = generate(
                scale=scale,
                seed=options["seed"],
                today=timezone.localdate(),
                password=password,
                stdout=self.stdout,
            )
        except ZoneExists as error:
            raise CommandError(
                "数据库中已有开发区数据，未生成任何记录；加 --reset 清空后重新生成。"
                " The database already holds a zone: nothing generated. Add --reset to erase "
                "it and generate again."
            ) from error
        rows = sum(ctx.counts.values())
        self.stdout.write(
            f"合计 / total: {rows:,} rows (+ history) in {ctx.seconds['total']:.1f} s; "
            f"演示账号密码 / demo accounts' password: {password}"
        )


_HIDDEN = (
    "（测试用）规模系数，覆盖 --scale / (tests) a factor of the large zone instead of --scale."
)
