"""Django's SQLite backend, but the database file is created readable by its owner only.

SQLite would create it on the first connection with the process's umask (often world
readable); it is created first, empty (an empty file is an empty database), with mode 0600.
SQLite gives its write-ahead log and shared-memory files the database file's mode.
"""

from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base

from zoneops.config.env import private_file


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        name = str(conn_params.get("database", ""))
        if name and not self.is_in_memory_db() and not name.startswith("file:"):
            private_file(Path(name))
        return super().get_new_connection(conn_params)
