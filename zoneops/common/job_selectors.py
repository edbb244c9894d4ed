"""Reads of the background jobs: a user's own jobs (an administrator's: everyone's), one job
for its page, and when a worker was last seen (the readiness check)."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, QuerySet
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend

from zoneops.common.models import BackgroundJob, WorkerBeat


def jobs_visible_to(*, user: Any) -> QuerySet[BackgroundJob]:
    """The jobs a user may read: his own; a superuser's, every job (a system's too)."""
    jobs = BackgroundJob.objects.select_related("started_by")
    if getattr(user, "is_superuser", False) and user.is_active:
        return jobs
    if not getattr(user, "pk", None):
        return jobs.none()
    return jobs.filter(started_by_id=user.pk)


def job_for(*, user: Any, pk: int) -> BackgroundJob:
    """One job the user may read; BackgroundJob.DoesNotExist (404 at the edge) for any other,
    as for one that does not exist."""
    return jobs_visible_to(user=user).get(pk=pk)


def job_is_stale(job: BackgroundJob, *, now: datetime | None = None) -> bool:
    """A running job with no sign of life for ZONEOPS_JOB_STALE_SECONDS: its worker died."""
    if job.status != BackgroundJob.Status.RUNNING or job.beat_at is None:
        return False
    now = now or timezone.now()
    return job.beat_at < now - timedelta(seconds=settings.ZONEOPS_JOB_STALE_SECONDS)


def workers_needed() -> bool:
    """Whether jobs wait in the database for a worker (the default backend), rather than run
    where they are started (the test suite's ImmediateBackend)."""
    return isinstance(task_backends["default"], DatabaseBackend)


def worker_last_seen() -> datetime | None:
    """When any worker last beat (`zoneops worker`); None when none ever ran here."""
    return WorkerBeat.objects.aggregate(last=Max("last_seen"))["last"]
