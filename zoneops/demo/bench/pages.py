"""`zoneops bench pages`: the server time of the back office's pages and the API's lists.

A benchmark, not a test: each page is asked for through Django's test client in the same
process, as a given user (a zone-wide demo account by default), `--repeat` times after one warm
run; it prints the median, the slowest, the number of SQL queries of one request and, for the
aggregate pages (the pipeline summary, the board, the funnel), the median of the raw SQL of the
same aggregate timed in the same run and the ratio of the two. Run it on the zone you want to
measure: the demo zone, `zoneops bench import --keep`, or `zoneops gen --scale large`.
"""

import logging
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

DEFAULT_USER = "director"  # 管委会主任: the demo zone's zone-wide account

# Pages an engineer names on the command line (`--only board,summary`) or the kinds of them.
KINDS = ("aggregate", "list", "page", "api")


def add_arguments(target: CommandParser) -> None:
    target.add_argument("--user", default=None, help="以该用户名访问（默认：演示区全区账号）")
    target.add_argument("--repeat", type=int, default=20, help="每页计时次数（默认 20，取中位数）")
    target.add_argument(
        "--only", default="", help="只测名称中含这些词的页面，逗号分隔（如 summary,board）"
    )
    target.add_argument("--kind", choices=KINDS, help="只测一类页面")
    target.add_argument("--year", type=int, default=None, help="情况表的年度（默认今年）")


@dataclass
class Page:
    name: str
    kind: str
    url: str
    floor: Callable[[], None] | None = None  # the raw SQL of the same aggregate
    selector: Callable[[Any], Any] | None = None  # the selector the page calls, given the user


@dataclass
class Timing:
    page: Page
    median: float
    slowest: float
    queries: int
    status: int
    floor: float | None = None
    selector: float | None = None


class Run:
    """One run of the pages benchmark, writing to the command's output."""

    def __init__(self, command: BaseCommand) -> None:
        self.stdout, self.stderr, self.style = command.stdout, command.stderr, command.style

    def __call__(self, **options: Any) -> None:
        from django.contrib.auth import get_user_model
        from django.test import Client

        username = options["user"] or _default_user()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}。")
        repeat = max(1, options["repeat"])
        year = options["year"] or _today().year
        pages = _pages(year)
        if options["only"]:
            words = [w.strip() for w in options["only"].split(",") if w.strip()]
            pages = [p for p in pages if any(w in p.name for w in words)]
        if options["kind"]:
            pages = [p for p in pages if p.kind == options["kind"]]
        database = connection.settings_dict
        self.stdout.write(
            f"数据库：{connection.vendor} {database.get('NAME')}；用户：{username}；"
            f"每页 {repeat} 次取中位数；{_sizes()}"
        )
        client = Client(SERVER_NAME="localhost", raise_request_exception=False)
        client.force_login(user)
        self._collect_static()
        slow = 0
        # A page the user may not open prints its status below, not a traceback per request;
        # the access log's line per request is neither printed nor timed.
        quiet = {"django.request": logging.CRITICAL, "zoneops.access": logging.WARNING}
        levels = {name: logging.getLogger(name).level for name in quiet}
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
        try:
            for page in pages:
                timing = _time(client, user, page, repeat)
                slow += self._print(timing)
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)
        self.stdout.write(
            self.style.SUCCESS(f"{len(pages)} 页，{slow} 页超出 200 ms 或 1.5 倍原始 SQL。")
        )

    def _collect_static(self) -> None:
        """The pages render as served: without DEBUG they name the collected static files."""
        from django.contrib.staticfiles.storage import staticfiles_storage

        manifest = getattr(staticfiles_storage, "manifest_name", None)
        if manifest and not staticfiles_storage.exists(manifest):
            self.stdout.write("收集静态文件（collectstatic）……")
            call_command("collectstatic", interactive=False, verbosity=0)

    def _print(self, timing: Timing) -> int:
        page = timing.page
        line = (
            f"{page.name:<48} {timing.median * 1000:8.1f} ms（最慢 {timing.slowest * 1000:7.1f}）"
            f" {timing.queries:3d} 次查询"
        )
        over = timing.median > 0.2
        if timing.floor is not None:
            ratio = timing.median / timing.floor if timing.floor else float("inf")
            line += f"；原始 SQL {timing.floor * 1000:7.1f} ms，页面 {ratio:4.2f}×"
            over = over or ratio > 1.5
            if timing.selector is not None:
                ratio = timing.selector / timing.floor if timing.floor else float("inf")
                line += f"，查询函数 {timing.selector * 1000:7.1f} ms {ratio:4.2f}×"
        if timing.status != 200:
            line += f"；HTTP {timing.status}"
            self.stdout.write(self.style.ERROR(line))
            return 1
        self.stdout.write(self.style.WARNING(line) if over else line)
        return int(over)


def _median(run: Callable[[], Any], repeat: int) -> float:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def _time(client: Any, user: Any, page: Page, repeat: int) -> Timing:
    client.get(page.url, secure=True)  # the warm run
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(page.url, secure=True)
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(page.url, secure=True)
        seconds.append(time.perf_counter() - started)
    floor = None if page.floor is None else _median(page.floor, repeat)
    selector = page.selector
    selected = None if selector is None else _median(lambda: selector(user), repeat)
    return Timing(
        page=page,
        median=statistics.median(seconds),
        slowest=max(seconds),
        queries=len(queries),
        status=response.status_code,
        floor=floor,
        selector=selected,
    )


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def _default_user() -> str:
    return DEFAULT_USER


def _sizes() -> str:
    from zoneops.projects.models import Project, StageMove

    return f"项目 {Project.objects.count()}，阶段变更 {StageMove.objects.count()}"


def _pages(year: int) -> list[Page]:
    from django.urls import reverse

    from zoneops.projects.selectors.pipeline import (
        pipeline_board,
        pipeline_funnel,
        pipeline_summary,
        stage_durations,
    )

    today = _today()
    summary = reverse("admin:projects_project_summary")

    def summary_of(year: int, dimension: str = "stage") -> Callable[[Any], Any]:
        return lambda user: pipeline_summary(year=year, dimension=dimension, user=user)

    def funnel(user: Any) -> Any:
        first_day = date(today.year, 1, 1)
        pipeline_funnel(registered_from=first_day, registered_to=today, user=user)
        stage_durations(as_of=today, user=user)

    pages = [
        Page(
            "summary stage",
            "aggregate",
            f"{summary}?year={year}",
            _summary_floor(year, min(date(year, 12, 31), today)),
            summary_of(year),
        ),
    ]
    for dimension in ("industry", "park", "leader", "department", "key_level"):
        pages.append(
            Page(
                f"summary {dimension}",
                "aggregate",
                f"{summary}?year={year}&dimension={dimension}",
                selector=summary_of(year, dimension),
            )
        )
    pages += [
        Page(
            "summary stage last year",
            "aggregate",
            f"{summary}?year={year - 1}",
            _summary_floor(year - 1, date(year - 1, 12, 31)),
            summary_of(year - 1),
        ),
        Page(
            "board",
            "aggregate",
            reverse("admin:projects_project_board"),
            _board_floor(),
            lambda user: pipeline_board(user=user),
        ),
        Page(
            "funnel",
            "aggregate",
            reverse("admin:projects_project_funnel"),
            _funnel_floor(date(today.year, 1, 1), today),
            funnel,
        ),
        Page("lights (schedule)", "aggregate", reverse("admin:projects_progressreport_schedule")),
        Page(
            "request statistics",
            "aggregate",
            reverse("admin:enterprises_enterpriserequest_statistics"),
        ),
    ]
    pages += _nav_pages({page.url.split("?")[0] for page in pages})
    pages += _cockpit_panels()
    pages += _changelists()
    pages += _record_pages()
    pages += _api_lists()
    return pages


def _nav_pages(measured: set[str]) -> list[Page]:
    """Every other page of the sidebar the apps declare (their AppConfig's nav_pages): the
    chain map, the day's page, the search page, ..."""
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    pages = []
    for config in apps.get_app_configs():
        for _title, url_name, *_rest in getattr(config, "nav_pages", ()):
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            if url not in measured:
                pages.append(Page(f"page {url_name}", "page", url))
    return sorted(pages, key=lambda p: p.name)


def _cockpit_panels() -> list[Page]:
    """The cockpit's panels: its page answers at once, each panel by a request of its own."""
    from django.urls import reverse

    from zoneops.cockpit.selectors import PANELS

    return [Page(f"cockpit {key}", "page", reverse("cockpit:panel", args=[key])) for key in PANELS]


def _changelists() -> list[Page]:
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    pages = []
    for model in admin.site._registry:
        if not model.__module__.startswith("zoneops."):
            continue
        opts = model._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            continue
        pages.append(Page(f"list {opts.app_label}.{opts.model_name}", "list", url))
    return sorted(pages, key=lambda p: p.name)


def _record_pages() -> list[Page]:
    from django.urls import reverse

    from zoneops.enterprises.models import Enterprise
    from zoneops.projects.models import Project

    pages = []
    enterprise = Enterprise.objects.order_by("pk").first()
    if enterprise is not None:
        url = reverse("admin:enterprises_enterprise_change", args=[enterprise.pk])
        pages.append(Page("page enterprise", "page", url))
    project = Project.objects.order_by("pk").first()
    if project is not None:
        url = reverse("admin:projects_project_change", args=[project.pk])
        pages.append(Page("page project", "page", url))
    return pages


def _api_lists() -> list[Page]:
    """Every GET of the API that needs no id in its path and no parameter."""
    from zoneops.api.api import api

    schema = api.get_openapi_schema()
    prefix = "/api/v1"
    pages = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        skipped = (".xlsx", ".svg", "/export", "openapi.json")  # files, not lists
        if get is None or "{" in path or path.endswith(skipped):
            continue
        if any(p.get("required") for p in get.get("parameters", [])):
            continue
        url = path if path.startswith(prefix) else prefix + path
        pages.append(Page(f"api {url.removeprefix(prefix)}", "api", url))
    return sorted(pages, key=lambda p: p.name)


# --- the floors: the raw SQL of the same aggregates ---------------------------------------------


def _run(sql: str, params: list[Any]) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def _summary_floor(year: int, as_of: date) -> Callable[[], None]:
    """The pipeline summary by stage as one window over the stage moves (zone-wide)."""
    first_day = date(year, 1, 1)
    sql = """
        SELECT category, COUNT(*), SUM(total_investment) FROM (
            SELECT CASE
                WHEN m.to_stage IN ('completed', 'in_production') AND p.completed_on >= %s
                    THEN 'completed'
                WHEN m.to_stage = 'started' AND p.started_on >= %s THEN 'newly_started'
                WHEN m.to_stage = 'started' THEN 'continuing'
                WHEN m.to_stage IN ('signed', 'planned_start') THEN 'planned_start'
                WHEN m.to_stage = 'deep_talks' THEN 'deep_talks'
                WHEN m.to_stage = 'talks' THEN 'talks'
                WHEN m.to_stage = 'lead' THEN 'lead'
                ELSE '' END AS category,
                p.total_investment
            FROM projects_project p
            JOIN (
                SELECT project_id, to_stage, ROW_NUMBER() OVER (
                    PARTITION BY project_id ORDER BY moved_on DESC, id DESC) AS rn
                FROM projects_stagemove WHERE moved_on <= %s
            ) m ON m.project_id = p.id AND m.rn = 1
            WHERE NOT EXISTS (SELECT 1 FROM projects_project c WHERE c.parent_id = p.id)
        ) t WHERE category <> '' GROUP BY category
    """
    return _run(sql, [first_day, first_day, as_of])


def _board_floor() -> Callable[[], None]:
    """The board: counts and sums by stage, and the 30 largest of each stage (zone-wide)."""
    totals = _run(
        "SELECT stage, COUNT(*), SUM(total_investment) FROM projects_project "
        "WHERE stage <> 'terminated' GROUP BY stage",
        [],
    )
    cards = _run(
        "SELECT * FROM (SELECT p.*, ROW_NUMBER() OVER (PARTITION BY stage "
        "ORDER BY total_investment DESC, id) AS rn FROM projects_project p "
        "WHERE stage <> 'terminated') t WHERE rn <= 30 ORDER BY stage, rn",
        [],
    )

    def run() -> None:
        totals()
        cards()

    return run


PIPELINE: tuple[str, ...] = ("lead", "talks", "deep_talks", "signed", "planned_start")
PIPELINE += ("started", "completed", "in_production")


def _funnel_floor(registered_from: date, as_of: date) -> Callable[[], None]:
    """The funnel (how far the period's projects got) and the time in stage (each move's stay
    ends on the day it moved on; days counted and summed per stage), zone-wide."""
    ranks = " ".join(f"WHEN '{stage}' THEN {index}" for index, stage in enumerate(PIPELINE))
    funnel = _run(
        f"""
        SELECT furthest, COUNT(*) FROM (
            SELECT MIN(m.moved_on) AS registered_on, MAX(CASE WHEN m.moved_on <= %s
                THEN CASE m.to_stage {ranks} ELSE -1 END END) AS furthest
            FROM projects_project p JOIN projects_stagemove m ON m.project_id = p.id
            WHERE NOT EXISTS (SELECT 1 FROM projects_project c WHERE c.parent_id = p.id)
            GROUP BY p.id
        ) t WHERE registered_on >= %s AND registered_on <= %s AND furthest IS NOT NULL
        GROUP BY furthest
        """,  # nosec B608 # noqa: S608  constants only
        [as_of, registered_from, as_of],
    )
    # Whole days from a stay's start to its end (the day it moved on, or `as_of` while it lasts).
    end = "CASE WHEN left_on <= %s THEN left_on ELSE %s END"
    if connection.vendor == "sqlite":
        days = f"julianday({end}) - julianday(moved_on)"
    else:
        days = f"({end})::date - moved_on"
    stays = _run(
        f"""
        SELECT to_stage, left_on <= %s, COUNT(*), SUM({days}) FROM projects_stagemove
        WHERE moved_on <= %s GROUP BY 1, 2
        """,  # nosec B608 # noqa: S608  constants only
        [as_of, as_of, as_of, as_of],
    )

    def run() -> None:
        funnel()
        stays()

    return run
