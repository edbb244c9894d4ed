"""Backups that restore: `zoneops backup` and `zoneops restore` (docs/deployment.md, "Backups").

A backup is one folder, `zoneops-backup-<local time>`, written while the server runs:

- the database as one consistent snapshot: SQLite's online backup API (the copy is the database
  as it stood at one instant, writers carry on in WAL mode), or `pg_dump` in custom format run
  inside an exported snapshot (`pg_dump --snapshot`) on PostgreSQL;
- the uploaded and stored files (MEDIA_ROOT), copied after the snapshot: a file a row of the
  snapshot names is there unless it was deleted meanwhile, which the manifest then lists;
- the generated secret key of the data folder, when there is one (sessions and signed links);
- manifest.json: the product's version, the migrations applied in the snapshot, each table's row
  count and checksum (read from the snapshot itself, in the same transaction as pg_dump), and
  each file's size and SHA-256.

Not kept: the file cache (cache/), the collected static files (static/), made again at start.

`backup_restore` checks the whole backup against its manifest before writing anything, refuses a
target that is not empty (a database with tables, a MEDIA_ROOT with files), restores, and reads
every table's row count and checksum back from the restored database. A table's checksum is the
sum modulo 2**256 of its rows' SHA-256 (SQLite: the row's values; PostgreSQL: the row's text
with the session in UTC): it does not depend on the order rows are read in.
"""

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError
from zoneops.config.env import private_dir

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA = "media"
KEY_FILE = "secret_key"
PREFIX = "zoneops-backup-"
CHUNK = 1 << 20
MODULUS = 1 << 256
PG_TIMEOUT = 6 * 3600  # seconds pg_dump or pg_restore may take


class BackupError(ApplicationError):
    """A backup that cannot be made, or a backup or target that cannot be restored."""


@dataclass
class RestoreReport:
    path: Path
    vendor: str
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    secret_key: bool = False
    missing_files: list[str] = field(default_factory=list)
    # Migrations this code has that the backup had not applied (run `zoneops migrate`), and
    # migrations the backup had that this code does not know (a backup of a newer version).
    pending_migrations: list[str] = field(default_factory=list)
    unknown_migrations: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)


# -- checksums -------------------------------------------------------------------------------


def rows_checksum(rows: Iterable[Any], text: Callable[[Any], bytes]) -> tuple[int, str]:
    """Row count and the order-free checksum of rows."""
    count, total = 0, 0
    for row in rows:
        count += 1
        total = (total + int.from_bytes(hashlib.sha256(text(row)).digest(), "big")) % MODULUS
    return count, f"{total:064x}"


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    # Virtual tables (the search index's FTS) hold nothing of their own: their shadow tables do.
    found = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [name for name, sql in found if not (sql or "").upper().startswith("CREATE VIRTUAL")]


def sqlite_tables_summary(path: Path) -> dict[str, dict[str, Any]]:
    """Each table's row count and checksum, read from the SQLite file at `path`."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        summary = {}
        for table in _sqlite_tables(db):
            quoted = '"' + table.replace('"', '""') + '"'
            rows = db.execute(f"SELECT * FROM {quoted}")  # nosec B608 # noqa: S608  a table's name
            count, checksum = rows_checksum(rows, lambda row: repr(row).encode())
            summary[table] = {"rows": count, "checksum": checksum}
        return summary
    finally:
        db.close()


def pg_tables_summary(pg: Any) -> dict[str, dict[str, Any]]:
    """Each table's row count and checksum, read on the psycopg connection `pg` (in its
    transaction: the snapshot pg_dump reads)."""
    pg.execute("SET TIME ZONE 'UTC'")
    tables = [
        row[0]
        for row in pg.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
    ]
    summary = {}
    for number, table in enumerate(tables):
        quoted = '"' + table.replace('"', '""') + '"'
        with pg.cursor(name=f"zoneops_backup_{number}") as cursor:  # read in batches
            cursor.itersize = 5000
            cursor.execute(f"SELECT t::text FROM {quoted} AS t")  # nosec B608 # noqa: S608  a table's name
            count, checksum = rows_checksum(cursor, lambda row: row[0].encode())
        summary[table] = {"rows": count, "checksum": checksum}
    return summary


# -- files -----------------------------------------------------------------------------------


def _copy_hashed(source: Path, target: Path) -> tuple[int, str]:
    """Copy a file (readable by its owner only), returning its size and SHA-256."""
    digest, size = hashlib.sha256(), 0
    private_dir(target.parent)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with source.open("rb") as reader, os.fdopen(descriptor, "wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
    return size, digest.hexdigest()


def _file_hash(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as reader:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _files_under(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder, folders, names in os.walk(root):
        folders.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _stored_file_columns() -> list[tuple[str, str]]:
    """(table, column) of every file field of the installed models."""
    found = []
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField) and model_field.column:
                found.append((model._meta.db_table, model_field.column))
    return found


def _named_files(execute: Callable[[str], Iterable[Any]]) -> set[str]:
    names: set[str] = set()
    quote = connection.ops.quote_name
    for table, column in _stored_file_columns():
        sql = f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''"  # nosec B608 # noqa: S608  names from the models
        names.update(row[0] for row in execute(sql) if row[0])
    return names


# -- PostgreSQL tools ------------------------------------------------------------------------


def client_major(version_text: str) -> int:
    """The major version in `pg_dump --version`'s answer ("pg_dump (PostgreSQL) 15.20 ...")."""
    match = re.search(r"\)\s*(\d+)(?:\.(\d+))?", version_text)
    if not match:
        raise BackupError(_("无法识别 PostgreSQL 客户端版本：%(text)s") % {"text": version_text})
    return int(match.group(1))


def pg_tool(name: str, *, server_major: int) -> tuple[str, int]:
    """The path and major version of pg_dump or pg_restore; refused when it is missing or older
    than the server (it cannot read a newer server's catalogue)."""
    path = shutil.which(name)
    if not path:
        raise BackupError(
            _(
                "未找到 %(tool)s：请安装与数据库服务器同一主版本（%(major)s）的 PostgreSQL 客户端"
                "（如 postgresql-client-%(major)s）。"
            )
            % {"tool": name, "major": server_major}
        )
    answer = subprocess.run(  # noqa: S603  the tool found on PATH
        [path, "--version"], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    major = client_major(answer)
    pg_version_check(tool=name, client=major, server=server_major)
    return path, major


def pg_version_check(*, tool: str, client: int, server: int) -> None:
    if client < server:
        raise BackupError(
            _(
                "%(tool)s 的版本（%(client)s）比数据库服务器（PostgreSQL %(server)s）旧，"
                "无法处理：请安装 %(server)s 或更新版本的 PostgreSQL 客户端"
                "（如 postgresql-client-%(server)s）。"
            )
            % {"tool": tool, "client": client, "server": server}
        )


def _pg_settings() -> dict[str, Any]:
    return connection.settings_dict


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's environment for the tools: the same server, database and user as Django."""
    env = dict(os.environ)
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSSLMODE": (settings_dict.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _pg_connect() -> Any:
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params)


# -- backup ----------------------------------------------------------------------------------


def _applied_migrations(execute: Callable[[str], Iterable[Any]]) -> list[str]:
    with contextlib.suppress(Exception):  # no table: a database never migrated
        return sorted(
            f"{app}.{name}" for app, name in execute("SELECT app, name FROM django_migrations")
        )
    return []


def _version() -> str:
    try:
        return metadata.version("zoneops")
    except metadata.PackageNotFoundError:
        return "unknown"


def _sqlite_path() -> Path:
    name = str(settings.DATABASES["default"]["NAME"])
    if name in ("", ":memory:") or name.startswith("file:"):
        raise BackupError(_("内存中的 SQLite 数据库无法备份。"))
    return Path(name)


def _snapshot_sqlite(folder: Path) -> tuple[dict[str, Any], set[str]]:
    source_path = _sqlite_path()
    if not source_path.exists():
        raise BackupError(_("数据库文件不存在：%(path)s") % {"path": source_path})
    target_path = folder / SQLITE_FILE
    source = sqlite3.connect(source_path, timeout=60)
    target = sqlite3.connect(target_path)
    try:
        # One step: the copy is the database at one instant; writers go on in WAL mode.
        source.backup(target)
        # A file on its own, not waiting for a write-ahead log (Django sets WAL on connecting).
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    target_path.chmod(0o600)
    snapshot = sqlite3.connect(f"file:{target_path}?mode=ro", uri=True)
    try:
        migrations = _applied_migrations(lambda sql: snapshot.execute(sql).fetchall())
        named = _named_files(lambda sql: snapshot.execute(sql).fetchall())
    finally:
        snapshot.close()
    size, digest = _file_hash(target_path)
    return {
        "vendor": "sqlite",
        "file": SQLITE_FILE,
        "size": size,
        "sha256": digest,
        "engine": f"SQLite {sqlite3.sqlite_version}",
        "migrations": migrations,
        "tables": sqlite_tables_summary(target_path),
    }, named


def _snapshot_postgresql(folder: Path) -> tuple[dict[str, Any], set[str]]:
    import psycopg

    target_path = folder / PG_FILE
    with _pg_connect() as pg:
        server_major = pg.info.server_version // 10000
        tool, tool_major = pg_tool("pg_dump", server_major=server_major)
        pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        pg.read_only = True
        snapshot = pg.execute("SELECT pg_export_snapshot()").fetchone()[0]
        # pg_dump reads the snapshot this transaction holds; the checksums read it too.
        result = subprocess.run(  # noqa: S603  pg_dump found on PATH, our own arguments
            [tool, "--format=custom", f"--snapshot={snapshot}", "--no-password", "-f", target_path],
            env=_pg_env(_pg_settings()),
            capture_output=True,
            text=True,
            timeout=PG_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(_("pg_dump 失败：%(error)s") % {"error": result.stderr.strip()})
        tables = pg_tables_summary(pg)
        migrations = _applied_migrations(lambda sql: pg.execute(sql).fetchall())
        named = _named_files(lambda sql: pg.execute(sql).fetchall())
        pg.rollback()
    target_path.chmod(0o600)
    size, digest = _file_hash(target_path)
    return {
        "vendor": "postgresql",
        "file": PG_FILE,
        "size": size,
        "sha256": digest,
        "engine": f"PostgreSQL {server_major}",
        "dump_tool_major": tool_major,
        "migrations": migrations,
        "tables": tables,
    }, named


def backup_create(*, into: Path, keep: int = 0) -> tuple[Path, dict[str, Any]]:
    """Write a backup folder into `into` (made when missing); with `keep`, remove the oldest
    complete backups there beyond that many. Returns the folder and its manifest."""
    private_dir(into)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    final = into / f"{PREFIX}{stamp}"
    number = 1
    while final.exists():
        number += 1
        final = into / f"{PREFIX}{stamp}-{number}"
    # Written under another name and renamed when complete: a half backup never looks whole.
    partial = into / f".{final.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    private_dir(partial)
    try:
        if connection.vendor == "postgresql":
            database, named = _snapshot_postgresql(partial)
        elif connection.vendor == "sqlite":
            database, named = _snapshot_sqlite(partial)
        else:
            raise BackupError(_("不支持备份该数据库：%(vendor)s") % {"vendor": connection.vendor})
        media_root = Path(settings.MEDIA_ROOT)
        files = {}
        for path in _files_under(media_root):
            relative = path.relative_to(media_root).as_posix()
            with contextlib.suppress(FileNotFoundError):  # deleted while we walked
                size, digest = _copy_hashed(path, partial / MEDIA / relative)
                files[relative] = {"size": size, "sha256": digest}
        secret = Path(settings.DATA_DIR) / KEY_FILE
        secret_hash = None
        if secret.is_file():
            _size, secret_hash = _copy_hashed(secret, partial / KEY_FILE)
        manifest = {
            "format": FORMAT,
            "product": "zoneops",
            "version": _version(),
            "created_at": timezone.localtime().isoformat(),
            "database": {k: v for k, v in database.items() if k not in ("migrations", "tables")},
            "migrations": database["migrations"],
            "tables": database["tables"],
            "files": files,
            "missing_files": sorted(named - set(files)),
            "secret_key": secret_hash,
        }
        (partial / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
        )
        (partial / MANIFEST).chmod(0o600)
        backup_verify(path=partial)  # read back whole before it is called a backup
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if keep > 0:
        backups_prune(folder=into, keep=keep)
    return final, manifest


def backups_prune(*, folder: Path, keep: int) -> list[Path]:
    """Remove the oldest complete backups in `folder` beyond the newest `keep`."""
    found = sorted(
        path
        for path in folder.iterdir()
        if path.is_dir() and path.name.startswith(PREFIX) and (path / MANIFEST).is_file()
    )
    doomed = found[: max(0, len(found) - keep)]
    for path in doomed:
        shutil.rmtree(path)
    return doomed


# -- verify and restore ----------------------------------------------------------------------


def backup_verify(*, path: Path) -> dict[str, Any]:
    """The manifest of the backup at `path`, once every file in it matches its size and
    SHA-256; BackupError naming the first that does not."""
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(_("%(path)s 不是 ZoneOps 备份：没有 manifest.json。") % {"path": path})
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(_("manifest.json 无法读取：%(error)s") % {"error": error}) from error
    if not isinstance(manifest, dict) or manifest.get("product") != "zoneops":
        raise BackupError(_("manifest.json 不是 ZoneOps 备份的清单。"))
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("不支持的备份格式：%(format)s（本版本读取格式 %(ours)s）。")
            % {"format": manifest.get("format"), "ours": FORMAT}
        )
    expected = [(manifest["database"]["file"], manifest["database"])]
    expected += [(f"{MEDIA}/{name}", entry) for name, entry in manifest["files"].items()]
    if manifest.get("secret_key"):
        expected.append((KEY_FILE, {"sha256": manifest["secret_key"]}))
    root = path.resolve()
    for name, entry in expected:
        file_path = (path / name).resolve()
        if not file_path.is_relative_to(root):
            raise BackupError(_("清单中的文件名无效：%(name)s") % {"name": name})
        if not file_path.is_file():
            raise BackupError(_("备份缺少文件：%(name)s") % {"name": name})
        size, digest = _file_hash(file_path)
        if digest != entry["sha256"] or ("size" in entry and size != entry["size"]):
            raise BackupError(_("备份文件已损坏或被改动（校验和不符）：%(name)s") % {"name": name})
    return manifest


def _target_media_files(media_root: Path) -> list[Path]:
    return list(_files_under(media_root))


def _check_empty_target(vendor: str) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    if vendor != connection.vendor:
        raise BackupError(
            _("备份来自 %(backup)s，目标数据库是 %(target)s：请在同一种数据库上恢复。")
            % {"backup": vendor, "target": connection.vendor}
        )
    if vendor == "sqlite":
        path = _sqlite_path()
        if path.exists() and path.stat().st_size > 0:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                tables = len(_sqlite_tables(db))
            finally:
                db.close()
            if tables:
                raise BackupError(
                    _(
                        "目标数据库不是空的（%(path)s 已有 %(tables)s 张表）：恢复只写入空的"
                        "数据目录或空数据库，请另指定 ZONEOPS_DATA_DIR（或 DATABASE_URL）。"
                    )
                    % {"path": path, "tables": tables}
                )
    else:
        with _pg_connect() as pg:
            tables = pg.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchone()[0]
        if tables:
            raise BackupError(
                _(
                    "目标数据库不是空的（%(name)s 已有 %(tables)s 张表）：恢复只写入空数据库，"
                    "请新建一个数据库并以 DATABASE_URL 指定。"
                )
                % {"name": _pg_settings().get("NAME"), "tables": tables}
            )
    if _target_media_files(media_root):
        raise BackupError(
            _("目标文件目录不是空的（%(path)s 中已有文件）：请指定空的 MEDIA_ROOT 或数据目录。")
            % {"path": media_root}
        )


def _restore_sqlite(path: Path, manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    target = _sqlite_path()
    private_dir(target.parent)
    for suffix in ("-wal", "-shm"):  # an empty database's leftovers
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    temporary = target.with_name(f".{target.name}.restoring")
    temporary.unlink(missing_ok=True)
    _copy_hashed(path / manifest["database"]["file"], temporary)
    os.replace(temporary, target)
    return sqlite_tables_summary(target)


def _restore_postgresql(path: Path, manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    with _pg_connect() as pg:
        server_major = pg.info.server_version // 10000
    tool, major = pg_tool("pg_restore", server_major=server_major)
    dumped_by = int(manifest["database"].get("dump_tool_major", 0))
    pg_version_check(tool="pg_restore", client=major, server=dumped_by)
    result = subprocess.run(  # noqa: S603  pg_restore found on PATH, our own arguments
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            "-d",
            str(_pg_settings().get("NAME")),
            str(path / manifest["database"]["file"]),
        ],
        env=_pg_env(_pg_settings()),
        capture_output=True,
        text=True,
        timeout=PG_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(_("pg_restore 失败：%(error)s") % {"error": result.stderr.strip()})
    with _pg_connect() as pg:
        summary = pg_tables_summary(pg)
        pg.rollback()
    return summary


def backup_restore(*, path: Path) -> RestoreReport:
    """Restore the backup at `path` into this process's (empty) database, MEDIA_ROOT and data
    folder, then compare every table's row count and checksum with the manifest."""
    manifest = backup_verify(path=path)
    vendor = manifest["database"]["vendor"]
    _check_empty_target(vendor)
    if vendor == "sqlite":
        restored = _restore_sqlite(path, manifest)
    else:
        restored = _restore_postgresql(path, manifest)
    media_root = Path(settings.MEDIA_ROOT)
    report = RestoreReport(path=path, vendor=vendor, manifest=manifest)
    for name, entry in manifest["files"].items():
        _copy_hashed(path / MEDIA / name, media_root / name)
        report.files += 1
        report.bytes += entry["size"]
    if manifest.get("secret_key") and not os.environ.get("SECRET_KEY"):
        key = Path(settings.DATA_DIR) / KEY_FILE
        key.unlink(missing_ok=True)  # made at start-up for the empty folder
        _copy_hashed(path / KEY_FILE, key)
        report.secret_key = True
    differing = sorted(
        table
        for table in set(manifest["tables"]) | set(restored)
        if manifest["tables"].get(table) != restored.get(table)
    )
    if differing:
        raise BackupError(
            _("恢复后的数据与备份清单不符（%(count)s 张表：%(tables)s）：请勿使用这份恢复的数据。")
            % {"count": len(differing), "tables": ", ".join(differing[:10])}
        )
    report.tables = len(restored)
    report.rows = sum(entry["rows"] for entry in restored.values())
    report.missing_files = list(manifest.get("missing_files", []))
    known = _code_migrations()
    applied = set(manifest["migrations"])
    report.pending_migrations = sorted(known - applied)
    report.unknown_migrations = sorted(applied - known)
    return report


def _code_migrations() -> set[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}
