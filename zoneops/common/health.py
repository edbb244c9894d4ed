"""`/healthz` (the process answers) and `/readyz` (it can serve: the database answers, every
migration is applied, the cache answers, ...), for load balancers, systemd and monitors.

Both are answered by `HealthCheckMiddleware`, first in the chain: no login, no host check, no
HTTPS redirect (a probe comes over plain HTTP from the proxy or the machine itself), no access
log line. Each readiness check is a function in `READINESS_CHECKS` returning None when all is
well or a short reason; adding a check is adding one line there.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

Check = Callable[[], str | None]

# Once every migration is applied it stays so for the life of the process (new migrations come
# with new code, and new code with a restart): only a process that saw some unapplied looks again.
_migrated = False


def database_reachable() -> str | None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def migrations_applied() -> str | None:
    global _migrated
    if _migrated:
        return None
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return f"{len(plan)} unapplied: " + ", ".join(
            f"{migration.app_label}.{migration.name}" for migration, _backwards in plan[:5]
        )
    _migrated = True
    return None


def cache_reachable() -> str | None:
    """The shared cache (Redis, when REDIS_URL is set) takes and gives back a value."""
    cache.set("zoneops:readyz", "1", timeout=30)
    return None if cache.get("zoneops:readyz") == "1" else "the cache did not keep a value"


def worker_seen_recently() -> str | None:
    """A worker (`zoneops worker`) beat within ZONEOPS_WORKER_SEEN_SECONDS, where jobs wait in
    the database for one; a backend that runs each job where it is started needs none."""
    from zoneops.common.job_selectors import worker_last_seen, workers_needed

    if not workers_needed():
        return None
    seen = worker_last_seen()
    if seen is None:
        return "no worker has run (zoneops worker)"
    ago = (timezone.now() - seen).total_seconds()
    if ago > settings.ZONEOPS_WORKER_SEEN_SECONDS:
        return f"no worker seen for {int(ago)} s (zoneops worker)"
    return None


READINESS_CHECKS: dict[str, Check] = {
    "database": database_reachable,
    "migrations": migrations_applied,
    "cache": cache_reachable,
    "worker": worker_seen_recently,
}


def readiness() -> tuple[bool, dict[str, str]]:
    """Every check's answer ("ok" or its reason); ready when all are ok. A check that fails
    stops the ones after it only when it is the database's (they would all fail the same)."""
    results: dict[str, str] = {}
    for name, check in READINESS_CHECKS.items():
        try:
            problem = check()
        except Exception as error:  # a probe answers 503 with the reason, never a 500
            problem = f"{type(error).__name__}: {error}"[:300]
        results[name] = problem or "ok"
        if problem and name == "database":
            break
    return all(value == "ok" for value in results.values()), results


def healthz() -> HttpResponse:
    return _answer(JsonResponse({"status": "ok"}))


def readyz() -> HttpResponse:
    ready, checks = readiness()
    return _answer(
        JsonResponse(
            {"status": "ok" if ready else "unavailable", "checks": checks},
            status=200 if ready else 503,
        )
    )


def _answer(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


PROBES: dict[str, Callable[[], HttpResponse]] = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe()
        return self.get_response(request)
