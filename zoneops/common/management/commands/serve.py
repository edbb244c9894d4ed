"""`zoneops serve`: run ZoneOps in production on waitress (pure Python, Windows and Linux).

Static files are collected first and served by WhiteNoise from the same process, so nothing
else is needed in front; a reverse proxy for HTTPS is still the usual deployment.
"""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from zoneops.config.env import env_int, env_str


def serve_wsgi(*, host: str, port: int, threads: int, stdout: OutputWrapper) -> None:
    """Serve the project's WSGI application until Ctrl-C (waitress stops cleanly on it)."""
    from waitress import serve

    from zoneops.config.wsgi import application

    try:
        serve(application, host=host, port=port, threads=threads, **proxy_options())
    except OSError as error:  # the port is taken, or the address is not this machine's
        raise CommandError(f"无法监听 / cannot listen on {host}:{port}: {error}") from error
    stdout.write("已停止 / stopped.")


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
        "clear_untrusted_proxy_headers": True,
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
            default=env_int("ZONEOPS_THREADS", 8),
            help="工作线程数 / worker threads (ZONEOPS_THREADS, default 8).",
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
