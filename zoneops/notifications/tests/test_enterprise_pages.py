"""An enterprise user reads its notices on its own pages (企业服务大厅) and marks them read;
another's notice is not found."""

import pytest
from django.urls import reverse

from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.notifications.models import Notification
from zoneops.notifications.services import remind
from zoneops.notifications.tests.conftest import FROZEN, TODAY
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(FROZEN, tick=False)]


@pytest.fixture
def reminded(zone):
    remind(on=TODAY)
    return zone


def test_the_menu_shows_unread_messages_and_the_page_lists_them(reminded):
    client = signed_in(reminded.enterprise_user)
    home = client.get(reverse("selfservice:home")).content.decode()
    assert 'id="notices-unread">1<' in home
    page = client.get(reverse("selfservice:notices")).content.decode()
    assert "原料运输受限" in page and "已督促承办部门尽快答复" in page


def test_opening_a_notice_marks_it_read_and_goes_to_the_request(reminded):
    notice = Notification.objects.get(recipient=reminded.enterprise_user)
    client = signed_in(reminded.enterprise_user)
    response = client.post(reverse("selfservice:notice_read", args=[notice.pk]), {"open": "1"})
    assert response["Location"] == reverse("selfservice:request", args=[reminded.late_request.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert client.get(response["Location"]).status_code == 200


def test_another_enterprises_user_cannot_mark_it(reminded):
    other = make_user(RoleCode.ENTERPRISE, enterprise=make_enterprise("另一家企业"))
    notice = Notification.objects.get(recipient=reminded.enterprise_user)
    response = signed_in(other).post(reverse("selfservice:notice_read", args=[notice.pk]))
    assert response.status_code == 404
    assert (
        "原料运输受限" not in signed_in(other).get(reverse("selfservice:notices")).content.decode()
    )


def test_mark_all_read(reminded):
    client = signed_in(reminded.enterprise_user)
    assert client.post(reverse("selfservice:notices_read_all")).status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True, recipient=reminded.enterprise_user)
    assert 'id="notices-unread"' not in client.get(reverse("selfservice:home")).content.decode()


def test_staff_are_sent_to_the_back_office(reminded):
    response = signed_in(reminded.staff).get(reverse("selfservice:notices"))
    assert response.status_code == 403
