"""The big lists read their first page in an index's order: no full scan, no sort of every row.

Each test takes the query the page itself runs (the admin's changelist, with its default ordering
and the user's data scope) and asks the database for its plan: SQLite's EXPLAIN QUERY PLAN must
not sort with a temporary b-tree, PostgreSQL's EXPLAIN (with sequential scans and sorts priced
out, as a test's tables are small) must read the table through an index and not sort it. The
large zone has hundreds of thousands of these rows: a sort of all of them makes a list slow.
"""

import re
from datetime import date

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Count
from django.test import RequestFactory

from zoneops.approvals.models import Case
from zoneops.enterprises.models import (
    Enterprise,
    EnterpriseFigure,
    EnterpriseRequest,
    RequestEvent,
)
from zoneops.enterprises.models.requests import ANSWERED_STATUSES
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.models import Problem, ProgressReport, Project
from zoneops.supervision.models import SupervisionTask

# The registers of the large zone (DESIGN.md, Scale), each with its back-office list.
BIG_LISTS = [
    Project,
    ProgressReport,
    Problem,
    Enterprise,
    EnterpriseFigure,
    EnterpriseRequest,
    Case,
    SupervisionTask,
]


def changelist_page_query(model, user):
    """The query of the list's first page as the admin runs it for the user."""
    request = RequestFactory().get("/")
    request.user = user
    changelist = admin.site._registry[model].get_changelist_instance(request)
    return changelist.queryset[: changelist.list_per_page]


def plan_of(queryset) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A test's tables are nearly empty: reading or sorting them whole costs the planner
            # nothing. Priced as on a large zone, a plan still scans or sorts only for want of
            # an index.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
    return queryset.explain()


def sorts_every_row(plan: str, table: str) -> bool:
    """The plan sorts the rows (no index gives their order) or scans the table whole outside an
    index's order (SQLite's plain SCAN of a table is its rowid's order, an index of its own)."""
    if connection.vendor == "postgresql":
        # A subplan (a value read for each of the page's rows) may sort its one or two rows.
        listed = plan.split("SubPlan")[0]
        return "Sort Key" in listed or f"Seq Scan on {table}" in listed
    return "USE TEMP B-TREE FOR" in plan


def scans_every_row(plan: str, table: str) -> bool:
    """The plan reads the whole table: neither an index's order nor an index's filter."""
    if connection.vendor == "postgresql":
        return f"Seq Scan on {table}" in plan
    lines = plan.splitlines()
    sorted_ = any("USE TEMP B-TREE FOR" in line for line in lines)
    return any(f"SCAN {table}" in line and (sorted_ or "INDEX" not in line) for line in lines)


@pytest.fixture
def zone_user(org):
    return make_user(RoleCode.PRINCIPAL, departments=[org["zone"]])


@pytest.fixture
def bureau_user(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.mark.parametrize("model", BIG_LISTS, ids=lambda model: model._meta.label)
def test_a_big_list_reads_its_first_page_in_index_order(model, zone_user):
    query = changelist_page_query(model, zone_user)

    plan = plan_of(query)

    assert not sorts_every_row(plan, model._meta.db_table), plan


@pytest.mark.parametrize("model", BIG_LISTS, ids=lambda model: model._meta.label)
def test_a_big_list_in_a_bureaus_scope_finds_its_rows_by_index(model, bureau_user):
    # The scope's filter (its department's rows, its own): an index finds them, or the list's
    # order is read from one; the few found may then be sorted.
    query = changelist_page_query(model, bureau_user)

    plan = plan_of(query)

    assert not scans_every_row(plan, model._meta.db_table), plan


def plan_of_sql(sql: str) -> str:
    """The plan of a query as it was run (its parameters in place), priced as `plan_of`."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_the_lights_find_the_key_projects_and_their_reports_by_index(org, zone_user):
    """The scheduling page and the lights API read the year's key projects from the year's
    designations and each one's latest report and plan through an index: no scan of the
    designations of every year, of every report or of every project."""
    from datetime import date

    from django.test.utils import CaptureQueriesContext

    from zoneops.projects.enums import KeyLevel, Stage
    from zoneops.projects.selectors.scheduling import (
        key_project_schedule,
        key_projects_with_lights,
    )
    from zoneops.projects.services import project_set_key_levels
    from zoneops.projects.tests.factories import make_project

    started = [(Stage.SIGNED, date(2018, 1, 8)), (Stage.STARTED, date(2018, 3, 1))]
    project = make_project("中商高科·沧州产业园（一期）", moves=started)
    project_set_key_levels(project=project, year=2019, levels=[KeyLevel.CITY])

    with CaptureQueriesContext(connection) as run:
        table = key_project_schedule(month=date(2019, 10, 1), user=zone_user)
        assert len(table.rows[:100]) == len(table.not_reported[:100]) == 1
        assert len(key_projects_with_lights(as_of=date(2019, 10, 31), user=zone_user)[:100]) == 1
    read = [query["sql"] for query in run.captured_queries if "projects_project" in query["sql"]]
    designations = [
        query["sql"]
        for query in run.captured_queries
        if "projects_keydesignation" in query["sql"] and "projects_project" not in query["sql"]
    ]

    assert len(read) >= 5
    assert designations
    for sql in designations:  # the year's, read first; then the page's projects' levels
        assert not scans_every_row(plan_of_sql(sql), "projects_keydesignation"), plan_of_sql(sql)
    for sql in read:
        plan = plan_of_sql(sql)
        if "projects_keydesignation" in sql and "IN (SELECT" in sql:
            assert "projects_key_year_idx" in plan, plan
        if connection.vendor == "postgresql":
            assert "Seq Scan" not in plan, plan
        else:
            assert not any(line.startswith("SCAN") for line in plan.splitlines()), plan


def test_the_request_statistics_read_the_periods_answered_requests_and_their_ratings_by_index(db):
    # 诉求统计: the answered requests of the period (not every answered one since the first
    # year) and each one's rating (not all its steps).
    period = (date(2026, 1, 1), date(2026, 12, 31))
    requests = EnterpriseRequest.objects.filter(filed_on__range=period)
    answered = requests.filter(status__in=ANSWERED_STATUSES).values("topic", "answered_on")
    ratings = (
        RequestEvent.objects.filter(kind=RequestEvent.Kind.RATED, request__in=requests.values("pk"))
        .order_by()
        .values("pk", "score")
    )

    answered_plan, ratings_plan = plan_of(answered), plan_of(ratings)

    table = EnterpriseRequest._meta.db_table
    assert not scans_every_row(answered_plan, table), answered_plan
    assert re.search(r"filed_on ?>", answered_plan), answered_plan  # the index holds the period
    # PostgreSQL reads the rated steps from the partial index alone (it holds id and score).
    rated = "enterprises_reqevent_rated_idx"
    if connection.vendor == "postgresql":
        assert f"Index Only Scan using {rated}" in ratings_plan, ratings_plan
    else:
        assert rated in ratings_plan or "enterprises_reqevent_kind_idx" in ratings_plan


def _plan_of_sql(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(value) for value in row) for row in cursor.fetchall())


def test_the_approval_figures_read_the_periods_cases_by_index(org):
    from datetime import date

    from zoneops.approvals.selectors import approval_figures

    queries = []

    def keep(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        approval_figures(start=date(2026, 1, 1), end=date(2026, 12, 31))
    sums = [(sql, params) for sql, params in queries if "day_numbers" in sql]
    assert len(sums) == 1

    plan = _plan_of_sql(*sums[0])

    assert not scans_every_row(plan, Case._meta.db_table), plan
    if connection.vendor == "sqlite":
        assert "approvals_case_done_idx (status=? AND concluded_on=?)" in plan, plan


def test_the_same_day_counts_and_the_days_work_are_read_by_index(org):
    from datetime import date

    from zoneops.approvals.selectors import _cases_concluded_on_receipt, cases_finished_on
    from zoneops.enterprises.selectors.today import (
        _answered_on_acceptance_day,
        requests_answered_on,
    )
    from zoneops.supervision.selectors import (
        _tasks_closed_on_assignment,
        tasks_closed_on,
        tasks_for_day,
    )

    user = make_user(RoleCode.STAFF, departments=[org["investment"]])
    period = {"start": date(2026, 1, 1), "end": date(2026, 12, 31)}
    day = {"user": user, "departments": None}
    queries = [
        (
            _cases_concluded_on_receipt(**period).values("department_id").annotate(Count("pk")),
            ["approvals_case_done_idx"],
        ),
        (
            _tasks_closed_on_assignment(**period).values("department_id").annotate(Count("pk")),
            ["supervision_task_closed_idx"],
        ),
        (tasks_closed_on(on=date(2026, 12, 7), **day), ["supervision_task_closed_idx"]),
        (
            _answered_on_acceptance_day(**period).values("department_id").annotate(Count("pk")),
            ["enterprises_request_accept_idx"],
        ),
        (requests_answered_on(on=date(2026, 12, 7), **day), ["enterprises_request_answer_idx"]),
        # Open tasks by their statuses and deadline, not all the user supervises.
        (tasks_for_day(until=date(2026, 12, 10), **day), ["supervision_task_due_idx"]),
        (
            cases_finished_on(on=date(2026, 12, 7), **day),
            ["approvals_case_done_idx", "approvals_case_refused_idx"],
        ),
    ]
    for query, indexes in queries:
        plan = plan_of(query)
        assert not scans_every_row(plan, query.model._meta.db_table), plan
        if connection.vendor == "sqlite":
            assert all(f"INDEX {index} (status=? AND" in plan for index in indexes), plan


def test_the_api_lists_the_tasks_by_deadline_in_index_order(zone_user):
    from zoneops.supervision.selectors import tasks_visible

    query = tasks_visible(user=zone_user).order_by("due_on", "pk")[:100]

    plan = plan_of(query)

    assert not sorts_every_row(plan, SupervisionTask._meta.db_table), plan


@pytest.mark.parametrize("model", [EnterpriseRequest, Problem], ids=lambda m: m._meta.label)
def test_the_candidate_blockers_find_the_open_ungrouped_items_by_status(model, zone_user):
    # Nearly every request and problem of a large zone is in no blocker: the few open ones are
    # found by their status, not by reading all the ungrouped ones through the blocker index.
    from zoneops.blockers.selectors import candidate_problems, candidate_requests

    found = candidate_requests if model is EnterpriseRequest else candidate_problems
    table = model._meta.db_table

    plan = plan_of(found(user=zone_user))

    assert not scans_every_row(plan, table), plan
    if connection.vendor == "sqlite":
        line = next(line for line in plan.splitlines() if f"SEARCH {table} " in line)
        assert "(status=?)" in line, plan


def test_the_days_milestones_are_found_by_the_open_milestones_index(org):
    # Not every milestone planned before the day (nearly all of them, reached long ago): the
    # open ones due by the day, and the ones reached on it.
    from zoneops.projects.selectors.today import milestones_due_by, milestones_reached_on

    user = make_user(RoleCode.STAFF, departments=[org["investment"]])
    queries = [
        milestones_due_by(user=user, until=date(2026, 12, 10), departments=None),
        milestones_reached_on(user=user, on=date(2026, 12, 7), departments=None),
    ]
    for query in queries:
        plan = plan_of(query)
        assert not scans_every_row(plan, "projects_milestone"), plan
        if connection.vendor == "sqlite":
            assert "INDEX projects_milestone_open_idx (actual_on=?" in plan, plan


def test_the_funnel_finds_the_periods_registrations_by_index(zone_user):
    """The funnel's projects are the ones registered in the period: their registration moves
    are read from the partial index on its day, not every project's first move worked out."""
    from django.test.utils import CaptureQueriesContext

    from zoneops.projects.selectors.pipeline import pipeline_funnel
    from zoneops.projects.tests.factories import make_project

    make_project("中商高科·沧州产业园（一期）")

    with CaptureQueriesContext(connection) as run:
        steps = pipeline_funnel(
            registered_from=date(2019, 1, 1), registered_to=date(2019, 12, 31), user=zone_user
        )
    (sql,) = [
        query["sql"] for query in run.captured_queries if "projects_stagemove" in query["sql"]
    ]

    assert steps[0].reached == 1
    assert "projects_move_registered_idx" in plan_of_sql(sql), plan_of_sql(sql)


def test_the_chain_maps_counts_read_the_above_scale_enterprises_by_index(db):
    """The 规上 count of each chain node takes the 规上 enterprises from their partial index,
    once for all the nodes: no read of every enterprise of the register, once per node."""
    from django.test.utils import CaptureQueriesContext

    from zoneops.enterprises.selectors import enterprises_count_by_chain_node
    from zoneops.enterprises.tests.factories import make_enterprise
    from zoneops.industry.enums import Segment
    from zoneops.industry.models import ChainNode, IndustryCategory, IndustryChain

    auto = IndustryCategory.objects.create(name="汽车", code="auto", gb_section="C")
    chain = IndustryChain.objects.create(name="汽车产业链", industry=auto)
    node = ChainNode.objects.create(chain=chain, name="整车", segment=Segment.MIDSTREAM)
    make_enterprise("长安汽车（示例）", is_above_scale_industry=True).chain_nodes.add(node)
    make_enterprise("汽车销售（示例）").chain_nodes.add(node)

    with CaptureQueriesContext(connection) as run:
        counts = enterprises_count_by_chain_node(node_ids=[node.pk])
    (sql,) = [query["sql"] for query in run.captured_queries]
    plan = plan_of_sql(sql)

    assert counts == {node.pk: (2, 1)}
    assert "enterprises_above_scale_idx" in plan, plan
    assert not scans_every_row(plan, "enterprises_enterprise"), plan


def test_the_board_ranks_its_cards_and_sums_its_columns_in_index_order(zone_user):
    """The board's totals by stage and its cards (the largest 30 of each stage) read the
    projects in the order of projects_stage_idx (stage, largest first): no sort of every
    project; the cards' rows are then read by their keys, not by a scan of the table."""
    from django.test.utils import CaptureQueriesContext

    from zoneops.projects.selectors.pipeline import pipeline_board
    from zoneops.projects.tests.factories import make_project

    make_project("中商高科·沧州产业园（一期）")

    with CaptureQueriesContext(connection) as run:
        columns = pipeline_board(user=zone_user)
    reads = [query["sql"] for query in run.captured_queries if "projects_project" in query["sql"]]
    totals, ranked, cards = reads[-3:]

    assert sum(column.count for column in columns) == 1
    for sql in (totals, ranked):
        plan = plan_of_sql(sql)
        assert "projects_stage_idx" in plan, plan
        assert not sorts_every_row(plan, "projects_project"), plan
    assert not scans_every_row(plan_of_sql(cards), "projects_project"), plan_of_sql(cards)


def test_my_liaison_finds_the_persons_projects_and_assignments_by_index(org):
    """我的包联: "he, or a department he belongs to" is read through the two indexes (his
    departments given as values), not by a scan of every project and every assignment."""
    from zoneops.enterprises.models import LiaisonAssignment
    from zoneops.enterprises.selectors import liaisons_of
    from zoneops.projects.selectors.pipeline import projects_liaised_by

    leader = make_user(RoleCode.LEADER, departments=[org["investment"]])
    own = [org["investment"].pk]
    queries = [
        (projects_liaised_by(user=leader, own_department_ids=own), Project._meta.db_table),
        (
            liaisons_of(user_id=leader.pk, on=date(2026, 12, 7), own_department_ids=own),
            LiaisonAssignment._meta.db_table,
        ),
    ]
    for query, table in queries:
        plan = plan_of(query)
        assert not scans_every_row(plan, table), plan
