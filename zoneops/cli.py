"""The `zoneops` command: demo, serve, worker and every Django management command."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneops.config.settings")
    if len(sys.argv) > 1 and sys.argv[1] in ("serve", "worker"):
        # Production processes log JSON lines (zoneops.common.requestlog) unless told otherwise.
        os.environ.setdefault("ZONEOPS_LOG_FORMAT", "json")
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        # The demo runs over plain HTTP; debug pages only when nobody else can reach it.
        os.environ.setdefault("ZONEOPS_HTTPS", "false")
        os.environ.setdefault(
            "DEBUG", "true" if _loopback(_option(sys.argv, "--host")) else "false"
        )
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


def _option(argv: list[str], name: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg == name and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _loopback(host: str | None) -> bool:
    return host is None or host in ("localhost", "::1") or host.startswith("127.")


if __name__ == "__main__":
    main()
