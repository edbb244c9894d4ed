"""The enterprise's own pages (企业服务大厅) at /enterprise/: an enterprise user signs in, sees
only its own enterprise, files requests, supplies the materials a suspended request waits for and
rates answers; staff and visitors are turned away."""

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from zoneops.enterprises.enums import LiaisonKind, RequestChannel, RequestStatus
from zoneops.enterprises.models import EnterpriseRequest, RequestEvent
from zoneops.enterprises.services.requests import request_add_note, request_suspend
from zoneops.enterprises.tests.factories import make_enterprise, make_liaison, make_request
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import KeyLevel, Stage
from zoneops.projects.services import project_set_key_levels
from zoneops.projects.services.scheduling import (
    progress_report_save,
    progress_report_start,
    progress_report_submit,
)
from zoneops.projects.tests.factories import make_project

PASSWORD = "Qiye-fuwu-2026!"
ANSWERED_ON = date(2026, 3, 4)
STARTED = [(Stage.LEAD, date(2018, 1, 2)), (Stage.SIGNED, date(2018, 1, 8))]

HOME = "/enterprise/"
LOGIN = "/enterprise/login/"
PAGES = [
    "/enterprise/",
    "/enterprise/profile/",
    "/enterprise/requests/",
    "/enterprise/requests/new/",
    "/enterprise/projects/",
]


@pytest.fixture
def firm_a(db):
    return make_enterprise(
        "沧州甲零部件有限公司", legal_representative="张三", contact_person="李四"
    )


@pytest.fixture
def firm_b(db):
    return make_enterprise("沧州乙物流有限公司")


@pytest.fixture
def user_a(firm_a):
    return make_user(RoleCode.ENTERPRISE, enterprise=firm_a, password=PASSWORD)


@pytest.fixture
def user_b(firm_b):
    return make_user(RoleCode.ENTERPRISE, enterprise=firm_b, password=PASSWORD)


@pytest.fixture
def staff(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]], password=PASSWORD)


@pytest.fixture
def client_a(user_a):
    client = Client()
    client.force_login(user_a)
    return client


def answered(enterprise, title="道路未通影响原料进场"):
    return make_request(enterprise, title=title, accepted=True, answered=ANSWERED_ON)


def html(response) -> str:
    return response.content.decode()


# --- signing in, staff and visitors -------------------------------------------------------------


def test_login_works_and_lands_on_home(user_a, firm_a):
    client = Client()
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert "企业用户登录" in html(page)
    response = client.post(LOGIN, {"username": user_a.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert firm_a.name in html(client.get(HOME))


def test_login_returns_to_the_page_asked_for(user_a):
    client = Client()
    response = client.post(
        LOGIN,
        {"username": user_a.username, "password": PASSWORD, "next": "/enterprise/requests/"},
    )
    assert response["Location"] == "/enterprise/requests/"


def test_a_wrong_password_is_refused_on_the_login_page(user_a):
    client = Client()
    response = client.post(LOGIN, {"username": user_a.username, "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in html(response)
    assert "_auth_user_id" not in client.session


def _lock_out(client, url, username):
    for _attempt in range(3):
        client.post(url, {"username": username, "password": "wrong"})
    return client.post(url, {"username": username, "password": PASSWORD})


def test_login_is_locked_after_repeated_failures(user_a, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    response = _lock_out(client, LOGIN, user_a.username)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_of_the_enterprise_login_is_its_own(user_a, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_LOCKOUT_CALLABLE = "zoneops.enterprises.views.lockout"
    response = _lock_out(Client(), LOGIN, user_a.username)
    assert response.status_code == 429
    body = html(response)
    assert "登录失败次数过多" in body and f'href="{LOGIN}"' in body
    back_office = _lock_out(Client(), "/admin/login/", staff.username)
    assert back_office.status_code == 429
    assert "登录失败次数过多" in html(back_office)
    assert f'href="{LOGIN}"' not in html(back_office)


def test_logout_is_a_post_and_returns_to_the_login(client_a):
    assert client_a.get("/enterprise/logout/").status_code == 405
    response = client_a.post("/enterprise/logout/")
    assert response["Location"] == LOGIN
    assert client_a.get(HOME)["Location"].startswith(LOGIN)


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_enterprise_login(db, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={url}"


@pytest.mark.parametrize("url", PAGES)
def test_staff_get_a_page_pointing_to_the_back_office(staff, url):
    client = Client()
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 403
    body = html(response)
    assert "请前往管理后台" in body
    assert 'href="/admin/"' in body


def test_staff_cannot_rate_through_the_enterprise_pages(staff, firm_a):
    record = answered(firm_a)
    client = Client()
    client.force_login(staff)
    response = client.post(
        f"/enterprise/requests/{record.pk}/rate/", {"score": 5, "edit_version": record.version}
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == RequestStatus.ANSWERED


# --- only its own enterprise ----------------------------------------------------------------------


def test_enterprise_sees_its_own_requests_and_not_another_enterprises(client_a, firm_a, firm_b):
    make_request(firm_a, title="甲公司用电增容")
    make_request(firm_b, title="乙公司仓储用地")
    for url in ("/enterprise/requests/", HOME):
        body = html(client_a.get(url))
        assert "甲公司用电增容" in body
        assert "乙公司仓储用地" not in body


def test_enterprise_user_cannot_read_other_enterprise_request(client_a, firm_b):
    other = make_request(firm_b, title="乙公司仓储用地")
    assert client_a.get(f"/enterprise/requests/{other.pk}/").status_code == 404


def test_rating_another_enterprises_request_is_refused(client_a, firm_b):
    other = answered(firm_b)
    response = client_a.post(
        f"/enterprise/requests/{other.pk}/rate/",
        {"score": 1, "comment": "不满意", "edit_version": other.version},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == RequestStatus.ANSWERED
    assert not RequestEvent.objects.filter(request=other, kind=RequestEvent.Kind.RATED).exists()


def test_projects_are_the_enterprises_own_with_stage_key_level_and_latest_report(
    client_a, firm_a, firm_b, staff
):
    own = make_project("甲公司新能源部件项目", moves=STARTED, investor_enterprise=firm_a)
    project_set_key_levels(project=own, year=2019, levels=[KeyLevel.PROVINCE, KeyLevel.CITY])
    report = progress_report_start(project=own, month=date(2019, 9, 1), by=staff)
    report = progress_report_save(
        report=report,
        invested_month=3000,
        progress="主体结构封顶",
        problems="",
        next_steps="设备安装",
        by=staff,
        expected_version=report.version,
    )
    progress_report_submit(report=report, by=staff)
    make_project("乙公司冷链仓储项目", investor_enterprise=firm_b)
    body = html(client_a.get("/enterprise/projects/"))
    assert "甲公司新能源部件项目" in body and "乙公司冷链仓储项目" not in body
    assert "签约" in body
    assert "省市双重点" in body
    assert "2019年9月" in body and "主体结构封顶" in body


def test_profile_shows_the_register_and_who_liaises_by_name(client_a, firm_a, firm_b, org):
    leader = make_user(RoleCode.LEADER, departments=[org["zone"]])
    other_leader = make_user(RoleCode.LEADER, departments=[org["zone"]])
    make_liaison(firm_a, kind=LiaisonKind.LEADER, person=leader)
    make_liaison(firm_a, kind=LiaisonKind.DEPARTMENT, department=org["approvals"])
    make_liaison(firm_b, kind=LiaisonKind.LEADER, person=other_leader)
    body = html(client_a.get("/enterprise/profile/"))
    assert firm_a.credit_code in body and "张三" in body
    assert str(leader) in body and "行政审批局" in body
    assert str(other_leader) not in body
    assert leader.username not in body  # names, not accounts


# --- filing a request -----------------------------------------------------------------------------


def test_filing_creates_a_self_service_request_with_a_filed_event(client_a, firm_a, user_a):
    project = make_project("甲公司新能源部件项目", investor_enterprise=firm_a)
    response = client_a.post(
        "/enterprise/requests/new/",
        {
            "title": "厂区东侧道路未通",
            "description": "原料车辆无法进场，请协调尽快打通道路。",
            "kind": "help",
            "category": "bottleneck",
            "topic": "logistics",
            "project": project.pk,
            "contact_person": "李四",
            "contact_phone": "0317-1234567",
        },
    )
    record = EnterpriseRequest.objects.get(title="厂区东侧道路未通")
    assert response.status_code == 302
    assert response["Location"] == f"/enterprise/requests/{record.pk}/"
    assert record.enterprise == firm_a
    assert record.channel == RequestChannel.SELF_SERVICE
    assert record.status == RequestStatus.SUBMITTED
    assert record.project == project
    assert record.created_by == user_a
    events = list(record.events.values_list("kind", flat=True))
    assert events == [RequestEvent.Kind.FILED]
    assert "诉求已提交" in html(client_a.get(response["Location"]))


def test_the_form_offers_only_the_enterprises_own_projects(client_a, firm_a, firm_b):
    make_project("甲公司新能源部件项目", investor_enterprise=firm_a)
    foreign = make_project("乙公司冷链仓储项目", investor_enterprise=firm_b)
    body = html(client_a.get("/enterprise/requests/new/"))
    assert "甲公司新能源部件项目" in body and "乙公司冷链仓储项目" not in body
    assert "李四" in body  # the contact is filled in from the register
    assert "办理时限5个工作日" in body
    response = client_a.post(
        "/enterprise/requests/new/",
        {
            "title": "冷库用电",
            "description": "用电增容",
            "kind": "help",
            "category": "pain_point",
            "topic": "utilities",
            "project": foreign.pk,
        },
    )
    assert response.status_code == 200
    assert not EnterpriseRequest.objects.filter(title="冷库用电").exists()


def test_a_service_refusal_is_shown_at_the_field_it_names(client_a, firm_a, monkeypatch):
    from zoneops.common.exceptions import ApplicationError
    from zoneops.enterprises import views

    def refuse(**kwargs):
        raise ApplicationError("诉求标题与已提交的诉求重复。", field="title")

    monkeypatch.setattr(views, "request_file", refuse)
    response = client_a.post(
        "/enterprise/requests/new/",
        {
            "title": "重复的诉求",
            "description": "内容",
            "kind": "consultation",
            "category": "hard_problem",
            "topic": "policy",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == ["诉求标题与已提交的诉求重复。"]


# --- the request page and the rating --------------------------------------------------------------


def test_internal_notes_never_appear_in_the_html(client_a, firm_a, staff):
    record = make_request(firm_a, title="用工招聘", accepted=True)
    request_add_note(request=record, note="已联系人社局安排专场招聘会", by=staff)
    request_add_note(request=record, note="内部：该企业欠缴社保，先核实", by=staff, internal=True)
    body = html(client_a.get(f"/enterprise/requests/{record.pk}/"))
    assert "已联系人社局安排专场招聘会" in body
    assert "欠缴社保" not in body
    for url in (HOME, "/enterprise/requests/"):
        assert "欠缴社保" not in html(client_a.get(url))


def test_the_rating_form_says_that_a_low_score_reopens(client_a, firm_a):
    record = answered(firm_a)
    body = html(client_a.get(f"/enterprise/requests/{record.pk}/"))
    assert "已协调解决。" in body  # the answer
    assert "提交评价" in body
    assert "重新办理" in body
    assert f'name="edit_version" value="{record.version}"' in body


def test_a_satisfied_rating_closes_the_request(client_a, firm_a):
    record = answered(firm_a)
    response = client_a.post(
        f"/enterprise/requests/{record.pk}/rate/",
        {"score": 5, "comment": "解决及时", "edit_version": record.version},
        follow=True,
    )
    record.refresh_from_db()
    assert record.status == RequestStatus.RATED
    assert record.rating == 5
    assert "感谢您的评价" in html(response)
    assert "提交评价" not in html(response)


def test_a_low_rating_reopens_the_request(client_a, firm_a):
    record = answered(firm_a)
    response = client_a.post(
        f"/enterprise/requests/{record.pk}/rate/",
        {"score": 2, "comment": "道路仍未打通", "edit_version": record.version},
        follow=True,
    )
    record.refresh_from_db()
    assert record.status == RequestStatus.IN_PROGRESS
    assert record.reopen_count == 1
    assert record.events.filter(kind=RequestEvent.Kind.REOPENED).exists()
    body = html(response)
    assert "重新办理" in body and "道路仍未打通" in body


def test_a_low_rating_without_a_comment_is_refused_at_the_comment(client_a, firm_a):
    record = answered(firm_a)
    response = client_a.post(
        f"/enterprise/requests/{record.pk}/rate/", {"score": 1, "edit_version": record.version}
    )
    assert response.status_code == 200
    assert response.context["rate_form"].errors["comment"]
    record.refresh_from_db()
    assert record.status == RequestStatus.ANSWERED


def test_a_stale_rating_is_refused(client_a, firm_a):
    record = answered(firm_a)
    response = client_a.post(
        f"/enterprise/requests/{record.pk}/rate/",
        {"score": 4, "edit_version": record.version - 1},
    )
    assert response.status_code == 200
    assert "已被他人修改" in html(response)
    record.refresh_from_db()
    assert record.status == RequestStatus.ANSWERED


def test_the_home_page_shows_open_requests_with_their_clock_and_answers_to_rate(client_a, firm_a):
    make_request(firm_a, title="用电增容", accepted=True)  # overdue long ago
    answered(firm_a, title="道路未通")
    body = html(client_a.get(HOME))
    assert "用电增容" in body and "逾期" in body
    assert "待您评价的答复" in body and "道路未通" in body


# --- supplying the materials a suspended request waits for --------------------------------------


def waiting(enterprise, title="厂区道路占用许可", ask="请补充道路占用施工方案和安全措施。"):
    """Accepted today and suspended until the enterprise supplies materials."""
    record = make_request(enterprise, title=title, accepted=timezone.localdate())
    return request_suspend(request=record, reason=ask, by=None)


def test_a_suspended_request_shows_what_is_asked_and_takes_the_materials(client_a, firm_a, user_a):
    record = waiting(firm_a)
    url = f"/enterprise/requests/{record.pk}/"

    body = html(client_a.get(url))
    assert "请补充道路占用施工方案和安全措施。" in body
    assert "提交补充材料" in body and "待补充材料" in body and "暂停计时（自" in body
    assert f'name="edit_version" value="{record.version}"' in body

    empty = client_a.post(f"{url}materials/", {"note": " ", "edit_version": record.version})
    assert empty.status_code == 200
    assert empty.context["materials_form"].errors["note"]
    response = client_a.post(
        f"{url}materials/",
        {"note": "施工方案已送至政务服务中心。", "edit_version": record.version},
        follow=True,
    )

    record.refresh_from_db()
    assert record.suspended_since is None
    event = record.events.get(kind=RequestEvent.Kind.RESUMED)
    assert event.by == user_a and event.note.startswith("施工方案已送至政务服务中心。")
    body = html(response)
    assert "补充材料已提交" in body and "提交补充材料" not in body


def test_a_stale_materials_form_is_refused(client_a, firm_a):
    record = waiting(firm_a)

    response = client_a.post(
        f"/enterprise/requests/{record.pk}/materials/",
        {"note": "已补充", "edit_version": record.version - 1},
    )

    assert response.status_code == 200 and "已被他人修改" in html(response)
    record.refresh_from_db()
    assert record.suspended_since is not None


def test_another_enterprises_suspended_request_is_out_of_reach(client_a, firm_b):
    other = waiting(firm_b, ask="请补充乙公司的仓储平面图。")

    assert client_a.get(f"/enterprise/requests/{other.pk}/").status_code == 404
    response = client_a.post(
        f"/enterprise/requests/{other.pk}/materials/",
        {"note": "替乙公司补充", "edit_version": other.version},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.suspended_since is not None
    assert "仓储平面图" not in html(client_a.get(HOME))


def test_no_materials_form_while_the_clock_runs(client_a, firm_a):
    record = make_request(firm_a, title="用电增容", accepted=timezone.localdate())

    assert "提交补充材料" not in html(client_a.get(f"/enterprise/requests/{record.pk}/"))
    response = client_a.post(
        f"/enterprise/requests/{record.pk}/materials/",
        {"note": "主动补充", "edit_version": record.version},
    )
    assert response.status_code == 200 and "未暂停计时" in html(response)


def test_home_and_list_show_the_requests_waiting_for_materials(client_a, firm_a):
    record = waiting(firm_a)
    make_request(firm_a, title="用电增容", accepted=timezone.localdate())

    home = html(client_a.get(HOME))
    assert "待补充材料的诉求" in home and "道路占用施工方案" in home
    assert f"/enterprise/requests/{record.pk}/#materials" in home
    listed = html(client_a.get("/enterprise/requests/?status=materials"))
    assert "厂区道路占用许可" in listed and "待补充材料" in listed and "用电增容" not in listed
    assert "用电增容" in html(client_a.get("/enterprise/requests/?status=open"))


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("", {"已受理诉求", "待评价诉求", "已评价诉求", "已退回诉求"}),
        ("open", {"已受理诉求"}),
        ("answered", {"待评价诉求"}),
        ("closed", {"已评价诉求", "已退回诉求"}),
        ("nonsense", {"已受理诉求", "待评价诉求", "已评价诉求", "已退回诉求"}),
    ],
)
def test_the_request_list_filter_keeps_only_the_requests_in_that_state(
    client_a, firm_a, status, shown
):
    make_request(firm_a, title="已受理诉求", accepted=timezone.localdate())
    answered(firm_a, title="待评价诉求")
    make_request(firm_a, title="已评价诉求", accepted=True, answered=ANSWERED_ON, rated=ANSWERED_ON)
    make_request(firm_a, title="已退回诉求", returned=timezone.localdate())

    body = html(client_a.get(f"/enterprise/requests/?status={status}"))

    titles = {"已受理诉求", "待评价诉求", "已评价诉求", "已退回诉求"}
    assert {title for title in titles if title in body} == shown


def test_pages_speak_chinese(client_a):
    for url in PAGES:
        body = html(client_a.get(url))
        assert 'lang="zh-hans"' in body
        assert "企业服务大厅" in body


# --- query counts do not grow with rows -----------------------------------------------------------


def _fill(firm, count, staff):
    for number in range(count):
        record = make_request(firm, title=f"诉求{number}", accepted=True)
        request_add_note(request=record, note=f"办理记录{number}", by=staff)
        answered(firm, title=f"已答复{number}")
        make_project(f"项目{number}", moves=STARTED, investor_enterprise=firm)


@pytest.mark.parametrize("url", [*PAGES, "detail"])
def test_page_query_count_does_not_grow_with_rows(
    client_a, firm_a, staff, url, django_assert_max_num_queries
):
    _fill(firm_a, 1, staff)
    record = EnterpriseRequest.objects.filter(status=RequestStatus.ACCEPTED).first()
    target = f"/enterprise/requests/{record.pk}/" if url == "detail" else url
    with django_assert_max_num_queries(30) as few:
        assert client_a.get(target).status_code == 200
    _fill(firm_a, 5, staff)
    for _note in range(5):
        request_add_note(request=record, note="再次跟进", by=staff)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client_a.get(target).status_code == 200
