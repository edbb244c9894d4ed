"""The briefing's Word file written by a background job: the page's button starts it, the
page shows the bar, the file is the job's outcome."""

import io
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from docx import Document

from zoneops.common.models import BackgroundJob
from zoneops.common.tests.jobs import DATABASE_TASKS, run_worker
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in

from .test_briefings import TODAY, records  # noqa: F401  the same zone


@pytest.fixture(autouse=True)
def _frozen():
    moment = datetime.combine(TODAY, time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


def test_the_word_file_is_written_in_the_background(
    records,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    settings.TASKS = DATABASE_TASKS
    client = signed_in(make_user(RoleCode.STATISTICIAN))
    page = client.get(reverse("briefings:index"), {"year": 2019, "kind": "year"}).content.decode()
    assert 'form="briefing-docx"' in page and 'id="briefing-docx"' in page

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("briefings:download"), {"year": 2019, "kind": "year"})
    job = BackgroundJob.objects.get()
    assert started.status_code == 302 and f"job={job.pk}" in started["Location"]
    waiting = client.get(started["Location"]).content.decode()
    assert f'id="job-{job.pk}"' in waiting and "hx-trigger" in waiting

    run_worker()

    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.SUCCEEDED, job.message
    assert job.message == "已生成《2019年工作简报》。"
    done = client.get(started["Location"]).content.decode()
    assert reverse("jobs:file", args=[job.pk]) in done
    download = client.get(reverse("jobs:file", args=[job.pk]))
    assert "2019" in download["Content-Disposition"]
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert document.paragraphs[0].text == "2019年工作简报"
    # Another user cannot fetch it.
    other = signed_in(make_user(RoleCode.STATISTICIAN))
    assert other.get(reverse("jobs:file", args=[job.pk])).status_code == 404


def test_a_bad_period_starts_no_job(records):  # noqa: F811
    client = signed_in(make_user(RoleCode.STATISTICIAN))
    refused = client.post(reverse("briefings:download"), {"year": "x", "kind": "year"})
    assert refused.status_code == 400 and "年度" in refused.content.decode()
    assert not BackgroundJob.objects.exists()


def test_a_job_number_that_is_no_number_shows_the_page_without_a_bar(records):  # noqa: F811
    client = signed_in(make_user(RoleCode.STATISTICIAN))
    for job in ("²", "99999999999999999999", "-1"):
        page = client.get(reverse("briefings:index"), {"year": 2019, "kind": "year", "job": job})
        assert page.status_code == 200 and "2019年工作简报" in page.content.decode()
