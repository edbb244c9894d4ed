"""How much memory a piece of work takes, measured honestly: in a forked child process, as the
growth of its resident size (everything: Python's objects, calamine's and XlsxWriter's buffers,
SQLite's cache), from its size when the work began to its peak (Linux: VmHWM, reset first)."""

import json
import os
from collections.abc import Callable
from typing import Any

from django.db import connections


def _status(name: str) -> int:
    """A field of /proc/self/status in bytes (0 where there is none)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(name + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def peak_growth(work: Callable[[], Any]) -> int | None:
    """Bytes by which a forked child grew at most while running `work` (its database work on a
    connection of its own); None where it cannot be measured (no fork or no /proc)."""

    def run() -> None:
        work()  # what it returns stays in the child

    growth, _answer = measured(run)
    return growth


def measured(work: Callable[[], Any]) -> tuple[int | None, Any]:
    """`peak_growth`, and what `work` returned (something JSON holds, e.g. its timings);
    (None, None) where it cannot be measured."""
    if not hasattr(os, "fork") or not _status("VmRSS"):
        return None, None
    connections.close_all()  # the child must not share the parent's database connection
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read)
            try:
                with open("/proc/self/clear_refs", "w") as refs:
                    refs.write("5")  # resets the peak (VmHWM) to the current size
            except OSError:
                pass
            start = _status("VmRSS")
            answer = work()
            growth = _status("VmHWM") - start
            os.write(write, json.dumps([growth, answer]).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = pipe.read()
    _pid, status = os.waitpid(pid, 0)
    if status != 0 or not answer:
        raise RuntimeError("the measured work failed in the child process")
    growth, result = json.loads(answer)
    return int(growth), result


def megabytes(size: int | None) -> str:
    return "—" if size is None else f"{size / 2**20:.0f} MB"
