"""`zoneops remind [--date YYYY-MM-DD] [--dry-run]`: the day's reminders (for cron or a systemd
timer; safe to run again the same day, or every hour to retry failed sends)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zoneops.common.inputs import read_day
from zoneops.notifications.enums import NoticeKind
from zoneops.notifications.services import remind, remind_in_background


class Command(BaseCommand):
    help = (
        "生成当日的到期与逾期提醒、每人每日汇总和部门群机器人消息，并发送（含到期重试）；"
        "同一天重复运行不重复提醒。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", dest="day", help="提醒日期（YYYY-MM-DD），默认今天")
        parser.add_argument(
            "--dry-run", action="store_true", help="只统计将生成的提醒，不写入、不发送"
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="交给后台进程（zoneops worker）执行，本命令立即返回",
        )

    def handle(
        self, *args: Any, day: str | None, dry_run: bool, background: bool, **options: Any
    ) -> None:
        on = timezone.localdate()
        if day:
            parsed = read_day(day)
            if parsed is None:
                raise CommandError(f"--date：“{day[:20]}”不是有效日期，请写作 2026-11-18。")
            on = parsed
        if background and not dry_run:
            job = remind_in_background(on=on)
            self.stdout.write(f"{on.isoformat()}：提醒已交给后台进程（后台任务 {job.pk}）。")
            return
        result = remind(on=on, dry_run=dry_run)
        late = result.kinds.get(NoticeKind.OVERDUE, 0)
        soon = result.kinds.get(NoticeKind.DUE_SOON, 0)
        if dry_run:
            self.stdout.write(
                f"{on.isoformat()}（试运行）：应有提醒 {result.drafts} 条"
                f"（逾期 {late}，即将到期 {soon}），未写入、未发送。"
            )
            return
        self.stdout.write(
            f"{on.isoformat()}：应有提醒 {result.drafts} 条（逾期 {late}，即将到期 {soon}），"
            f"新写入 {result.created} 条；每日汇总 {result.digests} 份、"
            f"待发 {result.deliveries} 条；"
            f"本次发送成功 {result.sent} 条，失败 {result.failed} 条。"
        )
        if result.failed:
            self.stdout.write(
                self.style.WARNING(
                    "有发送失败的消息：已记录错误并将按退避时间重试，见后台“发送记录”。"
                )
            )
