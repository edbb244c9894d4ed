"""The real `zoneops` command in a child process, for what only a real process shows: the
server in front of Django (`zoneops serve`), the files a fresh data folder gets."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

# Only what a shell needs: nothing of pytest's run (PYTEST_VERSION would make the child a test
# run with test settings) and none of this machine's ZoneOps or database settings.
_KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TEMP", "TMP", "SYSTEMROOT")
_SECRET_KEY = "child-process-" + "s" * 20 + "-a-production-like-secret-key-4f7b9c2d1e"


def zoneops_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """A production-like environment (DEBUG off) on its own data folder and SQLite file."""
    env = {name: os.environ[name] for name in _KEPT if name in os.environ}
    env.update(
        DEBUG="false",
        SECRET_KEY=_SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        ZONEOPS_DATA_DIR=str(data_dir),
    )
    env.update(overrides)
    return env


def run_zoneops(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    """Run `zoneops ARGS` to the end (umask 022, as a login shell has it); its output."""
    result = subprocess.run(
        [sys.executable, "-m", "zoneops.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        umask=0o022,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def zoneops_serve(*envs: dict[str, str], timeout: float = 120) -> Iterator[list[int]]:
    """`zoneops serve` once per environment, each on a free loopback port, started side by
    side and stopped when the block ends; yields the ports."""
    started: list[tuple[int, subprocess.Popen, IO[bytes]]] = []
    with ExitStack() as stack:
        for env in envs:
            port = free_port()
            log = stack.enter_context(tempfile.TemporaryFile())  # not a pipe: nobody reads it
            command = ["serve", "--host", "127.0.0.1", "--port", str(port)]
            process = subprocess.Popen(
                [sys.executable, "-m", "zoneops.cli", *command],
                env={**env, "ZONEOPS_THREADS": "2"},
                stdout=log,
                stderr=subprocess.STDOUT,
                umask=0o022,
            )
            stack.callback(process.wait, timeout=10)
            stack.callback(process.kill)
            started.append((port, process, log))
        deadline = time.monotonic() + timeout
        for port, process, log in started:
            while not _listening(port):
                if process.poll() is not None:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    raise AssertionError(f"zoneops serve stopped ({process.returncode}):\n{output}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"zoneops serve did not listen within {timeout}s")
                time.sleep(0.2)
        yield [port for port, _process, _log in started]


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True
