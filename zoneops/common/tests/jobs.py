"""Work for the background-job tests, and the worker loop run in the test's own process."""

import contextlib
from typing import Any
from unittest import mock

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_noop
from django_tasks_db.management.commands.db_worker import Worker

from zoneops.common.exceptions import ApplicationError
from zoneops.common.job_services import JobOutcome, job_progress, job_work

COUNT_TITLE = gettext_noop("数到%(count)s")
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@job_work
def count_to(*, job, count: int, fail: str = "") -> JobOutcome:
    job_progress(stage="数数", total=count)
    for number in range(1, count + 1):
        job_progress(done=number)
        if fail == "refused" and number == 2:
            raise ApplicationError("数到2时被拒绝。", field="count")
        if fail == "crash" and number == 2:
            raise ZeroDivisionError("division by zero")
    return JobOutcome(
        message=f"数到了{count}。", file_name="数.txt", file_content=b"1 2 3", data={"n": count}
    )


def not_marked(*, job) -> JobOutcome:  # pragma: no cover - never run
    return JobOutcome()


def run_worker(worker_id: str = "test-worker") -> None:
    """Drain the queue in this process: django-tasks-db's own worker loop, in batch mode."""
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    keep: Any = contextlib.nullcontext()
    if connection.in_atomic_block:
        # Inside the test's transaction the loop keeps its connection: recycling it (as the
        # worker does between jobs) would close the transaction the test's records are in
        # (SQLite's in-memory database is never closed, PostgreSQL's connection is).
        keep = mock.patch(
            "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
        )
    with keep:
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        ).run()


# Each run of `record_run`, by job: the two-worker test counts them (the threads share this).
RUNS: dict[int, list[str]] = {}


@job_work
def record_run(*, job) -> JobOutcome:
    import threading
    import time

    RUNS.setdefault(job.pk, []).append(threading.current_thread().name)
    time.sleep(0.02)  # long enough for the other worker to claim the next job meanwhile
    return JobOutcome()
