from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zoneops.common.exceptions import ApplicationError
from zoneops.common.inputs import DateKind, date_error
from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.models import Project, StageMove
from zoneops.projects.services import project_create, project_move_stage
from zoneops.projects.tests.factories import HISTORY, make_project

pytestmark = pytest.mark.django_db


def test_registering_a_project_records_its_first_stage_and_a_code():
    project = project_create(name="钛合金项目", by=None, total_investment=50000)
    assert project.code == f"XM{timezone.localdate().year}0001"
    assert project.stage == Stage.LEAD
    move = StageMove.objects.get(project=project)
    assert (move.from_stage, move.to_stage) == ("", Stage.LEAD)
    second = project_create(name="氟化锂晶体项目", by=None)
    assert second.code == f"XM{timezone.localdate().year}0002"


def test_a_move_forward_is_recorded_with_date_and_fills_the_stage_dates():
    project = make_project(
        moves=[
            (Stage.TALKS, date(2019, 1, 5)),
            (Stage.SIGNED, date(2019, 3, 1)),
            (Stage.STARTED, date(2019, 6, 1)),
        ]
    )
    assert project.stage == Stage.STARTED
    assert project.signed_on == date(2019, 3, 1)
    assert project.started_on == date(2019, 6, 1)
    assert project.completed_on is None
    assert list(project.stage_moves.values_list("to_stage", flat=True)) == [
        Stage.TALKS,
        Stage.SIGNED,
        Stage.STARTED,
    ]


def test_each_move_keeps_the_day_the_project_moved_on_and_the_current_stay_none():
    project = make_project(
        moves=[
            (Stage.TALKS, date(2019, 1, 5)),
            (Stage.SIGNED, date(2019, 3, 1)),
            (Stage.STARTED, date(2019, 3, 1)),  # signed and started the same day
        ]
    )
    stays = list(project.stage_moves.order_by("moved_on", "id").values_list("to_stage", "left_on"))
    assert stays[-3:] == [
        (Stage.TALKS, date(2019, 3, 1)),
        (Stage.SIGNED, date(2019, 3, 1)),
        (Stage.STARTED, None),
    ]


def test_the_migration_fills_the_day_each_stay_ended_from_the_next_move():
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    migration = import_module("zoneops.projects.migrations.0011_stage_move_left_on")
    moves = [(Stage.TALKS, date(2019, 1, 5)), (Stage.SIGNED, date(2019, 3, 1))]
    projects = [make_project(moves=moves), make_project(moves=moves[:1])]
    written = list(StageMove.objects.order_by("pk").values_list("pk", "left_on"))
    StageMove.objects.update(left_on=None)

    migration.fill_left_on(apps, type("Editor", (), {"connection": connection})())

    assert list(StageMove.objects.order_by("pk").values_list("pk", "left_on")) == written
    assert StageMove.objects.filter(project__in=projects, left_on__isnull=True).count() == 2


def test_skipping_ahead_dates_the_skipped_stages_on_the_day_of_the_move():
    project = make_project(
        moves=[(Stage.LEAD, date(2019, 1, 5)), (Stage.STARTED, date(2019, 5, 1))]
    )
    assert project.signed_on == date(2019, 5, 1)
    assert project.started_on == date(2019, 5, 1)


def test_stage_move_backwards_is_refused():
    project = make_project(moves=[(Stage.SIGNED, date(2019, 3, 1))])
    with pytest.raises(ApplicationError) as refused:
        project_move_stage(
            project=project,
            to_stage=Stage.TALKS,
            on=date(2019, 4, 1),
            by=None,
            backdate_reason=HISTORY,
        )
    assert refused.value.field == "to_stage"
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED
    assert project.stage_moves.count() == 1


def test_termination_needs_a_reason_and_is_impossible_after_completion():
    project = make_project(moves=[(Stage.DEEP_TALKS, date(2019, 3, 1))])
    with pytest.raises(ApplicationError) as refused:
        project_move_stage(
            project=project,
            to_stage=Stage.TERMINATED,
            on=date(2019, 4, 1),
            by=None,
            backdate_reason=HISTORY,
        )
    assert refused.value.field == "reason"
    project_move_stage(
        project=project,
        to_stage=Stage.TERMINATED,
        on=date(2019, 4, 1),
        by=None,
        backdate_reason=HISTORY,
        reason="投资方资金链断裂",
    )
    project.refresh_from_db()
    assert project.stage == Stage.TERMINATED
    assert project.termination_reason == "投资方资金链断裂"

    done = make_project(
        moves=[(Stage.STARTED, date(2019, 3, 1)), (Stage.COMPLETED, date(2019, 9, 1))]
    )
    with pytest.raises(ApplicationError):
        project_move_stage(
            project=done,
            to_stage=Stage.TERMINATED,
            on=date(2019, 10, 1),
            by=None,
            backdate_reason=HISTORY,
            reason="x",
        )


def test_dates_in_the_future_or_before_the_last_move_are_refused():
    project = make_project(moves=[(Stage.TALKS, date(2019, 3, 1))])
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ApplicationError) as future:
        project_move_stage(project=project, to_stage=Stage.SIGNED, on=tomorrow, by=None)
    assert future.value.field == "on"
    assert future.value.message == date_error(tomorrow, DateKind.PAST)  # the one date rule
    with pytest.raises(ApplicationError) as earlier:
        project_move_stage(
            project=project,
            to_stage=Stage.SIGNED,
            on=date(2019, 2, 1),
            by=None,
            backdate_reason=HISTORY,
        )
    assert earlier.value.field == "on"


def test_backdating_needs_a_reason_and_today_does_not():
    project = make_project(moves=[(Stage.TALKS, date(2019, 3, 1))])
    with pytest.raises(ApplicationError) as refused:
        project_move_stage(project=project, to_stage=Stage.SIGNED, on=date(2019, 5, 1), by=None)
    assert refused.value.field == "backdate_reason"
    move = project_move_stage(
        project=project, to_stage=Stage.SIGNED, on=timezone.localdate(), by=None
    )
    assert move.backdate_reason == ""


def test_a_move_writes_the_change_into_the_projects_history(org):
    from zoneops.orgs.enums import RoleCode
    from zoneops.orgs.tests.factories import make_user

    officer = make_user(RoleCode.STAFF, departments=[org["investment"]])
    project = make_project(moves=[(Stage.TALKS, date(2019, 3, 1))], by=officer)
    project_move_stage(project=project, to_stage=Stage.SIGNED, on=timezone.localdate(), by=officer)
    latest = project.history.first()
    assert latest.history_user == officer
    assert latest.stage == Stage.SIGNED
    assert "洽谈 → 签约" in latest.history_change_reason


@pytest.mark.parametrize("field", ["owner", "liaison_leader"])
def test_an_enterprise_user_is_never_a_projects_officer_or_liaison_leader(field, org):
    enterprise_user = make_user(RoleCode.ENTERPRISE, enterprise=make_enterprise())

    with pytest.raises(ValidationError) as refused:
        project_create(name="某项目", by=None, **{field: enterprise_user})

    assert "企业用户不能担任" in str(refused.value.message_dict[field])
    assert not Project.objects.exists()
