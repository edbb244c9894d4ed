"""`zoneops backup [--to FOLDER] [--keep N]`: a consistent copy while the server runs.

The database (SQLite's online backup, or pg_dump in one snapshot), the uploaded files and a
manifest with every table's row count and checksum and every file's hash, as one folder
(zoneops.common.backup). Run it from cron or a systemd timer (deploy/systemd/zoneops-backup.*).
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zoneops.common.backup import backup_create
from zoneops.common.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "备份数据库、上传文件和清单（服务运行中也可备份）。"
        "Back up the database, the uploaded files and a manifest, while the server runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to",
            type=Path,
            default=None,
            help="备份目录（默认 ZONEOPS_BACKUP_DIR，即数据目录下的 backups）",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="只保留最新的 N 份备份，更早的删除（默认 0：全部保留）",
        )

    def handle(self, *args: Any, to: Path | None, keep: int, **options: Any) -> None:
        if keep < 0:
            raise CommandError("--keep 不能为负数。")
        try:
            folder, manifest = backup_create(
                into=to or Path(settings.ZONEOPS_BACKUP_DIR), keep=keep
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        rows = sum(table["rows"] for table in manifest["tables"].values())
        size = sum(entry["size"] for entry in manifest["files"].values())
        self.stdout.write(
            f"已备份 / backed up: {folder}\n"
            f"  数据库 {manifest['database']['engine']}: {len(manifest['tables'])} 张表, "
            f"{rows} 行\n"
            f"  文件 {len(manifest['files'])} 个, {size} 字节"
        )
        if manifest["missing_files"]:
            self.stderr.write(
                self.style.WARNING(
                    f"警告：{len(manifest['missing_files'])} 个记录所指的文件在复制时已不存在"
                    f"（见 manifest.json 的 missing_files）。"
                )
            )
