"""Problems (问题清单) in the back office: the register, the add form, the step pages, the
department's list and the summary on the project page."""

import re
from datetime import date

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import timezone

from zoneops.common.workcalendar import calendar_cache_clear
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.orgs.tests.test_backoffice import ENGLISH_UI
from zoneops.projects.admin.pipeline import ProjectAdmin
from zoneops.projects.admin.problems import ProblemInline
from zoneops.projects.enums import Stage
from zoneops.projects.models import Problem, ProblemEvent, Project
from zoneops.projects.services.problems import problem_raise, problem_resolve
from zoneops.projects.tests.factories import make_project


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def leader(org):
    return make_user(RoleCode.LEADER, departments=[org["zone"]])


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def client(officer):
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def project(org, officer, leader):
    return make_project(
        "海纳川沧州汽车零部件产业园",
        owner=officer,
        liaison_leader=leader,
        responsible_department=org["investment"],
        moves=[(Stage.SIGNED, date(2017, 6, 5)), (Stage.STARTED, date(2017, 10, 16))],
    )


def make_problem(project, department, *, title="一线技工招聘", routed_on=date(2019, 5, 6)):
    return problem_raise(
        project=project,
        title=title,
        kind="pain_point",
        topic="labour",
        department=department,
        limit_days=10,
        routed_on=routed_on,
        by=None,
    )


def test_the_register_shows_status_department_and_a_coloured_warning(client, project, org):
    make_problem(project, org["investment"], title="逾期的问题")
    make_problem(project, org["investment"], title="今天交办的问题", routed_on=None)

    body = client.get("/admin/projects/problem/").content.decode()

    assert "逾期的问题" in body and "今天交办的问题" in body
    assert "逾期" in body and "bg-red-100" in body  # the red label
    assert "正常：剩10个工作日" in body
    assert "已交办" in body and "招商局" in body


def test_the_overdue_filter_keeps_only_the_overdue(client, project, org):
    make_problem(project, org["investment"], title="逾期的问题")
    make_problem(project, org["investment"], title="今天交办的问题", routed_on=None)

    overdue = client.get("/admin/projects/problem/?overdue=yes").content.decode()
    not_overdue = client.get("/admin/projects/problem/?overdue=no").content.decode()

    assert "逾期的问题" in overdue and "今天交办的问题" not in overdue
    assert "今天交办的问题" in not_overdue and "逾期的问题" not in not_overdue


def test_the_register_reads_in_the_same_queries_whatever_its_length(
    client, project, org, django_assert_max_num_queries
):
    for index in range(3):
        make_problem(project, org["investment"], title=f"问题{index}")
    client.get("/admin/projects/problem/")  # loads the calendar years
    with django_assert_max_num_queries(30) as few:
        client.get("/admin/projects/problem/")
    for index in range(30):
        make_problem(project, org["investment"], title=f"更多问题{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/projects/problem/")


def test_the_add_form_raises_the_problem_through_the_service(client, project, org):
    response = client.post(
        "/admin/projects/problem/add/",
        {
            "project": project.pk,
            "title": "110千伏专线接入",
            "description": "二期用电负荷增至2万千伏安",
            "kind": "bottleneck",
            "topic": "utilities",
            "department": org["approvals"].pk,
            "limit_days": "5",
            "raised_on": "",
            "routed_on": "2019-09-27",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    problem = Problem.objects.get(title="110千伏专线接入")
    assert problem.due_on == date(2019, 10, 10)
    assert problem.events.get().kind == ProblemEvent.Kind.RAISED


def test_the_add_form_shows_a_refusal_on_its_field(client, project, org):
    response = client.post(
        "/admin/projects/problem/add/",
        {
            "project": project.pk,
            "title": "用地问题",
            "kind": "hard_problem",
            "topic": "land",
            "department": org["approvals"].pk,
            "limit_days": "5",
            "raised_on": "2019-10-01",
            "routed_on": "2019-09-27",
        },
    )

    assert response.status_code == 200
    assert "不能晚于交办日期" in response.content.decode()
    assert not Problem.objects.exists()


def test_the_change_page_offers_the_steps_that_fit_and_lists_the_events(client, project, org):
    problem = make_problem(project, org["investment"])

    body = client.get(f"/admin/projects/problem/{problem.pk}/change/").content.decode()

    for step in ("reroute", "note", "escalate", "resolve"):
        assert f"/admin/projects/problem/{problem.pk}/{step}/" in body
    assert f"/admin/projects/problem/{problem.pk}/reopen/" not in body
    assert "办理记录" in body and "提出并交办" in body

    problem_resolve(problem=problem, resolution="已招聘到位", on=date(2019, 5, 10), by=None)
    body = client.get(f"/admin/projects/problem/{problem.pk}/change/").content.decode()
    assert f"/admin/projects/problem/{problem.pk}/reopen/" in body
    assert f"/admin/projects/problem/{problem.pk}/resolve/" not in body


def test_the_steps_pages_note_escalate_resolve_and_reopen(client, project, org, leader):
    problem = make_problem(project, org["investment"])
    base = f"/admin/projects/problem/{problem.pk}"

    def post(step, data):
        problem.refresh_from_db()
        return client.post(f"{base}/{step}/", {"edit_version": problem.version, **data})

    assert client.get(f"{base}/note/").status_code == 200
    assert post("note", {"text": "已发布招聘公告", "on": "2019-05-07"}).status_code == 302
    escalate_page = client.get(f"{base}/escalate/").content.decode()
    assert str(leader) in escalate_page
    assert post("escalate", {"note": "", "on": "2019-05-21"}).status_code == 302
    assert post("resolve", {"resolution": "", "on": "2019-05-22"}).status_code == 200
    assert post("resolve", {"resolution": "已招聘280人", "on": "2019-05-22"}).status_code == 302
    assert post("reopen", {"reason": "企业反映仍缺焊工", "on": "2019-05-27"}).status_code == 302

    problem.refresh_from_db()
    assert problem.status == Problem.Status.IN_PROGRESS
    assert problem.escalated_to == leader
    assert list(problem.events.values_list("kind", flat=True)) == [
        "raised",
        "note",
        "escalated",
        "resolved",
        "reopened",
    ]


def test_a_stale_step_form_is_refused_with_a_message(client, project, org):
    problem = make_problem(project, org["investment"])
    url = f"/admin/projects/problem/{problem.pk}/resolve/"
    seen = problem.version
    client.post(
        f"/admin/projects/problem/{problem.pk}/note/",
        {"text": "已对接", "on": "2019-05-07", "edit_version": seen},
    )

    response = client.post(url, {"resolution": "已解决", "edit_version": seen})

    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    assert Problem.objects.get(pk=problem.pk).status == Problem.Status.IN_PROGRESS


def test_escalating_without_a_liaison_leader_says_why(client, org, officer):
    orphan = make_project("无包联项目", owner=officer, responsible_department=org["investment"])
    problem = make_problem(orphan, org["investment"])

    page = client.get(f"/admin/projects/problem/{problem.pk}/escalate/").content.decode()

    assert "未确定包联领导" in page


def test_rerouting_out_of_the_users_departments_returns_to_the_register(client, project, org):
    outsider_project = make_project("外部门项目", responsible_department=org["city"])
    problem = make_problem(outsider_project, org["investment"])

    response = client.post(
        f"/admin/projects/problem/{problem.pk}/reroute/",
        {
            "to_department": org["approvals"].pk,
            "reason": "属审批事项",
            "limit_days": "",
            "on": timezone.localdate().isoformat(),
            "edit_version": problem.version,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/projects/problem/"
    assert Problem.objects.get(pk=problem.pk).department == org["approvals"]


def test_a_step_page_of_a_problem_outside_scope_is_not_found(client, org):
    other = make_project("市里的项目", responsible_department=org["city"])
    problem = make_problem(other, org["city"])

    assert client.get(f"/admin/projects/problem/{problem.pk}/note/").status_code == 404


def test_the_department_page_shows_the_users_departments_with_the_overdue_on_top(
    client, project, org, django_assert_max_num_queries
):
    make_problem(project, org["investment"], title="今天交办", routed_on=None)
    make_problem(project, org["investment"], title="早已逾期", routed_on=date(2019, 5, 6))
    make_problem(project, org["approvals"], title="审批局的问题")

    response = client.get("/admin/projects/problem/department/")
    body = response.content.decode()

    assert response.status_code == 200
    assert "招商局问题清单" in body
    assert body.index("早已逾期") < body.index("今天交办")
    assert "审批局的问题" not in body
    assert 'class="bg-red-50' in body
    chosen = client.get(f"/admin/projects/problem/department/?department={org['approvals'].pk}")
    assert "审批局的问题" in chosen.content.decode()  # his project's problem, another department


def test_the_problem_inline_summarises_a_projects_problems(client, project, org, monkeypatch):
    project_admin = admin.site._registry[Project]
    assert isinstance(project_admin, ProjectAdmin)
    monkeypatch.setattr(project_admin, "inlines", [*project_admin.inlines, ProblemInline])
    make_problem(project, org["approvals"], title="施工许可办理")

    body = client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()

    assert "问题清单" in body and "施工许可办理" in body
    assert "bg-red-100" in body  # overdue: routed in 2019


@pytest.mark.parametrize(
    "page",
    ["", "add/", "department/", "{pk}/change/", "{pk}/reroute/", "{pk}/escalate/"],
)
def test_the_problem_pages_show_no_english_ui(client, project, org, page):
    problem = make_problem(project, org["investment"])

    body = client.get(f"/admin/projects/problem/{page.format(pk=problem.pk)}").content.decode()

    text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", body, flags=re.S)
    assert [word for word in ENGLISH_UI if word in text] == []


def test_the_add_form_can_start_from_a_project(client, project):
    body = client.get(f"/admin/projects/problem/add/?project={project.pk}").content.decode()

    assert f'<option value="{project.pk}" selected>{project.name}</option>' in body


def test_registering_a_project_is_unchanged_by_the_problem_inline(client, org, monkeypatch):
    project_admin = admin.site._registry[Project]
    monkeypatch.setattr(project_admin, "inlines", [*project_admin.inlines, ProblemInline])

    assert "problems-TOTAL_FORMS" not in client.get("/admin/projects/project/add/").content.decode()
    response = client.post(
        "/admin/projects/project/add/",
        {
            "name": "氟化锂晶体项目",
            "initial_stage": "talks",
            "investor_country": "中国",
            "source_channel": "online_hall",
            "total_investment": "25000",
            "responsible_department": org["investment"].pk,
            "key_designations-TOTAL_FORMS": "0",
            "key_designations-INITIAL_FORMS": "0",
            "stage_moves-TOTAL_FORMS": "0",
            "stage_moves-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_change_page_names_the_systemic_blocker_the_problem_is_grouped_in(
    client, project, org, officer
):
    from zoneops.blockers.services import blocker_create

    problem = make_problem(project, org["investment"])
    blocker = blocker_create(
        title="园区货车通行证办理难",
        category="bottleneck",
        topic="logistics",
        owner=officer,
        department=org["investment"],
        by=officer,
        opened_on=date(2019, 5, 8),
        problems=[problem],
    )

    body = client.get(f"/admin/projects/problem/{problem.pk}/change/").content.decode()

    assert "共性堵点" in body and "园区货车通行证办理难" in body
    assert f"/admin/blockers/systemicblocker/{blocker.pk}/change/" in body


@pytest.mark.time_machine("2026-11-16T10:00+08:00", tick=False)
def test_the_register_change_page_and_a_step_page_take_no_more_queries_than_before_the_kernel(
    client, project, org, django_assert_max_num_queries
):
    # The counts before problems stood on zoneops.casework (list, change page, step page).
    for index in range(33):
        problem = make_problem(project, org["investment"], title=f"问题{index}")
    client.get("/admin/projects/problem/")  # loads the calendar years
    # Then 15, 22 and 15; one more since on every back-office page: the header bell's count.
    with django_assert_max_num_queries(16):
        client.get("/admin/projects/problem/")
    with django_assert_max_num_queries(23):
        assert client.get(f"/admin/projects/problem/{problem.pk}/change/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/admin/projects/problem/{problem.pk}/resolve/").status_code == 200
