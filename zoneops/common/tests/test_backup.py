"""`zoneops backup` and `zoneops restore` (zoneops.common.backup), through the real command in
processes of their own: a database of its own (a SQLite data folder, or on PostgreSQL — when
DATABASE_URL says so, as in CI — two databases of this run, dropped at the end), a writer that
keeps writing while the backup runs, a restore into an empty place, every table compared."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from zoneops.common.backup import (
    MANIFEST,
    BackupError,
    backup_verify,
    client_major,
    pg_tables_summary,
    pg_version_check,
    sqlite_tables_summary,
)
from zoneops.config.env import private_dir

# The round trip does not read the clock: on the CI's other days it would only repeat.
pytestmark = pytest.mark.clock_fixed

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

WRITER = """
import os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneops.config.settings")
django.setup()
from pathlib import Path
from django.core.files.base import ContentFile
from django.db import transaction
from zoneops.common.models import BackgroundJob, ImportBatch

stop, progress = Path(sys.argv[1]), Path(sys.argv[2])
number = 0
while not stop.exists():
    # A batch with its file and a job naming it, in one transaction: a consistent copy has as
    # many of one as of the other, and every batch's file.
    with transaction.atomic():
        batch = ImportBatch(register="backup-test", filename=f"w{number}.xlsx")
        batch.file.save(f"w{number}.xlsx", ContentFile(f"row {number}".encode()), save=False)
        batch.save()
        BackgroundJob.objects.create(work="backup-test", title="t", params={"batch": batch.pk})
    number += 1
    progress.write_text(str(number))
"""

COUNTS = """
import json, os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneops.config.settings")
django.setup()
from zoneops.common.models import BackgroundJob, ImportBatch

batches = ImportBatch.objects.filter(register="backup-test")
files_ok = all(
    batch.file.read() == f"row {batch.filename[1:-5]}".encode() for batch in batches
)
print(json.dumps({
    "batches": batches.count(),
    "jobs": BackgroundJob.objects.filter(work="backup-test").count(),
    "linked": BackgroundJob.objects.filter(
        work="backup-test", params__batch__in=list(batches.values_list("pk", flat=True))
    ).count(),
    "files_ok": files_ok,
}))
"""


def _environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "ZONEOPS_TEST")) and key not in ("MEDIA_ROOT",)
    }
    env.pop("DATABASE_URL", None)
    env.pop("SECRET_KEY", None)
    env["ZONEOPS_DATA_DIR"] = str(data_dir)
    env["ZONEOPS_LOG_FORMAT"] = "text"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(env: dict[str, str], *args: str, code: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "zoneops.cli"]
    return subprocess.run(
        [*command, *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _written(progress: Path) -> int:
    """The writer's count so far (it rewrites the file: an empty read is a write under way)."""
    while True:
        text = progress.read_text() if progress.exists() else "0"
        if text:
            return int(text)
        time.sleep(0.01)


def _wait_for(progress: Path, at_least: int, writer: subprocess.Popen) -> int:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert writer.poll() is None, writer.stderr.read() if writer.stderr else "writer died"
        written = _written(progress)
        if written >= at_least:
            return written
        time.sleep(0.05)
    raise AssertionError(f"the writer wrote fewer than {at_least} records in 300 s")


class Databases:
    """The source and target databases of one run: SQLite files in two data folders, or two
    PostgreSQL databases beside the suite's, dropped at the end."""

    def __init__(self, tmp_path: Path):
        self.urls: dict[str, str | None] = {"source": None, "target": None}
        self.admin = None
        if ON_POSTGRES:
            import psycopg

            parts = urlsplit(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://"))
            stem = f"{parts.path.lstrip('/') or 'zoneops'}_bk{os.getpid()}"
            self.admin = urlunsplit(parts._replace(path="/postgres"))
            for role in self.urls:
                name = f"{stem}_{role}"
                with psycopg.connect(self.admin, autocommit=True) as pg:
                    pg.execute(f'DROP DATABASE IF EXISTS "{name}"')
                    pg.execute(f'CREATE DATABASE "{name}"')
                self.urls[role] = urlunsplit(parts._replace(path=f"/{name}"))

    def migrated_source(self, data_dir: Path) -> None:
        """The source database as this worker's test database stands: migrated (a copy, in
        seconds; `zoneops migrate` from nothing takes minutes)."""
        from django.db import connection

        if not ON_POSTGRES:
            connection.ensure_connection()
            private_dir(data_dir)
            copy = sqlite3.connect(data_dir / "zoneops.sqlite3")
            connection.connection.backup(copy)
            copy.close()
            return
        parts = urlsplit(self.urls["source"])
        test_db = urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))
        dump = data_dir.parent / "migrated.pgdump"
        pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
        assert pg_dump and pg_restore, "the PostgreSQL client tools are not installed"
        subprocess.run([pg_dump, "-Fc", "-f", str(dump), test_db], check=True, timeout=600)
        subprocess.run(
            [pg_restore, "--no-owner", "-d", self.urls["source"], str(dump)],
            check=True,
            timeout=600,
        )

    def tables(self, role: str, data_dir: Path) -> dict:
        if not ON_POSTGRES:
            return sqlite_tables_summary(data_dir / "zoneops.sqlite3")
        import psycopg

        with psycopg.connect(self.urls[role]) as pg:
            return pg_tables_summary(pg)

    def drop(self) -> None:
        if not self.admin:
            return
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as pg:
            for url in self.urls.values():
                name = urlsplit(url).path.lstrip("/")
                pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def databases(tmp_path):
    found = Databases(tmp_path)
    yield found
    found.drop()


def test_backup_while_writing_restores_every_table_and_file(transactional_db, tmp_path, databases):
    source_dir, target_dir, backups = tmp_path / "source", tmp_path / "target", tmp_path / "bk"
    source = _environment(source_dir, databases.urls["source"])
    target = _environment(target_dir, databases.urls["target"])
    databases.migrated_source(source_dir)
    _ok(_run(source, "migrate", "--check"))

    stop, progress = tmp_path / "stop", tmp_path / "progress"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop), str(progress)],
        env=source,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        before = _wait_for(progress, 20, writer)
        output = _ok(_run(source, "backup", "--to", str(backups), "--keep", "2"))
        during = _wait_for(progress, _written(progress) + 20, writer)
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert writer.returncode == 0, writer.stderr.read()
    (folder,) = backups.iterdir()
    assert f"已备份 / backed up: {folder}" in output
    manifest = json.loads((folder / MANIFEST).read_text())
    copied = manifest["tables"]["common_importbatch"]["rows"]
    # Taken while the writer wrote: more than before it started, fewer than after.
    assert before <= copied < during
    assert manifest["tables"]["common_backgroundjob"]["rows"] == copied
    # Files are copied after the snapshot: those of later batches come too (unnamed, harmless).
    assert len(manifest["files"]) >= copied
    assert manifest["missing_files"] == []
    assert "common.0001_initial" in manifest["migrations"]
    assert manifest["database"]["vendor"] == ("postgresql" if ON_POSTGRES else "sqlite")

    # A backup with one file changed is refused before anything is written.
    tampered = tmp_path / "tampered"
    shutil.copytree(folder, tampered)
    changed = next((tampered / "media").rglob("*.xlsx"))
    changed.write_bytes(b"changed")
    refused = _run(target, "restore", str(tampered))
    assert refused.returncode != 0
    assert "校验和不符" in refused.stderr and changed.name in refused.stderr
    assert not (target_dir / "media").exists()
    assert not (target_dir / "zoneops.sqlite3").exists()

    restored = _ok(_run(target, "restore", str(folder)))
    assert f"{len(manifest['tables'])} 张表" in restored
    assert "每张表的行数和校验和与清单一致" in restored
    assert f"文件 {len(manifest['files'])} 个" in restored
    # Every table's row count and checksum, read here from the restored database.
    assert databases.tables("target", target_dir) == manifest["tables"]
    counts = json.loads(_ok(_run(target, code=COUNTS)))
    assert counts == {"batches": copied, "jobs": copied, "linked": copied, "files_ok": True}
    # The restored database answers the product's own check.
    _ok(_run(target, "migrate", "--check"))

    # Again into the place now full: refused, naming it, and nothing changes.
    again = _run(target, "restore", str(folder))
    assert again.returncode != 0
    assert "目标数据库不是空的" in again.stderr
    assert databases.tables("target", target_dir) == manifest["tables"]

    assert "备份完好" in _ok(_run(target, "restore", "--check", str(folder)))


def test_a_folder_without_manifest_is_no_backup(tmp_path):
    with pytest.raises(BackupError, match=r"没有 manifest\.json"):
        backup_verify(path=tmp_path)


def test_a_manifest_naming_a_file_outside_the_backup_is_refused(tmp_path):
    manifest = {
        "format": 1,
        "product": "zoneops",
        "database": {"file": "../outside", "sha256": "0" * 64, "size": 0},
        "files": {},
    }
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="文件名无效"):
        backup_verify(path=tmp_path)


def test_pg_client_version_is_read_from_its_answer():
    assert client_major("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)") == 15
    assert client_major("pg_restore (PostgreSQL) 17.2") == 17


def test_a_pg_client_older_than_the_server_is_refused_with_what_to_install():
    with pytest.raises(BackupError) as refused:
        pg_version_check(tool="pg_dump", client=15, server=16)
    assert "pg_dump" in refused.value.message
    assert "15" in refused.value.message and "postgresql-client-16" in refused.value.message
    pg_version_check(tool="pg_dump", client=16, server=15)  # a newer client reads an older one
