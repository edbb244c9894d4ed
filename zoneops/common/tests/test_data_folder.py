"""A fresh data folder, as a real `zoneops` process makes it: readable by its owner only."""

import json

import pytest

from zoneops.common.tests.processes import run_zoneops, zoneops_env

# Opens the SQLite database (creating it) and writes, so that SQLite's write-ahead log and
# shared-memory files exist, then reports the modes of what the data folder holds.
PROBE = """
import json
from pathlib import Path
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (x)")
    cursor.execute("INSERT INTO probe VALUES (1)")
    folder = Path(settings.DATA_DIR)
    found = {p.name: p.stat().st_mode & 0o777 for p in [*folder.iterdir()]}
    found["."] = folder.stat().st_mode & 0o777
print(json.dumps(found))
"""


def test_a_fresh_data_folder_and_its_database_are_the_owners_only(tmp_path):
    folder = tmp_path / "nested" / "zoneops"
    env = zoneops_env(folder, SECRET_KEY="")  # no key given: one is generated and kept

    output = run_zoneops(env, "shell", "--no-imports", "-c", PROBE)

    modes = json.loads(output.strip().splitlines()[-1])
    assert modes == {
        ".": 0o700,
        "secret_key": 0o600,
        "zoneops.sqlite3": 0o600,
        "zoneops.sqlite3-wal": 0o600,
        "zoneops.sqlite3-shm": 0o600,
    }


def test_the_test_database_is_in_memory_in_every_worker(db):
    """Under xdist pytest-django gives each worker its own test database, in memory for
    SQLite only when it recognises the engine: ours (zoneops.common.sqlite) made it a file
    test_<path>_gwN in the working directory."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert connection.is_in_memory_db(), connection.settings_dict["NAME"]
