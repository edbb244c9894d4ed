"""`zoneops calendar_seed [--year Y ...] [--force]`: enter years from the chinesecalendar package.

Safe to run again: a seeded year is rewritten with the same days, and a year an administrator
changed by hand is left alone unless --force.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zoneops.common.calendar_services import calendar_package_years, calendar_seed_year
from zoneops.common.exceptions import ApplicationError
from zoneops.common.models import CalendarYear


class Command(BaseCommand):
    help = (
        "从 chinesecalendar 数据包导入工作日历"
        "（默认全部年份；人工修改过的年份除非 --force 不覆盖）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, action="append", dest="years", help="年份，可重复；默认全部年份"
        )
        parser.add_argument("--force", action="store_true", help="覆盖人工修改过的年份")

    def handle(self, *args: Any, years: list[int] | None, force: bool, **options: Any) -> None:
        for year in years or calendar_package_years():
            try:
                calendar_year = calendar_seed_year(year=year, force=force)
            except ApplicationError as error:
                raise CommandError(error.message) from error
            if calendar_year.source == CalendarYear.Source.MANUAL:
                self.stdout.write(
                    self.style.WARNING(f"{year}: 有人工修改，未覆盖（--force 可覆盖）")
                )
            else:
                self.stdout.write(f"{year}: 已导入")
