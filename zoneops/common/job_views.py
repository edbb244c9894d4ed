"""The background jobs' pages in the back office (/admin/jobs/): the progress fragment a page
shows for the job it started (htmx asks for it again every second until the job is over), the
job's stored file, and 我的后台任务 (the user's jobs; an administrator's: everyone's).

A user reads only his own jobs: any other answers 404, as one that does not exist."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.common.admin_base import standalone_host
from zoneops.common.files import content_type
from zoneops.common.job_selectors import (
    job_for,
    job_is_stale,
    jobs_visible_to,
    worker_last_seen,
)
from zoneops.common.job_services import interrupted_message
from zoneops.common.models import BackgroundJob

POLL_SECONDS = 1
PAGE_SIZE = 50


def _job_or_404(request: HttpRequest, pk: int) -> BackgroundJob:
    try:
        return job_for(user=request.user, pk=pk)
    except BackgroundJob.DoesNotExist as error:
        raise Http404 from error


def job_state(job: BackgroundJob, *, one: bool = True) -> dict[str, Any]:
    """What the fragment shows of a job: its status as the user should read it (a running job
    with no sign of life for long is interrupted), its progress and its outcome; for `one`
    job waiting in the queue, whether any worker is there to take it."""
    now = timezone.now()
    stale = job_is_stale(job, now=now)
    status = BackgroundJob.Status.INTERRUPTED if stale else job.status
    no_worker = False
    if one and status == BackgroundJob.Status.QUEUED:
        seen = worker_last_seen()
        beat = timedelta(seconds=3 * settings.ZONEOPS_WORKER_BEAT_SECONDS)
        no_worker = seen is None or seen < now - beat
    return {
        "no_worker": no_worker,
        "job": job,
        "status": status,
        "status_label": BackgroundJob.Status(status).label,
        "final": stale or job.is_final,
        "failed": status in (BackgroundJob.Status.FAILED, BackgroundJob.Status.INTERRUPTED),
        "message": interrupted_message() if stale else job.message,
        "poll_seconds": POLL_SECONDS,
    }


@never_cache
@require_GET
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment of one job. With `?next=` (a page of this site), a finished job
    sends the browser there (htmx's HX-Redirect) with its message: the page that started an
    import shows its preview, for instance; with `?follow=1` it goes to the job's own link."""
    job = _job_or_404(request, pk)
    state = {**job_state(job), "poll_url": request.get_full_path()}
    response = render(request, "common/job_progress.html", {"state": state})
    if state["final"] and request.headers.get("HX-Request"):
        target = request.GET.get("next", "")
        if request.GET.get("follow") and job.link and not state["failed"]:
            target = job.link
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        if target and safe:
            if state["message"]:
                (messages.error if state["failed"] else messages.success)(request, state["message"])
            response["HX-Redirect"] = target
    return response


@require_GET
def job_file(request: HttpRequest, pk: int) -> FileResponse:
    """The file a job made (an export, a briefing), to whoever may read the job."""
    job = _job_or_404(request, pk)
    if not job.file:
        raise Http404
    try:
        handle = job.file.storage.open(job.file.name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    name = job.filename or job.file.name.rsplit("/", 1)[-1]
    response = FileResponse(
        handle, content_type=content_type(job.file.name), as_attachment=True, filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class MyJobsView(UnfoldModelAdminViewMixin, TemplateView):
    """我的后台任务: the user's jobs, the latest first, each with its outcome."""

    title = _("我的后台任务")
    permission_required = ()
    template_name = "common/jobs.html"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model_admin=standalone_host(), **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        page = Paginator(jobs_visible_to(user=self.request.user), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            page=page,
            jobs=[job_state(job, one=False) for job in page.object_list],
            everyone=self.request.user.is_superuser,
            **kwargs,
        )


class JobView(UnfoldModelAdminViewMixin, TemplateView):
    """One job's page: its bar while it runs, then its outcome (a large export lands here)."""

    title = _("后台任务")
    permission_required = ()
    template_name = "common/job.html"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model_admin=standalone_host(), **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        job = _job_or_404(self.request, kwargs["pk"])
        state = {**job_state(job), "poll_url": reverse("jobs:status", args=[job.pk])}
        return super().get_context_data(state=state, **kwargs)
