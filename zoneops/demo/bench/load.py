"""`zoneops bench load`: many people at once against `zoneops serve`, over real HTTP.

A benchmark, not a test. It starts `zoneops serve` on a free loopback port (or aims at a
running server, `--url`), signs in the demo zone's people through the login pages — staff of
several roles in the back office, an enterprise user in the enterprise hall — and gives other
systems API tokens (created for the run and deleted after it); then `--users` virtual users
work for `--seconds`, each on its own connection with its own cookies, waiting a random think
time (`--wait` on average) between requests:

- staff (half the users): the day's page, the sidebar's pages and the main lists their role
  may open, and records of their scope (projects, enterprise requests);
- enterprise users: their hall's pages and their own requests;
- API systems: every list the API offers without a parameter, as the token's user;
- investors: the public investment hall.

Any answer other than 200 (or a failed or timed-out request) is an error, and one error fails
the run. It prints the count, p50, p95 and slowest time per kind and the slowest pages by p95.
Bounded: the window ends after `--seconds`, no more than `--max-requests` requests are sent,
each request waits at most `--timeout` seconds. Sign-ins happen one after another before the
window (each timed, kind "login"): a morning's sign-ins are spread out, not one burst.
"""

import http.client
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser

# The demo zone's people (README, 演示账号): the back office's roles, then the enterprise user.
STAFF = (
    "director",
    "leader",
    "leader2",
    "zsj_head",
    "zsj_staff",
    "xmb_staff",
    "spj_staff",
    "qyfwj_staff",
    "inspector",
    "stats",
)
ENTERPRISE = ("enterprise",)
API_HOLDERS = ("director", "zsj_staff")  # a zone-wide system and a bureau's
TOKEN_NAME = "负载测试（zoneops bench load，运行后删除）"  # noqa: S105 (a label)
# Who each next virtual user is: of ten, five staff, two enterprise, two API, one investor —
# the first four one of each, so that a small run still has every kind.
MIX = (
    "staff",
    "enterprise",
    "api",
    "hall",
    "staff",
    "staff",
    "api",
    "staff",
    "enterprise",
    "staff",
)
KINDS = ("login", "staff", "enterprise", "api", "hall")
HALL_PAGES = (
    "portal:home",
    "portal:industries",
    "portal:parks",
    "portal:policies",
    "portal:news",
    "portal:inquiry",
)
ENTERPRISE_PAGES = (
    "selfservice:home",
    "selfservice:requests",
    "selfservice:projects",
    "selfservice:profile",
    "selfservice:notices",
)
# The back office's main lists, when the role may view them.
STAFF_LISTS = (
    "projects.project",
    "projects.problem",
    "enterprises.enterprise",
    "enterprises.enterpriserequest",
    "supervision.supervisiontask",
    "approvals.case",
    "meetings.meeting",
)
RECORDS_PER_USER = 15
MAX_USERS = 500  # a thread each
MAX_SECONDS = 3600
SERVER_START_SECONDS = 180


def add_arguments(target: CommandParser) -> None:
    target.add_argument("--users", type=int, default=50, help="同时在线的虚拟用户数（默认 50）")
    target.add_argument("--seconds", type=float, default=60, help="压测时长，秒（默认 60）")
    target.add_argument(
        "--wait", type=float, default=1.0, help="两次请求之间的平均思考时间，秒（默认 1）"
    )
    target.add_argument(
        "--max-requests", type=int, default=None, help="请求总数上限（默认 用户数×秒数×4）"
    )
    target.add_argument("--timeout", type=float, default=30, help="单个请求的超时，秒（默认 30）")
    target.add_argument(
        "--password",
        default=None,
        help="演示账号的密码（默认 ZONEOPS_DEMO_PASSWORD，或 zoneops demo 存在数据目录中的）",
    )
    target.add_argument(
        "--url", default=None, help="压测已在运行的服务（默认：在本机空闲端口启动 zoneops serve）"
    )
    target.add_argument(
        "--threads", type=int, default=None, help="zoneops serve 的工作线程数（默认按 CPU 核数）"
    )
    target.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")


# --- the plan: who signs in, and what each kind of user opens -------------------------------------


@dataclass
class Person:
    kind: str  # staff, enterprise, api, hall
    username: str = ""
    urls: list[str] = field(default_factory=list)
    token: str = ""


def _plan(*, users: int) -> tuple[list[Person], list[Any]]:
    """The run's `users` people (in MIX's proportions), each with the pages he opens; and the
    API tokens created for them."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from zoneops.api.services import api_token_create

    found = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=STAFF + ENTERPRISE, is_active=True)
    }
    staff = [_staff(found[name]) for name in STAFF if name in found and found[name].is_staff]
    if not staff:
        raise CommandError(
            "没有演示区的工作人员账号（如 director）：先运行 zoneops demo --no-serve 载入演示区。"
        )
    enterprise = [
        _enterprise(found[name])
        for name in ENTERPRISE
        if name in found and found[name].enterprise_id
    ]
    tokens, api = [], []
    api_urls = _api_urls()
    for name in API_HOLDERS:
        if name in found:
            token, raw = api_token_create(user=found[name], name=TOKEN_NAME)
            tokens.append(token)
            api.append(Person("api", username=name, urls=api_urls, token=raw))
    hall = [Person("hall", urls=[reverse(name) for name in HALL_PAGES])]
    people = {"staff": staff, "enterprise": enterprise, "api": api, "hall": hall}
    # Staff instead when the zone has nobody of a kind (no enterprise user, no token holder).
    taken: dict[str, int] = defaultdict(int)
    chosen = []
    for index in range(users):
        kind = MIX[index % len(MIX)]
        group = people[kind] or people["staff"]
        chosen.append(group[taken[kind] % len(group)])
        taken[kind] += 1
    return chosen, tokens


def _staff(user: Any) -> Person:
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    from zoneops.enterprises.models import EnterpriseRequest
    from zoneops.projects.models import Project

    pages = []
    for config in apps.get_app_configs():
        for _title, url_name, _icon, permission, *_order in getattr(config, "nav_pages", ()):
            if not user.has_perm(permission):
                continue
            try:
                pages.append(reverse(url_name))
            except NoReverseMatch:
                continue
    lists = []
    for label in STAFF_LISTS:
        app_label, model = label.split(".")
        if user.has_perm(f"{app_label}.view_{model}"):
            url = reverse(f"admin:{app_label}_{model}_changelist")
            lists.append(url)
    if user.has_perm("projects.view_project"):
        projects = reverse("admin:projects_project_changelist")
        lists.append(f"{projects}?{urlencode({'q': '项目'})}")
    records = []
    if user.has_perm("projects.view_project"):
        ids = Project.objects.visible_to(user).order_by("-pk").values_list("pk", flat=True)
        records += [
            reverse("admin:projects_project_change", args=[pk]) for pk in ids[:RECORDS_PER_USER]
        ]
    if user.has_perm("enterprises.view_enterpriserequest"):
        ids = (
            EnterpriseRequest.objects.visible_to(user).order_by("-pk").values_list("pk", flat=True)
        )
        records += [
            reverse("admin:enterprises_enterpriserequest_change", args=[pk])
            for pk in ids[:RECORDS_PER_USER]
        ]
    # A day's work: records most, then lists, then the other pages (each page once at least).
    urls = pages + lists * 2 + records * 2
    return Person("staff", username=user.username, urls=urls)


def _enterprise(user: Any) -> Person:
    from django.urls import reverse

    from zoneops.enterprises.models import EnterpriseRequest

    urls = [reverse(name) for name in ENTERPRISE_PAGES]
    ids = EnterpriseRequest.objects.filter(enterprise_id=user.enterprise_id).order_by("-pk")
    urls += [
        reverse("selfservice:request", args=[pk])
        for pk in ids.values_list("pk", flat=True)[:RECORDS_PER_USER]
    ]
    return Person("enterprise", username=user.username, urls=urls)


def _api_urls() -> list[str]:
    """Every GET of the API that needs no id in its path and no parameter (as `bench pages`)."""
    from zoneops.demo.bench.pages import _api_lists

    # The search answers 400 without a term (its `q` is optional in the schema): one is given.
    return [
        f"{page.url}?{urlencode({'q': '汽车'})}" if page.url.endswith("/search/") else page.url
        for page in _api_lists()
    ]


def _password(given: str | None) -> str:
    if given:
        return given
    from django.conf import settings

    from zoneops.demo.management.commands.demo import PASSWORD_ENV, PASSWORD_FILE

    from_env = os.environ.get(PASSWORD_ENV, "").strip()
    if from_env:
        return from_env
    kept = Path(settings.DATA_DIR) / PASSWORD_FILE
    if kept.exists() and kept.read_text(encoding="utf-8").strip():
        return kept.read_text(encoding="utf-8").strip()
    raise CommandError(
        f"不知道演示账号的密码：请用 --password 或 {PASSWORD_ENV} 指定（zoneops demo 打印过它）。"
    )


# --- the server -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def _serve(threads: int | None, stdout: Any) -> Iterator[str]:
    """`zoneops serve` on a free loopback port, on this process's data folder and database,
    over plain HTTP (the loopback needs no TLS); stopped when the block ends."""
    port = _free_port()
    env = {**os.environ, "ZONEOPS_HTTPS": "false"}
    env.pop("PYTEST_VERSION", None)
    command = [sys.executable, "-m", "zoneops.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    if threads:
        command += ["--threads", str(threads)]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            while not _listening(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")[-3000:]
                    raise CommandError(f"zoneops serve 未能启动：\n{output}")
                time.sleep(0.2)
            stdout.write(f"zoneops serve 已在 http://127.0.0.1:{port}/ 启动（pid {process.pid}）")
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


# --- a virtual user -------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    url: str
    seconds: float
    error: str = ""


class Browser:
    """One person's connection: keep-alive, cookies, the CSRF token of the forms it posts."""

    def __init__(self, base: str, timeout: float) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(
        self, method: str, url: str, *, body: str | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, url, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # a new connection for the next request
            raise
        for value in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return response.status, dict(response.headers), content

    def sign_in(self, login_url: str, username: str, password: str) -> None:
        status, _headers, page = self.request("GET", login_url)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or found is None:
            raise SignInError(f"GET {login_url} → {status}，没有登录表单")
        body = urlencode(
            {
                "csrfmiddlewaretoken": found.group(1).decode(),
                "username": username,
                "password": password,
            }
        )
        status, _headers, _page = self.request(
            "POST",
            login_url,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}{login_url}",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SignInError(f"{username} 登录失败（HTTP {status}），请检查密码")


class SignInError(Exception):
    pass


def _work(
    *,
    person: Person,
    browser: Browser,
    deadline: float,
    wait: float,
    budget: "Budget",
    rng: random.Random,
    samples: list[Sample],
) -> None:
    headers = {"Authorization": f"Bearer {person.token}"} if person.token else {}
    while time.monotonic() < deadline and budget.take():
        url = rng.choice(person.urls)
        started = time.perf_counter()
        error = ""
        try:
            status, _headers, _body = browser.request("GET", url, headers=headers)
            if status != 200:
                error = f"HTTP {status}"
        except (OSError, http.client.HTTPException) as failure:
            error = f"{type(failure).__name__}: {failure}"
        samples.append(Sample(person.kind, url, time.perf_counter() - started, error))
        pause = rng.uniform(0, 2 * wait)
        if time.monotonic() + pause >= deadline:
            break
        time.sleep(pause)


class Budget:
    """The most requests the run may send, shared by the users' threads."""

    def __init__(self, most: int) -> None:
        self.left = most
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


# --- the run --------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95: the value 95% of the samples do not exceed)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Run:
    """One load run, writing to the command's output; CommandError on any error."""

    def __init__(self, command: BaseCommand) -> None:
        self.stdout, self.style = command.stdout, command.style

    def __call__(self, **options: Any) -> None:
        from django.db import connection

        users = options["users"]
        seconds = options["seconds"]
        if not (1 <= users <= MAX_USERS and 0 < seconds <= MAX_SECONDS):
            raise CommandError(
                f"--users 应在 1 到 {MAX_USERS} 之间，--seconds 应大于 0、至多 {MAX_SECONDS}。"
            )
        most = options["max_requests"] or int(users * seconds * 4) + users
        password = _password(options["password"])
        people, tokens = _plan(users=users)
        try:
            load = os.getloadavg()
            self.stdout.write(
                f"数据库：{connection.vendor} {connection.settings_dict.get('NAME')}；"
                f"{users} 个用户 × {seconds:g} 秒，平均思考 {options['wait']:g} 秒，"
                f"至多 {most} 个请求；机器负载 {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
                f"（{os.cpu_count()} 核）"
            )
            connection.close()  # the server has the database to itself while the run lasts
            if options["url"]:
                self._run(options["url"].rstrip("/"), people, password, most, options)
            else:
                with _serve(options["threads"], self.stdout) as base:
                    self._run(base, people, password, most, options)
        finally:
            for token in tokens:
                token.delete()

    def _run(
        self, base: str, people: list[Person], password: str, most: int, options: dict
    ) -> None:
        from django.urls import reverse

        timeout, rng = options["timeout"], random.Random(options["seed"])  # noqa: S311
        samples: list[Sample] = []
        browsers = []
        for person in people:  # one after another (see the module's note)
            browser = Browser(base, timeout)
            if person.kind in ("staff", "enterprise"):
                login = reverse("admin:login" if person.kind == "staff" else "selfservice:login")
                started = time.perf_counter()
                try:
                    browser.sign_in(login, person.username, password)
                    error = ""
                except (SignInError, OSError, http.client.HTTPException) as failure:
                    error = str(failure)
                samples.append(Sample("login", login, time.perf_counter() - started, error))
                if error:
                    raise CommandError(f"登录失败：{error}")
            browsers.append(browser)
        started = time.monotonic()
        deadline = started + options["seconds"]
        budget = Budget(most)
        threads = [
            threading.Thread(
                target=_work,
                kwargs={
                    "person": person,
                    "browser": browser,
                    "deadline": deadline,
                    "wait": options["wait"],
                    "budget": budget,
                    "rng": random.Random(rng.random()),  # noqa: S311
                    "samples": samples,
                },
                daemon=True,
            )
            for person, browser in zip(people, browsers, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()) + timeout + 5)
        elapsed = time.monotonic() - started
        if any(thread.is_alive() for thread in threads):
            samples.append(Sample("load", "", elapsed, "有用户在时限后仍未结束"))
        load = os.getloadavg()
        self.stdout.write(f"运行结束时机器负载 {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        self._report(samples, elapsed)

    def _report(self, samples: list[Sample], elapsed: float) -> None:
        by_kind: dict[str, list[float]] = defaultdict(list)
        by_page: dict[str, list[float]] = defaultdict(list)
        for sample in samples:
            by_kind[sample.kind].append(sample.seconds)
            by_page[re.sub(r"/\d+/", "/{id}/", sample.url.split("?")[0])].append(sample.seconds)
        timed = [s for s in samples if s.kind != "login"]
        errors = [s for s in samples if s.error]
        self.stdout.write(
            f"{len(timed)} 个请求，{elapsed:.1f} 秒，{len(timed) / elapsed:.1f} 请求/秒；"
            f"{len(errors)} 个错误"
        )
        # Chinese characters take two columns each: the header is padded by hand.
        self.stdout.write("类别         请求数    p50 ms    p95 ms   最慢 ms")
        for kind in (*KINDS, "all"):
            values = [s.seconds for s in timed] if kind == "all" else by_kind.get(kind, [])
            if values:
                self.stdout.write(
                    f"{kind:<12} {len(values):>6} {statistics.median(values) * 1000:>9.1f}"
                    f" {percentile(values, 0.95) * 1000:>9.1f} {max(values) * 1000:>9.1f}"
                )
        slowest = sorted(by_page.items(), key=lambda item: percentile(item[1], 0.95))[-5:]
        self.stdout.write("p95 最慢的页面：")
        for url, values in reversed(slowest):
            self.stdout.write(
                f"  {url:<60} {len(values):>5} 次  p95 {percentile(values, 0.95) * 1000:8.1f} ms"
            )
        if errors:
            for sample in errors[:10]:
                self.stdout.write(self.style.ERROR(f"  {sample.kind} {sample.url}：{sample.error}"))
            raise CommandError(f"{len(errors)} 个请求出错（见上）。")
        self.stdout.write(self.style.SUCCESS("没有错误。"))
