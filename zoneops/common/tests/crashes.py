"""A real process killed (SIGKILL) in the middle of its work, and what it leaves behind.

- `database_for_child(data_dir)` hands the test's database, as the test left it, to child
  processes: on SQLite a copy in the data folder's `zoneops.sqlite3` (the file a `zoneops`
  process opens), on PostgreSQL a database `zt_crash_<random>` made from it as a template and
  dropped when the block ends. It yields the child's environment (`processes.zoneops_env`).
- `run_killed(env, script)` runs `script` with the project's python in a child; the script
  says where to stop with `pause_after(module, name)` (this module, imported by the child):
  once that function has returned, the child prints PAUSED and sleeps. The parent then kills
  it with SIGKILL — no cleanup, no rollback by Python, no atexit: what a power cut leaves.
- `tables(env)` is every table's row count and a checksum of its rows, read straight from the
  database (no Django in between), to compare before and after.

Tests using these need the test's writes committed: `django_db(transaction=True)`.
"""

import hashlib
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from zoneops.common.tests.processes import zoneops_env

PAUSED = "PAUSED"

# What a child script starts with: Django set up as `zoneops` does it.
PRELUDE = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneops.config.settings")
import django
django.setup()
from zoneops.common.tests.crashes import pause_after
"""


def pause_after(module: str, name: str) -> None:
    """In a child: `module.name` runs as usual, then the process stops there for good (until
    it is killed), its transaction open. Only for scripts that `run_killed` starts."""
    import importlib

    target = importlib.import_module(module)
    original = getattr(target, name)

    def paused(*args, **kwargs):
        original(*args, **kwargs)
        print(PAUSED, flush=True)
        time.sleep(600)
        raise SystemExit("not killed")  # pragma: no cover

    setattr(target, name, paused)


@contextmanager
def database_for_child(data_dir: Path) -> Iterator[dict[str, str]]:
    """The test's database, as committed now, for child processes on `data_dir`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(data_dir / "zoneops.sqlite3")
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        yield zoneops_env(data_dir)
        return
    settings = connection.settings_dict
    name = f"zt_crash_{uuid.uuid4().hex[:12]}"
    connection.close()  # a template database must have no session open
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings["NAME"]}"')
    url = _pg_url(settings, name)
    try:
        yield zoneops_env(data_dir, DATABASE_URL=url)
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_url(settings: dict, name: str) -> str:
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


@contextmanager
def _pg_admin() -> Iterator:
    import psycopg

    settings = connection.settings_dict
    conninfo = _pg_url(settings, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        yield admin


def run_killed(env: dict[str, str], script: str, *, timeout: float = 180) -> str:
    """Run `PRELUDE + script` in a child until it prints PAUSED, then SIGKILL it; its output
    up to there. Fails when the child ends or takes longer than `timeout` first."""
    process = subprocess.Popen(
        [sys.executable, "-c", PRELUDE + script],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        umask=0o022,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    output: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"the child did not reach its pause within {timeout}s:\n{''.join(output)}"
                ) from None
            if line is None:
                process.wait()
                raise AssertionError(
                    f"the child ended ({process.returncode}) before its pause:\n{''.join(output)}"
                )
            if line.strip() == PAUSED:
                break
            output.append(line)
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return "".join(output)


def run_child(env: dict[str, str], script: str, *, timeout: float = 180) -> str:
    """Run `PRELUDE + script` in a child to its end; its output (it must succeed)."""
    result = subprocess.run(
        [sys.executable, "-c", PRELUDE + script],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        umask=0o022,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def tables(env: dict[str, str]) -> dict[str, tuple[int, str]]:
    """Each table of the child's database: its row count and a checksum of its rows (in any
    order), read with the driver alone."""
    if "DATABASE_URL" not in env:
        path = Path(env["ZONEOPS_DATA_DIR"]) / "zoneops.sqlite3"
        # Opening the file replays its write-ahead log as SQLite does after a crash.
        database = sqlite3.connect(path)
        try:
            names = [
                name
                for (name,) in database.execute(
                    # A full-text index's virtual table is read through its shadow tables.
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
                )
            ]
            return {
                name: _summary(database.execute(f'SELECT * FROM "{name}"').fetchall())  # noqa: S608
                for name in names
            }
        finally:
            database.close()
    import psycopg

    url = env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url) as database:
        names = [
            name
            for (name,) in database.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        return {
            name: _summary(database.execute(f'SELECT * FROM "{name}"').fetchall())  # noqa: S608
            for name in names
        }


def _summary(rows: list[tuple]) -> tuple[int, str]:
    digest = hashlib.sha256()
    for row in sorted(repr(row) for row in rows):
        digest.update(row.encode())
    return len(rows), digest.hexdigest()[:16]


def changed_tables(
    before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]
) -> dict[str, tuple]:
    """The tables whose rows differ, with their (count, checksum) before and after."""
    return {
        name: (before.get(name), after.get(name))
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }
