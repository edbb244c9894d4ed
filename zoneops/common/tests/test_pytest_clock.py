"""The test clock (`ZONEOPS_TEST_TODAY`): the whole suite on a chosen day, workers included."""

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pytest

from zoneops.pytest_clock import BEIJING, clock_start

PYTEST = [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:cacheprovider"]
INNER_TESTS = textwrap.dedent(
    """
    import datetime as dt
    import time_machine
    import pytest

    COLLECTED_ON = dt.date.today()

    @pytest.fixture(scope="module")
    def module_day():
        return dt.date.today()

    @pytest.mark.parametrize("n", range(4))
    def test_the_day_everywhere(n, module_day):
        assert COLLECTED_ON == module_day == dt.date.today() == dt.date(2027, 1, 1)
        now = dt.datetime.now(dt.timezone.utc)
        assert now.date() == dt.date(2026, 12, 31)  # 07:30 in Beijing is 23:30 in UTC

    def test_a_test_that_freezes_its_own_clock_travels_on_top():
        with time_machine.travel(dt.datetime(2020, 5, 6, 12, tzinfo=dt.timezone.utc), tick=False):
            assert dt.date.today() == dt.date(2020, 5, 6)
        assert dt.date.today() == dt.date(2027, 1, 1)

    def test_the_time_machine_fixture_too(time_machine):
        time_machine.move_to(dt.datetime(2021, 2, 3, 4, tzinfo=dt.timezone.utc))
        assert dt.date.today() == dt.date(2021, 2, 3)
    """
)


def test_a_date_starts_at_half_past_seven_in_beijing():
    start = clock_start("2026-12-31")

    assert start == datetime(2026, 12, 31, 7, 30, tzinfo=BEIJING)
    assert start.astimezone(UTC).date().day == 30


def test_a_time_is_beijing_time_unless_it_has_an_offset():
    assert clock_start("2027-01-01T23:50") == datetime(2027, 1, 1, 23, 50, tzinfo=BEIJING)
    assert clock_start("2027-01-01T23:50+00:00").utcoffset() == timedelta(0)


def test_a_wrong_value_is_a_usage_error():
    with pytest.raises(pytest.UsageError, match="2026-13-01"):
        clock_start("2026-13-01")


def test_every_xdist_worker_runs_on_the_day_and_a_test_may_travel_on_top(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["ZONEOPS_TEST_TODAY"] = "2027-01-01"

    result = subprocess.run(
        [*PYTEST, "-p", "zoneops.pytest_clock", "-n", "2", "-q", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout
