"""Systemic blockers moved from the enterprises app to their own without losing anything: the
blocker's rows, its history, the requests grouped in it and the permissions roles hold on it."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import Role
from zoneops.orgs.tests.factories import make_department, make_user

BEFORE = [("blockers", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    return executor.migrate(targets).apps


@pytest.fixture
def back_to_the_latest():
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True)
def test_a_blocker_of_the_enterprises_app_lives_on_in_the_blockers_app(back_to_the_latest):
    department = make_department("招商局")
    owner = make_user(RoleCode.STAFF, departments=[department])
    head = Role.objects.get(code=RoleCode.DEPARTMENT_HEAD)
    old = migrate(BEFORE)
    old_blocker = old.get_model("enterprises", "SystemicBlocker").objects.create(
        title="园区道路货车限行",
        category="bottleneck",
        topic="logistics",
        owner_id=owner.pk,
        department_id=department.pk,
        opened_on=date(2026, 3, 2),
    )
    old.get_model("enterprises", "HistoricalSystemicBlocker").objects.create(
        id=old_blocker.pk,
        created_at=timezone.now(),
        version=1,
        title=old_blocker.title,
        category="bottleneck",
        topic="logistics",
        owner_id=owner.pk,
        department_id=department.pk,
        opened_on=old_blocker.opened_on,
        status="open",
        history_date=timezone.now(),
        history_type="+",
    )
    change = Permission.objects.get(
        content_type__app_label="enterprises", codename="change_systemicblocker"
    )
    assert change in head.group.permissions.all()

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    from zoneops.blockers.models import SystemicBlocker

    blocker = SystemicBlocker.objects.get()
    assert (blocker.pk, blocker.title, blocker.owner_id) == (
        old_blocker.pk,
        "园区道路货车限行",
        owner.pk,
    )
    assert blocker.history.get().title == "园区道路货车限行"
    moved = Permission.objects.get(pk=change.pk)
    assert moved.content_type.app_label == "blockers"
    assert moved in Role.objects.get(code=RoleCode.DEPARTMENT_HEAD).group.permissions.all()
