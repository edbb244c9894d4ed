"""Several workers share one queue on PostgreSQL: each job is taken exactly once."""

import threading

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from zoneops.common.job_services import job_start
from zoneops.common.models import BackgroundJob
from zoneops.common.tests.jobs import DATABASE_TASKS, RUNS, record_run, run_worker

JOBS = 40

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has one writer: one worker at a time"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_workers_drain_one_queue_taking_each_job_once(settings):
    settings.TASKS = DATABASE_TASKS
    RUNS.clear()
    jobs = [job_start(work=record_run, title="x", by=None) for _ in range(JOBS)]  # committed
    assert DBTaskResult.objects.count() == JOBS

    def drain(name: str) -> None:
        try:
            run_worker(worker_id=name)
        finally:
            connection.close()  # the thread's own connection

    workers = [
        threading.Thread(target=drain, args=(f"worker-{n}",), name=f"worker-{n}") for n in (1, 2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert sorted(RUNS) == sorted(job.pk for job in jobs)
    assert all(len(runs) == 1 for runs in RUNS.values()), RUNS
    assert {name for runs in RUNS.values() for name in runs} == {"worker-1", "worker-2"}
    assert set(BackgroundJob.objects.values_list("status", flat=True)) == {"succeeded"}
    for result in DBTaskResult.objects.all():
        assert result.status == "SUCCESSFUL" and len(result.worker_ids) == 1
