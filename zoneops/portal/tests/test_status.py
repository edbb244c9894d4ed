"""The public status page: reference and the mobile's last four digits, one neutral message for
a wrong pair, locks per address and per reference after failed tries, a slot booked from it."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from zoneops.portal.enums import BookingStatus
from zoneops.portal.models import HallLookup, MeetingBooking, MeetingSlot
from zoneops.portal.services import (
    LOOKUP_FAILS_PER_ADDRESS,
    LOOKUP_FAILS_PER_REFERENCE,
    booking_confirm,
    booking_decline,
    inquiry_respond,
    inquiry_submit,
)
from zoneops.pytest_clock import BEIJING

URL = "/hall/status/"
BOOK = "/hall/status/book/"
NEUTRAL = "咨询编号或手机号后四位不正确"


def submit(hall, **changes):
    args = {
        "company": "沧州恒达汽车零部件有限公司",
        "contact_name": "王先生",
        "mobile": "13812345678",
        "industry": hall["auto"],
        "planned_investment": "50000",
        "needs": ["land"],
        "message": "拟建设汽车座椅生产线。",
    }
    args.update(changes)
    return inquiry_submit(**args)


def slot_at(hall, day: int, hour: int, *, minutes: int = 60) -> MeetingSlot:
    start = datetime(2026, 5, day, hour, tzinfo=BEIJING)
    return MeetingSlot.objects.create(
        starts_at=start, duration_minutes=minutes, department=hall["investment"]
    )


def look_up(client, reference, last4, address="203.0.113.9", follow=True):
    return client.post(
        URL, {"reference": reference, "last4": last4}, REMOTE_ADDR=address, follow=follow
    )


def test_the_right_pair_shows_the_status_and_nothing_personal(db, hall):
    inquiry = submit(hall)
    client = Client()
    response = look_up(client, inquiry.reference.lower(), "5678")
    assert response.status_code == 200
    page = response.content.decode()
    assert inquiry.reference in page
    assert "已提交" in page
    for personal in ("王先生", "13812345678", "沧州恒达", "拟建设"):
        assert personal not in page
    assert 'name="reference"' not in page  # the status, not the form
    assert HallLookup.objects.get().succeeded


def test_the_page_shows_the_reply_and_a_confirmed_meeting_with_its_link(db, hall):
    inquiry = submit(hall)
    inquiry_respond(inquiry=inquiry, reply="您好，欢迎来区考察。", by=hall["free"])
    slot = slot_at(hall, 22, 15)
    client = Client()
    look_up(client, inquiry.reference, "5678")
    page = client.get(URL).content.decode()
    assert "已回复" in page and "您好，欢迎来区考察。" in page
    # The investor books the slot on the page, staff confirm it with the link.
    assert client.post(BOOK, {"slot": str(slot.pk)}).status_code == 302
    page = client.get(URL).content.decode()
    assert "洽谈待确认" in page
    booking = MeetingBooking.objects.get()
    booking_confirm(booking=booking, link="https://meeting.example.cn/j/123", by=hall["free"])
    page = client.get(URL).content.decode()
    assert "洽谈已确认" in page
    assert 'href="https://meeting.example.cn/j/123"' in page
    assert "2026年5月22日" in page and "15:00" in page


def test_a_declined_booking_shows_its_reason_and_the_investor_picks_again(db, hall):
    inquiry = submit(hall)
    first, second = slot_at(hall, 22, 15), slot_at(hall, 25, 9)
    client = Client()
    look_up(client, inquiry.reference, "5678")
    client.post(BOOK, {"slot": str(first.pk)})
    booking_decline(booking=MeetingBooking.objects.get(), reason="当天有外事接待", by=hall["free"])
    page = client.get(URL).content.decode()
    assert "洽谈未能安排" in page and "当天有外事接待" in page
    # The freed slot is offered again, and the second one too.
    assert f'value="{first.pk}"' in page and f'value="{second.pk}"' in page
    assert client.post(BOOK, {"slot": str(second.pk)}).status_code == 302
    assert MeetingBooking.objects.filter(status=BookingStatus.PENDING).get().slot == second


@pytest.mark.parametrize(
    ("reference", "last4"),
    [("ZS-2026-AAAAAA", "5678"), (None, "0000"), (None, "1234")],
)
def test_a_wrong_pair_answers_one_neutral_message(db, hall, reference, last4):
    inquiry = submit(hall)
    response = look_up(Client(), reference or inquiry.reference, last4)
    assert response.status_code == 400
    page = response.content.decode()
    assert NEUTRAL in page
    assert inquiry.reference not in page or reference is None  # echoed only as typed
    assert "已提交" not in page
    assert not HallLookup.objects.get().succeeded


BAD = [
    ("reference", "", "5678", "请填写咨询编号"),
    ("reference", "ZS\x00-2026", "5678", None),
    ("reference", "ZS-2026-\x1b[31m", "5678", None),
    ("reference", "ZS-2026-" + "A" * 20, "5678", "咨询编号格式不对"),
    ("reference", "Z" * 41, "5678", None),
    ("last4", "ZS-2026-AAAAAA", "", "请填写手机号后四位"),
    ("last4", "ZS-2026-AAAAAA", "56789", None),
    ("last4", "ZS-2026-AAAAAA", "５６７８", "手机号后四位应为4位数字"),
    ("last4", "ZS-2026-AAAAAA", "abcd", "手机号后四位应为4位数字"),
]


@pytest.mark.parametrize(("field", "reference", "last4", "message"), BAD)
def test_a_malformed_input_is_refused_at_its_field_and_not_counted(
    db, hall, field, reference, last4, message
):
    response = look_up(Client(), reference, last4)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert message in " ".join(errors[field])
    assert not HallLookup.objects.exists()


def test_an_address_is_locked_after_failed_tries_and_free_an_hour_later(db, hall):
    inquiry = submit(hall)
    for digits in range(LOOKUP_FAILS_PER_ADDRESS):
        assert look_up(Client(), inquiry.reference, f"{digits:04d}").status_code == 400
    # Now even the right pair is refused from this address, with the lock's message.
    response = look_up(Client(), inquiry.reference, "5678")
    assert response.status_code == 429
    assert "查询失败次数过多" in response.content.decode()
    assert look_up(Client(), inquiry.reference, "5678", address="198.51.100.7").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert look_up(Client(), inquiry.reference, "5678").status_code == 200


def test_a_reference_is_locked_after_failed_tries_from_many_addresses(db, hall):
    inquiry = submit(hall)
    for number in range(LOOKUP_FAILS_PER_REFERENCE):
        look_up(Client(), inquiry.reference, f"{number:04d}", address=f"198.51.100.{number}")
    response = look_up(Client(), inquiry.reference, "5678", address="192.0.2.1")
    assert response.status_code == 429
    assert inquiry.reference not in response.content.decode().split("</form>")[-1]


def test_a_past_or_taken_slot_cannot_be_booked_from_the_page(db, hall):
    inquiry = submit(hall)
    other = submit(hall, mobile="13912340000")
    past = MeetingSlot.objects.create(starts_at=timezone.now() - timedelta(hours=1))
    taken = slot_at(hall, 22, 15)
    client = Client()
    look_up(client, other.reference, "0000")
    assert client.post(BOOK, {"slot": str(taken.pk)}).status_code == 302
    client = Client()
    look_up(client, inquiry.reference, "5678")
    for value, message in [
        (str(taken.pk), "该时段已被预约"),
        (str(past.pk), "该时段已过"),
        ("99999999999999999999999", "所选时段不存在"),
        ("abc", "所选时段不存在"),
        ("", "请选择洽谈时段"),
    ]:
        response = client.post(BOOK, {"slot": value})
        assert response.status_code == 400
        assert message in " ".join(response.context["booking"].errors["slot"]), value
    assert MeetingBooking.objects.filter(inquiry=inquiry).count() == 0


def test_booking_without_a_look_up_goes_back_to_the_form(db, hall):
    slot = slot_at(hall, 22, 15)
    response = Client().post(BOOK, {"slot": str(slot.pk)})
    assert response.status_code == 302 and response["Location"] == URL
    assert not MeetingBooking.objects.exists()


def test_the_look_up_ends_after_half_an_hour_and_on_request(db, hall):
    inquiry = submit(hall)
    client = Client()
    look_up(client, inquiry.reference, "5678")
    assert "已提交" in client.get(URL).content.decode()
    client.post(URL, {"forget": "1"})
    assert 'name="reference"' in client.get(URL).content.decode()
    look_up(client, inquiry.reference, "5678")
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert 'name="last4"' in client.get(URL).content.decode()


def test_the_page_reads_in_english_too(db, hall):
    page = Client().get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert 'name="reference"' in html and 'name="last4"' in html
