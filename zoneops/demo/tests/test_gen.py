"""`zoneops gen`: a tiny generated zone holds what the large one holds, in proportion, written as
the services would have written it, the same for the same seed and day, scoped for each demo
account, and the pages answer on it."""

import hashlib
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.urls import reverse

from zoneops.approvals.enums import CaseStatus
from zoneops.approvals.models import Case, CaseEvent
from zoneops.common.workcalendar import add_working_days, calendar_pinned, is_working_day
from zoneops.demo.generator import ZoneExists, generate, scale_of
from zoneops.demo.generator.projects import KEY_FROM
from zoneops.enterprises.enums import RequestStatus
from zoneops.enterprises.models import (
    Enterprise,
    EnterpriseFigure,
    EnterpriseRequest,
    LiaisonAssignment,
    RequestEvent,
)
from zoneops.orgs.models import Department, User
from zoneops.projects.models import KeyDesignation, Problem, ProgressReport, Project, StageMove
from zoneops.supervision.enums import TaskStatus
from zoneops.supervision.models import SupervisionTask, TaskEvent

PASSWORD = "demo-Pass-2020"
TODAY = date(2026, 12, 6)
ZONE = ZoneInfo("Asia/Shanghai")
SCALE = scale_of("tiny")

pytestmark = [pytest.mark.django_db, pytest.mark.clock_fixed]


def at(day: date) -> time_machine.travel:
    return time_machine.travel(datetime.combine(day, time(10, 0), tzinfo=ZONE), tick=False)


def run(seed: int = 7):
    return generate(scale=SCALE, seed=seed, today=TODAY, password=PASSWORD)


def digest() -> str:
    """The generated records' business values, by natural keys (not ids, which a sequence on
    PostgreSQL does not give back on a rollback, nor write times), in id order."""
    parts = [
        Project.objects.order_by("pk").values_list(
            "code", "name", "stage", "stage_since", "total_investment", "park__name"
        ),
        StageMove.objects.order_by("pk").values_list("project__code", "to_stage", "moved_on"),
        KeyDesignation.objects.order_by("pk").values_list("project__code", "year", "level"),
        ProgressReport.objects.order_by("pk").values_list(
            "project__code", "month", "invested_total"
        ),
        EnterpriseFigure.objects.order_by("pk").values_list("enterprise__name", "year", "revenue"),
        EnterpriseRequest.objects.order_by("pk").values_list(
            "enterprise__name", "department__code", "status", "due_on"
        ),
        CaseEvent.objects.order_by("pk").values_list("case__item__code", "kind", "on", "note"),
        TaskEvent.objects.order_by("pk").values_list("task__title", "kind", "on"),
    ]
    return hashlib.sha256(repr([list(p) for p in parts]).encode()).hexdigest()


@pytest.fixture(scope="module", autouse=True)
def zone(django_db_setup, django_db_blocker):
    """The zone the tests read, and the digests of a first run (rolled back) and of this one."""
    with django_db_blocker.unblock(), at(TODAY), transaction.atomic():
        with transaction.atomic():
            run()
            first = digest()
            transaction.set_rollback(True)
        ctx = run()
        yield {"ctx": ctx, "first": first, "second": digest()}
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _frozen():
    with at(TODAY):
        yield


def test_tiny_zone_holds_each_table_in_proportion():
    assert Project.objects.filter(is_sample=True).count() == SCALE.projects
    assert Enterprise.objects.filter(is_sample=True).count() == SCALE.enterprises
    assert EnterpriseRequest.objects.count() == SCALE.requests
    assert Case.objects.filter(is_sample=True).count() == SCALE.cases
    assert SupervisionTask.objects.count() == SCALE.tasks
    assert StageMove.objects.count() >= SCALE.projects
    assert ProgressReport.objects.exists()
    assert SCALE.figures / 2 < EnterpriseFigure.objects.count() < SCALE.figures * 2
    assert LiaisonAssignment.objects.exists()
    assert RequestEvent.objects.count() > SCALE.requests
    assert CaseEvent.objects.count() > SCALE.cases
    assert TaskEvent.objects.count() > SCALE.tasks


def test_the_planner_knows_the_zone_as_it_would_know_a_grown_one():
    """PostgreSQL's planner has the statistics autovacuum would have gathered (reltuples; -1
    means never analysed); SQLite has none, as no zone on SQLite has (sqlite_stat1 absent)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchall():  # another test's ANALYZE of its own table
                cursor.execute("SELECT * FROM sqlite_stat1 WHERE tbl = 'projects_project'")
                assert cursor.fetchall() == []
            return
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'projects_project'::regclass")
        (size,) = cursor.fetchone()
    assert size >= SCALE.projects


def test_same_seed_and_day_give_the_same_zone(zone):
    assert zone["first"] == zone["second"]


def test_a_second_run_refuses_a_database_that_holds_a_zone():
    with pytest.raises(ZoneExists):
        run()


def test_each_projects_stage_is_its_latest_move():
    latest = StageMove.objects.filter(project=OuterRef("pk")).order_by("-moved_on", "-pk")
    rows = Project.objects.annotate(
        move=Subquery(latest.values("to_stage")[:1]), moved=Subquery(latest.values("moved_on")[:1])
    ).values_list("stage", "move", "stage_since", "moved")
    assert rows
    for stage, move, since, moved in rows:
        assert (stage, since) == (move, moved)


def test_each_project_has_one_registration_and_it_is_its_first_move():
    """The funnel and the register's 登记日期 read a project's registration (its move from no
    stage): the generator writes exactly one, on the project's first day."""
    rows = Project.objects.annotate(
        registrations=Count("stage_moves", filter=Q(stage_moves__from_stage="")),
        registered=Min("stage_moves__moved_on", filter=Q(stage_moves__from_stage="")),
        first=Min("stage_moves__moved_on"),
    ).values_list("registrations", "registered", "first")
    assert rows
    assert all(count == 1 and registered == first for count, registered, first in rows)


def test_each_stay_ends_on_the_next_move_and_the_current_one_has_not_ended():
    following = StageMove.objects.filter(
        Q(moved_on__gt=OuterRef("moved_on"))
        | Q(moved_on=OuterRef("moved_on"), pk__gt=OuterRef("pk")),
        project=OuterRef("project"),
    ).order_by("moved_on", "pk")
    rows = StageMove.objects.annotate(next_on=Subquery(following.values("moved_on")[:1]))
    stays = list(rows.values_list("left_on", "next_on"))
    assert any(left_on for left_on, _next_on in stays)
    assert all(left_on == next_on for left_on, next_on in stays)


def test_key_projects_are_the_large_building_projects_not_every_one():
    building = Project.objects.filter(is_sample=True, started_on__isnull=False)
    key = building.filter(pk__in=KeyDesignation.objects.values("project_id"))

    assert key.exists() and building.exclude(pk__in=key).exists()
    assert not key.filter(total_investment__lt=KEY_FROM).exists()
    assert not building.filter(total_investment__gte=KEY_FROM).exclude(pk__in=key).exists()


def test_reports_only_for_months_that_have_passed():
    assert not ProgressReport.objects.filter(month__gte=TODAY.replace(day=1)).exists()
    assert not EnterpriseFigure.objects.filter(year=TODAY.year, month__gte=TODAY.month).exists()


@pytest.mark.parametrize(
    ("model", "events", "key", "closing"),
    [
        (
            EnterpriseRequest,
            RequestEvent,
            "request_id",
            {
                RequestStatus.RATED: "rated",
                RequestStatus.ANSWERED: "answered",
                RequestStatus.RETURNED: "returned",
            },
        ),
        (
            Case,
            CaseEvent,
            "case_id",
            {CaseStatus.CONCLUDED: "concluded", CaseStatus.REFUSED: "refused"},
        ),
        (SupervisionTask, TaskEvent, "task_id", {TaskStatus.CLOSED: "closed"}),
    ],
)
def test_closed_records_end_with_their_closing_event(model, events, key, closing):
    last_kind = dict(events.objects.order_by("on", "pk").values_list(key, "kind"))
    statuses = dict(model.objects.values_list("pk", "status"))
    assert set(last_kind) == set(statuses)  # every record has its events
    checked = 0
    for pk, status in statuses.items():
        if status in closing:
            assert last_kind[pk] == closing[status]
            checked += 1
    assert checked


def test_deadlines_are_the_working_day_the_limit_ends():
    with calendar_pinned():
        for model, start in (
            (EnterpriseRequest, "clock_from"),
            (Case, "clock_from"),
            (SupervisionTask, "assigned_on"),
            (Problem, "routed_on"),
        ):
            extra = "suspended_days" if model in (EnterpriseRequest, Case) else "limit_days"
            rows = model.objects.filter(due_on__isnull=False).values_list(
                start, "limit_days", extra, "due_on"
            )
            assert rows, model
            for begun, limit, more, due in rows:
                added = more if extra == "suspended_days" else 0
                assert is_working_day(due)
                assert add_working_days(begun, limit + added).date == due


def test_every_record_has_its_history_row():
    for model in (Project, Enterprise, EnterpriseFigure, EnterpriseRequest, Case, SupervisionTask):
        generated = model.objects.count()
        assert model.history.filter(history_type="+").count() >= generated  # type: ignore[attr-defined]
        first_versions = model.objects.filter(version=1).count()
        if model is Project:  # put on its chain's node afterwards, as the demo loader does
            assert Project.history.filter(history_type="~").count() == generated - first_versions
            first_versions += Project.objects.filter(version=2, chain_node__isnull=False).count()
        assert first_versions == generated


def test_a_department_user_sees_only_his_part():
    xmb = User.objects.get(username="xmb_staff")
    visible = Project.objects.visible_to(xmb)
    own = Department.objects.get(code="xmb")
    assert 0 < visible.count() < Project.objects.count()
    assert set(visible.values_list("responsible_department", flat=True)) == {own.pk}
    spj = User.objects.get(username="spj_staff")
    cases = Case.objects.visible_to(spj)
    assert 0 < cases.count() <= Case.objects.count()
    requests = EnterpriseRequest.objects.visible_to(spj)
    assert requests.count() < EnterpriseRequest.objects.count()
    assert set(requests.values_list("department__code", flat=True)) <= {"spj", "spj-zwfw"}


def test_the_demo_enterprise_user_sees_his_enterprises_records_only():
    user = User.objects.get(username="enterprise")
    requests = EnterpriseRequest.objects.visible_to(user)
    assert requests.exists()
    assert set(requests.values_list("enterprise", flat=True)) == {user.enterprise_id}


def test_pipeline_summary_and_request_list_answer_for_a_demo_leader(client):
    client.force_login(User.objects.get(username="leader"))
    assert client.get(reverse("admin:projects_project_summary")).status_code == 200
    response = client.get(reverse("admin:enterprises_enterpriserequest_changelist"))
    assert response.status_code == 200


def test_the_generated_enterprises_and_projects_stand_on_the_demo_chains(client):
    from zoneops.industry.models import ChainNode

    on_nodes = Enterprise.objects.filter(is_sample=True, chain_nodes__isnull=False)
    assert on_nodes.exists()
    assert Project.objects.filter(is_sample=True, chain_node__isnull=False).exists()
    assert ChainNode.objects.filter(name="汽车芯片", enterprises__isnull=True).exists()  # a gap
    client.force_login(User.objects.get(username="leader"))
    assert client.get(reverse("chains:index")).status_code == 200
