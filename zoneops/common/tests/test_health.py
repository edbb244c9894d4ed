"""/healthz and /readyz: answered for a probe over plain HTTP whatever its Host, without a
login, without an access log line; /readyz says 503 and why when the process cannot serve."""

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone

from zoneops.common import health
from zoneops.common.job_services import worker_beat
from zoneops.common.models import WorkerBeat
from zoneops.common.tests.jobs import DATABASE_TASKS


@pytest.fixture(autouse=True)
def _not_yet_checked(monkeypatch):
    # Each test looks at the migrations afresh (a process remembers once all were applied).
    monkeypatch.setattr(health, "_migrated", False)


def test_healthz_answers_without_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ok_when_the_database_answers_and_every_migration_is_applied(db):
    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "cache": "ok", "worker": "ok"},
    }


def test_readyz_wants_a_worker_seen_within_a_minute_where_jobs_wait_for_one(db, settings):
    settings.TASKS = DATABASE_TASKS  # jobs wait in the database, as outside the tests
    unseen = Client().get("/readyz")
    started = timezone.now() - timedelta(minutes=5)
    worker_beat(worker_id="w1", queues="default", started_at=started)
    seen = Client().get("/readyz")
    WorkerBeat.objects.update(last_seen=timezone.now() - timedelta(seconds=90))
    gone = Client().get("/readyz")

    assert unseen.status_code == 503
    assert unseen.json()["checks"]["worker"] == "no worker has run (zoneops worker)"
    assert seen.status_code == 200 and seen.json()["checks"]["worker"] == "ok"
    assert gone.status_code == 503
    assert gone.json()["checks"]["worker"].startswith("no worker seen for 9")


def test_readyz_is_503_while_a_migration_is_not_applied(db):
    recorder = MigrationRecorder(connection)
    latest = max(name for app, name in recorder.applied_migrations() if app == "common")
    recorder.record_unapplied("common", latest)  # rolled back with the test

    response = Client().get("/readyz")

    assert response.status_code == 503
    answer = response.json()
    assert answer["status"] == "unavailable"
    assert answer["checks"]["database"] == "ok"
    assert answer["checks"]["migrations"] == f"1 unapplied: common.{latest}"


def test_a_check_that_fails_makes_readyz_503_with_its_reason(db, monkeypatch):
    def worker_seen() -> str | None:
        raise RuntimeError("no worker seen for 5 minutes")

    monkeypatch.setitem(health.READINESS_CHECKS, "worker", worker_seen)

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "RuntimeError: no worker seen for 5 minutes"


def test_a_probe_over_plain_http_from_any_host_is_answered_not_redirected(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["zone.example.cn"]
    probe = Client(HTTP_HOST="10.0.0.5:8000")

    assert probe.get("/healthz").status_code == 200
    assert probe.get("/readyz").status_code == 200
    assert probe.get("/admin/login/").status_code == 400  # anything else still checks the host


def test_probes_leave_no_access_log_line(db, caplog):
    caplog.set_level(logging.INFO, logger="zoneops.access")

    Client().get("/healthz")
    Client().get("/readyz")
    Client().get("/admin/login/")

    assert [record.path for record in caplog.records if record.name == "zoneops.access"] == [
        "/admin/login/"
    ]
