"""`zoneops remind`: who hears of what (owners, supervisors, liaison leaders, enterprise
users), due soon against overdue, and that running it twice sends each notice once."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from zoneops.notifications.enums import DeliveryChannel, DeliveryStatus, NoticeKind
from zoneops.notifications.models import Delivery, Digest, Notification
from zoneops.notifications.services import remind
from zoneops.notifications.tests.conftest import FROZEN, TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(FROZEN, tick=False)]


def _notices(user):
    return {(n.source, n.object_id, n.kind) for n in Notification.objects.filter(recipient=user)}


def test_the_owner_hears_of_his_departments_problems_late_and_due_soon(zone):
    remind(on=TODAY)
    assert _notices(zone.staff) == {
        ("problems", zone.late_problem.pk, NoticeKind.OVERDUE),
        ("problems", zone.soon_problem.pk, NoticeKind.DUE_SOON),
    }
    late = Notification.objects.get(
        recipient=zone.staff, source="problems", object_id=zone.late_problem.pk
    )
    assert late.title.startswith("【已逾期】项目问题：用地指标未落实")
    assert "已逾期 2 天" in late.text
    assert late.link == f"/admin/projects/problem/{zone.late_problem.pk}/change/"
    assert late.department == zone.org["investment"]


def test_a_problem_due_later_than_three_working_days_is_not_a_notice(zone):
    remind(on=TODAY)
    assert not Notification.objects.filter(object_id=zone.later_problem.pk, source="problems")


def test_the_request_desk_department_owns_the_late_request(zone):
    remind(on=TODAY)
    assert ("requests", zone.late_request.pk, NoticeKind.OVERDUE) in _notices(zone.desk)


def test_the_liaison_leader_supervises_the_projects_problems_and_the_enterprises_request(zone):
    remind(on=TODAY)
    assert _notices(zone.leader) >= {
        ("problems", zone.late_problem.pk, NoticeKind.OVERDUE),
        ("problems", zone.soon_problem.pk, NoticeKind.DUE_SOON),
        ("requests", zone.late_request.pk, NoticeKind.OVERDUE),
    }
    notice = Notification.objects.get(
        recipient=zone.leader, source="requests", object_id=zone.late_request.pk
    )
    assert "您督办或包联此事项" in notice.text


def test_the_enterprise_user_hears_its_request_is_late_on_its_own_pages(zone):
    remind(on=TODAY)
    notice = Notification.objects.get(recipient=zone.enterprise_user)
    assert (notice.source, notice.object_id, notice.kind) == (
        "requests",
        zone.late_request.pk,
        NoticeKind.OVERDUE,
    )
    assert notice.link == f"/enterprise/requests/{zone.late_request.pk}/"
    assert "原料运输受限" in notice.title


def test_someone_with_nothing_due_hears_nothing(zone):
    remind(on=TODAY)
    assert not Notification.objects.filter(recipient=zone.bystander).exists()


def test_running_twice_the_same_day_sends_each_notice_once(zone):
    first = remind(on=TODAY)
    emails = len(mail.outbox)
    second = remind(on=TODAY)
    assert first.created > 0 and second.created == 0
    assert second.drafts == first.drafts
    assert second.digests == 0 and len(mail.outbox) == emails
    assert Notification.objects.count() == first.created


def test_the_next_day_an_item_still_late_is_not_announced_again(zone):
    remind(on=TODAY)
    before = Notification.objects.count()
    remind(on=date(2026, 11, 19))
    # The due-soon problem is still due soon, the late ones still late: nothing new.
    assert Notification.objects.count() == before


def test_an_item_that_becomes_late_is_announced_as_late(zone):
    remind(on=TODAY)
    remind(on=date(2026, 11, 23))  # Monday: the problem due on Friday 11-20 is late
    assert ("problems", zone.soon_problem.pk, NoticeKind.OVERDUE) in _notices(zone.staff)


def test_each_person_gets_one_digest_a_day(zone):
    remind(on=TODAY)
    remind(on=TODAY)
    assert Digest.objects.filter(recipient=zone.staff, day=TODAY).count() == 1
    to_staff = [message for message in mail.outbox if message.to == ["staff@zone.cn"]]
    assert len(to_staff) == 1
    assert "逾期 1 项，即将到期 1 项" in to_staff[0].subject
    assert "用地指标未落实" in to_staff[0].body
    assert f"http://127.0.0.1:8000/admin/projects/problem/{zone.late_problem.pk}/change/" in (
        to_staff[0].body
    )
    assert set(
        Notification.objects.filter(recipient=zone.staff).values_list("digest", flat=True)
    ) == {Digest.objects.get(recipient=zone.staff).pk}


def test_the_enterprise_user_gets_sms_ready_text(zone, capsys):
    remind(on=TODAY)
    delivery = Delivery.objects.get(channel=DeliveryChannel.SMS)
    assert delivery.address == "13800000000" and delivery.status == DeliveryStatus.SENT
    text = delivery.digest.short_text
    assert len(text) <= 140 and "<" not in text and "*" not in text
    assert "原料运输受限" in text
    assert f"[SMS → 13800000000] {text}" in capsys.readouterr().out
    # No e-mail for the enterprise user, whatever its account holds.
    assert not Delivery.objects.filter(digest__recipient=zone.enterprise_user, channel="email")


def test_a_notice_made_after_the_days_digest_waits_for_the_next_days(zone):
    remind(on=TODAY)
    zone.later_problem.due_on = date(2026, 11, 19)
    zone.later_problem.save(update_fields=["due_on"])
    remind(on=TODAY)
    notice = Notification.objects.get(
        recipient=zone.staff, source="problems", object_id=zone.later_problem.pk
    )
    assert notice.digest is None
    remind(on=date(2026, 11, 19))
    notice.refresh_from_db()
    assert notice.digest is not None and notice.digest.day == date(2026, 11, 19)


def test_dry_run_writes_nothing(zone):
    result = remind(on=TODAY, dry_run=True)
    assert result.drafts > 0
    assert not Notification.objects.exists() and not Digest.objects.exists()


def test_the_command_runs_for_a_date_and_twice(zone, capsys):
    call_command("remind", "--date", "2026-11-18")
    first = capsys.readouterr().out
    call_command("remind", "--date", "2026-11-18")
    second = capsys.readouterr().out
    assert "新写入 0 条" in second and "新写入 0 条" not in first


def test_the_command_refuses_a_bad_date_naming_the_option(zone):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--date"):
        call_command("remind", "--date", "2026-13-45")


def test_the_remind_pass_reads_per_person_not_per_item(zone, django_assert_max_num_queries):
    from zoneops.meetings.tests.factories import make_problem
    from zoneops.notifications.selectors import notice_drafts

    with CaptureQueries() as few:
        notice_drafts(on=TODAY)
    for number in range(15):
        make_problem(
            zone.project,
            f"新增问题{number}",
            department=zone.org["investment"],
            routed_on=date(2026, 11, 16),
            due_on=date(2026, 11, 17),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        drafts = notice_drafts(on=TODAY)
    assert len(drafts) > 30


class CaptureQueries:
    def __enter__(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self._context = CaptureQueriesContext(connection)
        self._context.__enter__()
        return self._context

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)


def test_an_item_due_today_says_so(zone):
    remind(on=date(2026, 11, 20))  # the Friday the soon problem is due
    notice = Notification.objects.get(
        recipient=zone.staff, source="problems", object_id=zone.soon_problem.pk
    )
    assert notice.kind == NoticeKind.DUE_SOON
    assert notice.title.startswith("【今日到期】项目问题：施工许可待办")
