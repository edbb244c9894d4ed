"""Background jobs: started from a page, run by the worker, followed with a progress bar."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from zoneops.common.job_selectors import job_for, jobs_visible_to, worker_last_seen
from zoneops.common.job_services import (
    JOB_FILES_KEPT,
    job_progress,
    job_start,
    jobs_interrupt_stale,
    this_process,
    worker_beat,
)
from zoneops.common.models import BackgroundJob
from zoneops.common.tests.jobs import COUNT_TITLE, DATABASE_TASKS, count_to, not_marked, run_worker
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def clerk(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


def _start(by, *, count=3, fail="", capture=None):
    with capture(execute=True):
        return job_start(
            work=count_to,
            title=COUNT_TITLE,
            title_args={"count": count},
            by=by,
            params={"count": count, "fail": fail},
        )


def test_a_job_waits_in_the_queue_until_a_worker_runs_it(
    database_tasks, clerk, django_capture_on_commit_callbacks
):
    job = _start(clerk, capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.QUEUED
    assert DBTaskResult.objects.filter(id=job.task_id).exists()
    assert job.shown_title == "数到3"

    run_worker()

    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.message == "数到了3。"
    assert job.data == {"n": 3}
    assert job.filename == "数.txt"
    assert job.file.read() == b"1 2 3"
    assert job.finished_at is not None
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"


def test_a_job_runs_once_even_when_its_task_is_run_again(
    database_tasks, clerk, django_capture_on_commit_callbacks
):
    from zoneops.common.job_services import job_run

    job = _start(clerk, capture=django_capture_on_commit_callbacks)
    run_worker()
    assert job_run(job_id=job.pk) == "skipped"


def test_a_refused_job_keeps_the_message_as_it_is(
    database_tasks, clerk, django_capture_on_commit_callbacks
):
    job = _start(clerk, fail="refused", capture=django_capture_on_commit_callbacks)
    run_worker()
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert job.message == "数到2时被拒绝。"


def test_an_unexpected_error_is_a_general_message_and_the_log_keeps_the_traceback(
    database_tasks, clerk, django_capture_on_commit_callbacks, caplog
):
    job = _start(clerk, fail="crash", capture=django_capture_on_commit_callbacks)
    run_worker()
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert "后台处理出错" in job.message
    assert "division" not in job.message
    assert any("ZeroDivisionError" in (record.exc_text or "") for record in caplog.records)
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"


def test_only_marked_work_can_be_started(clerk):
    with pytest.raises(ValueError, match="job_work"):
        job_start(work=not_marked, title="x", by=clerk)


def test_progress_outside_a_job_does_nothing():
    job_progress(done=1, total=2, stage="x")


def test_progress_is_written_at_most_once_a_second(settings, clerk):
    from zoneops.common.job_services import _Reporter

    job = BackgroundJob.objects.create(
        work="x", title="t", started_by=clerk, status=BackgroundJob.Status.RUNNING
    )
    settings.ZONEOPS_JOB_PROGRESS_SECONDS = 3600
    reporter = _Reporter(job)
    reporter.report(done=None, total=1000, stage="检查")
    for done in range(1, 1001):
        reporter.report(done=done, total=None, stage=None)
    job.refresh_from_db()
    assert (job.done, job.total, job.stage) == (0, 1000, "检查")
    reporter.report(done=None, total=None, stage="写入")  # a new stage is written at once
    job.refresh_from_db()
    assert (job.done, job.stage) == (1000, "写入")


def test_another_user_cannot_see_my_job(org, clerk, database_tasks):
    job = job_start(work=count_to, title=COUNT_TITLE, title_args={"count": 1}, by=clerk)
    other = make_user(RoleCode.STAFF, departments=[org["investment"]])
    admin = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    assert list(jobs_visible_to(user=other)) == []
    with pytest.raises(BackgroundJob.DoesNotExist):
        job_for(user=other, pk=job.pk)
    client = Client()
    client.force_login(other)
    assert client.get(f"/admin/jobs/{job.pk}/status/").status_code == 404
    assert client.get(f"/admin/jobs/{job.pk}/file/").status_code == 404
    assert "数到1" not in client.get("/admin/jobs/").content.decode()
    client.force_login(clerk)
    assert client.get(f"/admin/jobs/{job.pk}/status/").status_code == 200
    assert "数到1" in client.get("/admin/jobs/").content.decode()
    if admin.is_superuser:
        assert job_for(user=admin, pk=job.pk) == job


def test_the_bar_polls_until_the_job_is_done_then_shows_the_outcome(
    database_tasks, clerk, django_capture_on_commit_callbacks
):
    job = _start(clerk, capture=django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(clerk)
    waiting = client.get(f"/admin/jobs/{job.pk}/status/").content.decode()
    assert 'hx-trigger="load delay:1s"' in waiting
    assert "排队中" in waiting
    assert 'id="job-no-worker"' in waiting  # no worker has beaten here
    worker_beat(worker_id="w1", queues="default", started_at=timezone.now())
    assert 'id="job-no-worker"' not in client.get(f"/admin/jobs/{job.pk}/status/").content.decode()
    run_worker()
    done = client.get(f"/admin/jobs/{job.pk}/status/").content.decode()
    assert "hx-trigger" not in done
    assert "数到了3。" in done
    assert f"/admin/jobs/{job.pk}/file/" in done
    download = client.get(f"/admin/jobs/{job.pk}/file/")
    assert b"".join(download.streaming_content) == b"1 2 3"
    # The page that started it asked to be sent on when it is done.
    follow = client.get(
        f"/admin/jobs/{job.pk}/status/?next=/admin/", headers={"HX-Request": "true"}
    )
    assert follow["HX-Redirect"] == "/admin/"
    away = client.get(
        f"/admin/jobs/{job.pk}/status/?next=https://evil.example/", headers={"HX-Request": "true"}
    )
    assert "HX-Redirect" not in away


def test_a_job_whose_worker_died_is_shown_interrupted_then_marked(clerk):
    long_ago = timezone.now() - timedelta(hours=1)
    job = BackgroundJob.objects.create(
        work="x",
        title="t",
        started_by=clerk,
        status=BackgroundJob.Status.RUNNING,
        started_at=long_ago,
        beat_at=long_ago,
    )
    client = Client()
    client.force_login(clerk)
    page = client.get(f"/admin/jobs/{job.pk}/status/").content.decode()
    assert "已中断" in page and "hx-trigger" not in page
    assert jobs_interrupt_stale() == 1
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.INTERRUPTED
    assert "中断" in job.message


def test_a_job_whose_process_is_gone_from_this_host_is_marked_at_once_and_rerun_if_it_may(
    clerk, settings
):
    import socket
    import subprocess
    import sys

    settings.TASKS = DATABASE_TASKS
    child = subprocess.Popen([sys.executable, "-c", "pass"])  # a process, then gone
    child.wait()
    gone = f"{socket.gethostname()}:{child.pid}"
    just_now = timezone.now()

    def running(work: str, runner: str) -> BackgroundJob:
        return BackgroundJob.objects.create(
            work=work,
            params={"years": [2019]} if "calendar" in work else {},
            title="t",
            started_by=clerk,
            status=BackgroundJob.Status.RUNNING,
            started_at=just_now,
            beat_at=just_now,
            runner=runner,
        )

    alive = running("zoneops.common.tests.jobs.count_to", this_process())
    dead = running("zoneops.common.tests.jobs.count_to", gone)
    recompute = running("zoneops.common.workcalendar.calendar_changed_work", gone)

    assert jobs_interrupt_stale() == 2
    states = dict(BackgroundJob.objects.values_list("pk", "status"))
    assert states.pop(alive.pk) == BackgroundJob.Status.RUNNING
    assert states.pop(dead.pk) == states.pop(recompute.pk) == BackgroundJob.Status.INTERRUPTED
    # Only the recomputation (job_work(rerun=True)) is started again, as it was started.
    (again,) = BackgroundJob.objects.filter(pk__in=states)
    assert (again.work, again.params, again.status) == (recompute.work, {"years": [2019]}, "queued")


def test_the_worker_heartbeat_is_read_by_the_readiness_check(db):
    assert worker_last_seen() is None
    worker_beat(worker_id="w1", queues="default", started_at=timezone.now())
    seen = worker_last_seen()
    assert seen is not None and timezone.now() - seen < timedelta(seconds=5)


def test_the_tests_run_a_job_where_it_is_started(clerk, django_capture_on_commit_callbacks):
    job = _start(clerk, capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.SUCCEEDED


def test_a_calendar_change_recomputes_the_deadlines_in_the_background(
    database_tasks, org, django_capture_on_commit_callbacks
):
    from datetime import date

    from zoneops.common.calendar_services import calendar_set_day
    from zoneops.common.workcalendar import calendar_changed

    admin = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    heard = []

    def listener(years, **kwargs):
        heard.append(years)

    calendar_changed.connect(listener, dispatch_uid="test-listener")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            calendar_set_day(
                day=date(2026, 10, 12), is_working_day=False, name="测试假日", by=admin
            )
        job = BackgroundJob.objects.get(work__endswith="calendar_changed_work")
        assert job.status == BackgroundJob.Status.QUEUED and heard == []
        assert job.shown_title == "工作日历已修改：重新计算2026年的办理期限"
        run_worker()
    finally:
        calendar_changed.disconnect(dispatch_uid="test-listener")
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert heard == [frozenset({2026})]


def test_zoneops_worker_runs_the_queue_and_leaves_no_heartbeat_when_it_stops(
    database_tasks, clerk, django_capture_on_commit_callbacks, settings
):
    from unittest import mock

    from django.core.management import call_command

    from zoneops.common.models import WorkerBeat

    job = _start(clerk, capture=django_capture_on_commit_callbacks)
    beats = []
    with (
        mock.patch(
            "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
        ),
        mock.patch(
            "zoneops.common.management.commands.worker.worker_beat",
            side_effect=lambda **kwargs: beats.append(kwargs),
        ),
    ):
        call_command("worker", "--batch", "--no-startup-delay", "--worker-id", "w-test")
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert beats and beats[0]["worker_id"] == "w-test" and beats[0]["queues"] == "default"
    assert not WorkerBeat.objects.exists()


def test_a_dead_workers_task_row_is_marked_failed_with_its_job(
    database_tasks, clerk, django_capture_on_commit_callbacks
):
    job = _start(clerk, capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    long_ago = timezone.now() - timedelta(hours=1)
    # The worker claimed it, then died: the job and its row in the queue say "running".
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING", started_at=long_ago)
    BackgroundJob.objects.filter(pk=job.pk).update(
        status=BackgroundJob.Status.RUNNING, started_at=long_ago, beat_at=long_ago
    )
    assert jobs_interrupt_stale() == 1
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == "FAILED" and task.finished_at is not None
    assert "中断" in task.traceback


def test_a_finished_jobs_file_is_dropped_after_a_week_and_the_job_stays(
    database_tasks, clerk, django_capture_on_commit_callbacks
):
    old = _start(clerk, capture=django_capture_on_commit_callbacks)
    recent = _start(clerk, capture=django_capture_on_commit_callbacks)
    run_worker()
    old.refresh_from_db()
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)
    week_ago = timezone.now() - JOB_FILES_KEPT - timedelta(minutes=1)
    BackgroundJob.objects.filter(pk=old.pk).update(finished_at=week_ago)
    DBTaskResult.objects.filter(id=old.task_id).update(finished_at=week_ago)

    # The next job started clears what is past keeping.
    _start(clerk, capture=django_capture_on_commit_callbacks)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file and old.filename == "数.txt" and not storage.exists(name)
    assert recent.file and storage.exists(recent.file.name)
    assert not DBTaskResult.objects.filter(id=old.task_id).exists()
    assert DBTaskResult.objects.filter(id=recent.task_id).exists()
    client = Client()
    client.force_login(clerk)
    page = client.get("/admin/jobs/").content.decode()
    assert "文件已过期" in page
    assert client.get(f"/admin/jobs/{old.pk}/file/").status_code == 404
