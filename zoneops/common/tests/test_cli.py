"""The `zoneops` command in a real process, where a traceback would be what the user sees."""

import subprocess
import sys

from zoneops.common.tests.processes import zoneops_env


def test_a_database_it_cannot_reach_is_named_without_a_traceback_or_password(tmp_path):
    env = zoneops_env(tmp_path, DATABASE_URL="postgres://zone:s3cret-word@127.0.0.1:1/absent_zone")
    result = subprocess.run(
        [sys.executable, "-m", "zoneops.cli", "gen", "--scale", "small"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "数据库 postgresql 127.0.0.1:1/absent_zone 出错" in result.stderr
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert "s3cret-word" not in result.stderr + result.stdout
