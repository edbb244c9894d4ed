from datetime import date

import pytest
from django.test import Client

from zoneops.meetings.enums import AgendaSource, MeetingKind, MeetingStatus
from zoneops.meetings.models import Decision, Meeting
from zoneops.meetings.services import (
    ceremony_attach_projects,
    decision_create,
    meeting_hold,
)
from zoneops.meetings.tests.factories import make_meeting, make_milestone
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.tests.factories import make_project

MEETING_DAY = date(2020, 3, 30)


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def client(officer):
    client = Client()
    client.force_login(officer)
    return client


def _body(response) -> str:
    return response.content.decode()


def _change_data(meeting: Meeting, **overrides) -> dict:
    """What the change page posts back: the meeting's fields and empty inlines."""
    data = {
        "kind": meeting.kind,
        "title": meeting.title,
        "held_on": meeting.held_on.isoformat(),
        "starts_at": "",
        "duration_minutes": meeting.duration_minutes or "",
        "location": meeting.location,
        "online": "on" if meeting.online else "",
        "host": meeting.host_id or "",
        "organiser": meeting.organiser_id or "",
        "external_attendees": meeting.external_attendees,
        "minutes": meeting.minutes,
        "edit_version": meeting.version,
        "agenda_items-TOTAL_FORMS": "0",
        "agenda_items-INITIAL_FORMS": "0",
        "decisions-TOTAL_FORMS": "0",
        "decisions-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def test_an_officer_schedules_a_meeting_in_the_back_office(client, officer, org):
    response = client.post(
        "/admin/meetings/meeting/add/",
        {
            "kind": MeetingKind.ONLINE_TALKS,
            "title": "钛合金新材料项目线上洽谈",
            "held_on": "2020-04-14",
            "attendees": [officer.pk],
            "edit_version": "",
        },
    )

    assert response.status_code == 302, _body(response)[:3000]
    meeting = Meeting.objects.get(title="钛合金新材料项目线上洽谈")
    assert (meeting.organiser, meeting.online, meeting.location) == (
        org["investment"],
        True,
        "线上会客厅",
    )
    assert meeting.created_by == officer
    assert list(meeting.attendees.all()) == [officer]


def test_a_ceremony_with_an_unsigned_project_is_refused_on_the_form(client, officer):
    talks = make_project("氟化锂晶体项目", owner=officer, moves=[(Stage.TALKS, date(2020, 1, 6))])

    response = client.post(
        "/admin/meetings/meeting/add/",
        {
            "kind": MeetingKind.CLOUD_SIGNING,
            "title": "云签约",
            "held_on": "2020-05-08",
            "projects": [talks.pk],
        },
    )

    assert response.status_code == 200
    assert "“氟化锂晶体项目”在2020年5月8日处于“洽谈”阶段，尚未签约" in _body(response)
    assert not Meeting.objects.exists()


def test_the_ceremony_page_and_list_show_the_totals_line(client, officer):
    ceremony = make_meeting(
        MeetingKind.CLOUD_SIGNING, held_on=date(2020, 5, 8), duration_minutes=40, by=officer
    )
    projects = [
        make_project(
            f"签约项目{index}",
            owner=officer,
            investment=investment,
            moves=[(Stage.SIGNED, date(2020, 5, 8))],
        )
        for index, investment in enumerate((30000, 5000))
    ]
    ceremony_attach_projects(meeting=ceremony, projects=projects, by=officer)

    page = client.get(f"/admin/meetings/meeting/{ceremony.pk}/change/")
    listing = client.get("/admin/meetings/meeting/?kind=cloud_signing")

    assert page.status_code == 200
    assert "签约项目2个，总投资3.5亿元，用时40分钟" in _body(page)
    assert "签约项目2个，总投资3.5亿元，用时40分钟" in _body(listing)


def test_the_list_filters_by_kind_status_and_date(client, officer):
    make_meeting(MeetingKind.MONTHLY, title="三月例会", held_on=date(2020, 3, 30), by=officer)
    make_meeting(MeetingKind.WEEKLY_DOCKING, title="四月对接", held_on=date(2020, 4, 6), by=officer)

    by_kind = _body(client.get("/admin/meetings/meeting/?kind=monthly"))
    by_date = _body(
        client.get("/admin/meetings/meeting/?held_on_from=2020-04-01&held_on_to=2020-04-30")
    )
    by_status = _body(client.get("/admin/meetings/meeting/?status=held"))

    assert "三月例会" in by_kind and "四月对接" not in by_kind
    assert "四月对接" in by_date and "三月例会" not in by_date
    assert "三月例会" not in by_status


def test_meeting_list_query_count_does_not_grow(client, officer, django_assert_max_num_queries):
    def add(count: int, start: int) -> None:
        for index in range(start, start + count):
            meeting = make_meeting(
                MeetingKind.MONTHLY, title=f"例会{index}", held_on=MEETING_DAY, by=officer
            )
            decision_create(
                meeting=meeting,
                text="事项",
                owner=officer,
                due_on=MEETING_DAY,
                by=officer,
            )

    add(3, 0)
    with django_assert_max_num_queries(25) as few:
        assert client.get("/admin/meetings/meeting/").status_code == 200
    add(20, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/meetings/meeting/")
    with django_assert_max_num_queries(25) as few:
        client.get("/admin/meetings/decision/")
    add(10, 23)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/meetings/decision/")


def test_the_agenda_is_previewed_then_built_from_the_records(client, officer, org):
    project = make_project(
        "中商高科·沧州产业园（一期）",
        responsible_department=org["investment"],
        moves=[(Stage.SIGNED, date(2019, 1, 7))],
    )
    make_milestone(project, "主体封顶", planned_on=date(2020, 3, 1))
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY, by=officer)
    url = f"/admin/meetings/meeting/{meeting.pk}/build-agenda/"

    change = client.get(f"/admin/meetings/meeting/{meeting.pk}/change/")
    preview = client.get(url)
    built = client.post(url)
    again = client.get(url)

    assert "按记录生成议题" in _body(change)
    assert "滞后节点：中商高科·沧州产业园（一期）——主体封顶（计划2020年3月1日完成）" in (
        _body(preview)
    )
    assert built.status_code == 302
    assert list(meeting.agenda_items.values_list("source", flat=True)) == [
        AgendaSource.LATE_MILESTONE
    ]
    assert "记录中没有需要新增的议题" in _body(again)


def test_a_meeting_is_held_with_minutes_from_its_page(client, officer):
    meeting = make_meeting(by=officer)
    url = f"/admin/meetings/meeting/{meeting.pk}/hold/"

    refused = client.post(url, {"minutes": "", "edit_version": meeting.version})
    held = client.post(
        url, {"minutes": "议定三件事。", "duration_minutes": 60, "edit_version": meeting.version}
    )

    assert refused.status_code == 200
    assert "请填写会议纪要" in _body(refused)
    assert held.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes) == (MeetingStatus.HELD, "议定三件事。")
    page = _body(client.get(f"/admin/meetings/meeting/{meeting.pk}/change/"))
    assert "build-agenda" not in page and "/hold/" not in page
    assert "不能进行此操作" in _body(client.get(url))


def test_a_stale_hold_is_refused(client, officer):
    meeting = make_meeting(by=officer)
    url = f"/admin/meetings/meeting/{meeting.pk}/hold/"
    stale = client.post(url, {"minutes": "纪要", "edit_version": meeting.version - 1 or 99})
    assert "已被他人修改" in _body(stale)


def test_a_meeting_is_cancelled_with_a_reason(client, officer):
    meeting = make_meeting(by=officer)

    response = client.post(
        f"/admin/meetings/meeting/{meeting.pk}/cancel/",
        {"reason": "领导外出", "edit_version": meeting.version},
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


def test_a_decision_before_the_meeting_is_refused_on_the_inline(client, officer, org):
    meeting = make_meeting(held_on=MEETING_DAY, by=officer)
    url = f"/admin/meetings/meeting/{meeting.pk}/change/"
    decision = {
        "decisions-TOTAL_FORMS": "1",
        "decisions-0-text": "4月10日前完成土地摘牌",
        "decisions-0-owner_department": org["approvals"].pk,
        "decisions-0-meeting": meeting.pk,
    }

    refused = client.post(
        url, _change_data(meeting, **decision, **{"decisions-0-due_on": "2020-03-01"})
    )
    saved = client.post(
        url, _change_data(meeting, **decision, **{"decisions-0-due_on": "2020-04-10"})
    )

    assert refused.status_code == 200
    assert "完成时限（2020年3月1日）不能早于会议日期（2020年3月30日）" in _body(refused)
    assert saved.status_code == 302, _body(saved)[:3000]
    created = Decision.objects.get()
    assert (created.due_on, created.created_by) == (date(2020, 4, 10), officer)


def test_a_manual_agenda_item_is_added_on_the_inline(client, officer):
    meeting = make_meeting(held_on=MEETING_DAY, by=officer)
    data = _change_data(
        meeting,
        **{
            "agenda_items-TOTAL_FORMS": "1",
            "agenda_items-0-title": "投资协议审议",
            "agenda_items-0-order": "0",
            "agenda_items-0-meeting": meeting.pk,
        },
    )

    response = client.post(f"/admin/meetings/meeting/{meeting.pk}/change/", data)

    assert response.status_code == 302, _body(response)[:3000]
    item = meeting.agenda_items.get()
    assert (item.title, item.source, item.order) == ("投资协议审议", AgendaSource.MANUAL, 1)


@pytest.mark.usefixtures("unfollowed")
def test_the_decisions_register_marks_done_and_filters_overdue(client, officer, org):
    meeting = make_meeting(held_on=MEETING_DAY, by=officer)
    decision = decision_create(
        meeting=meeting,
        text="协调供电",
        owner=officer,
        due_on=date(2020, 4, 10),
        by=officer,
    )
    meeting_hold(meeting=meeting, minutes="纪要", by=officer)

    overdue = _body(client.get("/admin/meetings/decision/?state=overdue"))
    page = client.post(
        f"/admin/meetings/decision/{decision.pk}/done/",
        {"done_on": "2020-04-08", "edit_version": decision.version},
        follow=True,
    )

    assert "协调供电" in overdue and "已逾期" in overdue
    assert "“协调供电”已标记完成。" in _body(page)
    decision.refresh_from_db()
    assert decision.done_on == date(2020, 4, 8)
    assert "协调供电" not in _body(client.get("/admin/meetings/decision/?state=overdue"))


def test_a_meeting_outside_scope_is_not_found(client, org):
    other = make_meeting(organiser=org["approvals"])

    assert client.get(f"/admin/meetings/meeting/{other.pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/meetings/meeting/{other.pk}/build-agenda/").status_code == 404
    assert client.get(f"/admin/meetings/meeting/{other.pk}/hold/").status_code == 404


def test_the_ceremony_form_adds_and_removes_projects_through_the_rules(client, officer):
    day = date(2020, 5, 8)
    first, second = (
        make_project(name, owner=officer, moves=[(Stage.SIGNED, day)]) for name in ("甲", "乙")
    )
    talks = make_project("丙", owner=officer, moves=[(Stage.TALKS, date(2020, 1, 6))])
    ceremony = make_meeting(MeetingKind.SIGNING, held_on=day, by=officer)
    ceremony_attach_projects(meeting=ceremony, projects=[first], by=officer)
    ceremony.refresh_from_db()
    url = f"/admin/meetings/meeting/{ceremony.pk}/change/"

    refused = client.post(url, _change_data(ceremony, projects=[second.pk, talks.pk]))
    saved = client.post(url, _change_data(ceremony, projects=[second.pk]))

    assert "“丙”在2020年5月8日处于“洽谈”阶段" in _body(refused)
    assert saved.status_code == 302, _body(saved)[:3000]
    assert list(ceremony.projects.all()) == [second]
    assert ceremony.history.first().history_change_reason == "添加项目1个"


@pytest.mark.usefixtures("unfollowed")
def test_decisions_are_marked_done_in_bulk_and_refusals_reported(client, officer):
    meeting = make_meeting(held_on=MEETING_DAY, by=officer)
    planned = make_meeting(title="未召开", held_on=MEETING_DAY, by=officer)
    done, refused = (
        decision_create(meeting=m, text=text, owner=officer, due_on=MEETING_DAY, by=officer)
        for m, text in ((meeting, "可办结"), (planned, "会议未开"))
    )
    meeting_hold(meeting=meeting, minutes="纪要", by=officer)

    response = client.post(
        "/admin/meetings/decision/",
        {"action": "mark_done", "_selected_action": [done.pk, refused.pk]},
        follow=True,
    )

    body = _body(response)
    assert "已标记完成1项" in body
    assert "会议未开：会议尚未召开，议定事项不能办结。" in body
    done.refresh_from_db()
    assert done.done_on is not None


def test_the_done_page_says_why_a_decision_cannot_be_marked_and_takes_no_post(client, officer):
    meeting = make_meeting(held_on=MEETING_DAY, by=officer)
    decision = decision_create(
        meeting=meeting, text="协调供电", owner=officer, due_on=date(2020, 4, 10), by=officer
    )
    url = f"/admin/meetings/decision/{decision.pk}/done/"

    not_held = client.get(url)
    posted = client.post(url, {"done_on": "2020-04-08", "edit_version": decision.version})
    meeting_hold(meeting=meeting, minutes="纪要", by=officer)
    open_page = client.get(url)

    assert 'id="step-notice"' in _body(not_held)
    assert "会议尚未召开，议定事项不能办结。" in _body(not_held)
    assert posted.status_code == 200  # refused on the form, with the reason
    assert "会议尚未召开，议定事项不能办结。" in _body(posted)
    decision.refresh_from_db()
    assert decision.done_on is None
    assert 'id="step-notice"' not in _body(open_page) and "确认完成" in _body(open_page)


def test_the_date_hierarchy_reads_its_ends_without_the_lists_counts(officer):
    from django.db import connection
    from django.db.models import Max, Min
    from django.test.utils import CaptureQueriesContext

    from zoneops.common.admin_base import with_index_dates
    from zoneops.meetings.selectors import meetings_with_counts

    make_meeting(held_on=date(2019, 5, 6), by=officer)
    decided = make_meeting(held_on=date(2020, 3, 30), by=officer)
    make_meeting(held_on=date(2021, 7, 5), by=officer)
    decision_create(
        meeting=decided, text="协调用地", owner=officer, due_on=date(2020, 4, 30), by=officer
    )
    listed = with_index_dates(meetings_with_counts(Meeting.objects.all()))

    with CaptureQueriesContext(connection) as ends:
        every = listed.aggregate(first=Min("held_on"), last=Max("held_on"))
    # A filter on one of the counts still holds: only the meeting with a decision.
    with_decision = listed.filter(decision_count__gt=0).aggregate(
        first=Min("held_on"), last=Max("held_on")
    )

    assert every == {"first": date(2019, 5, 6), "last": date(2021, 7, 5)}
    assert with_decision == {"first": date(2020, 3, 30), "last": date(2020, 3, 30)}
    assert listed.filter(decision_count__gt=0).dates("held_on", "year") == [date(2020, 1, 1)]
    (query,) = ends.captured_queries
    assert "agendaitem" not in query["sql"] and "decision" not in query["sql"]
