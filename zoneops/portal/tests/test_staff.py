"""The staff side of the hall: meeting slots offered and booked once, a booking confirmed with
the video link (a 线上洽谈 in the meetings app, the lead on its agenda) or declined, its outcome
on the lead; the reply and the first-response clock against the administrator's limit; the
scope of the lead guarding every read and write; the funnel's row of hall leads."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.meetings.enums import MeetingKind, MeetingStatus
from zoneops.meetings.models import Meeting
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in
from zoneops.portal.enums import BookingStatus, InquiryStatus
from zoneops.portal.models import HallSettings, Inquiry, InquiryEvent, MeetingBooking, MeetingSlot
from zoneops.portal.services import (
    booking_confirm,
    booking_decline,
    booking_request,
    hall_settings_set,
    inquiry_respond,
    inquiry_submit,
    meeting_slot_save,
)
from zoneops.projects.enums import SourceChannel, Stage
from zoneops.projects.selectors import channel_conversion, pipeline_funnel
from zoneops.projects.services import project_move_stage
from zoneops.projects.tests.factories import make_project
from zoneops.pytest_clock import BEIJING

LINK = "https://meeting.example.cn/j/8848"


def submit(hall, **changes):
    args = {
        "company": "沧州恒达汽车零部件有限公司",
        "contact_name": "王先生",
        "mobile": "13812345678",
        "industry": hall["auto"],
        "planned_investment": "50000",
        "needs": ["land"],
        "message": "",
    }
    args.update(changes)
    return inquiry_submit(**args)


def slot_at(hall, day=22, hour=15, **fields):
    return MeetingSlot.objects.create(
        starts_at=datetime(2026, 5, day, hour, tzinfo=BEIJING),
        duration_minutes=60,
        department=hall["investment"],
        **fields,
    )


@pytest.fixture
def booked(hall):
    inquiry = submit(hall)
    slot = slot_at(hall, officer=hall["free"])
    return inquiry, booking_request(inquiry=inquiry, slot=str(slot.pk))


# --- slots --------------------------------------------------------------------------------------


def test_staff_offer_a_slot_in_the_admin_and_a_past_one_is_refused(db, hall):
    client = signed_in(hall["free"])
    url = reverse("admin:portal_meetingslot_add")
    data = {"duration_minutes": "45", "officer": "", "department": str(hall["investment"].pk)}
    response = client.post(url, {**data, "starts_at_0": "2026-05-19", "starts_at_1": "09:00"})
    assert response.status_code == 200
    assert "开始时间已过" in response.content.decode()
    assert not MeetingSlot.objects.exists()
    response = client.post(url, {**data, "starts_at_0": "2026-05-26", "starts_at_1": "09:00"})
    assert response.status_code == 302, response.content.decode()[:3000]
    slot = MeetingSlot.objects.get()
    assert slot.duration_minutes == 45 and slot.created_by == hall["free"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": datetime(2026, 5, 20, 9, tzinfo=BEIJING)}, "starts_at"),
        ({"starts_at": datetime(2027, 6, 1, 9, tzinfo=BEIJING)}, "starts_at"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"duration_minutes": 9999}, "duration_minutes"),
    ],
)
def test_a_bad_slot_is_refused_at_its_field(db, hall, changes, field):
    values = {"starts_at": datetime(2026, 5, 22, 9, tzinfo=BEIJING), **changes}
    with pytest.raises((ApplicationError, Exception)) as caught:
        meeting_slot_save(slot=MeetingSlot(**values), by=hall["free"])
    error = caught.value
    fields = getattr(error, "field", None) or list(getattr(error, "message_dict", {}))
    assert field in (fields if isinstance(fields, list) else [fields])
    assert not MeetingSlot.objects.exists()


def test_a_booked_slot_keeps_its_time(db, hall, booked):
    _inquiry, booking = booked
    slot = booking.slot
    slot.starts_at += timedelta(hours=1)
    with pytest.raises(ApplicationError, match="已被客商预约"):
        meeting_slot_save(slot=slot, by=hall["free"])


def test_a_slot_is_booked_once_even_past_the_checks(db, hall, booked):
    _inquiry, booking = booked
    other = submit(hall, mobile="13900001111")
    with pytest.raises(ApplicationError, match="该时段已被预约"):
        booking_request(inquiry=other, slot=booking.slot)
    # The constraint holds even for a write that skipped the service's check.
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingBooking.objects.create(inquiry=other, slot=booking.slot)
    assert MeetingBooking.objects.count() == 1


def test_the_inquiry_form_books_a_slot_and_a_taken_one_refuses_the_inquiry(db, hall):
    slot = slot_at(hall)
    data = {
        "company": "沧州恒达汽车零部件有限公司",
        "contact_name": "王先生",
        "mobile": "13812345678",
        "industry": str(hall["auto"].pk),
        "planned_investment": "100",
        "slot": str(slot.pk),
    }
    page = Client().get("/hall/inquiry/")
    assert f'value="{slot.pk}"' in page.content.decode()
    assert Client().post("/hall/inquiry/", data, REMOTE_ADDR="203.0.113.1").status_code == 302
    booking = MeetingBooking.objects.get()
    assert booking.status == BookingStatus.PENDING and booking.slot == slot
    response = Client().post(
        "/hall/inquiry/", {**data, "mobile": "13900001111"}, REMOTE_ADDR="203.0.113.2"
    )
    assert response.status_code == 400
    assert "该时段已被预约" in " ".join(response.context["form"].errors["slot"])
    assert Inquiry.objects.count() == 1


# --- confirm, decline, outcome -------------------------------------------------------------------


def test_confirming_makes_an_online_talk_with_the_lead_on_its_agenda(db, hall, booked):
    inquiry, booking = booked
    client = signed_in(hall["free"])
    url = reverse("admin:portal_meetingbooking_confirm", args=[booking.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"link": LINK, "edit_version": booking.version})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.link == LINK
    meeting = booking.meeting
    assert meeting.kind == MeetingKind.ONLINE_TALKS and meeting.online
    assert meeting.held_on == date(2026, 5, 22) and meeting.starts_at.hour == 15
    assert meeting.location == LINK and meeting.host == hall["free"]
    assert [item.project for item in meeting.agenda_items.all()] == [inquiry.project]
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.REPLIED and inquiry.replied_by == hall["free"]
    assert InquiryEvent.objects.filter(inquiry=inquiry, kind="confirmed", by=hall["free"]).exists()


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("", "请填写视频会议链接"),
        ("ftp://meeting.example.cn/j/1", "http:// 或 https://"),
        ("javascript:alert(1)", "http:// 或 https://"),
        ("meeting.example.cn", "http:// 或 https://"),
        ("https://meeting.example.cn/\x00", None),
        ("https://meeting.example.cn/" + "a" * 300, None),
    ],
)
def test_a_bad_link_is_refused_and_changes_nothing(db, hall, booked, link, message):
    _inquiry, booking = booked
    url = reverse("admin:portal_meetingbooking_confirm", args=[booking.pk])
    response = signed_in(hall["free"]).post(url, {"link": link, "edit_version": booking.version})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "link" in errors
    if message:
        assert message in " ".join(errors["link"])
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING and not Meeting.objects.exists()


def test_who_may_not_read_the_lead_cannot_confirm_or_see_the_booking(db, hall, booked):
    _inquiry, booking = booked
    with pytest.raises(PermissionDeniedError):
        booking_confirm(booking=booking, link=LINK, by=hall["other"])
    client = signed_in(hall["other"])
    url = reverse("admin:portal_meetingbooking_confirm", args=[booking.pk])
    assert client.post(url, {"link": LINK, "edit_version": 1}).status_code in (403, 404)
    change = client.get(reverse("admin:portal_meetingbooking_change", args=[booking.pk]))
    assert change.status_code in (302, 403, 404)
    listing = client.get(reverse("admin:portal_meetingbooking_changelist"))
    assert booking.inquiry.reference not in listing.content.decode()
    assert MeetingBooking.objects.get().status == BookingStatus.PENDING


def test_declining_frees_the_slot_and_cancels_a_confirmed_meeting(db, hall, booked):
    _inquiry, booking = booked
    booking_confirm(booking=booking, link=LINK, by=hall["free"])
    url = reverse("admin:portal_meetingbooking_decline", args=[booking.pk])
    booking.refresh_from_db()
    client = signed_in(hall["free"])
    response = client.post(url, {"reason": "", "edit_version": booking.version})
    assert "reason" in response.context["form"].errors
    response = client.post(url, {"reason": "接待人员出差", "edit_version": booking.version})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DECLINED and booking.decline_reason == "接待人员出差"
    assert Meeting.objects.get(pk=booking.meeting_id).status == MeetingStatus.CANCELLED
    other = submit(hall, mobile="13900001111")
    assert booking_request(inquiry=other, slot=booking.slot).status == BookingStatus.PENDING
    with pytest.raises(ApplicationError, match="已婉拒"):
        booking_decline(booking=booking, reason="再次", by=hall["free"])


def test_the_outcome_lands_on_the_meeting_and_the_lead(db, hall, booked):
    inquiry, booking = booked
    booking_confirm(booking=booking, link=LINK, by=hall["free"])
    booking.refresh_from_db()
    with time_machine.travel(datetime(2026, 5, 22, 17, tzinfo=BEIJING), tick=False):
        client = signed_in(hall["free"])  # a session of that day
        url = reverse("admin:portal_meetingbooking_record_outcome", args=[booking.pk])
        outcome = "意向落户中日韩产业园，下周实地考察。"
        response = client.post(url, {"minutes": outcome, "edit_version": booking.version})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"].endswith(f"/meetingbooking/{booking.pk}/change/")
        assert Meeting.objects.get(pk=booking.meeting_id).status == MeetingStatus.HELD
        page = client.get(reverse("admin:projects_project_change", args=[inquiry.project_id]))
        html = page.content.decode()
        assert outcome in html
        assert f"来源：线上会客厅 {inquiry.reference}" in html
        status = Client()
        status.post("/hall/status/", {"reference": inquiry.reference, "last4": "5678"})
        assert "已洽谈" in status.get("/hall/status/").content.decode()


# --- the reply and the first-response clock ------------------------------------------------------


def test_a_reply_stops_the_clock_in_time_and_is_recorded_with_who_and_when(db, hall):
    inquiry = submit(hall)
    assert inquiry.limit_days == 1 and inquiry.due_on == date(2026, 5, 21)
    client = signed_in(hall["free"])
    listing = client.get(reverse("admin:portal_inquiry_changelist")).content.decode()
    assert "正常：剩1个工作日" in listing
    url = reverse("admin:portal_inquiry_respond", args=[inquiry.pk])
    response = client.post(url, {"reply": "", "edit_version": inquiry.version})
    assert "reply" in response.context["form"].errors
    response = client.post(url, {"reply": "您好，已收到。", "edit_version": inquiry.version})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.REPLIED
    assert inquiry.replied_by == hall["free"] and inquiry.replied_on == date(2026, 5, 20)
    event = InquiryEvent.objects.get(inquiry=inquiry, kind="replied")
    assert event.by == hall["free"] and event.note == "您好，已收到。"
    listing = client.get(reverse("admin:portal_inquiry_changelist")).content.decode()
    assert "按期回复" in listing


def test_an_unanswered_inquiry_turns_red_and_a_late_reply_says_so(db, hall):
    inquiry = submit(hall)
    with time_machine.travel(datetime(2026, 5, 25, 10, tzinfo=BEIJING), tick=False):
        client = signed_in(hall["free"])
        listing = client.get(reverse("admin:portal_inquiry_changelist") + "?overdue=yes")
        assert "逾期4天" in listing.content.decode()
        page = client.get(reverse("admin:projects_project_change", args=[inquiry.project_id]))
        assert "逾期4天" in page.content.decode()
        inquiry_respond(inquiry=inquiry, reply="抱歉回复晚了。", by=hall["free"])
        inquiry.refresh_from_db()
        assert inquiry.clock(on=date(2026, 5, 25)).label == "逾期回复"


def test_who_may_not_read_the_lead_cannot_reply(db, hall):
    inquiry = submit(hall)
    with pytest.raises(PermissionDeniedError):
        inquiry_respond(inquiry=inquiry, reply="你好", by=hall["other"])
    url = reverse("admin:portal_inquiry_respond", args=[inquiry.pk])
    response = signed_in(hall["other"]).post(url, {"reply": "你好", "edit_version": 1})
    assert response.status_code in (403, 404)
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.SUBMITTED and inquiry.reply == ""


def test_the_administrator_sets_the_limit_for_inquiries_sent_afterwards(db, hall):
    earlier = submit(hall)
    admin = make_user(RoleCode.ADMINISTRATOR, departments=[hall["zone"]], username="admin1")
    client = signed_in(admin)
    response = client.post(reverse("admin:portal_hallsettings_add"), {"first_response_days": "3"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert HallSettings.objects.get().first_response_days == 3
    later = submit(hall, mobile="13900001111")
    assert later.limit_days == 3 and later.due_on == date(2026, 5, 25)
    earlier.refresh_from_db()
    assert earlier.limit_days == 1  # a running clock keeps its limit
    with pytest.raises(ApplicationError):
        hall_settings_set(first_response_days=0, by=admin)
    setting = HallSettings.objects.get()
    url = reverse("admin:portal_hallsettings_change", args=[setting.pk])
    denied = signed_in(hall["free"]).post(url, {"first_response_days": "9"})
    assert denied.status_code in (302, 403)  # staff keep no system setting
    assert HallSettings.objects.get().first_response_days == 3


# --- the funnel's row of hall leads --------------------------------------------------------------


def test_the_funnel_counts_the_hall_leads_that_reached_signing(db, hall):
    first = submit(hall)
    submit(hall, mobile="13900001111")
    project_move_stage(project=first.project, to_stage=Stage.SIGNED, on=date(2026, 5, 20), by=None)
    # A lead of another source, signed in the same period, is no hall lead.
    make_project(
        "外部渠道项目",
        moves=[(Stage.LEAD, date(2026, 3, 2)), (Stage.SIGNED, date(2026, 4, 1))],
    )
    row = channel_conversion(
        source_channel=SourceChannel.ONLINE_HALL,
        registered_from=date(2026, 1, 1),
        registered_to=date(2026, 5, 20),
    )
    assert (row.registered, row.reached, str(row.rate)) == (2, 1, "50.0")
    steps = pipeline_funnel(
        registered_from=date(2026, 1, 1),
        registered_to=date(2026, 5, 20),
        source_channel=SourceChannel.ONLINE_HALL,
    )
    assert [step.reached for step in steps[:4]] == [2, 1, 1, 1]
    # The page: the hall's row, and the funnel filtered to the hall's leads.
    client = signed_in(hall["principal"])
    page = client.get(
        "/admin/projects/project/funnel/?registered_from=2026-01-01&registered_to=2026-05-20"
        "&source_channel=online_hall"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="hall-conversion"' in html and "50.0%" in html
    assert "来源：线上会客厅" in html
    api = client.get(
        "/api/v1/projects/funnel?registered_from=2026-01-01&registered_to=2026-05-20"
        "&source_channel=online_hall"
    )
    assert api.status_code == 200 and api.json()[0]["reached"] == 2


def test_a_holiday_entered_moves_a_running_first_response_deadline(db, hall):
    from zoneops.common.calendar_services import calendar_set_day
    from zoneops.common.workcalendar import calendar_changed

    running, answered = submit(hall), submit(hall, mobile="13900001111")
    inquiry_respond(inquiry=answered, reply="已收到。", by=hall["head"])
    assert running.due_on == date(2026, 5, 21)
    calendar_set_day(day=date(2026, 5, 21), is_working_day=False, name="测试假日", by=None)
    calendar_changed.send(sender=None, years=frozenset({2026}))
    running.refresh_from_db()
    answered.refresh_from_db()
    assert running.due_on == date(2026, 5, 22)
    assert answered.due_on == date(2026, 5, 21)  # its clock stopped: the record stands


def test_the_inquiry_list_reads_a_fixed_number_of_queries(db, hall):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(hall["head"])
    url = reverse("admin:portal_inquiry_changelist")
    submit(hall)
    client.get(url)  # warm up (sessions, permissions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for number in range(4):
        submit(hall, mobile=f"1390000{number:04d}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.content.decode().count("正常：剩1个工作日") == 5
    assert len(many) == len(few)
