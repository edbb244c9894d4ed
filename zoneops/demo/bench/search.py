"""`zoneops bench search`: time the one search box (全局搜索) on the configured database.

A benchmark, not a test. It runs N queries of each sort — one, two, three and four-plus
characters cut from the stored names and titles, whole enterprise names, whole and partial
credit codes — through `search.selectors.search` as a zone-wide user (scope, permissions and
every declared kind included) and prints the median of each sort in ms, beside the floor
measured in the same run on the same queries: a plain LIKE scan of the same tables and columns,
newest first, 21 rows per table, no framework, no scope.

With `--fill` it first tops each kind up to the large zone's count (DESIGN.md's Scale: 80,000
enterprises, 30,000 projects, 200,000 requests, 500,000 cases, 300,000 tasks; `--fraction`
scales them) with synthetic rows copied from a stored row of the kind with new names, titles
and codes, written with plain SQL (the index follows through its triggers, as it does for the
bulk writer), and removes them afterwards unless --keep.
"""

import random
import statistics
import string
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction

from zoneops.demo.bench.pages import DEFAULT_USER

# The large zone (DESIGN.md, Scale), per searchable kind.
LARGE = {
    "enterprises.enterprise": 80_000,
    "projects.project": 30_000,
    "enterprises.enterpriserequest": 200_000,
    "approvals.case": 500_000,
    "supervision.supervisiontask": 300_000,
}
PLACES = "沧州渤海黄骅任丘泊头河间青县东光海兴盐山肃宁南皮吴桥献县孟村运河新华临港中捷"
WORDS = [
    "华信",
    "金泰",
    "恒达",
    "宏远",
    "博瑞",
    "瑞丰",
    "鑫源",
    "天成",
    "中润",
    "海通",
    "东方",
    "永安",
    "盛世",
    "德利",
    "嘉诚",
    "龙腾",
    "锦程",
    "凯旋",
    "明阳",
    "众合",
    "华晟",
    "北辰",
    "万象",
    "康泰",
    "泓德",
    "汇通",
    "新元",
    "联创",
    "智远",
    "启航",
]
TRADES = [
    "智能科技",
    "新材料",
    "精细化工",
    "汽车零部件",
    "生物医药",
    "现代物流",
    "装备制造",
    "电子信息",
    "新能源",
    "食品加工",
    "纺织服装",
    "环保科技",
    "管道装备",
    "钢结构",
    "船舶配套",
    "数据服务",
    "光伏组件",
    "包装材料",
]
SUFFIXES = ("有限公司", "股份有限公司", "集团有限公司", "有限责任公司", "项目", "产业园")
ISSUES = [
    "用电增容",
    "用地指标",
    "环评审批",
    "融资需求",
    "人才公寓",
    "通勤班车",
    "蒸汽管网",
    "污水接入",
    "道路施工",
    "招工用工",
    "出口退税",
    "消防验收",
    "规划许可",
    "燃气接入",
    "网络专线",
    "物流通道",
]
ALNUM = string.digits + "ABCDEFGHJKLMNPQRTUWXY"


def add_arguments(target: CommandParser) -> None:
    target.add_argument("--queries", type=int, default=20, help="每类查询的次数（默认 20）")
    target.add_argument(
        "--user", help="以该用户名搜索（默认：演示区全区账号 director，没有时第一个超级用户）"
    )
    target.add_argument(
        "--fill", action="store_true", help="先把各类记录补足到大型开发区的数量（合成数据）"
    )
    target.add_argument(
        "--fraction", type=float, default=1.0, help="--fill 补足到大型开发区数量的几分之几"
    )
    target.add_argument("--keep", action="store_true", help="保留 --fill 写入的记录（默认删除）")
    target.add_argument("--seed", type=int, default=12, help="随机种子（默认 12）")


class Run:
    """One run of the search benchmark, writing to the command's output."""

    def __init__(self, command: BaseCommand) -> None:
        self.stdout, self.style = command.stdout, command.style

    def __call__(self, **options: Any) -> None:
        from zoneops.search.kinds import search_kinds

        user = _user(options["user"])
        rng = random.Random(options["seed"])  # noqa: S311  sample data, not secrets
        kinds = search_kinds()
        added: dict[str, int] = {}
        if options["fill"]:
            for kind in kinds:
                wanted = int(LARGE.get(kind.key, 0) * options["fraction"])
                started = time.perf_counter()
                added[kind.key] = _fill(kind, wanted, rng)
                if added[kind.key]:
                    self.stdout.write(
                        f"补足 {kind.label}：{added[kind.key]} 条，"
                        f"{time.perf_counter() - started:.1f} s（不计入）"
                    )
        try:
            self._measure(kinds, user, rng, options["queries"])
        finally:
            if added and not options["keep"]:
                started = time.perf_counter()
                for kind in kinds:
                    _remove(kind, added.get(kind.key, 0))
                self.stdout.write(f"已删除基准测试数据（{time.perf_counter() - started:.1f} s）。")

    def _measure(self, kinds: Any, user: Any, rng: random.Random, per_sort: int) -> None:
        from zoneops.search.selectors import search

        counts = {kind.key: kind.model._base_manager.count() for kind in kinds}
        self.stdout.write(
            f"数据库：{connection.vendor} {connection.settings_dict.get('NAME')}；搜索人：{user}；"
            + "，".join(f"{kind.label} {counts[kind.key]}" for kind in kinds)
        )
        sorts = _queries(kinds, rng, per_sort)
        search(user=user, text="预热")  # the user's scope and permissions, once per request
        all_search, all_floor = [], []
        self.stdout.write(f"{'查询':<10}{'次数':>6}{'搜索中位数':>12}{'下限中位数':>12}{'比值':>8}")
        for sort, queries in sorts.items():
            if not queries:
                continue
            timed = [_time(search, user=user, text=q) for q in queries]
            floors = [_time(_floor, kinds, q) for q in queries]
            all_search += timed
            all_floor += floors
            self._line(sort, len(queries), timed, floors)
        self._line("全部", len(all_search), all_search, all_floor)

    def _line(self, sort: str, count: int, timed: list[float], floors: list[float]) -> None:
        median, floor = statistics.median(timed), statistics.median(floors)
        ratio = median / floor if floor else float("nan")
        self.stdout.write(f"{sort:<10}{count:>6}{median:>10.1f} ms{floor:>10.1f} ms{ratio:>8.2f}")


def _time(call: Callable[..., Any], *args: Any, **kwargs: Any) -> float:
    started = time.perf_counter()
    call(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def _user(username: str | None) -> Any:
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(username=username).first() if username else None
    if username and user is None:
        raise CommandError(f"没有用户 {username}。")
    user = (
        user
        or users.filter(username=DEFAULT_USER).first()
        or users.filter(is_superuser=True).order_by("pk").first()
    )
    if user is None:
        raise CommandError(f"没有用户 {DEFAULT_USER}，也没有超级用户：请用 --user 指定搜索人。")
    return user


def _floor(kinds: Any, text: str) -> None:
    """The same words by a plain LIKE scan of each kind's columns: no index, no scope."""
    terms = text.split()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for kind in kinds:
            each = "(" + " OR ".join(f"{quote(c)} LIKE %s" for c in kind.columns) + ")"
            where = " AND ".join([each] * len(terms))
            params = [f"%{term}%" for term in terms for _c in kind.columns]
            cursor.execute(
                f"SELECT {quote(kind.pk_column)} FROM {quote(kind.table)} WHERE {where} "  # nosec B608 # noqa: S608  names from the models
                f"ORDER BY {quote(kind.pk_column)} DESC LIMIT 21",
                params,
            )
            cursor.fetchall()


def _queries(kinds: Any, rng: random.Random, per_sort: int) -> dict[str, list[str]]:
    """Queries cut from the stored texts: each sort a list of `per_sort`."""
    texts: list[str] = []
    names: list[str] = []
    codes: list[str] = []
    for kind in kinds:
        manager = kind.model._base_manager
        # Between the first and the last id: on PostgreSQL ids need not start at 1.
        ends = manager.aggregate(first=models.Min("pk"), last=models.Max("pk"))
        first, last = ends["first"], ends["last"]
        ids = [rng.randint(first, last) for _i in range(per_sort * 4)] if last else []
        for row in manager.filter(pk__in=ids).values(*kind.fields):
            for name, value in row.items():
                if not value:
                    continue
                value = str(value).splitlines()[0]
                if name == "credit_code":
                    codes.append(value)
                elif name == "name" and kind.key == "enterprises.enterprise":
                    names.append(value)
                if name not in ("credit_code", "code") and len(value) >= 4:
                    texts.append(value)

    def cut(length: Callable[[], int]) -> list[str]:
        out = []
        for text in rng.sample(texts, min(per_sort, len(texts))):
            size = min(length(), len(text))
            start = rng.randint(0, len(text) - size)
            out.append(text[start : start + size].strip() or text)
        return out

    return {
        "1 字": cut(lambda: 1),
        "2 字": cut(lambda: 2),
        "3 字": cut(lambda: 3),
        "4+ 字": cut(lambda: rng.randint(4, 8)),
        "企业全名": rng.sample(names, min(per_sort, len(names))),
        "信用代码": rng.sample(codes, min(per_sort, len(codes))),
        "代码片段": [code[4:12] for code in rng.sample(codes, min(per_sort, len(codes)))],
    }


def _text(kind_key: str, field: str, n: int, rng: random.Random) -> Any:
    if field == "credit_code":
        return "".join(rng.choice(ALNUM) for _i in range(17)) + ALNUM[n % len(ALNUM)]
    if field == "code":
        return f"BENCH{n:09d}"
    place = PLACES[rng.randrange(0, len(PLACES), 2) :][:2]
    if field == "former_names":
        return f"{place}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司" if n % 5 == 0 else ""
    if field in ("title",):
        ending = rng.choice(("问题", "需求", "推进", "协调"))
        return f"{place}{rng.choice(WORDS)}{rng.choice(ISSUES)}{ending}"
    if field in ("applicant_name", "investor_name"):
        return f"{rng.choice(WORDS)}{rng.choice(TRADES)}{n}"
    return f"{place}{rng.choice(WORDS)}{rng.choice(TRADES)}{n}{rng.choice(SUFFIXES)}"


def _fill(kind: Any, wanted: int, rng: random.Random) -> int:
    """Insert synthetic rows of `kind` up to `wanted`, copied from its newest stored row."""
    manager = kind.model._base_manager
    missing = wanted - manager.count()
    template = manager.order_by("-pk").values().first()
    if missing <= 0 or template is None:
        return 0
    fields = [f for f in kind.model._meta.concrete_fields if not f.primary_key]
    for field in fields:
        if field.unique and field.name not in kind.fields:
            if not field.null:
                return 0  # a unique value we cannot make up: leave the kind as it is
            template[field.attname] = None
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(kind.table)} ({', '.join(quote(f.column) for f in fields)}) "  # nosec B608 # noqa: S608  names from the model
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    start = (manager.aggregate(last=models.Max("pk"))["last"] or 0) + 1
    with transaction.atomic(), connection.cursor() as cursor:
        for offset in range(0, missing, 5000):
            rows = []
            for n in range(start + offset, start + min(missing, offset + 5000)):
                values = dict(template)
                for name in kind.fields:
                    values[kind.model._meta.get_field(name).attname] = _text(kind.key, name, n, rng)
                rows.append([f.get_db_prep_save(values[f.attname], connection) for f in fields])
            cursor.executemany(sql, rows)
        if connection.vendor == "postgresql":
            # The planner's statistics as autovacuum would leave them after such a load.
            cursor.execute(f"ANALYZE {quote(kind.table)}")
    return missing


def _remove(kind: Any, added: int) -> None:
    if not added:
        return
    manager = kind.model._base_manager
    last = manager.aggregate(last=models.Max("pk"))["last"] or 0
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(kind.table)} WHERE {quote(kind.pk_column)} > %s",  # nosec B608 # noqa: S608  names from the model
            [last - added],
        )
