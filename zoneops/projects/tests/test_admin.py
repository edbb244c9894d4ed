from datetime import date
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.models import Project
from zoneops.projects.tests.factories import make_project


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def client(officer):
    client = Client()
    client.force_login(officer)
    return client


def test_an_officer_registers_a_lead_in_the_back_office(client, org):
    response = client.post(
        "/admin/projects/project/add/",
        {
            "name": "氟化锂晶体项目",
            "initial_stage": "talks",
            "registered_on": "",
            "backdate_reason": "",
            "investor_name": "某新材料公司",
            "investor_country": "中国",
            "source_channel": "online_hall",
            "total_investment": "60000",
            "responsible_department": org["investment"].pk,
            "key_designations-TOTAL_FORMS": "0",
            "key_designations-INITIAL_FORMS": "0",
            "stage_moves-TOTAL_FORMS": "0",
            "stage_moves-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(name="氟化锂晶体项目")
    assert project.stage == Stage.TALKS
    assert project.stage_moves.get().moved_on == timezone.localdate()


def test_the_stage_move_page_moves_the_project_and_refuses_a_stale_form(client, officer):
    project = make_project(
        "钛合金新材料项目", owner=officer, moves=[(Stage.TALKS, date(2019, 3, 1))]
    )
    url = f"/admin/projects/project/{project.pk}/move/"
    page = client.get(url)
    assert page.status_code == 200
    assert "钛合金新材料项目" in page.content.decode()
    today = timezone.localdate().isoformat()
    done = client.post(
        url, {"to_stage": "signed", "on": today, "edit_version": project.version, "note": "签约"}
    )
    assert done.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED

    stale = client.post(url, {"to_stage": "planned_start", "on": today, "edit_version": 1})
    assert stale.status_code == 200
    assert "已被他人修改" in stale.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED


def test_a_stale_move_to_the_stage_since_reached_is_refused_as_stale(client, officer):
    """Two people opened the move page at 洽谈 and chose 签约: the second to send it is told
    that the project was changed meanwhile, not that 签约 is no longer a choice."""
    project = make_project("项目丁", owner=officer, moves=[(Stage.TALKS, date(2019, 3, 1))])
    url = f"/admin/projects/project/{project.pk}/move/"
    today = timezone.localdate().isoformat()
    client.post(url, {"to_stage": "signed", "on": today, "edit_version": project.version})

    stale = client.post(url, {"to_stage": "signed", "on": today, "edit_version": project.version})

    assert stale.status_code == 200
    assert "已被他人修改" in stale.content.decode()
    assert list(
        Project.objects.get(pk=project.pk).stage_moves.values_list("to_stage", flat=True)
    ) == [
        "talks",
        "signed",
    ]


def test_a_backdated_move_without_reason_is_shown_on_the_field(client, officer):
    project = make_project("项目甲", owner=officer, moves=[(Stage.TALKS, date(2019, 3, 1))])
    response = client.post(
        f"/admin/projects/project/{project.pk}/move/",
        {"to_stage": "signed", "on": "2019-06-01", "edit_version": project.version},
    )
    assert response.status_code == 200
    assert "须填写补登原因" in response.content.decode()
    assert Project.objects.get(pk=project.pk).stage == Stage.TALKS


def test_the_move_page_of_a_project_outside_scope_is_not_found(client, org):
    other = make_project("审批局项目", responsible_department=org["approvals"])
    assert client.get(f"/admin/projects/project/{other.pk}/move/").status_code == 404


def test_the_summary_page_shows_the_yearly_table_and_exports_it(client, officer):
    make_project(
        "在建项目",
        owner=officer,
        investment=230000,
        moves=[(Stage.SIGNED, date(2019, 1, 8)), (Stage.STARTED, date(2019, 3, 1))],
    )
    page = client.get("/admin/projects/project/summary/?year=2019")
    body = page.content.decode()
    assert page.status_code == 200
    assert "2019年招商项目情况表" in body
    assert "新开工" in body and "23.00" in body
    by_industry = client.get("/admin/projects/project/summary/?year=2019&dimension=industry")
    assert "未填写" in by_industry.content.decode()
    export = client.get("/admin/projects/project/summary/export/?year=2019")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_project_list_query_count_does_not_grow(client, officer, django_assert_max_num_queries):
    for index in range(3):
        make_project(f"项目{index}", owner=officer)
    with django_assert_max_num_queries(20) as few:
        client.get("/admin/projects/project/")
    for index in range(30):
        make_project(f"更多项目{index}", owner=officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/projects/project/")


def test_history_of_a_project_outside_scope_is_not_found(client, org):
    other = make_project("审批局项目", responsible_department=org["approvals"])
    record = other.history.first()
    assert client.get(f"/admin/projects/project/{other.pk}/history/").status_code == 404
    past = f"/admin/projects/project/{other.pk}/history/{record.history_id}/"
    assert client.get(past).status_code == 404


def test_a_past_version_cannot_be_posted_back(org):
    inspector = make_user(RoleCode.INSPECTOR, departments=[org["zone"]])
    project = make_project("某项目", investment=100)
    client = Client()
    client.force_login(inspector)
    past = f"/admin/projects/project/{project.pk}/history/{project.history.first().history_id}/"
    assert client.get(past).status_code == 200  # an inspector may read every version
    response = client.post(past, {"name": "被篡改", "total_investment": "1"})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "某项目"


def test_list_filters_offer_only_people_in_scope(client, org, officer):
    leader_far = make_user(RoleCode.LEADER, departments=[org["approvals"]], username="far_leader")
    leader_near = make_user(RoleCode.LEADER, departments=[org["investment"]], username="near")
    make_project("甲", owner=officer, liaison_leader=leader_near)
    make_project("乙", owner=officer, liaison_leader=leader_far)
    body = client.get("/admin/projects/project/").content.decode()
    assert f"liaison_leader__id__exact={leader_near.pk}" in body
    assert f"liaison_leader__id__exact={leader_far.pk}" not in body


def test_the_board_shows_columns_with_totals_and_cards_in_scope(client, officer, org):
    make_project(
        "在谈大项目", owner=officer, investment=300000, moves=[(Stage.DEEP_TALKS, date(2019, 5, 1))]
    )
    make_project(
        "别人的项目",
        responsible_department=org["approvals"],
        moves=[(Stage.DEEP_TALKS, date(2019, 5, 1))],
    )
    page = client.get("/admin/projects/project/board/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "在谈大项目" in body and "别人的项目" not in body
    assert "1个 · 30.00亿元" in body
    assert (
        f"/admin/projects/project/{Project.objects.get(name='在谈大项目').pk}/move/?next=" in body
    )


def test_board_filters_and_saved_views(client, officer):
    make_project("钛合金新材料项目", owner=officer, moves=[(Stage.DEEP_TALKS, date(2019, 5, 1))])
    make_project("汽车零部件项目", owner=officer, moves=[(Stage.DEEP_TALKS, date(2019, 5, 1))])
    body = client.get("/admin/projects/project/board/?q=钛合金").content.decode()
    assert "钛合金新材料项目" in body and "汽车零部件项目" not in body

    saved = client.post(
        "/admin/projects/project/board/views/", {"name": "新材料在谈", "query": "q=钛合金"}
    )
    assert saved.status_code == 302
    assert unquote(saved["Location"]).endswith("?q=钛合金")
    board = client.get("/admin/projects/project/board/").content.decode()
    assert "新材料在谈" in board


def test_a_move_from_the_board_returns_to_the_board(client, officer):
    project = make_project("项目乙", owner=officer, moves=[(Stage.TALKS, date(2019, 3, 1))])
    back = "/admin/projects/project/board/?q=项目乙"
    response = client.post(
        f"/admin/projects/project/{project.pk}/move/",
        {
            "to_stage": "signed",
            "on": timezone.localdate().isoformat(),
            "edit_version": project.version,
            "next": back,
        },
    )
    assert response.status_code == 302
    assert unquote(response["Location"]) == back
    evil = client.post(
        f"/admin/projects/project/{project.pk}/move/",
        {
            "to_stage": "planned_start",
            "on": timezone.localdate().isoformat(),
            "edit_version": project.version + 1,
            "next": "https://evil.example/",
        },
    )
    assert evil["Location"] == f"/admin/projects/project/{project.pk}/change/"


def test_the_funnel_page(client, officer):
    make_project(
        "项目丙",
        owner=officer,
        moves=[(Stage.LEAD, date(2019, 2, 1)), (Stage.SIGNED, date(2019, 6, 1))],
    )
    page = client.get(
        "/admin/projects/project/funnel/?registered_from=2019-01-01&registered_to=2019-12-31"
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "2019年1月1日至2019年12月31日登记的项目" in body
    assert "100.0%" in body  # every lead of the period reached 签约
    bad = client.get(
        "/admin/projects/project/funnel/?registered_from=2019-12-31&registered_to=2019-01-01"
    )
    assert "结束日期不能早于开始日期" in bad.content.decode()


def test_the_board_is_a_fixed_number_of_queries(client, officer, django_assert_max_num_queries):
    for index in range(3):
        make_project(f"项目{index}", owner=officer, moves=[(Stage.DEEP_TALKS, date(2019, 5, 1))])
    with django_assert_max_num_queries(40) as few:
        client.get("/admin/projects/project/board/")
    for index in range(25):
        make_project(f"更多{index}", owner=officer, moves=[(Stage.SIGNED, date(2019, 5, 1))])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/projects/project/board/")


def test_a_relation_outside_the_editors_scope_is_kept_on_save(client, officer, org):
    parent = make_project("中商高科·沧州产业园", responsible_department=org["approvals"])
    phase = make_project("中商高科·沧州产业园（一期）", owner=officer, parent=parent, phase="一期")
    url = f"/admin/projects/project/{phase.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    assert form.initial["parent"] == parent.pk
    assert parent in form.fields["parent"].queryset
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not hasattr(value, "all")
    }
    data.update({"description": "改了建设内容", "edit_version": phase.version})
    for prefix in (
        "key_designations",
        "stage_moves",
        "milestones",
        "annual_plans",
        "progress_reports",
        "problems",
    ):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    phase.refresh_from_db()
    assert phase.description == "改了建设内容"
    assert phase.parent == parent


def test_the_project_page_shows_its_light(client, officer):
    project = make_project("在建项目甲", owner=officer, moves=[(Stage.STARTED, date(2019, 3, 1))])
    body = client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()
    assert "红黄绿灯（今日）" in body
    assert "未评价" in body  # no annual plan, no overdue milestone
    assert "LightColour" not in body  # a badge, not the value's repr


def test_the_project_page_works_out_its_light_and_placement_once(client, officer, monkeypatch):
    from zoneops.projects.admin import pipeline

    project = make_project("在建项目乙", owner=officer, moves=[(Stage.STARTED, date(2019, 3, 1))])
    calls = {"light": 0, "placement": 0}

    def counted(name, work):
        def call(*args, **kwargs):
            calls[name] += 1
            return work(*args, **kwargs)

        return call

    monkeypatch.setattr(pipeline, "project_light", counted("light", pipeline.project_light))
    monkeypatch.setattr(pipeline, "placement_panel", counted("placement", pipeline.placement_panel))
    body = client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()

    assert "红黄绿灯（今日）" in body and "落地选址建议" in body
    assert calls == {"light": 1, "placement": 1}
