"""Each channel against a local fake endpoint that checks the payload and the signature, and
a failing one: the send is retried later with a doubling wait, and stays shown when it fails
for good."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from zoneops.common.models import BackgroundJob
from zoneops.common.tests.jobs import DATABASE_TASKS, run_worker
from zoneops.notifications.channels import dingtalk_sign, feishu_sign
from zoneops.notifications.enums import DeliveryChannel, DeliveryStatus, RobotKind
from zoneops.notifications.models import Delivery, Digest, Notification, RobotChannel
from zoneops.notifications.services import deliveries_send_due, remind, retry_delay
from zoneops.notifications.tests.conftest import DING_SECRET, FEISHU_SECRET, FROZEN, TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(FROZEN, tick=False)]


def _robot(zone, kind, url, secret="", department="investment"):
    return RobotChannel.objects.create(
        department=zone.org[department],
        kind=kind,
        name=f"{kind} 群",
        webhook_url=url,
        secret=secret,
    )


def _robot_delivery(robot):
    return Delivery.objects.get(channel=DeliveryChannel.ROBOT, robot=robot)


def test_wecom_robot_gets_markdown_with_the_key_in_the_url(zone, robot_server):
    robot = _robot(zone, RobotKind.WECOM, f"{robot_server.base}/wecom?key=wecom-key")
    remind(on=TODAY)
    delivery = _robot_delivery(robot)
    assert delivery.status == DeliveryStatus.SENT, delivery.last_error
    [received] = robot_server.received
    assert "用地指标未落实" in received["body"]["markdown"]["content"]


def test_dingtalk_robot_is_signed_in_the_query(zone, robot_server):
    robot = _robot(
        zone,
        RobotKind.DINGTALK,
        f"{robot_server.base}/dingtalk?access_token=ding-token",
        secret=DING_SECRET,
    )
    remind(on=TODAY)
    assert _robot_delivery(robot).status == DeliveryStatus.SENT
    [received] = robot_server.received
    # Milliseconds of the frozen clock.
    assert received["query"]["timestamp"] == str(int(timezone.now().timestamp() * 1000))
    assert "施工许可待办" in received["body"]["markdown"]["text"]


def test_feishu_robot_is_signed_in_the_body(zone, robot_server):
    robot = _robot(zone, RobotKind.FEISHU, f"{robot_server.base}/feishu", secret=FEISHU_SECRET)
    remind(on=TODAY)
    assert _robot_delivery(robot).status == DeliveryStatus.SENT
    [received] = robot_server.received
    assert received["body"]["timestamp"] == str(int(timezone.now().timestamp()))


def test_a_wrong_secret_is_refused_by_the_robot_and_kept_as_the_error(zone, robot_server):
    robot = _robot(
        zone,
        RobotKind.DINGTALK,
        f"{robot_server.base}/dingtalk?access_token=ding-token",
        secret="SECwrong",
    )
    remind(on=TODAY)
    delivery = _robot_delivery(robot)
    assert delivery.status == DeliveryStatus.RETRYING
    assert "sign not match" in delivery.last_error


def test_the_signatures_follow_the_documented_examples():
    # Worked by hand from the documented algorithms (see channels.py).
    import base64
    import hashlib
    import hmac

    assert (
        dingtalk_sign(secret="SECabc", timestamp_ms=1700000000000)
        == base64.b64encode(
            hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
        ).decode()
    )
    assert (
        feishu_sign(secret="abc", timestamp_s=1700000000)
        == base64.b64encode(hmac.new(b"1700000000\nabc", b"", hashlib.sha256).digest()).decode()
    )


def test_the_group_hears_of_an_item_once_however_many_people_do(zone, robot_server):
    robot = _robot(zone, RobotKind.WECOM, f"{robot_server.base}/wecom?key=wecom-key")
    remind(on=TODAY)
    remind(on=TODAY)
    content = robot_server.received[0]["body"]["markdown"]["content"]
    assert content.count("用地指标未落实") == 1
    assert len(robot_server.received) == 1
    assert Digest.objects.filter(department=robot.department, day=TODAY).count() == 1


def test_a_disabled_robot_gets_nothing(zone, robot_server):
    robot = _robot(zone, RobotKind.WECOM, f"{robot_server.base}/wecom?key=wecom-key")
    robot.enabled = False
    robot.save()
    remind(on=TODAY)
    assert not robot_server.received and not Delivery.objects.filter(robot=robot).exists()


def test_a_failing_endpoint_is_retried_with_backoff_and_then_shown_failed(zone, robot_server):
    robot = _robot(zone, RobotKind.WECOM, f"{robot_server.base}/down")
    start = timezone.now()
    remind(on=TODAY, now=start)
    delivery = _robot_delivery(robot)
    assert delivery.status == DeliveryStatus.RETRYING and delivery.attempts == 1
    assert "HTTP 500" in delivery.last_error
    assert delivery.next_attempt_at == start + retry_delay(1) == start + timedelta(minutes=5)

    # Not yet due: the next run leaves it alone.
    assert deliveries_send_due(now=start + timedelta(minutes=4)) == (0, 0)
    assert len(robot_server.received) == 1

    now = start
    for attempt in range(2, 7):
        now = now + retry_delay(attempt - 1)
        deliveries_send_due(now=now)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
    assert retry_delay(2) == timedelta(minutes=10) and retry_delay(5) == timedelta(minutes=80)
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert len(robot_server.received) == 6
    # Failed for good: kept, and no further run tries it.
    assert deliveries_send_due(now=now + timedelta(days=1)) == (0, 0)


def test_an_endpoint_that_recovers_gets_the_message_at_the_retry(zone, robot_server):
    robot = _robot(zone, RobotKind.WECOM, f"{robot_server.base}/wecom?key=wecom-key")
    answers = iter([(502, {"error": "bad gateway"})])
    checker = robot_server.answer
    robot_server.answer = lambda *args: next(answers, None) or checker(*args)
    start = timezone.now()
    remind(on=TODAY, now=start)
    assert _robot_delivery(robot).status == DeliveryStatus.RETRYING
    remind(on=TODAY, now=start + timedelta(minutes=6))
    delivery = _robot_delivery(robot)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2


def test_an_unreachable_robot_is_a_kept_error(zone):
    robot = _robot(zone, RobotKind.WECOM, "http://127.0.0.1:9/wecom?key=x")
    remind(on=TODAY)
    delivery = _robot_delivery(robot)
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_error


@override_settings(EMAIL_BACKEND="zoneops.notifications.tests.test_channels.BrokenBackend")
def test_a_failed_email_is_retried(zone):
    remind(on=TODAY)
    delivery = Delivery.objects.get(channel=DeliveryChannel.EMAIL, address="staff@zone.cn")
    assert delivery.status == DeliveryStatus.RETRYING
    assert "SMTP down" in delivery.last_error
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        deliveries_send_due(now=timezone.now() + timedelta(hours=1))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox].count(["staff@zone.cn"]) == 1


@override_settings(ZONEOPS_SMS_SENDER="zoneops.notifications.tests.test_channels.record_sms")
def test_the_sms_sender_is_pluggable(zone):
    SENT.clear()
    remind(on=TODAY)
    assert [phone for phone, _text in SENT] == ["13800000000"]


def test_wecom_refuses_a_secret(zone):
    robot = RobotChannel(
        department=zone.org["investment"],
        kind=RobotKind.WECOM,
        name="群",
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        secret="x",
    )
    with pytest.raises(ValidationError) as error:
        robot.full_clean()
    assert "secret" in error.value.message_dict


def test_a_robot_url_must_be_http(zone):
    robot = RobotChannel(
        department=zone.org["investment"],
        kind=RobotKind.FEISHU,
        name="群",
        webhook_url="ftp://example.com/hook",
    )
    with pytest.raises(ValidationError) as error:
        robot.full_clean()
    assert "webhook_url" in error.value.message_dict


# --- helpers the settings above name --------------------------------------------------------

SENT: list[tuple[str, str]] = []


def record_sms(*, phone: str, text: str) -> None:
    SENT.append((phone, text))


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")


def test_a_long_wecom_message_is_cut_to_its_limit():
    from zoneops.notifications.channels import WECOM_MAX_BYTES, robot_request

    _url, body = robot_request(
        kind=RobotKind.WECOM,
        url="http://x/",
        secret="",
        title="标题",
        text="逾期" * 5000,
        now_ms=0,
    )
    content = body["markdown"]["content"]
    assert len(content.encode()) <= WECOM_MAX_BYTES and content.endswith("…")


def test_a_failed_send_is_tried_again_by_the_worker_when_its_wait_is_over(
    zone, robot_server, settings, time_machine, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS  # jobs wait in the database for the worker
    robot = _robot(zone, RobotKind.WECOM, f"{robot_server.base}/wecom?key=wecom-key")
    answers = iter([(502, {"error": "bad gateway"})])
    checker = robot_server.answer
    robot_server.answer = lambda *args: next(answers, None) or checker(*args)
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):  # the job is queued at commit
        remind(on=TODAY, now=start)
    delivery = _robot_delivery(robot)
    assert delivery.status == DeliveryStatus.RETRYING

    run_worker()  # too early: the retry waits its five minutes
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    job = BackgroundJob.objects.get(work__endswith="deliveries_send_work")
    assert job.status == BackgroundJob.Status.QUEUED

    time_machine.move_to(start + timedelta(minutes=5, seconds=1))
    run_worker()
    delivery.refresh_from_db()
    job.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    assert job.status == BackgroundJob.Status.SUCCEEDED


def test_zoneops_remind_background_leaves_the_day_to_the_worker(
    zone, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind", "--date", TODAY.isoformat(), "--background", stdout=out)
    assert "后台" in out.getvalue()
    assert not Notification.objects.exists()

    run_worker()

    assert Notification.objects.exists()
    job = BackgroundJob.objects.get(work__endswith="remind_work")
    assert job.status == BackgroundJob.Status.SUCCEEDED and "新写入提醒" in job.message
