"""`zoneops worker`: runs the background jobs (imports, exports, briefings, recomputations).

django-tasks-db's worker (`db_worker`) with the queues of the settings (ZONEOPS_TASK_QUEUES),
a heartbeat every ZONEOPS_WORKER_BEAT_SECONDS that the readiness check reads
(`job_selectors.worker_last_seen`) and that keeps the running job alive, and the jobs left
running by a worker that died marked interrupted. Several workers may share the queue on
PostgreSQL: each claims a job with SELECT ... FOR UPDATE SKIP LOCKED, so no job runs twice;
on SQLite a claim takes the database's one write lock.
"""

import contextlib
import logging
import threading
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from zoneops.common.job_services import jobs_interrupt_stale, worker_beat, worker_gone


class Heartbeat:
    """A thread writing the worker's heartbeat, on a connection of its own."""

    def __init__(self, *, worker_id: str, queues: str, every: float) -> None:
        self.worker_id = worker_id
        self.queues = queues
        self.every = every
        self.started_at = timezone.now()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="zoneops-heartbeat", daemon=True)

    def start(self) -> None:
        self.beat()
        self.thread.start()

    def beat(self) -> None:
        try:
            worker_beat(worker_id=self.worker_id, queues=self.queues, started_at=self.started_at)
        except Exception:  # a busy database skips one beat, not the worker
            logging.getLogger(__name__).warning("Heartbeat not written", exc_info=True)

    def _run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                self.beat()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=self.every + 5)


class Command(DbWorkerCommand):
    help = (
        "运行后台任务（导入、导出、简报、重新计算期限）。"
        "Run the background jobs: django-tasks-db's worker on the configured queues, "
        "with a heartbeat for the readiness check."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(
            queue_name=",".join(settings.TASK_QUEUES),
            reload=False,
            worker_id=get_random_string(32),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        jobs_interrupt_stale()
        heartbeat = Heartbeat(
            worker_id=options["worker_id"],
            queues=options["queue_name"],
            every=settings.ZONEOPS_WORKER_BEAT_SECONDS,
        )
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
            # The database may have gone with the worker: its beat then just ages.
            with contextlib.suppress(Exception):
                worker_gone(worker_id=options["worker_id"])
