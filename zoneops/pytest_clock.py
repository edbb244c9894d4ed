"""The test clock: `ZONEOPS_TEST_TODAY=2026-12-31 uv run pytest` runs the suite on that day.

The clock starts at 07:30 Beijing time on that day — when the UTC date is still the day before,
so a date taken in UTC instead of local time shows — and ticks. A full time also works
(`2026-12-31T23:50`, Beijing time unless it carries an offset). Every process, each
pytest-xdist worker too, travels when it configures, so the collection, the database set-up and
every fixture see that day; the clock then runs on (never back: a row written at set-up must not
come from the future). A test that freezes its own clock (`time_machine.travel`, the
`time_machine` fixture) travels on top of it and comes back.

A pytest plugin (`-p zoneops.pytest_clock` in pyproject's addopts), kept free of Django so that
its own test can run it in a bare pytest.
"""

import os
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

TEST_TODAY = "ZONEOPS_TEST_TODAY"
BEIJING = ZoneInfo("Asia/Shanghai")
TIME_OF_DAY = time(7, 30)


def clock_start(value: str) -> datetime:
    """The instant a `ZONEOPS_TEST_TODAY` value names."""
    try:
        return datetime.combine(date.fromisoformat(value), TIME_OF_DAY, tzinfo=BEIJING)
    except ValueError:
        pass
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(
            f"{TEST_TODAY}={value!r} is neither a date (2026-12-31) nor a time (2026-12-31T23:50)"
        ) from None
    return start if start.tzinfo is not None else start.replace(tzinfo=BEIJING)


def configured_start() -> datetime | None:
    value = os.environ.get(TEST_TODAY, "").strip()
    return clock_start(value) if value else None


_process_travel: time_machine.travel | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _process_travel
    start = configured_start()
    if start is not None and _process_travel is None:
        _process_travel = time_machine.travel(start, tick=True)
        _process_travel.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _process_travel
    if _process_travel is not None:
        _process_travel.stop()
        _process_travel = None


def pytest_report_header(config: pytest.Config) -> str | None:
    start = configured_start()
    return f"{TEST_TODAY}: the clock starts at {start.isoformat()}" if start else None


def frozen_on(day: date, at: time = time(10)) -> Any:
    """An autouse fixture holding the clock still at `at` on `day`, Beijing time, for each test
    of the module (or conftest) that assigns it: `_frozen = frozen_on(TODAY)`."""

    @pytest.fixture(autouse=True)
    def _frozen() -> Iterator[None]:
        with time_machine.travel(datetime.combine(day, at, tzinfo=BEIJING), tick=False):
            yield

    return _frozen
