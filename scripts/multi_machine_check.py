"""The multi-machine path on this machine (docs/deployment.md, "Several machines"):

PostgreSQL (a fresh database, dropped at the end), two `zoneops serve` on different ports and
data folders — two app servers — sharing sessions and cached figures through Redis:

1. two `zoneops worker` run beside them, and both servers answer /readyz (database,
   migrations, cache, a worker seen);
2. a login on the first server is a session on the second, and a logout on the second ends it
   on the first;
3. a cockpit figure cached by the first is read from Redis by the second (no new entry), and a
   write by a third process (a shell, as a worker would) shows on both at once;
4. the servers log JSON lines with the request id they answered with, and the user;
5. the two workers drain one queue of briefing jobs: every job done, each taken by one worker
   once, and both workers took some.

Run by .ci/run; alone: `uv run python scripts/multi_machine_check.py`. Settings (environment):
ZONEOPS_CI_POSTGRES (an admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
ZONEOPS_CI_REDIS (default redis://127.0.0.1:6379/0; every key here has a prefix of this run's
own, removed at the end), ZONEOPS_CI_DB_PREFIX (default zoneops_mm), ZONEOPS_CI_PORTS (two
ports, default two free ones).
"""

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import redis

ADMIN_URL = os.environ.get("ZONEOPS_CI_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("ZONEOPS_CI_REDIS", "redis://127.0.0.1:6379/0")
RUN = f"{os.environ.get('ZONEOPS_CI_DB_PREFIX', 'zoneops_mm')}_{os.getpid()}"
PASSWORD = "Multi-Machine-" + secrets.token_hex(6)
_KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def step(text: str) -> None:
    print(f"-- {text}", flush=True)


def fail(text: str) -> None:
    raise SystemExit(f"multi-machine check FAILED: {text}")


def check(condition: bool, text: str) -> None:
    if not condition:
        fail(text)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres(sql: str) -> None:
    url = ADMIN_URL.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
        connection.execute(sql)


def zoneops(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603  our own command
        [sys.executable, "-m", "zoneops.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode:
        fail(f"zoneops {' '.join(args)}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Process:
    """One `zoneops` process running until the check ends, its output kept in a log file."""

    def __init__(self, name: str, env: dict[str, str], stack: ExitStack, *args: str) -> None:
        self.name = name
        self.log = Path(stack.enter_context(tempfile.TemporaryDirectory())) / f"{name}.log"
        self.process = subprocess.Popen(  # noqa: S603  our own command
            [sys.executable, "-m", "zoneops.cli", *args],
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        stack.callback(self.stop)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Server(Process):
    """One `zoneops serve`, its port and its log (standard error, JSON lines)."""

    def __init__(self, name: str, port: int, env: dict[str, str], stack: ExitStack) -> None:
        super().__init__(name, env, stack, "serve", "--port", str(port), "--threads", "4")
        self.port = port

    def request(
        self, method: str, path: str, *, cookies: SimpleCookie | None = None, **kwargs
    ) -> tuple[http.client.HTTPResponse, bytes]:
        headers = {"Host": f"127.0.0.1:{self.port}", **kwargs.pop("headers", {})}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, headers=headers, **kwargs)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if cookies is not None:
            for value in response.headers.get_all("Set-Cookie") or []:
                cookies.load(value)
        return response, body

    def wait_ready(self, timeout: float = 180) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                fail(f"{self.name} stopped:\n{self.log.read_text(errors='replace')}")
            try:
                response, body = self.request("GET", "/readyz")
                if response.status == 200:
                    return json.loads(body)
            except OSError:
                pass
            time.sleep(0.5)
        fail(f"{self.name} was not ready within {timeout}s:\n{self.log.read_text()}")
        raise AssertionError  # unreachable

    def log_lines(self) -> list[dict]:
        lines = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines


def login(server: Server, cookies: SimpleCookie) -> None:
    server.request("GET", "/admin/login/", cookies=cookies)
    token = cookies["csrftoken"].value
    response, _body = server.request(
        "POST",
        "/admin/login/",
        cookies=cookies,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{server.port}",
        },
        body=urlencode(
            {
                "username": "mm-admin",
                "password": PASSWORD,
                "csrfmiddlewaretoken": token,
                "next": "/admin/",
            }
        ),
    )
    check(response.status == 302, f"login on {server.name} answered {response.status}")
    check("sessionid" in cookies, "the login set no session cookie")


def signed_in(server: Server, cookies: SimpleCookie) -> bool:
    response, _body = server.request("GET", "/admin/", cookies=cookies)
    return response.status == 200


def pipeline_projects(server: Server, cookies: SimpleCookie) -> str:
    response, body = server.request("GET", "/api/v1/cockpit/panels/pipeline", cookies=cookies)
    check(response.status == 200, f"the cockpit on {server.name}: {response.status} {body[:300]}")
    return json.loads(body)["tiles"][0]["value"]


def figure_keys(store: redis.Redis, prefix: str) -> set[bytes]:
    return set(store.scan_iter(f"{prefix}:*zoneops:figure:cockpit.pipeline:*"))


JOBS = 24
# The jobs, queued in one transaction (enqueued at its commit) by a third process.
QUEUE_JOBS = f"""
from django.db import transaction
from zoneops.briefings.admin import DOCX_TITLE, briefing_docx_work
from zoneops.common.job_services import job_start
from zoneops.orgs.models import User

by = User.objects.get(username="mm-admin")
with transaction.atomic():
    for year in range(2000, 2000 + {JOBS}):
        params = {{"year": year, "kind": "year", "number": None}}
        job_start(work=briefing_docx_work, title=DOCX_TITLE, by=by, params=params)
"""


def drained(env: dict[str, str], timeout: float = 300) -> list[tuple[int, str, list[str]]]:
    """Each job (id, status, the workers that took its task) once none is queued or running."""
    url = env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as connection:
        while True:
            rows = connection.execute(
                "SELECT job.id, job.status, task.worker_ids FROM common_backgroundjob AS job "
                "JOIN django_tasks_database_dbtaskresult AS task ON task.id::text = job.task_id "
                "ORDER BY job.id"
            ).fetchall()
            if len(rows) == JOBS and all(row[1] in ("succeeded", "failed") for row in rows):
                return rows
            if time.monotonic() > deadline:
                fail(f"the queue was not drained in {timeout:.0f} s: {rows}")
            time.sleep(0.5)


def main() -> None:
    prefix = f"zoneops-mm-{os.getpid()}"
    store = redis.Redis.from_url(REDIS)
    try:
        store.ping()
    except redis.RedisError as error:
        fail(f"Redis is not reachable at {REDIS}: {error}")
    postgres(f'CREATE DATABASE "{RUN}"')
    with ExitStack() as stack:
        stack.callback(lambda: [store.delete(key) for key in store.scan_iter(f"{prefix}:*")])
        stack.callback(postgres, f'DROP DATABASE IF EXISTS "{RUN}" WITH (FORCE)')
        data = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        base = {name: os.environ[name] for name in _KEPT if name in os.environ}
        base.update(
            DATABASE_URL=f"{ADMIN_URL.rsplit('/', 1)[0]}/{RUN}",
            REDIS_URL=REDIS,
            ZONEOPS_CACHE_PREFIX=prefix,
            SECRET_KEY="multi-machine-" + secrets.token_urlsafe(40),
            DEBUG="false",
            ZONEOPS_HTTPS="false",
            ALLOWED_HOSTS="127.0.0.1",
            ZONEOPS_LOG_FORMAT="json",
            ZONEOPS_DATA_DIR=str(data / "tools"),
        )

        step(f"PostgreSQL database {RUN}: migrate, an administrator")
        zoneops(base, "migrate", "--no-input", "-v", "0")
        zoneops(
            base,
            "shell",
            "--no-imports",
            "-c",
            "from zoneops.orgs.models import User; "
            f"User.objects.create_superuser('mm-admin', password={PASSWORD!r})",
        )

        step("two workers on the one queue, each its own data folder")
        workers = [
            Process(name, {**base, "ZONEOPS_DATA_DIR": str(data / name)}, stack, "worker")
            for name in ("worker-1", "worker-2")
        ]

        ports = [int(p) for p in os.environ.get("ZONEOPS_CI_PORTS", "").split(",") if p]
        ports = ports or [free_port(), free_port()]
        step(f"two app servers on ports {ports[0]} and {ports[1]}, each its own data folder")
        one, two = (
            Server(name, port, {**base, "ZONEOPS_DATA_DIR": str(data / name)}, stack)
            for name, port in zip(("server-1", "server-2"), ports, strict=True)
        )
        for server in (one, two):
            ready = server.wait_ready()
            check(
                ready["checks"]
                == {"database": "ok", "migrations": "ok", "cache": "ok", "worker": "ok"},
                f"{server.name} /readyz: {ready}",
            )
            response, _body = server.request("GET", "/healthz")
            check(response.status == 200, f"{server.name} /healthz: {response.status}")

        step("a session opened on server-1 is a session on server-2")
        cookies = SimpleCookie()
        login(one, cookies)
        check(signed_in(two, cookies), "server-2 did not know server-1's session")

        step("a figure cached by server-1 is read by server-2 from Redis")
        before = pipeline_projects(one, cookies)
        cached = figure_keys(store, prefix)
        check(len(cached) == 1, f"server-1 cached {len(cached)} pipeline figures, not one")
        check(pipeline_projects(two, cookies) == before, "server-2 saw another figure")
        check(figure_keys(store, prefix) == cached, "server-2 computed the figure again")

        step("a write by a third process shows on both servers at once")
        zoneops(
            base,
            "shell",
            "--no-imports",
            "-c",
            "from decimal import Decimal; "
            "from zoneops.orgs.models import User; "
            "from zoneops.projects.services.pipeline import project_create; "
            "project_create(name='多机检查项目', by=User.objects.get(username='mm-admin'), "
            "stage='started', total_investment=Decimal(10000))",
        )
        after = str(int(before) + 1)
        check(pipeline_projects(two, cookies) == after, "server-2 still served the old figure")
        check(pipeline_projects(one, cookies) == after, "server-1 still served the old figure")

        step("a logout on server-2 ends the session on server-1")
        two.request(
            "POST",
            "/admin/logout/",
            cookies=cookies,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://127.0.0.1:{two.port}",
            },
            body=urlencode({"csrfmiddlewaretoken": cookies["csrftoken"].value}),
        )
        check(not signed_in(one, cookies), "server-1 still honoured the ended session")

        step("JSON log lines with the request id answered and the user")
        response, _body = one.request(
            "GET", "/admin/login/", headers={"X-Request-ID": "not-from-the-proxy-123"}
        )
        answered = response.headers["X-Request-ID"]
        check(answered != "not-from-the-proxy-123", "a client's X-Request-ID was believed")
        time.sleep(0.5)
        lines = [line for line in one.log_lines() if line.get("logger") == "zoneops.access"]
        check(
            any(line["request_id"] == answered for line in lines),
            f"no access line with request id {answered}",
        )
        check(
            any(line.get("user") == "mm-admin" and line.get("user_id") for line in lines),
            "no access line named the signed-in user",
        )

        step(f"the two workers drain one queue of {JOBS} briefing jobs, each job taken once")
        zoneops(
            base,
            "shell",
            "--no-imports",
            "-c",
            QUEUE_JOBS,
        )
        finished = drained(base)
        statuses = sorted({row[1] for row in finished})
        check(statuses == ["succeeded"], f"the jobs ended {statuses}: {finished}")
        takers = [row[2] for row in finished]
        check(all(len(ids) == 1 for ids in takers), f"a job was taken twice: {takers}")
        by_worker = {ids[0] for ids in takers}
        check(len(by_worker) == 2, f"one worker took every job: {by_worker}")
        for worker in workers:
            check(worker.process.poll() is None, f"{worker.name} stopped: {worker.log}")

    print("multi-machine check passed", flush=True)


if __name__ == "__main__":
    if not re.fullmatch(r"[a-z0-9_]+", RUN):
        fail(f"unsafe database name {RUN}")
    main()
