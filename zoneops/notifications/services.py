"""Every write of the reminders: the day's notices, the digests, the deliveries and their
retries, and a person marking his notices read.

`remind(on=...)` is what `zoneops remind` (cron, a systemd timer; `--background`: a job for
the worker) runs; it is safe to run again the same day or every hour: a notice is written once per
person and dedup key (a unique constraint), a digest once per person or department and day,
and a delivery is claimed before it is sent.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from zoneops.common.exceptions import ApplicationError
from zoneops.common.job_services import JobOutcome, job_start, job_work
from zoneops.common.periods import format_day
from zoneops.notifications.channels import SendError, send_email, send_robot, send_sms
from zoneops.notifications.enums import DeliveryChannel, DeliveryStatus, NoticeKind
from zoneops.notifications.models import Delivery, Digest, Notification, RobotChannel
from zoneops.notifications.selectors import NoticeDraft, deliveries_due, notice_drafts
from zoneops.orgs.models import Department, User

logger = logging.getLogger(__name__)

# A digest lists at most this many notices (the rest: "and N more", on the page).
DIGEST_ROWS = 50
# An SMS says this much at most (a long SMS is split by the carrier at 70 characters).
SMS_MAX = 140
# How many (recipient, dedup key) pairs one lookup of the existing notices carries.
LOOKUP_CHUNK = 400
# While a send is being tried, no other run takes it for this long.
CLAIM_SECONDS = 300


@dataclass
class RemindResult:
    on: date
    drafts: int = 0
    created: int = 0
    digests: int = 0
    deliveries: int = 0
    sent: int = 0
    failed: int = 0
    dry_run: bool = False
    kinds: dict[str, int] = field(default_factory=dict)


def remind(*, on: date, now: datetime | None = None, dry_run: bool = False) -> RemindResult:
    """The day's reminders: write the notices due on `on`, the digests of whatever has not
    been digested yet, and try every send that is due (new and retried ones)."""
    drafts = notice_drafts(on=on)
    result = RemindResult(on=on, drafts=len(drafts), dry_run=dry_run)
    for draft in drafts:
        result.kinds[draft.kind] = result.kinds.get(draft.kind, 0) + 1
    if dry_run:
        return result
    result.created = notifications_create(drafts=drafts, on=on)
    digests = digests_make(on=on)
    result.digests = len(digests)
    result.deliveries = Delivery.objects.filter(digest__in=digests).count()
    sent, failed = deliveries_send_due(now=now or timezone.now())
    result.sent, result.failed = sent, failed
    return result


def notifications_create(*, drafts: list[NoticeDraft], on: date) -> int:
    """Write the notices not yet written (by recipient and dedup key); how many were new."""
    if not drafts:
        return 0
    keys = sorted({(draft.recipient_id, draft.dedup_key) for draft in drafts})
    existing: set[tuple[int, str]] = set()
    # A chunk at a time: a large zone's day is more keys than a query may carry.
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start : start + LOOKUP_CHUNK]
        found = Notification.objects.filter(
            recipient_id__in={recipient for recipient, _key in chunk},
            dedup_key__in={key for _recipient, key in chunk},
        ).values_list("recipient_id", "dedup_key")
        existing.update(found)
    new: dict[tuple[int, str], Notification] = {}
    for draft in drafts:
        key = (draft.recipient_id, draft.dedup_key)
        if key in existing or key in new:
            continue
        new[key] = Notification(
            recipient_id=draft.recipient_id,
            kind=draft.kind,
            source=draft.source,
            object_id=draft.object_id,
            title=draft.title,
            text=draft.text,
            link=draft.link,
            due_on=draft.due_on,
            department_id=draft.department_id,
            day=on,
            dedup_key=draft.dedup_key,
        )
    # A run beside this one may have written some meanwhile: the constraint keeps them once.
    Notification.objects.bulk_create(new.values(), ignore_conflicts=True, batch_size=500)
    return len(new)


# --- digests -------------------------------------------------------------------------------------


def _site_link(link: str) -> str:
    return f"{settings.ZONEOPS_SITE_URL.rstrip('/')}{link}" if link.startswith("/") else link


def _counts_line(notices: list[Notification]) -> str:
    late = sum(1 for notice in notices if notice.kind == NoticeKind.OVERDUE)
    soon = sum(1 for notice in notices if notice.kind == NoticeKind.DUE_SOON)
    other = len(notices) - late - soon
    parts = []
    if late:
        parts.append(_("逾期 %(count)s 项") % {"count": late})
    if soon:
        parts.append(_("即将到期 %(count)s 项") % {"count": soon})
    if other:
        parts.append(_("其他提醒 %(count)s 项") % {"count": other})
    return _("，").join(parts)  # the counts' separator, as each language writes it


def _digest_text(notices: list[Notification], *, links: bool) -> str:
    lines = []
    for notice in notices[:DIGEST_ROWS]:
        lines.append(f"- {notice.title}")
        if notice.text:
            lines.append(f"  {notice.text}")
        if links and notice.link:
            lines.append(f"  {_site_link(notice.link)}")
    if len(notices) > DIGEST_ROWS:
        lines.append(
            _("……另有 %(count)s 项，请登录平台查看。") % {"count": len(notices) - DIGEST_ROWS}
        )
    return "\n".join(lines)


def _sms_text(notices: list[Notification]) -> str:
    """Plain and short: how many, the first one's title, where to read the rest."""
    head = ngettext(
        "【开发区运营服务平台】您有%(count)d条新提醒：",
        "【开发区运营服务平台】您有%(count)d条新提醒：",
        len(notices),
    ) % {"count": len(notices)}
    tail = _("详情请登录企业服务大厅查看。")
    room = SMS_MAX - len(head) - len(tail) - 1
    first = notices[0].title.replace("\n", " ")
    if len(first) > room:
        first = first[: max(room - 1, 0)] + "…"
    return f"{head}{first}。{tail}"[:SMS_MAX]


def _deliveries_for_person(digest: Digest, user: User) -> list[Delivery]:
    deliveries = []
    if user.enterprise_id is not None:
        if user.phone:
            deliveries.append(
                Delivery(digest=digest, channel=DeliveryChannel.SMS, address=user.phone)
            )
    elif user.email:
        deliveries.append(
            Delivery(digest=digest, channel=DeliveryChannel.EMAIL, address=user.email)
        )
    return deliveries


def digests_make(*, on: date) -> list[Digest]:
    """The day's digests of the notices not yet digested: one per person (e-mail for staff,
    SMS-ready text for an enterprise user) and one per department with a robot enabled (each
    robot a delivery). A person or department already digested on `on` waits for the next
    day's: one message a day each."""
    made: list[Digest] = []
    pending = list(
        Notification.objects.filter(digest__isnull=True, day__lte=on)
        .select_related("recipient")
        .order_by("recipient_id", "kind", "due_on", "id")
    )
    by_person: dict[int, list[Notification]] = defaultdict(list)
    for notice in pending:
        by_person[notice.recipient_id].append(notice)
    done_today = set(
        Digest.objects.filter(day=on, recipient_id__in=by_person).values_list(
            "recipient_id", flat=True
        )
    )
    for user_id, notices in by_person.items():
        if user_id in done_today:
            continue
        try:
            made.append(_person_digest(notices=notices, on=on))
        except IntegrityError:  # a run beside this one made it meanwhile: it carries them
            continue
    made.extend(_department_digests(on=on))
    return made


def _person_digest(*, notices: list[Notification], on: date) -> Digest:
    user = notices[0].recipient
    subject = _("【开发区运营服务平台】%(day)s 提醒：%(counts)s") % {
        "day": format_day(on),
        "counts": _counts_line(notices),
    }
    with transaction.atomic():
        digest = Digest.objects.create(
            recipient=user,
            day=on,
            subject=subject[:300],
            text=_digest_text(notices, links=user.enterprise_id is None),
            short_text=_sms_text(notices) if user.enterprise_id is not None else "",
        )
        Notification.objects.filter(pk__in=[notice.pk for notice in notices]).update(digest=digest)
        Delivery.objects.bulk_create(_deliveries_for_person(digest, user))
    return digest


def _department_digests(*, on: date) -> list[Digest]:
    robots = list(RobotChannel.objects.filter(enabled=True).order_by("pk"))
    if not robots:
        return []
    robots_of: dict[int, list[RobotChannel]] = defaultdict(list)
    for robot in robots:
        robots_of[robot.department_id].append(robot)
    done_today = set(
        Digest.objects.filter(day=on, department_id__in=robots_of).values_list(
            "department_id", flat=True
        )
    )
    wanted = [pk for pk in robots_of if pk not in done_today]
    pending = list(
        Notification.objects.filter(
            department_digest__isnull=True,
            day__lte=on,
            department_id__in=wanted,
            recipient__enterprise__isnull=True,
        ).order_by("department_id", "kind", "due_on", "id")
    )
    by_department: dict[int, dict[tuple[str, int, str], Notification]] = defaultdict(dict)
    ids_of: dict[int, list[int]] = defaultdict(list)
    for notice in pending:
        assert notice.department_id is not None
        # Several people hear of one item: the group hears of it once.
        by_department[notice.department_id].setdefault(
            (notice.source, notice.object_id, notice.kind), notice
        )
        ids_of[notice.department_id].append(notice.pk)
    names = dict(Department.objects.filter(pk__in=by_department).values_list("pk", "name"))
    made = []
    for department_id, items in by_department.items():
        notices = list(items.values())
        subject = _("%(department)s %(day)s 提醒：%(counts)s") % {
            "department": names.get(department_id, ""),
            "day": format_day(on),
            "counts": _counts_line(notices),
        }
        try:
            digest = _department_digest(
                department_id=department_id,
                on=on,
                subject=subject,
                notices=notices,
                notice_ids=ids_of[department_id],
                robots=robots_of[department_id],
            )
        except IntegrityError:  # a run beside this one made it meanwhile
            continue
        made.append(digest)
    return made


def _department_digest(
    *,
    department_id: int,
    on: date,
    subject: str,
    notices: list[Notification],
    notice_ids: list[int],
    robots: list[RobotChannel],
) -> Digest:
    with transaction.atomic():
        digest = Digest.objects.create(
            department_id=department_id,
            day=on,
            subject=subject[:300],
            text=_digest_text(notices, links=True),
        )
        Notification.objects.filter(pk__in=notice_ids).update(department_digest=digest)
        Delivery.objects.bulk_create(
            Delivery(
                digest=digest, channel=DeliveryChannel.ROBOT, robot=robot, address=str(robot.name)
            )
            for robot in robots
        )
    return digest


# --- sending -------------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed ones: doubling from the base
    (5, 10, 20, 40… minutes by default)."""
    base = settings.ZONEOPS_DELIVERY_RETRY_BASE_SECONDS
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def _send(delivery: Delivery, *, now: datetime) -> None:
    digest = delivery.digest
    if delivery.channel == DeliveryChannel.EMAIL:
        send_email(address=delivery.address, subject=digest.subject, text=digest.text)
    elif delivery.channel == DeliveryChannel.SMS:
        send_sms(phone=delivery.address, text=digest.short_text or digest.subject)
    else:
        robot = delivery.robot
        if robot is None:
            raise SendError(_("群机器人已删除。"))
        if not robot.enabled:
            raise SendError(_("群机器人已停用。"))
        send_robot(
            kind=robot.kind,
            url=robot.webhook_url,
            secret=robot.secret,
            title=digest.subject,
            text=digest.text,
            now_ms=int(now.timestamp() * 1000),
        )


def _claim(delivery: Delivery, *, now: datetime) -> bool:
    """Take the send for this run (no other run tries it meanwhile)."""
    claimed = Delivery.objects.filter(
        pk=delivery.pk, attempts=delivery.attempts, status=delivery.status
    ).update(
        attempts=F("attempts") + 1,
        next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS),
    )
    delivery.attempts += 1
    return claimed == 1


def delivery_attempt(*, delivery: Delivery, now: datetime) -> bool:
    """Try one send: sent, or its error kept and the next try set after a doubling wait;
    after the last allowed try it stays failed, shown in the back office (never dropped)."""
    if not _claim(delivery, now=now):
        return False
    try:
        _send(delivery, now=now)
    except SendError as error:
        delivery.last_error = str(error)[:2000]
        if delivery.attempts >= settings.ZONEOPS_DELIVERY_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            logger.error("delivery %s failed for good: %s", delivery.pk, error)
        else:
            delivery.status = DeliveryStatus.RETRYING
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
            logger.warning("delivery %s failed, retrying: %s", delivery.pk, error)
        delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
        return False
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = now
    delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "sent_at", "next_attempt_at"])
    return True


def deliveries_send_due(*, now: datetime) -> tuple[int, int]:
    """Try every send that is due; (sent, failed this time). The sends left to try again are
    tried by a background job at the earliest of their times, not only at the next run of
    `zoneops remind`."""
    sent = failed = 0
    for delivery in deliveries_due(now=now):
        if delivery_attempt(delivery=delivery, now=now):
            sent += 1
        else:
            failed += 1
    if failed:
        deliveries_schedule()
    return sent, failed


SEND_TITLE = gettext_noop("重发失败的提醒消息")
REMIND_TITLE = gettext_noop("%(day)s的提醒")


def deliveries_schedule() -> None:
    """A background job that sends what is due at the earliest time a send waits for."""
    earliest = Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]
    ).aggregate(at=Min("next_attempt_at"))["at"]
    if earliest is not None:
        job_start(work=deliveries_send_work, title=SEND_TITLE, by=None, run_after=earliest)


@job_work
def deliveries_send_work(*, job: Any) -> JobOutcome:
    """The background job of `deliveries_schedule`."""
    sent, failed = deliveries_send_due(now=timezone.now())
    return JobOutcome(
        message=_("发送成功 %(sent)s 条，失败 %(failed)s 条。") % {"sent": sent, "failed": failed}
    )


def remind_in_background(*, on: date, by: Any = None) -> Any:
    """`remind` for the day `on` as a background job (`zoneops remind --background`)."""
    return job_start(
        work=remind_work,
        title=REMIND_TITLE,
        title_args={"day": format_day(on)},
        by=by,
        params={"day": on.isoformat()},
    )


@job_work
def remind_work(*, job: Any, day: str) -> JobOutcome:
    result = remind(on=date.fromisoformat(day))
    return JobOutcome(
        message=_("新写入提醒 %(created)s 条，发送成功 %(sent)s 条，失败 %(failed)s 条。")
        % {"created": result.created, "sent": result.sent, "failed": result.failed}
    )


def deliveries_retry_now(*, deliveries: list[Delivery], by: User) -> int:
    """An administrator sends failed (or waiting) ones again at the next run, with a fresh
    count of tries."""
    if not by.has_perm("notifications.change_delivery"):
        raise ApplicationError(_("没有重发的权限。"))
    count = Delivery.objects.filter(
        Q(pk__in=[delivery.pk for delivery in deliveries]), ~Q(status=DeliveryStatus.SENT)
    ).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None)
    if count:  # sent by the worker now, not at the next morning's run
        job_start(work=deliveries_send_work, title=SEND_TITLE, by=by)
    return count


# --- reading -------------------------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """The user marks one of his notices read; another's is not found (DoesNotExist)."""
    notification = Notification.objects.of(user).get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """The user marks all his notices read; how many were unread."""
    return Notification.objects.of(user).unread().update(read_at=timezone.now())
