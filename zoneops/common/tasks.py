"""The django-tasks task that runs a background job (zoneops.common.job_services); a worker
(`zoneops worker`) takes it from the database queue."""

from django_tasks import task

from zoneops.common.job_services import job_run


@task()
def job_task(job_id: int) -> str:
    return job_run(job_id=job_id)
