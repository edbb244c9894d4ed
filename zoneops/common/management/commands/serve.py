"""`zoneops serve`: run ZoneOps in production on waitress (pure Python, Windows and Linux).

Static files are collected first and served by WhiteNoise from the same process, so nothing
else is needed in front; a reverse proxy for HTTPS is still the usual deployment. Logs are JSON
lines unless ZONEOPS_LOG_FORMAT=text (zoneops.cli sets the default).

Worker threads: waitress serves each request on one of a fixed pool of threads. A request spends
most of its time waiting on the database, so the default is four threads per CPU core the process
may use, at least 4 and at most 32 (ZONEOPS_THREADS or --threads to choose); mind that each
thread may hold a database connection.
"""

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from zoneops.config.env import env_int, env_str


def serve_wsgi(*, host: str, port: int, threads: int, stdout: OutputWrapper) -> None:
    """Serve the project's WSGI application until Ctrl-C (waitress stops cleanly on it)."""
    from waitress import serve

    try:
        # The proxy's headers are handled here, inside the request id's gate
        # (wsgi_application), not a second time by waitress.
        serve(
            wsgi_application(),
            host=host,
            port=port,
            threads=threads,
            ident="ZoneOps",
            clear_untrusted_proxy_headers=False,
        )
    except OSError as error:  # the port is taken, or the address is not this machine's
        raise CommandError(f"无法监听 / cannot listen on {host}:{port}: {error}") from error
    stdout.write("已停止 / stopped.")


def wsgi_application() -> Any:
    """The project's WSGI application behind waitress's proxy-header handling, and outside
    both the gate that keeps X-Request-ID from the trusted proxy only (it must see the real peer,
    before X-Forwarded-For replaces REMOTE_ADDR)."""
    from waitress.proxy_headers import proxy_headers_middleware

    from zoneops.common.requestlog import trusted_request_id
    from zoneops.config.wsgi import application

    behind = proxy_headers_middleware(application, clear_untrusted=True, **proxy_options())
    return trusted_request_id(behind, settings.ZONEOPS_TRUSTED_PROXY)


def default_threads() -> int:
    """Four threads per usable CPU core, between 4 and 32."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(32, max(4, 4 * cores))


def proxy_options() -> dict[str, Any]:
    """waitress's trust in the reverse proxy (settings.ZONEOPS_TRUSTED_PROXY): from that peer
    alone, X-Forwarded-Proto becomes the request's scheme and X-Forwarded-For its REMOTE_ADDR;
    waitress drops every X-Forwarded-* header (and Forwarded) that another peer sends."""
    if not settings.ZONEOPS_TRUSTED_PROXY:
        return {}
    return {
        "trusted_proxy": settings.ZONEOPS_TRUSTED_PROXY,
        "trusted_proxy_count": settings.ZONEOPS_TRUSTED_PROXY_COUNT,
        "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for"},
    }


class Command(BaseCommand):
    help = (
        "以生产方式运行 ZoneOps(waitress)。Serve ZoneOps in production with waitress: "
        "collects static files, migrates with --migrate, then serves until stopped."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--host",
            default=env_str("ZONEOPS_HOST") or "127.0.0.1",
            help="监听地址 / address to listen on (ZONEOPS_HOST, default 127.0.0.1; "
            "0.0.0.0 for every interface).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=env_int("ZONEOPS_PORT", 8000),
            help="端口 / port (ZONEOPS_PORT, default 8000).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=env_int("ZONEOPS_THREADS", default_threads()),
            help="工作线程数 / worker threads (ZONEOPS_THREADS; default four per CPU core, "
            "4 to 32: here %(default)s).",
        )
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="先执行数据库迁移 / apply database migrations before serving.",
        )

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        if settings.DEBUG:
            self.stderr.write(
                "警告：DEBUG 已开启，不应用于生产环境。"
                "Warning: DEBUG is on; do not serve production with it (set DEBUG=false)."
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            f"ZoneOps 正在运行 / serving on http://{_url_host(host)}:{port}/ "
            f"({threads} threads) — Ctrl-C 停止 / to stop"
        )
        serve_wsgi(host=host, port=port, threads=threads, stdout=self.stdout)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
