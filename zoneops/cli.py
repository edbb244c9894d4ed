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
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except OperationalError as error:
        if "--traceback" in sys.argv:
            raise
        sys.exit(_database_error(error))


def _database_error(error: Exception) -> str:
    """The message for a database the command cannot reach or use (absent, refused, locked):
    which database (never its password) and what it answered, not a traceback."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    from zoneops.config.env import database_described

    where = database_described(settings.DATABASES["default"])
    message = _("数据库 {where} 出错：{error}\n（检查 DATABASE_URL；加 --traceback 可看详细信息）")
    return message.format(where=where, error=str(error).strip())


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
