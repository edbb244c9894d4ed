"""The API and the back office of supervision: scope, steps through HTTP, 4xx on bad input,
query counts that do not grow with the rows, the export as a real .xlsx, the panel on a
problem's page."""

import io
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from zoneops.enterprises.enums import LiaisonKind
from zoneops.enterprises.tests.factories import make_enterprise, make_liaison
from zoneops.meetings.tests.factories import make_problem
from zoneops.orgs.tests.factories import signed_in
from zoneops.projects.tests.factories import make_project
from zoneops.supervision.models import SupervisionTask
from zoneops.supervision.services import checklist_create, checklist_visit_record

pytestmark = pytest.mark.time_machine("2020-06-15T10:00+08:00", tick=False)
API = "/api/v1/supervision"


def test_the_owner_department_reads_its_tasks_and_another_does_not(make_task, people):
    task = make_task()
    assert signed_in(people["worker"]).get(f"{API}/tasks/{task.pk}").status_code == 200
    assert signed_in(people["other"]).get(f"{API}/tasks/{task.pk}").status_code == 404
    assert signed_in(people["inspector"]).get(f"{API}/tasks/{task.pk}").status_code == 200


def test_steps_through_the_api_and_only_the_supervisor_closes(make_task, people):
    task = make_task()
    worker = signed_in(people["worker"])
    answer = worker.post(
        f"{API}/tasks/{task.pk}/sign", {"version": task.version}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["status"] == "signed"
    version = answer.json()["version"]
    answer = worker.post(
        f"{API}/tasks/{task.pk}/report",
        {"version": version, "feedback": "完成"},
        content_type="application/json",
    )
    version = answer.json()["version"]
    answer = worker.post(
        f"{API}/tasks/{task.pk}/review", {"version": version}, content_type="application/json"
    )
    assert answer.status_code == 403  # the worker does not review his own work
    assert "督办人" in str(answer.json())


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "x\x00y"},
        {"department_id": 2**70},
        {"limit_days": 10**12},
        {"due_on": "0001-01-01"},
        {"title": ""},
    ],
)
def test_bad_input_answers_4xx_and_writes_nothing(people, org, payload):
    body = {
        "source": "instruction",
        "title": "推进供电",
        "department_id": org["investment"].pk,
        "supervisor_id": people["supervisor"].pk,
        "limit_days": 5,
        **payload,
    }
    if "due_on" in payload:
        body.pop("limit_days")
    answer = signed_in(people["supervisor"]).post(
        f"{API}/tasks/", body, content_type="application/json"
    )
    assert 400 <= answer.status_code < 500, answer.content
    assert not SupervisionTask.objects.exists()


def test_the_list_and_the_register_do_not_grow_in_queries_with_rows(
    make_task, people, django_assert_max_num_queries
):
    client = signed_in(people["inspector"])
    make_task()
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}/tasks/").status_code == 200
    for _ in range(6):
        make_task()
    with django_assert_max_num_queries(12):
        answer = client.get(f"{API}/tasks/")
    assert answer.json()["count"] == 7
    with django_assert_max_num_queries(30):
        assert client.get("/admin/supervision/supervisiontask/").status_code == 200


def test_the_change_page_offers_the_steps_and_a_step_page_works(make_task, people):
    task = make_task()
    worker = signed_in(people["worker"])
    page = worker.get(f"/admin/supervision/supervisiontask/{task.pk}/change/")
    assert page.status_code == 200 and "签收" in page.content.decode()
    answer = worker.post(
        f"/admin/supervision/supervisiontask/{task.pk}/sign/",
        {"edit_version": task.version, "on": "2020-06-02"},
    )
    assert answer.status_code == 302
    task.refresh_from_db()
    assert task.status == "signed"


def test_the_export_is_a_real_workbook(make_task, people):
    make_task()
    answer = signed_in(people["inspector"]).get("/admin/supervision/supervisiontask/export/")
    assert answer.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(answer.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert "督办事项" in [str(c) for c in rows[2]] and rows[3][2] == "推进园区供电扩容"


def test_a_problem_page_shows_the_link_and_the_conversion_makes_one_task(people, org):
    project = make_project("测试项目", owner=people["supervisor"])
    problem = make_problem(
        project, department=org["investment"], routed_on=date(2020, 6, 1), due_on=date(2020, 6, 30)
    )
    client = signed_in(people["inspector"])
    page = client.get(f"/admin/projects/problem/{problem.pk}/change/")
    assert "转督办" in page.content.decode()
    url = f"/admin/supervision/supervisiontask/from/problem/{problem.pk}/"
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert SupervisionTask.objects.filter(problem=problem).count() == 1
    page = client.get(f"/admin/projects/problem/{problem.pk}/change/")
    assert "已交办" in page.content.decode()


def _checklist(inspector, *, visits=1):
    enterprise = make_enterprise()
    make_liaison(
        enterprise, kind=LiaisonKind.INSPECTOR, person=inspector, started_on=date(2020, 1, 2)
    )
    checklist = checklist_create(
        enterprise=enterprise,
        inspector=inspector,
        by=inspector,
        items=["安全生产", "干部作风"],
        started_on=date(2020, 6, 1),
    )
    for n in range(visits):
        checklist_visit_record(
            checklist=checklist, findings=f"发现{n}", by=inspector, visited_on=date(2020, 6, 2 + n)
        )
    return checklist


def test_the_checklists_pages_and_api_list_do_not_grow_in_queries_with_rows(
    people, django_assert_max_num_queries
):
    inspector = people["inspector"]
    client = signed_in(inspector)
    first = _checklist(inspector)

    def pages(checklist):
        with django_assert_max_num_queries(12):
            assert client.get(f"{API}/checklists/").status_code == 200
        with django_assert_max_num_queries(30):
            assert client.get("/admin/supervision/checklist/").status_code == 200
        with django_assert_max_num_queries(40):
            page = client.get(f"/admin/supervision/checklist/{checklist.pk}/change/")
        assert page.status_code == 200

    pages(first)
    later = [_checklist(inspector, visits=3) for _ in range(4)]
    pages(later[-1])
    assert len(client.get(f"{API}/checklists/").json()["items"]) == 5
