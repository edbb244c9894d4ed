"""`zoneops restore FOLDER`: a backup back into an empty data folder or database.

The backup is checked against its manifest before anything is written; a target that is not
empty is refused; after restoring, every table's row count and checksum is compared with the
manifest (zoneops.common.backup). Stop the web server and the workers of the target first.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zoneops.common.backup import backup_restore, backup_verify
from zoneops.common.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "把备份恢复到空的数据目录或空数据库，并逐表核对行数和校验和。"
        "Restore a backup into an empty data folder or database, checking every table."
    )
    # The checks may read the database, which is not there yet.
    requires_system_checks: list[str] = []  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="备份目录（zoneops-backup-…）")
        parser.add_argument(
            "--check",
            action="store_true",
            help="只核对备份的文件与清单，不恢复",
        )

    def handle(self, *args: Any, path: Path, check: bool, **options: Any) -> None:
        try:
            if check:
                manifest = backup_verify(path=path)
                self.stdout.write(
                    f"备份完好 / backup intact: {path} ({manifest['created_at']}, "
                    f"{len(manifest['tables'])} 张表, {len(manifest['files'])} 个文件)"
                )
                return
            report = backup_restore(path=path)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"已恢复 / restored: {path} ({report.manifest['created_at']}, "
            f"ZoneOps {report.manifest['version']})\n"
            f"  数据库 {report.vendor}: {report.tables} 张表, {report.rows} 行，"
            f"每张表的行数和校验和与清单一致\n"
            f"  文件 {report.files} 个, {report.bytes} 字节"
            + ("\n  密钥 secret_key 已恢复" if report.secret_key else "")
        )
        if report.missing_files:
            self.stderr.write(
                self.style.WARNING(
                    f"警告：备份时已缺少 {len(report.missing_files)} 个记录所指的文件。"
                )
            )
        if report.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"本版本还有 {len(report.pending_migrations)} 个迁移未应用：请运行 "
                    "zoneops migrate。"
                )
            )
        if report.unknown_migrations:
            self.stderr.write(
                self.style.WARNING(
                    f"备份含 {len(report.unknown_migrations)} 个本版本没有的迁移"
                    f"（{', '.join(report.unknown_migrations[:5])}）：它来自更新的版本，"
                    "请用该版本运行。"
                )
            )
