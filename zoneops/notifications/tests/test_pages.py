"""The bell and 我的提醒: a person sees and marks only his own notices; the robots and the
sends are the administrators'."""

import pytest
from django.urls import reverse

from zoneops.notifications.models import Notification
from zoneops.notifications.services import remind
from zoneops.notifications.tests.conftest import FROZEN, TODAY
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(FROZEN, tick=False)]

MINE = "admin:notifications_notification_mine"


@pytest.fixture
def reminded(zone):
    remind(on=TODAY)
    return zone


def _read_url(notice):
    return reverse("admin:notifications_notification_read", args=[notice.pk])


def test_the_bell_shows_the_unread_count_on_every_back_office_page(reminded):
    response = signed_in(reminded.staff).get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="notification-bell"' in page
    assert 'id="notification-unread"' in page and ">2</span>" in page


def test_no_number_on_the_bell_when_all_is_read(reminded):
    response = signed_in(reminded.bystander).get(reverse("admin:index"))
    page = response.content.decode()
    assert 'id="notification-bell"' in page and 'id="notification-unread"' not in page


def test_my_notifications_lists_only_mine_with_links(reminded):
    response = signed_in(reminded.staff).get(reverse(MINE))
    assert response.status_code == 200
    page = response.content.decode()
    assert "用地指标未落实" in page and "施工许可待办" in page
    assert "原料运输受限" not in page  # the desk's and the leader's, not his


def test_marking_read_and_opening_goes_to_the_record(reminded):
    notice = Notification.objects.filter(recipient=reminded.staff).first()
    client = signed_in(reminded.staff)
    response = client.post(_read_url(notice), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == notice.link
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_marking_read_goes_back_to_the_list(reminded):
    notice = Notification.objects.filter(recipient=reminded.staff).first()
    response = signed_in(reminded.staff).post(
        _read_url(notice), {"next": "https://evil.example.com/"}
    )
    assert response["Location"] == reverse(MINE)


def test_another_persons_notice_is_not_found(reminded):
    notice = Notification.objects.filter(recipient=reminded.leader).first()
    response = signed_in(reminded.staff).post(_read_url(notice))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_bad_id_is_not_found(reminded):
    url = reverse("admin:notifications_notification_read", args=["abc"])
    assert signed_in(reminded.staff).post(url).status_code == 404


def test_marking_read_is_a_post(reminded):
    notice = Notification.objects.filter(recipient=reminded.staff).first()
    assert signed_in(reminded.staff).get(_read_url(notice)).status_code == 405


def test_mark_all_read_marks_only_mine(reminded):
    client = signed_in(reminded.staff)
    response = client.post(reverse("admin:notifications_notification_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=reminded.staff, read_at__isnull=True)
    assert Notification.objects.filter(recipient=reminded.leader, read_at__isnull=True)
    page = client.get(reverse(MINE) + "?unread=1").content.decode()
    assert "没有提醒" in page


def test_the_list_and_the_bell_take_the_same_queries_however_many_notices(
    reminded, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(reminded.leader)
    client.get(reverse(MINE))  # warm the sidebar's cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(MINE)).status_code == 200
    Notification.objects.bulk_create(
        Notification(
            recipient=reminded.leader,
            kind="overdue",
            source="problems",
            object_id=number,
            title=f"提醒{number}",
            day=TODAY,
            dedup_key=f"test:{number}",
        )
        for number in range(25)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(MINE)).status_code == 200


def test_an_enterprise_user_cannot_open_the_back_office_page(reminded):
    response = signed_in(reminded.enterprise_user).get(reverse(MINE))
    assert response.status_code == 302  # to the login: not staff


def test_only_administrators_see_the_robots_and_the_sends(reminded):
    administrator = make_user(RoleCode.ADMINISTRATOR, departments=[reminded.org["zone"]])
    for name in ("robotchannel", "delivery", "notification"):
        url = reverse(f"admin:notifications_{name}_changelist")
        assert signed_in(reminded.staff).get(url).status_code == 403
        assert signed_in(reminded.leader).get(url).status_code == 403
        assert signed_in(administrator).get(url).status_code == 200


def test_the_sends_page_flags_failures_and_sends_again(reminded):
    from zoneops.notifications.enums import DeliveryStatus
    from zoneops.notifications.models import Delivery

    administrator = make_user(RoleCode.ADMINISTRATOR, departments=[reminded.org["zone"]])
    delivery = Delivery.objects.first()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=6, last_error="HTTP 500: down"
    )
    client = signed_in(administrator)
    url = reverse("admin:notifications_delivery_changelist")
    page = client.get(url + "?status=failed").content.decode()
    assert "发送失败" in page and "HTTP 500: down" in page
    response = client.post(url, {"action": "retry_now", "_selected_action": [delivery.pk]})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0


def test_an_administrator_sets_up_a_departments_robot(reminded):
    from zoneops.notifications.models import RobotChannel

    administrator = make_user(RoleCode.ADMINISTRATOR, departments=[reminded.org["zone"]])
    client = signed_in(administrator)
    url = reverse("admin:notifications_robotchannel_add")
    data = {
        "department": reminded.org["investment"].pk,
        "kind": "wecom",
        "name": "招商局工作群",
        "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
        "secret": "should-not-be-here",
        "enabled": "on",
    }
    refused = client.post(url, data)
    assert (
        refused.status_code == 200 and "企业微信群机器人不使用签名密钥" in refused.content.decode()
    )
    response = client.post(url, {**data, "secret": ""})
    assert response.status_code == 302
    assert RobotChannel.objects.get().name == "招商局工作群"
