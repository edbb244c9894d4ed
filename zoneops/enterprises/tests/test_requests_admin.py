"""Enterprise requests (企业诉求) in the back office: the register with its clock, filing on an
enterprise's behalf, the change page with its events, one page per step, the statistics, the
overdue list, Excel out and the limits per kind — through Django's client, role by role."""

import io
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zoneops.common.periods import format_period
from zoneops.common.workcalendar import calendar_cache_clear
from zoneops.enterprises.enums import LiaisonKind, RequestChannel, RequestKind, RequestStatus
from zoneops.enterprises.models import (
    EnterpriseRequest,
    RequestEvent,
    RequestExtension,
    RequestKindLimit,
)
from zoneops.enterprises.selectors.requests import request_clock
from zoneops.enterprises.services.requests import (
    request_add_note,
    request_ask_extension,
    request_resume,
    request_suspend,
)
from zoneops.enterprises.tests.factories import make_enterprise, make_liaison, make_request
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.orgs.tests.test_backoffice import ENGLISH_UI
from zoneops.projects.tests.factories import make_project

LIST = "/admin/enterprises/enterpriserequest/"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer(org):
    """A member of staff of 行政审批局, where the requests are routed."""
    return make_user(RoleCode.STAFF, departments=[org["approvals"]])


@pytest.fixture
def head(org):
    """行政审批局's head: approves extensions."""
    return make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["approvals"]])


@pytest.fixture
def client(officer):
    return client_for(officer)


@pytest.fixture
def enterprise(db):
    return make_enterprise("北京现代沧州工厂")


def routed(enterprise, org, **fields):
    """A request accepted and routed to 行政审批局."""
    fields.setdefault("accepted", date(2026, 3, 2))
    return make_request(enterprise, department=org["approvals"], **fields)


def step_url(item, step: str) -> str:
    return f"{LIST}{item.pk}/{step}/"


def text_of(response) -> str:
    return response.content.decode()


# --- the register ---------------------------------------------------------------------------------


def test_the_register_shows_enterprise_status_department_and_a_coloured_clock(
    client, enterprise, org
):
    routed(enterprise, org, title="物流车辆进园受限")
    make_request(enterprise, title="刚提交的诉求", department=org["approvals"])
    routed(enterprise, org, title="今天受理的诉求", accepted=timezone.localdate(), limit_days=10)

    body = text_of(client.get(LIST))

    assert "物流车辆进园受限" in body and "今天受理的诉求" in body
    assert "北京现代沧州工厂" in body and "行政审批局" in body
    assert "堵点·物流" in body
    assert "逾期" in body and "bg-red-100" in body  # the red clock
    assert "正常：剩10个工作日" in body
    # Submitted requests are not routed yet: staff of the department do not see them.
    assert "刚提交的诉求" not in body


def test_the_overdue_filter_keeps_only_the_overdue(client, enterprise, org):
    routed(enterprise, org, title="早已逾期")
    routed(enterprise, org, title="今天受理", accepted=timezone.localdate())

    overdue = text_of(client.get(f"{LIST}?overdue=yes"))
    not_overdue = text_of(client.get(f"{LIST}?overdue=no"))

    assert "早已逾期" in overdue and "今天受理" not in overdue
    assert "今天受理" in not_overdue and "早已逾期" not in not_overdue


def test_the_warning_filter_keeps_the_requests_at_that_level(client, enterprise, org):
    today = timezone.localdate()
    items = [
        routed(enterprise, org, title=f"受理于{days}天前", accepted=today - timedelta(days=days))
        for days in (0, 1, 3, 5, 6, 8, 12, 40)
    ]
    levels = {item.title: request_clock(item).level for item in items}
    assert {"normal", "red"} <= set(levels.values())

    for level in ("normal", "yellow", "red"):
        body = text_of(client.get(f"{LIST}?clock={level}"))
        shown = {title for title in levels if f">{title}<" in body}
        assert shown == {title for title, at in levels.items() if at == level}, level


def test_the_register_reads_in_the_same_queries_whatever_its_length(
    client, enterprise, org, django_assert_max_num_queries
):
    for _index in range(3):
        routed(enterprise, org)
    client.get(LIST)  # loads the calendar years
    with django_assert_max_num_queries(40) as few:
        client.get(LIST)
    for index in range(30):
        routed(make_enterprise(f"企业{index}"), org)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert text_of(response).count("bg-red-100") >= 33


def test_the_register_exports_what_the_list_shows(client, enterprise, org):
    routed(enterprise, org, title="早已逾期")
    routed(enterprise, org, title="今天受理", accepted=timezone.localdate())

    response = client.get(f"{LIST}export/?overdue=yes")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    values = rows.to_python()
    titles = [row[3] for row in values[3:]]
    assert titles == ["早已逾期"]


# --- filing on an enterprise's behalf -------------------------------------------------------------


def _filing(enterprise, **fields):
    return {
        "enterprise": enterprise.pk,
        "project": "",
        "title": "用工缺口：焊工",
        "description": "二期投产需焊工120人，本地招聘困难。",
        "kind": RequestKind.HELP,
        "category": "pain_point",
        "topic": "labour",
        "filing_channel": RequestChannel.HOTLINE,
        "filing_date": "2026-11-02",
        "contact_person": "张经理",
        "contact_phone": "0317-1234567",
        **fields,
    }


# Filed on 2026-11-02: a date that has passed.
@pytest.mark.time_machine("2026-11-16T10:00+08:00", tick=False)
def test_staff_file_a_request_on_the_enterprises_behalf(client, enterprise):
    response = client.post(f"{LIST}add/", _filing(enterprise))

    assert response.status_code == 302, text_of(response)[:3000]
    item = EnterpriseRequest.objects.get(title="用工缺口：焊工")
    assert response["Location"] == f"{LIST}{item.pk}/change/"
    assert item.status == RequestStatus.SUBMITTED
    assert item.channel == RequestChannel.HOTLINE
    assert item.filed_on == date(2026, 11, 2)
    assert list(item.events.values_list("kind", flat=True)) == [RequestEvent.Kind.FILED]
    # The one who filed it reaches it, though it is not routed to his department yet.
    assert "用工缺口：焊工" in text_of(client.get(LIST))


# Refused for the project, not for a filing date still to come.
@pytest.mark.time_machine("2026-11-16T10:00+08:00", tick=False)
def test_a_refused_filing_shows_the_reason_at_its_field_and_keeps_what_was_typed(
    client, enterprise, org
):
    other_project = make_project("别家的项目", responsible_department=org["approvals"])

    response = client.post(f"{LIST}add/", _filing(enterprise, project=other_project.pk))

    body = text_of(response)
    assert response.status_code == 200
    assert "不是“北京现代沧州工厂”投资的项目" in body
    assert "二期投产需焊工120人" in body
    assert not EnterpriseRequest.objects.exists()


def test_the_add_form_does_not_offer_self_service(client):
    body = text_of(client.get(f"{LIST}add/"))

    assert "包联人员代报" in body and "企业自助提交" not in body


# --- the change page and the steps ----------------------------------------------------------------


def test_the_change_page_offers_the_steps_that_fit_and_shows_the_events(client, enterprise, org):
    item = routed(enterprise, org, accepted=timezone.localdate())
    request_add_note(request=item, note="已电话联系企业", internal=True, by=None)
    overdue = routed(enterprise, org)

    body = text_of(client.get(f"{LIST}{item.pk}/change/"))
    overdue_body = text_of(client.get(f"{LIST}{overdue.pk}/change/"))

    for step in ("start", "note", "extend", "answer", "reroute", "return"):
        assert step_url(item, step) in body, step
    for step in ("accept", "rate", "decide-extension"):
        assert step_url(item, step) not in body, step
    assert "办理记录" in body and "受理并交办" in body
    assert "已电话联系企业" in body and "内部" in body
    # Past its deadline it is answered, not extended.
    assert step_url(overdue, "answer") in overdue_body
    assert step_url(overdue, "extend") not in overdue_body


def test_a_request_goes_through_every_step_page(client, enterprise, org, head, officer):
    item = make_request(enterprise, title="110千伏专线接入", kind=RequestKind.HELP)
    administrator = client_for(make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]]))
    today = timezone.localdate().isoformat()

    def post(who, step, data):
        item.refresh_from_db()
        return who.post(step_url(item, step), {"edit_version": item.version, **data})

    accept_page = text_of(administrator.get(step_url(item, "accept")))
    assert 'name="limit_days" value="5"' in accept_page  # the kind's limit, prefilled
    assert "企业可在企业服务大厅看到此内容" in accept_page  # the 交办意见 reaches the enterprise
    response = post(
        administrator,
        "accept",
        {"department": org["approvals"].pk, "limit_days": "5", "note": "", "on": today},
    )
    assert response.status_code == 302, text_of(response)[:2000]

    assert post(client, "start", {"note": "", "on": today}).status_code == 302
    assert post(client, "note", {"note": "已对接供电公司", "internal": "on"}).status_code == 302
    assert post(client, "extend", {"days": "3", "reason": "需供电公司现场勘查"}).status_code == 302
    # The one who asked does not decide; a head does.
    assert step_url(item, "decide-extension") not in text_of(client.get(f"{LIST}{item.pk}/change/"))
    head_client = client_for(head)
    assert step_url(item, "decide-extension") in text_of(
        head_client.get(f"{LIST}{item.pk}/change/")
    )
    decide_page = text_of(head_client.get(step_url(item, "decide-extension")))
    assert "需供电公司现场勘查" in decide_page
    assert post(head_client, "decide-extension", {"decision": "approve"}).status_code == 302
    item.refresh_from_db()
    assert item.extension_days == 3

    assert post(client, "answer", {"answer": "专线已列入年度计划"}).status_code == 302
    # A score below 3 on the return visit (回访) reopens it, with a comment.
    refused = post(client, "rate", {"score": "2", "comment": ""})
    assert refused.status_code == 200 and "不满意" in text_of(refused)
    assert post(client, "rate", {"score": "2", "comment": "工期仍未明确"}).status_code == 302
    item.refresh_from_db()
    assert item.status == RequestStatus.IN_PROGRESS and item.reopen_count == 1

    assert post(client, "answer", {"answer": "已明确12月底送电"}).status_code == 302
    assert post(client, "rate", {"score": "5", "comment": "满意"}).status_code == 302
    item.refresh_from_db()
    assert item.status == RequestStatus.RATED and item.rating == 5
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds == [
        "filed",
        "accepted",
        "started",
        "note",
        "extension_asked",
        "extension_approved",
        "answered",
        "rated",
        "reopened",
        "answered",
        "rated",
    ]


def test_the_clock_is_suspended_and_resumed_through_its_step_pages(client, enterprise, org):
    today = timezone.localdate()
    item = routed(enterprise, org, title="厂区道路占用许可", accepted=today)
    due = item.due_on

    page = text_of(client.get(f"{LIST}{item.pk}/change/"))
    assert step_url(item, "suspend") in page and step_url(item, "resume") not in page
    refused = client.post(step_url(item, "suspend"), {"reason": "", "edit_version": item.version})
    assert refused.status_code == 200 and "需要企业补充的材料" in text_of(refused)
    done = client.post(
        step_url(item, "suspend"),
        {"reason": "请补充道路占用施工方案。", "edit_version": item.version},
    )
    assert done.status_code == 302, text_of(done)[:2000]

    item.refresh_from_db()
    assert item.suspended_since == today
    page = text_of(client.get(f"{LIST}{item.pk}/change/"))
    assert "暂停计时（自" in page and "待企业补充材料）" in page
    assert "bg-primary-100" in page  # the clock's badge: neither a warning nor done
    assert step_url(item, "resume") in page
    for step in ("suspend", "extend"):
        assert step_url(item, step) not in page, step
    resume_page = text_of(client.get(step_url(item, "resume")))
    assert "请补充道路占用施工方案。" in resume_page and 'id="suspension-ask"' in resume_page

    resumed = client.post(
        step_url(item, "resume"), {"note": "已收到企业邮寄的方案", "edit_version": item.version}
    )
    assert resumed.status_code == 302, text_of(resumed)[:2000]
    item.refresh_from_db()
    assert (item.suspended_since, item.suspended_days, item.due_on) == (None, 0, due)
    assert list(item.events.values_list("kind", flat=True))[-2:] == ["suspended", "resumed"]


def test_an_overdue_request_offers_no_suspension_and_its_page_says_why(client, enterprise, org):
    item = routed(enterprise, org)  # due 2026-03-09, long past

    assert step_url(item, "suspend") not in text_of(client.get(f"{LIST}{item.pk}/change/"))
    body = text_of(client.get(step_url(item, "suspend")))
    assert 'id="step-notice"' in body and "办结期限已过" in body
    response = client.post(
        step_url(item, "suspend"), {"reason": "补材料", "edit_version": item.version}
    )
    assert response.status_code == 200 and "不能再暂停计时" in text_of(response)
    assert EnterpriseRequest.objects.get(pk=item.pk).suspended_since is None


def test_the_warning_filter_has_the_suspended_requests_apart(client, enterprise, org):
    today = timezone.localdate()
    waiting = routed(enterprise, org, title="等企业补材料")
    request_suspend(request=waiting, reason="请补充材料。", on=date(2026, 3, 4), by=None)
    # Stood from acceptance, 40 days ago, until today: running with the whole limit left.
    resumed = routed(enterprise, org, title="材料已补齐", accepted=today - timedelta(days=40))
    request_suspend(request=resumed, reason="请补充材料。", on=resumed.accepted_on, by=None)
    request_resume(request=resumed, by=None)
    routed(enterprise, org, title="早已逾期")

    suspended_list = text_of(client.get(f"{LIST}?clock=suspended"))
    normal = text_of(client.get(f"{LIST}?clock=normal"))
    red = text_of(client.get(f"{LIST}?clock=red"))
    overdue = text_of(client.get(f"{LIST}overdue/"))

    assert ">等企业补材料<" in suspended_list
    assert ">材料已补齐<" not in suspended_list and ">早已逾期<" not in suspended_list
    assert ">材料已补齐<" in normal and ">等企业补材料<" not in normal
    assert ">早已逾期<" in red and ">等企业补材料<" not in red and ">材料已补齐<" not in red
    assert "早已逾期" in overdue and "等企业补材料" not in overdue


def test_rerouting_and_returning_need_a_reason(client, enterprise, org):
    item = routed(enterprise, org)

    refused = client.post(
        step_url(item, "reroute"),
        {"to_department": org["investment"].pk, "reason": "", "edit_version": item.version},
    )
    assert refused.status_code == 200
    assert EnterpriseRequest.objects.get(pk=item.pk).department == org["approvals"]

    moved = client.post(
        step_url(item, "reroute"),
        {
            "to_department": org["investment"].pk,
            "reason": "属招商事项",
            "edit_version": item.version,
        },
    )
    # Out of the officer's department now: back to the register.
    assert moved.status_code == 302 and moved["Location"] == LIST
    assert EnterpriseRequest.objects.get(pk=item.pk).department == org["investment"]


def test_a_refusal_of_an_extension_needs_a_note(enterprise, org, officer, head):
    item = routed(enterprise, org)
    request_ask_extension(request=item, days=5, reason="等待材料", on=date(2026, 3, 3), by=officer)
    head_client = client_for(head)

    refused = head_client.post(step_url(item, "decide-extension"), {"decision": "refuse"})
    assert refused.status_code == 200 and "须填写审批意见" in text_of(refused)

    done = head_client.post(
        step_url(item, "decide-extension"), {"decision": "refuse", "note": "理由不充分"}
    )
    assert done.status_code == 302
    assert item.extensions.get().decision == RequestExtension.Decision.REFUSED


def test_staff_without_the_approval_permission_cannot_open_the_decision(
    client, enterprise, org, head
):
    item = routed(enterprise, org)
    request_ask_extension(request=item, days=5, reason="等待材料", on=date(2026, 3, 3), by=head)

    assert client.get(step_url(item, "decide-extension")).status_code == 403


def test_no_one_deletes_a_request_not_even_the_head_of_its_department(enterprise, org, head):
    item = routed(enterprise, org)
    administrator = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])

    for user in (head, administrator):
        client = client_for(user)
        assert client.get(f"{LIST}{item.pk}/delete/").status_code == 403
        assert client.post(f"{LIST}{item.pk}/delete/", {"post": "yes"}).status_code == 403
        client.post(
            LIST, {"action": "delete_selected", "_selected_action": [item.pk], "post": "yes"}
        )
        assert "delete_selected" not in text_of(client.get(LIST))

    # A request not handled is returned with the reason: its record and events stay.
    assert EnterpriseRequest.objects.filter(pk=item.pk).exists()
    assert item.events.count() == 2


def test_a_stale_step_form_is_refused_with_a_message(client, enterprise, org):
    item = routed(enterprise, org)
    seen = item.version
    client.post(step_url(item, "start"), {"edit_version": seen})

    response = client.post(step_url(item, "answer"), {"answer": "已解决", "edit_version": seen})

    assert response.status_code == 200
    assert "已被他人修改" in text_of(response)
    assert EnterpriseRequest.objects.get(pk=item.pk).status == RequestStatus.IN_PROGRESS


def test_a_stale_step_that_no_longer_fits_is_refused_as_stale(client, enterprise, org):
    """Two people opened 开始办理 at once: the second to send it is told that the request was
    changed meanwhile (the page says too that the step no longer fits), and it starts once."""
    item = routed(enterprise, org)
    seen = item.version
    client.post(step_url(item, "start"), {"edit_version": seen})

    response = client.post(step_url(item, "start"), {"edit_version": seen})

    assert response.status_code == 200
    body = text_of(response)
    assert "已被他人修改" in body and 'id="step-notice"' in body
    assert item.events.filter(kind=RequestEvent.Kind.STARTED).count() == 1


def test_a_stale_change_form_is_refused(client, enterprise, org):
    item = routed(enterprise, org)
    seen = item.version
    client.post(step_url(item, "start"), {"edit_version": seen})

    response = client.post(
        f"{LIST}{item.pk}/change/",
        {
            "category": "hard_problem",
            "topic": "logistics",
            "contact_person": "李",
            "contact_phone": "",
            "edit_version": seen,
        },
    )

    assert response.status_code == 200
    assert "已被他人修改" in text_of(response)
    assert EnterpriseRequest.objects.get(pk=item.pk).category == "bottleneck"


def test_the_change_page_edits_only_the_classification_and_contacts(client, enterprise, org):
    item = routed(enterprise, org)

    response = client.post(
        f"{LIST}{item.pk}/change/",
        {
            "category": "hard_problem",
            "topic": "land",
            "contact_person": "李经理",
            "contact_phone": "13800000000",
            "title": "改掉的标题",
            "edit_version": item.version,
        },
    )

    assert response.status_code == 302, text_of(response)[:2000]
    item.refresh_from_db()
    assert (item.category, item.topic, item.contact_person) == ("hard_problem", "land", "李经理")
    assert item.title != "改掉的标题"


def test_a_step_that_no_longer_fits_says_why(client, enterprise, org):
    item = routed(enterprise, org, answered=date(2026, 3, 5))

    body = text_of(client.get(step_url(item, "answer")))

    assert "已答复" in body and 'id="step-notice"' in body


# --- who sees what --------------------------------------------------------------------------------


def test_staff_of_another_department_neither_see_nor_reach_the_request(enterprise, org):
    item = routed(enterprise, org, title="审批局的诉求")
    outsider = client_for(make_user(RoleCode.STAFF, departments=[org["investment"]]))

    assert "审批局的诉求" not in text_of(outsider.get(LIST))
    assert outsider.get(f"{LIST}{item.pk}/change/").status_code == 302  # to the admin index
    assert outsider.get(step_url(item, "note")).status_code == 404


def test_a_leader_reaches_what_he_is_in_charge_of_and_liaises_with(enterprise, org):
    in_charge = routed(enterprise, org, title="分管部门的诉求")
    liaised_enterprise = make_enterprise("包联企业")
    liaised = make_request(
        liaised_enterprise, title="包联企业的诉求", accepted=True, department=org["investment"]
    )
    elsewhere = make_request(
        make_enterprise("其他企业"), title="其他诉求", accepted=True, department=org["city"]
    )
    leader = make_user(RoleCode.LEADER, departments=[org["zone"]], in_charge_of=[org["approvals"]])
    make_liaison(liaised_enterprise, kind=LiaisonKind.LEADER, person=leader)
    leader_client = client_for(leader)

    body = text_of(leader_client.get(LIST))

    assert "分管部门的诉求" in body and "包联企业的诉求" in body and "其他诉求" not in body
    page = text_of(leader_client.get(f"{LIST}{in_charge.pk}/change/"))
    assert step_url(in_charge, "answer") in page
    assert leader_client.get(step_url(liaised, "note")).status_code == 200
    assert leader_client.get(step_url(elsewhere, "note")).status_code == 404


def test_an_inspector_sees_every_request_but_takes_no_step(enterprise, org):
    item = routed(enterprise, org, title="审批局的诉求")
    make_request(make_enterprise(), title="市里的诉求", accepted=True, department=org["city"])
    inspector = client_for(make_user(RoleCode.INSPECTOR, departments=[org["zone"]]))

    body = text_of(inspector.get(LIST))
    assert "审批局的诉求" in body and "市里的诉求" in body
    page = text_of(inspector.get(f"{LIST}{item.pk}/change/"))
    assert "审批局的诉求" in page
    assert step_url(item, "answer") not in page and step_url(item, "note") not in page
    response = inspector.post(step_url(item, "answer"), {"answer": "x", "edit_version": 1})
    assert response.status_code == 403
    assert EnterpriseRequest.objects.get(pk=item.pk).status == RequestStatus.ACCEPTED


def test_an_enterprise_user_cannot_reach_the_back_office(enterprise, org):
    item = routed(enterprise, org)
    user = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    own = client_for(user)

    for url in ("/admin/", LIST, f"{LIST}{item.pk}/change/", f"{LIST}statistics/"):
        response = own.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


# --- statistics and the overdue list --------------------------------------------------------------


@pytest.mark.time_machine("2026-12-06T10:00+08:00", tick=False)
def test_the_statistics_page_counts_by_topic_with_a_total(client, enterprise, org):
    routed(enterprise, org, topic="logistics")
    routed(enterprise, org, topic="logistics", answered=date(2026, 3, 4), rated=date(2026, 3, 5))
    routed(enterprise, org, topic="land", answered=date(2026, 3, 20))

    response = client.get(f"{LIST}statistics/")

    body = text_of(response)
    assert response.status_code == 200
    # December of a year still running is a cumulative, not the whole year.
    assert "2026年1-12月企业诉求办理情况统计表（领域）" in body
    table = body[body.index('id="request-statistics"') :]
    rows = re.findall(r"<tr.*?</tr>", table, flags=re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in rows[1:]]
    by_label = {row[0]: row for row in cells}
    assert by_label["物流"][1:3] == ["2", "1"]
    assert by_label["用地"][1:3] == ["1", "1"]
    assert by_label["合计"][1:5] == ["3", "2", "1", '<span class="text-red-600">1</span>']
    assert "100.0%" in by_label["物流"][5]  # answered by the deadline


def test_the_statistics_by_department_for_a_chosen_period_export_to_excel(client, enterprise, org):
    routed(enterprise, org, answered=date(2026, 3, 4))
    query = "year=2026&first_month=3&last_month=3&by=department"

    body = text_of(client.get(f"{LIST}statistics/?{query}"))
    assert "2026年3月企业诉求办理情况统计表（承办部门）" in body
    assert "行政审批局" in body
    assert f"statistics/export/?{query}" in body.replace("&amp;", "&")

    response = client.get(f"{LIST}statistics/export/?{query}")
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    values = sheet.to_python()
    assert values[0][0] == "2026年3月企业诉求办理情况统计表（承办部门）"
    assert values[2][0] == "承办部门" and values[3][0] == "合计"
    assert values[4][:3] == ["行政审批局", 1, 1]


def test_a_wrong_period_falls_back_to_this_year(client):
    body = text_of(client.get(f"{LIST}statistics/?year=2026&first_month=9&last_month=3&by=topic"))

    today = timezone.localdate()
    assert "截止月份不能早于起始月份" in body
    this_year = format_period(year=today.year, first_month=1, last_month=today.month, today=today)
    assert f"{this_year}企业诉求办理情况统计表（领域）" in body


@pytest.mark.time_machine("2027-01-01T07:30+08:00", tick=False)
def test_on_new_years_day_the_statistics_open_on_the_whole_year_just_over(client, enterprise, org):
    routed(enterprise, org, filed_on=date(2026, 12, 30), accepted=date(2026, 12, 31))

    body = text_of(client.get(f"{LIST}statistics/"))
    assert "2026年企业诉求办理情况统计表（领域）" in body
    assert "2026年1-12月" not in body

    body = text_of(client.get(f"{LIST}statistics/?year=2027&first_month=1&last_month=1&by=topic"))
    assert "2027年1月企业诉求办理情况统计表（领域）" in body


def test_the_statistics_open_on_the_latest_year_with_requests_when_this_year_has_none(
    client, enterprise, org
):
    routed(enterprise, org, filed_on=date(2020, 5, 6), accepted=date(2020, 5, 7))

    body = text_of(client.get(f"{LIST}statistics/"))

    assert "2020年企业诉求办理情况统计表（领域）" in body
    assert "该期间没有诉求" not in body


def test_the_statistics_export_as_first_opened_is_the_period_the_page_shows(
    client, enterprise, org
):
    routed(enterprise, org, filed_on=date(2020, 5, 6), accepted=date(2020, 5, 7))

    body = text_of(client.get(f"{LIST}statistics/"))
    link = re.search(r'href="([^"]*statistics/export/[^"]*)" class="zo-button"', body)
    assert link is not None
    response = client.get(link.group(1).replace("&amp;", "&"))

    assert "2020年企业诉求办理情况统计表（领域）" in body
    values = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = values.get_sheet_by_index(0).to_python()
    assert rows[0][0] == "2020年企业诉求办理情况统计表（领域）"
    assert rows[3][:2] == ["合计", 1]


def test_the_overdue_page_lists_every_overdue_request_for_an_inspector(enterprise, org):
    routed(enterprise, org, title="审批局逾期")
    make_request(make_enterprise(), title="市里逾期", accepted=True, department=org["city"])
    routed(enterprise, org, title="今天受理", accepted=timezone.localdate())
    inspector = client_for(make_user(RoleCode.INSPECTOR, departments=[org["zone"]]))

    body = text_of(inspector.get(f"{LIST}overdue/"))

    assert "审批局逾期" in body and "市里逾期" in body and "今天受理" not in body
    assert "共 2 件" in body


# --- the limits per kind --------------------------------------------------------------------------


def test_administrators_change_the_limit_of_a_kind_and_staff_only_read_it(client, org):
    limit = RequestKindLimit.objects.get(kind=RequestKind.HELP)
    url = f"/admin/enterprises/requestkindlimit/{limit.pk}/change/"
    administrator = client_for(make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]]))

    assert administrator.post(url, {"limit_days": "7"}).status_code == 302
    assert RequestKindLimit.objects.get(pk=limit.pk).limit_days == 7

    client.post(url, {"limit_days": "2"})
    assert RequestKindLimit.objects.get(pk=limit.pk).limit_days == 7
    assert "求助" in text_of(client.get("/admin/enterprises/requestkindlimit/"))


# --- language -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        "",
        "add/",
        "statistics/",
        "overdue/",
        "{pk}/change/",
        "{pk}/answer/",
        "{pk}/extend/",
        "{pk}/suspend/",
        "{pk}/resume/",
    ],
)
def test_the_request_pages_show_no_english_ui(client, enterprise, org, page):
    item = routed(enterprise, org)

    body = text_of(client.get(f"{LIST}{page.format(pk=item.pk)}"))

    text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", body, flags=re.S)
    assert [word for word in ENGLISH_UI if word in text] == []


# --- the other pages read in a fixed number of queries -----------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        "overdue/",
        "statistics/?year=2026&first_month=1&last_month=12&by=enterprise",
        "statistics/?year=2026&first_month=1&last_month=12&by=department",
        "change",
    ],
)
def test_the_overdue_statistics_and_change_pages_do_not_grow_with_rows(
    client, enterprise, org, page, django_assert_max_num_queries, settings
):
    settings.ZONEOPS_CACHE_SECONDS = 0  # the computation's queries, not the cache's hit
    first = routed(enterprise, org, title="首件诉求")
    request_add_note(request=first, note="首次跟进", by=None)
    url = step_url(first, "change") if page == "change" else f"{LIST}{page}"
    client.get(url)  # loads the calendar years
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    for index in range(8):
        routed(make_enterprise(f"企业{index}"), org, title=f"诉求{index}")
        request_add_note(request=first, note=f"跟进{index}", by=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = text_of(client.get(url))
    if page == "overdue/":
        assert "共 9 件" in body
    elif page == "change":
        assert "跟进7" in body
    else:
        assert "企业7" in body or "行政审批局" in body


@pytest.mark.time_machine("2026-11-16T10:00+08:00", tick=False)
def test_the_register_change_page_and_a_step_page_take_no_more_queries_than_before_the_kernel(
    client, enterprise, org, django_assert_max_num_queries
):
    # The counts before requests stood on zoneops.casework (list, change page, step page).
    for index in range(33):
        routed(make_enterprise(f"企业{index}"), org)
    item = routed(enterprise, org)
    client.get(LIST)  # loads the calendar years
    # Then 13, 26 and 17; one more since on every back-office page: the header bell's count.
    with django_assert_max_num_queries(14):
        client.get(LIST)
    with django_assert_max_num_queries(27):
        assert client.get(f"{LIST}{item.pk}/change/").status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(step_url(item, "answer")).status_code == 200
