"""`zoneops demo`: the demo zone on this machine in one command.

Migrates the local database in the data folder, loads the demo zone (沧州经济开发区), creates
one demo account per role, prints where everything is and serves until Ctrl-C. Running it
again keeps the data; `--reset` starts over.
"""

import os
import secrets
import signal
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from zoneops.common.management.commands.serve import serve_wsgi
from zoneops.config.env import database_described, private_dir, private_file
from zoneops.demo.loader import load_demo_zone
from zoneops.demo.results import DemoResult

PASSWORD_ENV = "ZONEOPS_DEMO_PASSWORD"  # noqa: S105  the variable's name, not a password
PASSWORD_FILE = "demo_password"  # noqa: S105  a file name in the data folder
# No 0/O, 1/l/I: the password is read off a terminal and typed into a browser.
PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105
SERVE_THREADS = 8


class Command(BaseCommand):
    help = (
        "运行演示区：迁移本地数据库、载入沧州经济开发区演示数据、为每个角色建演示账号并启动服务。"
        "Run the demo zone: migrate the local database, load the demo zone, create one demo "
        "account per role, print the accounts and serve until Ctrl-C. "
        f"{PASSWORD_ENV} sets the demo accounts' password."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="监听地址 / address (default 127.0.0.1)."
        )
        parser.add_argument("--port", type=int, default=8000, help="端口 / port (default 8000).")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="清空数据后重新载入 / delete the data and start over (asks first).",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="不询问确认 / never prompt.",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="只准备数据不启动服务（用于脚本和测试）/ do everything but serve "
            "(for scripts and tests).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(settings.DATA_DIR)
        private_dir(data_dir)
        if options["reset"]:
            self._reset(data_dir=data_dir, interactive=options["interactive"])
        call_command("migrate", interactive=False, verbosity=0)
        password, generated = demo_password(data_dir=data_dir)
        # The zone goes on to the day it is loaded: read once, passed down.
        today = timezone.localdate()
        result = load_demo_zone(password=password, stdout=self.stdout, today=today)
        self._print_welcome(
            result=result,
            data_dir=data_dir,
            host=options["host"],
            port=options["port"],
            generated=generated,
        )
        if options["no_serve"]:
            return
        self.stdout.write("正在运行，按 Ctrl-C 停止 / serving, press Ctrl-C to stop.")
        if not settings.DEBUG:
            # Without DEBUG the manifest storage needs the collected files (`zoneops serve` too).
            call_command("collectstatic", interactive=False, verbosity=0)
        worker = start_worker()
        interrupted = False
        try:
            serve_wsgi(
                host=options["host"],
                port=options["port"],
                threads=SERVE_THREADS,
                stdout=self.stdout,
            )
        except KeyboardInterrupt:
            interrupted = True
        finally:
            stop_worker(worker, interrupted=interrupted)

    def _reset(self, *, data_dir: Path, interactive: bool) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        database = connection.settings_dict
        sqlite_file = _sqlite_file_in(database, data_dir)
        if connection.vendor != "sqlite" and interactive:
            raise CommandError(
                f"--reset 会清空 {database_described(database)} 中的全部数据。确需如此，请加上 "
                "--no-input 再运行。 --reset would erase every record in "
                f"{database_described(database)}; if you really mean it, add --no-input."
            )
        if interactive:
            answer = input(
                f"将删除 {database_described(database)} 中的全部数据并重新载入演示区。"
                "输入 yes 继续 / This deletes all data and reloads the demo zone. "
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("已取消 / cancelled.")
        if sqlite_file is not None:
            connections.close_all()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        else:
            call_command("flush", interactive=False, verbosity=0)
        self.stdout.write("已清空数据 / data deleted.")

    def _print_welcome(
        self, *, result: DemoResult, data_dir: Path, host: str, port: int, generated: bool
    ) -> None:
        base = f"http://{_browser_host(host)}:{port}"
        database = connections[DEFAULT_DB_ALIAS].settings_dict
        if generated:
            origin = f"自动生成，保存在 / generated, kept in {data_dir / PASSWORD_FILE}"
        else:
            origin = f"来自 / from {PASSWORD_ENV}"
        rows = [("用户名 username", "角色 role", "部门 department", "密码 password")]
        rows += [(a.username, a.role, a.department, result.password) for a in result.accounts]
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        rule = "=" * 72
        lines = [
            rule,
            " ZoneOps 开发区运营服务平台 — 演示区 / demo zone: 沧州经济开发区",
            rule,
            f" 数据目录 / data folder:   {data_dir}",
            f" 数据库 / database:        {database_described(database)}",
            f" 管理后台 / back office:   {base}/admin/",
            f" 企业服务 / enterprises:   {base}/enterprise/",
            f" 接口文档 / API docs:      {base}/api/v1/docs",
            f" 密码 / password:          {origin}",
            "",
            " 演示账号 / demo accounts:",
        ]
        for index, row in enumerate(rows):
            cells = [_pad(cell, widths[i]) for i, cell in enumerate(row)]
            lines.append("   " + "  ".join(cells).rstrip())
            if index == 0:
                lines.append("   " + "  ".join("-" * w for w in widths))
        lines += [
            "",
            " 企业用户从“企业服务”登录（不进管理后台），只能看到本企业的数据。",
            " The enterprise user signs in at /enterprise/ (not the back office) and sees its own"
            " enterprise only.",
        ]
        if not _is_loopback(host) and host not in settings.ALLOWED_HOSTS:
            lines.append(
                f" 从其他电脑访问请设置 ALLOWED_HOSTS（含本机地址）。 To reach it from other "
                f"machines set ALLOWED_HOSTS to this machine's address (listening on {host})."
            )
        lines.append(rule)
        self.stdout.write("\n".join(lines))


def demo_password(*, data_dir: Path) -> tuple[str, bool]:
    """The demo accounts' password and whether it was generated.

    ZONEOPS_DEMO_PASSWORD wins; otherwise the one generated on an earlier run, kept readable
    only by the owner in the data folder, so that a second run prints the same password.
    """
    from_env = os.environ.get(PASSWORD_ENV, "").strip()
    if from_env:
        return from_env, False
    path = data_dir / PASSWORD_FILE
    if path.exists():
        kept = path.read_text(encoding="utf-8").strip()
        if kept:
            return kept, True
    password = "-".join(
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3)
    )
    path.unlink(missing_ok=True)
    private_file(path, password + "\n")
    return password, True


def _sqlite_file_in(database: dict[str, Any], data_dir: Path) -> Path | None:
    """The SQLite database file when it lies in the data folder (only that one is deleted)."""
    if "sqlite" not in database["ENGINE"]:
        return None
    name = str(database["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name).resolve()
    return path if path.is_relative_to(data_dir.resolve()) else None


def _browser_host(host: str) -> str:
    if host in ("", "0.0.0.0"):  # nosec B104 # noqa: S104  a listening address, shown as a browsable one
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def _width(text: str) -> int:
    """Columns the text takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


WORKER_STOP_SECONDS = 30


def start_worker() -> subprocess.Popen:
    """One `zoneops worker` beside the web server, for the demo's background jobs.

    A process, not a thread: the worker's loop stops on its own signal handlers (only a main
    thread has them), so Ctrl-C — which the terminal sends to both processes — lets it finish
    the job it runs and exit, and a process has its own database connection, as a second
    worker has on SQLite's one file (WAL and the busy timeout let them share it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "zoneops.cli", "worker", "--no-startup-delay", "--verbosity", "0"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "zoneops.config.settings"},
    )


def stop_worker(worker: subprocess.Popen, *, interrupted: bool) -> None:
    """After Ctrl-C the worker has its own SIGINT already: it is given time to finish its job;
    otherwise (the server stopped another way) it is asked to stop. Killed if it will not."""
    if not interrupted and worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    except KeyboardInterrupt:  # a second Ctrl-C: stop now
        worker.kill()
        worker.wait()
