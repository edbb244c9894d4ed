"""Background jobs: long work a user starts from a page and follows with a progress bar.

- `job_work` marks a function as work a job may run: `work(*, job, **params) -> JobOutcome`.
  Only marked functions are run, whatever a job's row says.
- `job_start` records the job and, once the transaction commits, enqueues the django-tasks task
  (`job_task`) that runs it; `zoneops worker` takes it from the queue.
- Inside the work, `job_progress(done=..., total=..., stage=...)` tells how far it is. It is
  cheap: a write at most once per ZONEOPS_JOB_PROGRESS_SECONDS, and a no-op outside a job, so
  the same code runs synchronously too.
- The work's outcome (a message, a link, a stored file, data for the page) or its error is
  kept on the job: an ApplicationError's or ValidationError's message as it is, anything else
  as a general message while the log keeps the traceback.
- A job whose worker died stays "running" with no sign of life: after ZONEOPS_JOB_STALE_SECONDS
  without progress or heartbeat it is shown as interrupted, and the next worker to start (or
  any worker's heartbeat) marks it so (`jobs_interrupt_stale`) — at once when the job's
  process (`runner`, host:pid) was on the same host and is gone. Work that writes all or
  nothing and may run twice (`job_work(rerun=True)`: the deadlines' recomputation) is then
  started again; any other work is left for its user to start again. Its task's row in
  django-tasks-db's queue, left "running" by the dead worker, is marked failed with it.
- A finished job's file (an export, a briefing) is kept for JOB_FILES_KEPT; then it is
  dropped and the job stays, as the record of who ran what. The queue's rows of tasks
  finished that long ago are deleted (`jobs_expire`, run whenever a job starts).
"""

import contextvars
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from zoneops.common.exceptions import ApplicationError
from zoneops.common.files import delete_on_commit, original_name
from zoneops.common.job_selectors import workers_needed
from zoneops.common.models import BackgroundJob, WorkerBeat

logger = logging.getLogger(__name__)

WORK_MARK = "_zoneops_job_work"
RERUN_MARK = "_zoneops_job_rerun"

Work = Callable[..., "JobOutcome"]

# How long a finished job's file stays to download (and the queue keeps its task's row).
JOB_FILES_KEPT = timedelta(days=7)


def job_work(function: Work | None = None, *, rerun: bool = False) -> Any:
    """Mark `function` as work a background job may run (`@job_work`). `@job_work(rerun=True)`
    marks work that writes all or nothing and may run twice (a recomputation): a job of it
    whose worker died is started again (`jobs_interrupt_stale`), not left for a user to notice.
    """

    def mark(function: Work) -> Work:
        setattr(function, WORK_MARK, True)
        setattr(function, RERUN_MARK, rerun)
        return function

    return mark(function) if function is not None else mark


@dataclass
class JobOutcome:
    """What a job's work leaves for the user: a message, where to read more (`link`), a file
    (`file_name` and `file_content`, bytes or an open file) and data for the page that started
    it (`data`, JSON)."""

    message: str = ""
    link: str = ""
    file_name: str = ""
    file_content: bytes | Any = None
    data: dict[str, Any] = field(default_factory=dict)


def _work_path(work: Callable[..., Any]) -> str:
    if not getattr(work, WORK_MARK, False):
        raise ValueError(f"{work!r} is not marked with job_work")
    return f"{work.__module__}.{work.__qualname__}"


def job_start(
    *,
    work: Callable[..., JobOutcome],
    title: str,
    title_args: dict[str, Any] | None = None,
    by: Any,
    params: dict[str, Any] | None = None,
    total: int | None = None,
    stage: str = "",
    run_after: datetime | None = None,
) -> BackgroundJob:
    """Record a job for `work(job=..., **params)` and enqueue it once the transaction commits
    (to be run no sooner than `run_after`, where the backend can wait). `title` is the Chinese
    source text (marked with gettext_noop), shown in each reader's language with `title_args`."""
    jobs_expire(before=timezone.now() - JOB_FILES_KEPT)
    job = BackgroundJob.objects.create(
        work=_work_path(work),
        params=params or {},
        title=str(title),
        title_args=title_args or {},
        language=translation.get_language() or settings.LANGUAGE_CODE,
        started_by=by if getattr(by, "pk", None) else None,
        total=total,
        stage=stage or _("等待后台处理"),
    )
    pk = job.pk
    transaction.on_commit(lambda: _enqueue(job_task, pk, run_after=run_after))
    return job


def _enqueue(task: Any, pk: int, *, run_after: datetime | None = None) -> None:
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    result = task.enqueue(job_id=pk)
    # The immediate backend (tests) has run the job already; the database one has queued it.
    BackgroundJob.objects.filter(pk=pk, task_id="").update(task_id=str(result.id)[:64])


# --- Running ------------------------------------------------------------------------------


class _Reporter:
    """The running job's progress, written at most once per interval."""

    def __init__(self, job: BackgroundJob) -> None:
        self.job_id = job.pk
        self.interval = settings.ZONEOPS_JOB_PROGRESS_SECONDS
        self.last = 0.0
        self.values: dict[str, Any] = {}
        # The transactions open when the work began (a test's): writes within them are seen.
        self.depth = len(connection.atomic_blocks)

    def report(self, *, done: int | None, total: int | None, stage: str | None) -> None:
        # A new stage or total is written at once; counts at most once per interval.
        news = (stage is not None and stage[:200] != self.values.get("stage")) or (
            total is not None and total != self.values.get("total")
        )
        if done is not None:
            self.values["done"] = done
        if total is not None:
            self.values["total"] = total
        if stage is not None:
            self.values["stage"] = stage[:200]
        now = time.monotonic()
        if not news and now - self.last < self.interval:
            return
        self.last = now
        self._write({**self.values, "beat_at": timezone.now()})

    def flush(self) -> None:
        """What was reported since the last write, written (the work is over)."""
        if self.values:
            self._write(dict(self.values))

    def _write(self, values: dict[str, Any]) -> None:
        update = BackgroundJob.objects.filter(pk=self.job_id, status=BackgroundJob.Status.RUNNING)
        if len(connection.atomic_blocks) <= self.depth:
            update.update(**values)
        elif connection.vendor == "postgresql":
            # Inside the work's own transaction (an import's confirmation) the progress goes
            # through a connection of its own, so the page sees it before the work commits.
            _write_apart(lambda: update.update(**values))
        # On SQLite the work's transaction is the one writer: the stage written before it
        # stays until it ends.


def _write_apart(write: Callable[[], Any]) -> None:
    def run() -> None:
        try:
            write()
        except Exception:  # progress is worth no failure of the work
            logger.warning("A job's progress could not be written", exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=5)


_reporter: contextvars.ContextVar[_Reporter | None] = contextvars.ContextVar(
    "zoneops_job_reporter", default=None
)


def job_progress(
    *, done: int | None = None, total: int | None = None, stage: str | None = None
) -> None:
    """How far the running job is: `done` of `total` (rows, records, steps) and a short
    `stage` text. A stage that changes is written at once, counts at most once per
    ZONEOPS_JOB_PROGRESS_SECONDS; outside a job nothing happens."""
    reporter = _reporter.get()
    if reporter is not None:
        reporter.report(done=done, total=total, stage=stage)


def in_job() -> bool:
    """Whether the code runs as a background job's work."""
    return _reporter.get() is not None


@contextmanager
def _reporting(job: BackgroundJob) -> Iterator[None]:
    token = _reporter.set(_Reporter(job))
    try:
        yield
    finally:
        _reporter.reset(token)


# The job this process runs now, for its worker's heartbeat (a worker runs one at a time).
running_job_id: int | None = None


def job_run(*, job_id: int) -> str:
    """Run a queued job's work and keep its outcome or its error; the task's body. A job that
    is not queued any more (run already, interrupted) is left alone: a job runs once."""
    global running_job_id
    now = timezone.now()
    claimed = BackgroundJob.objects.filter(pk=job_id, status=BackgroundJob.Status.QUEUED).update(
        status=BackgroundJob.Status.RUNNING, started_at=now, beat_at=now, runner=this_process()
    )
    if not claimed:
        return "skipped"
    job = BackgroundJob.objects.get(pk=job_id)
    running_job_id = job.pk
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE), _reporting(job):
            try:
                work = import_string(job.work)
                if not getattr(work, WORK_MARK, False):
                    raise ValueError(f"{job.work} is not marked with job_work")
                outcome = work(job=job, **job.params)
                reporter = _reporter.get()
                if reporter is not None:
                    reporter.flush()
                job_finish(job=job, outcome=outcome or JobOutcome())
            except ApplicationError as error:
                job_fail(job=job, message=error.message)
                return "failed"
            except ValidationError as error:
                job_fail(job=job, message="；".join(error.messages))
                return "failed"
            except Exception:
                logger.exception("Background job %s (%s) failed", job.pk, job.work)
                job_fail(
                    job=job,
                    message=_(
                        "后台处理出错，未能完成。已记录错误详情，请稍后重试或联系系统管理员。"
                    ),
                )
                raise
            return "succeeded"
    finally:
        running_job_id = None


def job_finish(*, job: BackgroundJob, outcome: JobOutcome) -> BackgroundJob:
    """Keep the work's outcome; the job is done."""
    job.refresh_from_db(fields=["done", "total", "stage"])  # as the work reported them
    job.status = BackgroundJob.Status.SUCCEEDED
    job.message = outcome.message
    job.link = outcome.link
    job.data = outcome.data
    if outcome.file_name:
        content = outcome.file_content
        stored = ContentFile(content) if isinstance(content, bytes) else File(content)
        job.filename = original_name(outcome.file_name)
        try:
            job.file.save(outcome.file_name, stored, save=False)
        finally:
            stored.close()  # a temporary file (a large export) goes once it is stored
    if job.total is not None:
        job.done = job.total
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "message",
            "link",
            "data",
            "file",
            "filename",
            "done",
            "finished_at",
        ]
    )
    return job


def job_fail(*, job: BackgroundJob, message: str) -> BackgroundJob:
    """Keep the error for the user; the job is over."""
    job.status = BackgroundJob.Status.FAILED
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])
    return job


def this_process() -> str:
    """This process, as a job's `runner` names it: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"[:255]


def _gone_here() -> list[int]:
    """The running jobs whose process was on this host and is gone (killed, crashed)."""
    host = socket.gethostname()
    gone = []
    running = BackgroundJob.objects.filter(
        status=BackgroundJob.Status.RUNNING, runner__startswith=f"{host}:"
    ).values_list("pk", "runner")
    for pk, runner in running:
        pid = runner[len(host) + 1 :]
        if pid.isdigit() and not _alive(int(pid)):
            gone.append(pk)
    return gone


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # no signal sent: whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # another user's process (a reused number): alive as far as we know
        return True
    return True


def jobs_interrupt_stale(*, now: datetime | None = None) -> int:
    """Running jobs whose worker died or was stopped hard are marked interrupted, with a
    message saying so: those with no sign of life for ZONEOPS_JOB_STALE_SECONDS, and at once
    those whose process was on this host and is gone. How many."""
    now = now or timezone.now()
    before = now - timedelta(seconds=settings.ZONEOPS_JOB_STALE_SECONDS)
    dead = Q(beat_at__lt=before)
    if gone := _gone_here():
        dead |= Q(pk__in=gone)
    running = BackgroundJob.Status.RUNNING
    interrupted = 0
    for job in BackgroundJob.objects.filter(dead, status=running).order_by("pk"):
        # One by one: of two workers finding the same dead job, one marks it (and reruns it).
        marked = BackgroundJob.objects.filter(pk=job.pk, status=running).update(
            status=BackgroundJob.Status.INTERRUPTED,
            finished_at=now,
            message=interrupted_message(),
        )
        interrupted += marked
        if marked:
            _task_interrupted(job.task_id, now=now)
            _rerun(job)
    return interrupted


def _task_interrupted(task_id: str, *, now: datetime) -> None:
    """The queue's row of a job's task its dead worker left "running": failed, saying why."""
    if not task_id or not workers_needed():
        return
    try:
        uuid.UUID(task_id)
    except ValueError:  # not one of the database queue's ids
        return
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="zoneops.common.job_services.Interrupted",
        traceback=interrupted_message(),
    )


def jobs_expire(*, before: datetime) -> int:
    """Drop the files of jobs finished before `before` (the jobs stay, without a file to
    download) and delete the queue's rows of tasks finished before it. How many files."""
    stale = BackgroundJob.objects.filter(finished_at__lt=before).exclude(file="")
    dropped = list(stale.values_list("pk", "file"))
    if dropped:
        BackgroundJob.objects.filter(pk__in=[pk for pk, _name in dropped]).update(file="")
        delete_on_commit(
            BackgroundJob._meta.get_field("file").storage,  # type: ignore[attr-defined]
            [name for _pk, name in dropped],
        )
    if workers_needed():
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
    return len(dropped)


def _rerun(job: BackgroundJob) -> None:
    """A dead job of work marked `rerun`, started again as it was started."""
    try:
        work = import_string(job.work)
    except ImportError:
        return
    if getattr(work, WORK_MARK, False) and getattr(work, RERUN_MARK, False):
        job_start(
            work=work,
            title=job.title,
            title_args=job.title_args,
            by=job.started_by,
            params=job.params,
            total=job.total,
        )


def interrupted_message() -> str:
    return _("后台处理中断（处理它的后台进程已停止），结果未保存。请重新发起。")


def worker_beat(*, worker_id: str, queues: str, started_at: datetime) -> None:
    """A worker's heartbeat: its row's time, and its running job's sign of life."""
    now = timezone.now()
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:200],
            "pid": os.getpid(),
            "queues": queues[:200],
            "started_at": started_at,
            "last_seen": now,
        },
    )
    if running_job_id is not None:
        BackgroundJob.objects.filter(pk=running_job_id, status=BackgroundJob.Status.RUNNING).update(
            beat_at=now
        )
    jobs_interrupt_stale(now=now)


def worker_gone(*, worker_id: str) -> None:
    """A worker stopped cleanly: its heartbeat row goes."""
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


@task()
def job_task(job_id: int) -> str:
    """The django-tasks task of a job (what `job_start` enqueues and a worker runs)."""
    return job_run(job_id=job_id)
